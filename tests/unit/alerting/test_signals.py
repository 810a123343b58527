"""The signal catalogue on real sentences from the development data: intrastate violence counts, precision holds.

Each sentence is quoted from the PLOVER gold standard (id given) or from the project's VOA labels (dev split, id
given); the events are built as the extractor codes such sentences, so these test the rules, not the coder.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from powderkeg_alerting.core.engine import AlertEngine, Outcome
from powderkeg_alerting.core.rules import load_rules
from powderkeg_contracts import Actor, ActorClass, EventDate, Factuality, Location, PloverType, Sector, Severity
from tests.support.events import T0, EventFactory, signals

SUDAN_ARMY = Actor(text="Sudanese troops", name="Sudan", country="SDN", sector=Sector.MILITARY, code="SDNMIL")
SUDAN_REBELS = Actor(text="Sudanese rebels", country="SDN", sector=Sector.REBELS, code="SDNREB")
POLICE_EG = Actor(text="Egyptian police", country="EGY", sector=Sector.POLICE, code="EGYCOP")
PROTESTERS_EG = Actor(
    text="demonstrators", country="EGY", sector=Sector.CIVILIANS, actor_class=ActorClass.PROTESTERS
)
MILITIA_BDI = Actor(text="Burundian militiamen", country="BDI", sector=Sector.REBELS, code="BDIREB")
REFUGEES = Actor(text="Congolese refugees", country="COD", sector=Sector.CIVILIANS, code="CODREF")
GUERRILLAS = Actor(text="Irish nationalist guerrillas", country="GBR", sector=Sector.INSURGENTS, code="GBRINS")
SOLDIERS_GB = Actor(text="British soldiers", country="GBR", sector=Sector.MILITARY, code="GBRMIL")
HAITI_POLICE = Actor(text="police", country="HTI", sector=Sector.POLICE, code="HTICOP")
PRK = Actor(text="North Korea", name="North Korea", country="PRK", sector=Sector.GOVERNMENT, code="PRKGOV")
NOBODY = Actor(reason="no recipient in the sentence")


def raised(make_event: EventFactory, *args: object, **kwargs: object) -> dict[str, object]:
    return signals(AlertEngine().process(make_event(*args, **kwargs)))


def test_a_domestic_shelling_is_a_military_strike_and_lethal_makes_it_critical(make_event: EventFactory) -> None:
    sentence = (  # PLOVER-GSR01-FIGHT-0005
        "Sudanese rebels shelled the southern regional capital Juba for the first time in a year on Sunday and "
        "Monday, killing about 20 people, relief officials said."
    )
    found = raised(
        make_event, PloverType.ASSAULT, "194", sentence, "shelled", mode="heavy-weapons", actor=SUDAN_REBELS,
        recipient=SUDAN_ARMY, goldstein=-10.0,
    )
    alert = found["military_strike"]
    assert alert.kind.value == "intrastate" and alert.sides.key == "SDN-SDN.rebels"  # type: ignore[attr-defined]
    assert alert.severity is Severity.CRITICAL  # type: ignore[attr-defined]


def test_a_bombing_raises_bombing_and_an_attack_on_soldiers_an_armed_group_attack(make_event: EventFactory) -> None:
    sentence = "Irish nationalist guerrillas wounded two British soldiers in a bomb attack on Thursday, police said."
    found = raised(  # PLOVER-GSR01-ASSAULT-0007
        make_event, PloverType.ASSAULT, "183", sentence, "bomb attack", mode="explosives", actor=GUERRILLAS,
        recipient=SOLDIERS_GB, goldstein=-10.0,
    )
    assert {"bombing", "armed_group_attack"} <= set(found)
    assert found["bombing"].severity is Severity.WARNING, "wounded, not killed: warning"  # type: ignore[attr-defined]


def test_an_air_raid_is_a_military_strike_not_an_explosive_attack(make_event: EventFactory) -> None:
    afg = Actor(text="Afghanistan", name="Afghanistan", country="AFG", sector=Sector.GOVERNMENT, code="AFG")
    pak_air = Actor(text="Pakistani jets", country="PAK", sector=Sector.MILITARY, code="PAKMIL")
    found = raised(
        make_event, PloverType.ASSAULT, "195", "Pakistani jets bombed positions in Afghanistan.", "bombed",
        mode="aerial", actor=pak_air, recipient=afg, goldstein=-10.0,
    )
    assert "military_strike" in found and "bombing" not in found, sorted(found)


def test_a_massacre_of_refugees_is_an_attack_on_civilians_and_critical(make_event: EventFactory) -> None:
    sentence = (  # PLOVER-GSR01-ASSAULT-0001
        "A temporary camp for Congolese refugees was attacked by Burundian militiamen armed with machetes, killing "
        "at least 156 people, the UN refugee agency reported."
    )
    found = raised(
        make_event, PloverType.ASSAULT, "180", sentence, "attacked", actor=MILITIA_BDI, recipient=REFUGEES,
        goldstein=-9.0,
    )
    assert found["attack_on_civilians"].severity is Severity.CRITICAL  # type: ignore[attr-defined]


def test_police_firing_on_demonstrators_is_force_against_protesters(make_event: EventFactory) -> None:
    sentence = (  # PLOVER-GSR01-FIGHT-0006
        "Egyptian police opened fire to disperse Moslem fundamentalist demonstrators on Monday night, killing one "
        "person and arresting 12, security sources said."
    )
    found = raised(
        make_event, PloverType.ASSAULT, "175", sentence, "opened fire", actor=POLICE_EG, recipient=PROTESTERS_EG,
        goldstein=-10.0,
    )
    alert = found["force_against_protesters"]
    assert alert.sides.key == "EGY-EGY.protesters" and alert.severity is Severity.CRITICAL  # type: ignore[attr-defined]


def test_peaceful_protest_is_info_and_a_riot_a_warning(make_event: EventFactory) -> None:
    demo = "Thousands of Iraqi Kurds demonstrated in the northern city of Kirkuk on Sunday calling for independence."
    kurds = Actor(text="Iraqi Kurds", country="IRQ", sector=Sector.CIVILIANS, actor_class=ActorClass.PROTESTERS)
    found = raised(  # PLOVER-GSR01-PROTEST-0006
        make_event, PloverType.PROTEST, "141", demo, "demonstrated", mode="demo", actor=kurds, recipient=NOBODY,
        goldstein=-6.5,
    )
    assert found["protest"].severity is Severity.INFO and "riot" not in found  # type: ignore[attr-defined]
    riot = "Palestinian prisoners rioted Monday at this jail in northern Israel, setting fire to their mattresses."
    found = raised(  # PLOVER-GSR01-PROTEST-0023
        make_event, PloverType.PROTEST, "145", riot, "rioted", mode="riot", actor=kurds, recipient=NOBODY,
        goldstein=-7.5, article="riot",
    )
    assert found["riot"].severity is Severity.WARNING  # type: ignore[attr-defined]


def test_mass_arrests_of_the_opposition_are_repression(make_event: EventFactory) -> None:
    sentence = (  # PLOVER-GSR01-COERCE-0011
        "The military government of President Prosper Avril declared a 30-day state of siege in Haiti on Saturday, "
        "suspending parts of the constitution and arresting political opponents."
    )
    opponents = Actor(text="political opponents", country="HTI", sector=Sector.OPPOSITION)
    found = raised(
        make_event, PloverType.COERCE, "173", sentence, "arresting", mode="arrest", actor=HAITI_POLICE,
        recipient=opponents,
    )
    assert "repression" in found


def test_a_curfew_is_emergency_rule_but_shortening_it_is_not(make_event: EventFactory) -> None:
    curfew = "Turkish authorities have imposed a curfew in the town of Cizre in southeastern Turkey after a protest."
    turkey = Actor(text="Turkish authorities", country="TUR", sector=Sector.GOVERNMENT)
    found = raised(  # PLOVER-GSR01-COERCE-0010
        make_event, PloverType.COERCE, "1723", curfew, "imposed", mode="curfew", actor=turkey, recipient=NOBODY
    )
    assert "emergency_rule" in found
    shortened = "President Omar El Bashir on Thursday shortened by one hour the nightly curfew imposed in Sudan."
    found = raised(  # PLOVER-GSR01-CONCEDE-0006
        make_event, PloverType.CONCEDE, "081", shortened, "shortened", actor=SUDAN_ARMY, recipient=NOBODY,
        goldstein=5.0, article="shortened",
    )
    assert "emergency_rule" not in found and "coup" not in found


def test_a_missile_fired_into_the_sea_is_a_weapons_test_not_a_strike(make_event: EventFactory) -> None:
    sentence = "North Korea fired a ballistic missile into the sea off its east coast, Seoul's military said."
    found = raised(make_event, PloverType.ASSAULT, "190", sentence, "fired", actor=PRK, recipient=NOBODY)
    assert "weapons_test" in found and "military_strike" not in found
    assert found["weapons_test"].kind.value == "one_sided"  # type: ignore[attr-defined]


def test_soldiers_seizing_power_is_a_coup(make_event: EventFactory) -> None:
    sentence = "Mutinous soldiers detained the president and announced on state television that they had seized power."
    soldiers = Actor(text="Mutinous soldiers", country="GAB", sector=Sector.MILITARY)
    president = Actor(text="the president", country="GAB", sector=Sector.GOVERNMENT)
    found = raised(
        make_event, PloverType.COERCE, "173", sentence, "detained", mode="arrest", actor=soldiers, recipient=president
    )
    assert found["coup"].severity is Severity.CRITICAL  # type: ignore[attr-defined]


def test_hostage_taking_is_an_abduction(make_event: EventFactory) -> None:
    sentence = "Militants attacked a cross-country passenger train Tuesday, taking many hostages."  # voa:8007760 dev
    militants = Actor(text="Militants", country="PAK", sector=Sector.INSURGENTS)
    found = raised(make_event, PloverType.ASSAULT, "181", sentence, "taking", mode="abduct", actor=militants,
                   recipient=NOBODY)
    assert "abduction" in found


def test_troops_capturing_a_stronghold_is_territory_seized(make_event: EventFactory) -> None:
    sentence = (  # PLOVER-GSR01-FIGHT-0003
        "Burmese troops have captured part of a Karen guerrilla stronghold on the Thai border after five days of "
        "fighting, Thai police here said on Monday."
    )
    troops = Actor(text="Burmese troops", country="MMR", sector=Sector.MILITARY)
    karen = Actor(text="Karen guerrilla", country="MMR", sector=Sector.INSURGENTS)
    found = raised(make_event, PloverType.COERCE, "192", sentence, "captured", mode="seize", actor=troops,
                   recipient=karen)
    assert found["territory_seized"].kind.value == "intrastate"  # type: ignore[attr-defined]


def test_clashes_need_two_armed_sides(make_event: EventFactory) -> None:
    sentence = "Serb forces killed three ethnic Albanians in a gunbattle in southeastern Serbia Friday."
    serbs = Actor(text="Serb forces", country="SRB", sector=Sector.MILITARY)
    albanians = Actor(text="ethnic Albanians", country="SRB", sector=Sector.REBELS)
    found = raised(  # PLOVER-GSR01-FIGHT-0007
        make_event, PloverType.ASSAULT, "193", sentence, "gunbattle", mode="firearms", actor=serbs,
        recipient=albanians, reciprocal=True,
    )
    assert found["armed_clash"].severity is Severity.CRITICAL  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sentence", "trigger"),
    [
        # voa:6181235:0 (dev): an analyst's forecast.
        ("Experts see an end to a diplomatic process as Pyongyang appears to be preparing to launch a missile.", "end"),
        # A question is not a report.
        ("Will Pakistan retaliate against the Taliban after the attack?", "retaliate"),
        # Risk is not an act.
        ("Algeria is facing an increasing threat from armed groups in the Sahel.", "threat"),
    ],
)
def test_questions_risk_and_forecasts_raise_nothing(make_event: EventFactory, sentence: str, trigger: str) -> None:
    speaker = Actor(text=sentence.split()[0]) if sentence.startswith("Experts") else None
    event = make_event(
        PloverType.THREATEN, "138", sentence, trigger, factuality=Factuality.HYPOTHETICAL, speaker=speaker
    )
    evaluation = AlertEngine().evaluate(event)
    assert evaluation.alerts == [] and evaluation.outcome in (Outcome.IGNORED, Outcome.NO_SIGNAL)


def test_history_is_not_news(make_event: EventFactory) -> None:
    """voa:6203896 (dev): a trial opens over a bombing in 2004; the bombing raises no current alert."""
    sentence = "A trial opened in Paris Monday over the 2004 bombing of a French military base in Ivory Coast."
    old = make_event(
        PloverType.ASSAULT, "183", sentence, "bombing", mode="explosives",
        event_date=EventDate(date=date(2004, 11, 6), granularity="day", text="2004"),
    )
    assert AlertEngine().evaluate(old).outcome is Outcome.BACKGROUND
    told = make_event(
        PloverType.ASSAULT, "190", "That agreement ended a war that lasted more than three years.", "war",
        background_reason="told as history: a past-perfect or dated clause", article="told",
    )
    assert AlertEngine().evaluate(told).outcome is Outcome.BACKGROUND


def test_lifting_sanctions_is_not_sanctions_but_their_lifting(make_event: EventFactory) -> None:
    sentence = "The United States lifted sanctions on the Syrian central bank on Friday."
    usa = Actor(text="The United States", country="USA", sector=Sector.GOVERNMENT)
    syria = Actor(text="Syrian central bank", country="SYR", sector=Sector.BUSINESS)
    found = raised(make_event, PloverType.SANCTION, "163", sentence, "lifted", actor=usa, recipient=syria)
    assert "sanctions" not in found and "sanctions_lifted" in found


def test_acts_done_to_someone_need_the_someone(make_event: EventFactory) -> None:
    """A clash, sanctions or repression with no one named on the other side is a mention, not an event report."""
    skirmish = (  # voa:6204681:17 (dev): an analyst's aside about a past clash
        "Roy said the growing anxiety about Chinese dominance and the recent border skirmish are making India "
        "increasingly supportive of security cooperation with Japan."
    )
    india = Actor(text="India", country="IND", sector=Sector.GOVERNMENT)
    china = Actor(text="Chinese troops", country="CHN", sector=Sector.MILITARY)
    alone = raised(make_event, PloverType.ASSAULT, "193", skirmish, "skirmish", mode="firearms", actor=india,
                   recipient=NOBODY)
    assert "armed_clash" not in alone
    paired = raised(make_event, PloverType.ASSAULT, "193", "Indian and Chinese troops clashed on the border.",
                    "clashed", mode="firearms", actor=india, recipient=china, reciprocal=True)
    assert "armed_clash" in paired
    ban = "As a precaution, Cameroon banned the import of chicks and hatching eggs from Europe."  # voa:6205512:8 dev
    cameroon = Actor(text="Cameroon", country="CMR", sector=Sector.GOVERNMENT)
    assert "sanctions" not in raised(make_event, PloverType.SANCTION, "163", ban, "banned", actor=cameroon,
                                     recipient=NOBODY)
    usa = Actor(text="The United States", country="USA", sector=Sector.GOVERNMENT)
    banks = Actor(text="Russian banks", country="RUS", sector=Sector.BUSINESS)
    assert "sanctions" in raised(make_event, PloverType.SANCTION, "163", "The United States imposed sanctions on "
                                 "Russian banks.", "imposed sanctions", actor=usa, recipient=banks)


def test_troops_rescuing_flood_victims_are_not_mobilised(make_event: EventFactory) -> None:
    sentence = "The army deployed 2,000 troops to rescue families stranded by floods in Sindh province."
    army = Actor(text="The army", country="PAK", sector=Sector.MILITARY)
    found = raised(make_event, PloverType.MOBILIZE, "154", sentence, "deployed", actor=army, recipient=NOBODY)
    assert "mobilization" not in found


def test_peacekeepers_arriving_are_not_a_mobilisation_but_troops_massing_are(make_event: EventFactory) -> None:
    # PLOVER gold standard PLOVER-GSR01-AID-0008: deploying peacekeepers is CAMEO 074, material cooperation.
    sentence = (
        "The first deployment of NATO peacekeeping troops have arrived in Bosnia, Defense Secretary William Perry said."
    )
    nato = Actor(text="NATO peacekeeping troops", name="NATO", sector=Sector.MILITARY, actor_class=ActorClass.EXTERNAL)
    bosnia = Actor(text="Bosnia", name="Bosnia", country="BIH", sector=Sector.GOVERNMENT)
    found = raised(
        make_event, PloverType.MOBILIZE, "154", sentence, "arrived", mode="troops", actor=nato, recipient=bosnia
    )
    assert "mobilization" not in found
    massing = "Russia deployed thousands of troops to its border with Ukraine on Monday."
    russia = Actor(text="Russia", name="Russia", country="RUS", sector=Sector.MILITARY)
    ukraine = Actor(text="Ukraine", name="Ukraine", country="UKR", sector=Sector.GOVERNMENT)
    found = raised(
        make_event, PloverType.MOBILIZE, "154", massing, "deployed", mode="troops", actor=russia, recipient=ukraine
    )
    assert "mobilization" in found


def test_a_future_dated_event_never_moves_the_watermark(make_event: EventFactory) -> None:
    engine = AlertEngine()
    future = make_event(
        PloverType.ASSAULT, "195", "Jets struck.", "struck", mode="aerial", published_at=T0 + timedelta(days=27_000),
        ingested_at=T0, article="future",
    )
    engine.evaluate(future)
    assert engine.watermark == T0, "clamped to when it reached the pipeline"
    real = make_event(PloverType.REJECT, "125", "Talks collapsed.", "collapsed", mode="meet", ingested_at=T0)
    assert engine.evaluate(real).outcome is Outcome.ALERTED, "later real events are not 'late'"


def test_every_escalation_with_a_natural_counterpart_names_it() -> None:
    rules = load_rules()
    for name in ("armed_clash", "military_strike", "talks_failed", "sanctions", "border_closed", "abduction"):
        counterpart = rules.by_name(name).counterpart
        assert counterpart is not None and rules.by_name(counterpart).direction.value == "de-escalation", name


def test_location_is_kept_for_the_console(make_event: EventFactory) -> None:
    sentence = "Sudanese rebels shelled the southern regional capital Juba, killing about 20 people."
    found = raised(
        make_event, PloverType.ASSAULT, "194", sentence, "shelled", mode="heavy-weapons", actor=SUDAN_REBELS,
        recipient=SUDAN_ARMY, location=Location(place="Juba", country="SSD"),
    )
    assert found["military_strike"].locations == ("Juba",)  # type: ignore[attr-defined]
