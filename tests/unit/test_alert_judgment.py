"""Alert judgment end to end (extractor and alert engine, as ``powderkeg run`` runs them), one mechanism per test.

Sentences marked ``dev-NNN`` are the hand-written probes of ``services/cli/evaluation/probes/dev.jsonl`` (the
tuning split; the holdout split is never quoted in tests); ``voa:...`` ones are from the project's VOA labels
(dev split). Each test also checks the neighbouring case the mechanism must leave alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from powderkeg_cli.eval_alerts import Case, escalations, run_cases
from powderkeg_contracts import Alert, EventRecord, Factuality, PloverType

Run = Callable[[str], tuple[list[EventRecord], list[Alert]]]


@pytest.fixture(scope="module")
def run() -> Run:
    from powderkeg_extractor.core.pipeline import Extractor

    extractor = Extractor.packaged(classifier=False)

    def one(text: str) -> tuple[list[EventRecord], list[Alert]]:
        ((events, alerts),) = run_cases(extractor, [Case("test", text, None, "test")])
        return events, alerts

    return one


def raised(run: Run, text: str) -> list[str]:
    return escalations(run(text)[1])


CONFLICT = {PloverType.ASSAULT, PloverType.COERCE, PloverType.MOBILIZE, PloverType.PROTEST}


def assert_no_conflict(run: Run, text: str) -> None:
    """No escalation alert and no conflict-type event."""
    events, alerts = run(text)
    assert escalations(alerts) == []
    assert [e for e in events if e.event_type in CONFLICT] == []


@pytest.mark.parametrize(
    "text",
    [
        # dev-109, dev-114: a vehicle in an accident; the participle "killing" is the accident's doing.
        "A bus plunged into a ravine in Peru's Huancavelica region, killing 24 passengers, police said on Monday.",
        "Three trains collided near Balasore in India's Odisha state on Friday evening, killing at least 288 people "
        "in one of the country's worst rail disasters.",
        # dev-110: "after overturning" is the tanker's accident too.
        "A fuel tanker exploded after overturning on a highway in Nigeria's Niger state, killing at least 98 people "
        "who had rushed to scoop up the spilled petrol, emergency officials said.",
        # dev-108: an explosion at an industrial site.
        "A blast at a fireworks factory in Sivakasi, in India's Tamil Nadu state, killed eight workers on Saturday, "
        "police said.",
        # dev-106: a named storm ("Hurricane Otis") is a hazard; so is an animal.
        "Hurricane Otis tore through Acapulco as a Category 5 storm, killing at least 27 people, and Mexico deployed "
        "8,000 soldiers to help clear debris and distribute aid.",
        "A lion killed two villagers near Kruger National Park, wildlife officials said.",
    ],
)
def test_accidents_and_hazards_have_no_political_agent(run: Run, text: str) -> None:
    assert_no_conflict(run, text)


@pytest.mark.parametrize(
    "text",
    [
        # dev-170: a hazard that modifies the event noun ("lightning strikes") is its cause.
        "Lightning strikes killed 25 people in a single day across India's Bihar state, most of them farmers "
        "working in paddy fields, and the chief minister announced compensation for the victims' families.",
        # dev-173: a coal mine is a place of work, not a land mine; the explosion is the mine's accident.
        "A methane explosion in a coal mine in Pakistan's Balochistan province killed 12 miners, and rescue teams "
        "pulled bodies from a depth of 1,000 metres, provincial mines officials said.",
        # dev-214, dev-226: the accident verb hangs from its vehicle ("their army truck overturned").
        "Six Algerian soldiers were killed and eight injured when their army truck overturned on a desert road in "
        "Tamanrasset province, the defence ministry said.",
        "A truck plowed into a crowded market in Ghana's Ashanti region after its driver lost control on a steep "
        "hill, killing seven traders, police said, blaming brake failure.",
        # dev-268: an emergency declared against a drought is the response to a hazard, not emergency rule.
        "Somalia's government declared a state of drought emergency and appealed for international aid after "
        "failed rains killed livestock across Bay and Bakool regions and displaced more than 200,000 people, "
        "officials said.",
        # dev-265: the emergency in the sentence after the hazard's is its response too.
        "A tornado carved a 50-km path through rural Mississippi overnight, killing 15 people and reducing homes to "
        "rubble. The governor declared a state of emergency and activated the National Guard.",
    ],
)
def test_a_sentence_that_reports_a_hazard_has_no_conflict_event(run: Run, text: str) -> None:
    assert_no_conflict(run, text)


@pytest.mark.parametrize(
    "text",
    [
        # dev-288, dev-355: the toll in the sentence after the hazard's, with no doer named, is the hazard's.
        "Fiji's government declared a state of natural disaster for the Northern Division after a severe tropical "
        "cyclone flattened homes and crops on Vanua Levu. Two people were killed and more than 4,000 are "
        "sheltering in evacuation centres.",
        # dev-369: an explosion in a sentence that names its industrial site is an accident.
        "Police arrested the owner and manager of a firecracker factory near Sivakasi on Tuesday, a day after an "
        "explosion killed nine workers.",
        # dev-361: a thing that sets fire to something is no arsonist.
        "An exploding transformer set fire to dozens of stalls at a market in Kumasi early on Sunday.",
        # dev-317: "the crash of a floatplane" is literal, unlike "a flood of refugees".
        "Federal investigators said pilot error likely caused the crash of a small floatplane that killed four "
        "people near Ketchikan, Alaska, last year.",
    ],
)
def test_a_hazard_reaches_its_toll_and_its_site(run: Run, text: str) -> None:
    assert escalations(run(text)[1]) == []


def test_arson_and_a_toll_after_an_attack_stay_violence(run: Run) -> None:
    assert raised(run, "Protesters set fire to a police station in Kisumu.")
    assert raised(run, "Gunmen stormed a village in Zamfara state. Twelve people were killed.")


def test_a_march_at_a_parade_or_in_music_is_a_ceremony(run: Run) -> None:
    # dev-299, dev-366
    assert raised(run, "Army, police and air force contingents will march alongside schoolchildren at the "
                       "Independence Day parade in Accra.") == []
    assert raised(run, "The army's military band will give a free open-air concert in Utrecht, playing marches "
                       "and film music.") == []
    assert "protest" in raised(run, "Thousands of opposition supporters marched through Nairobi on Tuesday.")


def test_what_an_observer_says_a_party_will_do_is_a_prediction(run: Run) -> None:
    assert raised(run, "China will use its coast guard to enforce its claims in the South China Sea, an analyst "
                       "at the Lowy Institute said.") == []
    assert "threat" in raised(run, "North Korea will retaliate against the drills, Kim Yo Jong said.")


def test_a_weapon_or_a_perpetrator_keeps_violence_in_a_hazard_sentence(run: Run) -> None:
    assert raised(run, "Gunmen set fire to houses in a village hit by floods in Zamfara state, killing 12 "
                       "residents.")
    assert raised(run, "A land mine exploded near a flooded road in Tigray, killing seven civilians.")
    assert "emergency_rule" in raised(run, "Ethiopia declared a state of emergency after clashes in Amhara.")


def test_an_explosion_with_a_weapon_stays_an_attack(run: Run) -> None:
    assert "bombing" in raised(run, "A car bomb exploded near a police checkpoint in Mogadishu, killing at least "
                                    "eight people.")
    assert set(raised(run, "A landmine exploded under a bus in Tigray, killing seven civilians.")) & {
        "bombing", "attack_on_civilians"}


def test_no_one_killed_is_negated(run: Run) -> None:
    events, alerts = run("The spokesperson said no passengers were killed during the operation.")  # voa:8009314:23
    assert escalations(alerts) == []
    assert all(e.factuality is Factuality.NEGATED for e in events if e.event_type is PloverType.ASSAULT)


def test_fighting_insurgents_according_to_a_source_is_a_clash_not_cooperation(run: Run) -> None:
    text = (  # dev-011: "according" is no "accord", and "fought insurgents" is no military cooperation
        "Government forces in Mozambique's Cabo Delgado province fought Islamic State-linked insurgents near "
        "Macomia on Tuesday, according to a security source who spoke on condition of anonymity."
    )
    assert "armed_clash" in raised(run, text)


def test_rival_groups_of_one_kind_clash_with_each_other(run: Run) -> None:
    text = (  # dev-018
        "Rival militias in Tripoli exchanged gunfire through the night in the Souq al-Juma district, Libya's "
        "health ministry said, reporting at least nine dead."
    )
    assert "armed_clash" in raised(run, text)
    assert "armed_clash" not in raised(run, "Officials clashed over the budget.")


def test_weapons_as_doers_strike(run: Run) -> None:
    text = (  # dev-006
        "Russian missiles and drones slammed into energy facilities across western Ukraine early on Sunday, "
        "knocking out power to hundreds of thousands of homes in Lviv, officials said."
    )
    alerts = [a for a in run(text)[1] if a.signal == "military_strike"]
    assert alerts and alerts[0].countries == ("RUS", "UKR")


def test_the_reporter_of_a_launch_is_not_its_target(run: Run) -> None:
    text = (  # dev-055: South Korea's military reports the launch; it is a test, not a strike on South Korea
        "North Korea fired a ballistic missile into the waters off its east coast on Sunday, South Korea's Joint "
        "Chiefs of Staff said, the third launch this month."
    )
    assert raised(run, text) == ["weapons_test"]


def test_a_labour_strike_is_no_attack(run: Run) -> None:
    text = (  # dev-078
        "Workers at Chile's Escondida copper mine went on strike on Monday, union leaders said, demanding a larger "
        "share of the company's profits."
    )
    events, _alerts = run(text)
    assert [e for e in events if e.event_type is PloverType.ASSAULT] == []
    assert "military_strike" in raised(run, "Israeli jets carried out a strike on a Hezbollah target.")


@pytest.mark.parametrize(
    "text",
    [
        # dev-257, dev-272: a labour modifier, a span of time or a union in the sentence make the strike labour.
        "Resident doctors in Nigeria began an indefinite strike over months of unpaid salaries, leaving public "
        "hospitals in Lagos and Abuja with skeleton staff, their association said.",
        "Garment workers in Phnom Penh staged a one-day strike over the minimum wage, gathering outside factory "
        "gates, their union said, with no reports of clashes.",
    ],
)
def test_a_staged_labour_strike_is_a_protest(run: Run, text: str) -> None:
    assert raised(run, text) == ["protest"]


def test_who_goes_on_strike_is_its_actor(run: Run) -> None:
    events, alerts = run("Thousands of teachers in Kenya went on strike on Monday over unpaid wages.")
    (event,) = events
    assert (event.event_type, event.cameo_code) == (PloverType.PROTEST, "143")
    assert event.actor.country == "KEN" and event.recipient.text != "strike"
    assert escalations(alerts) == ["protest"]


def test_a_strike_against_a_policy_is_labour_and_against_positions_military(run: Run) -> None:
    labour = run("Workers at the port staged a strike against the new labour law.")[0]
    assert [e.event_type for e in labour] == [PloverType.PROTEST]
    assert "military_strike" in raised(run, "US forces carried out a strike against militant positions in Somalia.")


@pytest.mark.parametrize("word", ["ceasefire", "cease-fire"])
def test_a_hyphenated_trigger_reads_as_its_one_word_spelling(run: Run, word: str) -> None:
    # spaCy splits "cease-fire" at the hyphen: "fire" alone is a hazard and "collapsed" an accident verb.
    assert sorted(raised(run, f"The {word} collapsed after rebels shelled the town.")) == [
        "ceasefire_violated", "military_strike"
    ]


def test_a_sit_in_is_a_protest_and_sitting_in_is_not(run: Run) -> None:
    assert raised(run, "Hundreds of students staged a sit-in at the university in Dhaka.") == ["protest"]
    assert run("The delegates sat in the front row during the ceremony in Nairobi.")[0] == []


def test_a_strike_with_a_target_or_a_toll_stays_military(run: Run) -> None:
    assert "military_strike" in raised(run, "The army launched a strike on rebel positions near Goma, a union "
                                            "of local workers said.")
    toll = raised(run, "Five aid workers were killed in a strike on their convoy in Gaza.")
    assert "attack_on_civilians" in toll and "protest" not in toll


def test_a_settlement_after_fighting_is_the_news(run: Run) -> None:
    text = (  # dev-091: the fighting is what the ceasefire ends; the host of the talks is no side
        "Thailand and Cambodia agreed to an immediate and unconditional ceasefire at talks hosted by Malaysia on "
        "Monday, after five days of deadly border fighting."
    )
    _events, alerts = run(text)
    assert escalations(alerts) == []
    ceasefire = [a for a in alerts if a.signal == "ceasefire_agreed"]
    assert ceasefire and {a.countries for a in ceasefire} == {("KHM", "THA")}


@pytest.mark.parametrize(
    "text",
    [
        # dev-143: a denial
        "Russia's defence ministry denied carrying out a strike on a hospital in Kharkiv, saying the damage had "
        "been caused by Ukrainian air defence missiles.",
        # dev-146: what a bill would let someone do
        "Lawmakers in Peru proposed a bill that would let the president declare a state of emergency without "
        "congressional approval, drawing criticism from rights groups.",
        # dev-148: an event noun as the subject of "would"
        "A think tank report estimated that a Chinese blockade of Taiwan would cost the global economy about $2 "
        "trillion, though it found no sign that one was imminent.",
        # dev-130: fighting corruption is a policy
        "Senegal's Bassirou Diomaye Faye was sworn in as president on Tuesday, promising to fight corruption and "
        "renegotiate oil and gas contracts.",
        # voa:6184244:33 (dev): a condition on a coordinated verb
        "However, North Korea could become a priority if it changes its position or tests more missiles, "
        "according to experts.",
        # voa:8009495:27 (dev, its second sentence): criticism, not an assault
        "Trump also attacked The Wall Street Journal newspaper for refusing to support his tariffs.",
    ],
)
def test_denials_proposals_suppositions_and_criticism_raise_nothing(run: Run, text: str) -> None:
    assert raised(run, text) == []


def test_a_demand_for_emergency_rule_is_not_emergency_rule(run: Run) -> None:
    demand = (  # voa:6202743:10 (dev): an activist says authorities should declare one
        "Josephine Odumakin, a Nigerian women's rights activist, said authorities should declare a state of "
        "emergency over the spate of abductions."
    )
    assert "emergency_rule" not in raised(run, demand)
    assert "emergency_rule" in raised(run, "The government declared a state of emergency in the north after a "
                                           "wave of attacks.")


def test_a_continuing_closure_is_in_force(run: Run) -> None:
    alerts = raised(run, "Pakistan said border crossings with Afghanistan would remain shut.")
    assert "border_closed" in alerts and "threat" not in alerts


def test_a_volcano_that_erupts_is_the_doer_of_its_toll(run: Run) -> None:
    # dev-377: the participle "killing" hangs from "erupted", whose doer names a volcano.
    assert_no_conflict(run, "Mount Lekoro on the island of Halmahera erupted on Sunday, hurling ash five kilometres "
                            "into the sky and killing three hikers near the crater rim.")
    assert raised(run, "Gunmen attacked a village near Mount Elgon on Sunday, killing three farmers.")


def test_a_death_with_no_doer_is_caused_by_its_time_clause(run: Run) -> None:
    # dev-411: "five injured" shares the passive of "were killed", and the "when" clause names the cause; the army
    # that reports it is not the doer.
    assert_no_conflict(run, "Two soldiers were killed and five injured when lightning struck their camp in a rural "
                            "area of Tame, Arauca department, during a storm on Wednesday night, the army said.")
    assert_no_conflict(run, "Four soldiers were killed when their military truck overturned on a slippery road "
                            "near Bertoua, the defence ministry said.")
    assert raised(run, "Three soldiers were killed and two wounded when militants attacked their post in Borno, the "
                       "army said.")


def test_explosions_at_a_munitions_store_are_an_accident_unless_a_weapon_hit_it(run: Run) -> None:
    # dev-422: "ammunition" names what the depot stores, not a weapon used.
    assert_no_conflict(run, "A series of explosions shook an army ammunition depot on the outskirts of Kaduna on "
                            "Monday, killing three soldiers and damaging nearby houses.")
    assert raised(run, "A drone strike hit an ammunition depot on the outskirts of Kaduna on Monday, killing three "
                       "soldiers.")


def test_films_and_batting_sides_do_no_violence(run: Run) -> None:
    # dev-427, dev-454: a work as the doer; a violent verb in a plain sports report.
    assert_no_conflict(run, 'Big-budget action film "Iron Harvest" bombed at the North American box office over the '
                            "weekend.")
    assert_no_conflict(run, "Opener Saim Raza fired a blistering century as Pakistan's batsmen bombarded the England "
                            "attack, racing to 420 for three by stumps on the first day of the second Test.")
    assert raised(run, "Gunmen attacked the team bus after the match in Kaduna, killing two passengers.")


def test_a_strike_dated_on_a_day_is_still_labour(run: Run) -> None:
    # dev-462: "on Monday" dates the strike; it names no target.
    assert raised(run, "Resident doctors across Nigeria began an indefinite strike on Monday over unpaid allowances, "
                       "leaving public hospitals in Lagos and Abuja running skeleton services.") == ["protest"]
    assert "military_strike" in raised(run, "Israeli jets carried out a strike on a Hezbollah depot on Monday.")


def test_a_war_on_a_policy_is_no_threat(run: Run) -> None:
    # dev-499: what is fought is corruption, not a party.
    events, alerts = run('The new anti-graft chief vowed to "wage war" on corruption, speaking at his swearing-in in '
                         "Abuja.")
    assert escalations(alerts) == [] and [e for e in events if e.event_type is PloverType.THREATEN] == []
    assert "threat" in raised(run, "Nigeria's army chief vowed to wage war on the Boko Haram insurgents in Borno.")


def test_soldiers_who_detain_the_president_stage_a_coup_and_a_denied_coup_is_none(run: Run) -> None:
    # dev-507, dev-504.
    assert "coup" in raised(run, "Soldiers from the presidential guard detained the president at his residence and "
                                 "announced on state television that they had dissolved the government and suspended "
                                 "the constitution.")
    assert "coup" not in raised(run, "Burkina Faso's government dismissed social media reports of a coup attempt as "
                                     '"pure fabrication", saying the president was carrying out his duties.')


def test_to_demonstrate_something_is_to_show_it(run: Run) -> None:
    # voa:8010057:17 (dev): "demonstrate" with an object means "show".
    assert raised(run, "The arbitrary and secret shuttling of people between Guantanamo and the U.S. demonstrates a "
                       "complete disregard for human dignity, the group said.") == []
    assert raised(run, "Thousands demonstrated in Nairobi to demand the release of the activists.") == ["protest"]


def test_the_kidnapping_that_describes_the_freed_is_not_news(run: Run) -> None:
    # voa:6202743:0 (dev): the news is the release.
    freed = raised(run, "Many Nigerians are expressing relief after more than 270 schoolgirls kidnapped in "
                        "northwestern Zamfara state were freed by their captors Tuesday.")
    assert "abduction" not in freed
    assert "abduction" in raised(run, "Gunmen kidnapped 20 students from a school in Kaduna state on Tuesday.")


def test_a_measure_in_force_is_not_a_new_one(run: Run) -> None:
    # voa:8010476:6 (dev): the present passive tells a standing designation.
    assert raised(run, "Both the Golbon and the Jairan are sanctioned by the U.S. Treasury Department as vessels "
                       "operated by the state-run Islamic Republic of Iran Shipping Lines.") == []
    assert "sanctions" in raised(run, "The U.S. Treasury sanctioned three Iranian shipping firms on Tuesday.")


def test_tariffs_are_trade_policy_not_threats(run: Run) -> None:
    # voa:8009495:0 (dev).
    assert raised(run, "U.S. President Donald Trump on Thursday threatened the European Union with 200% tariffs on "
                       "wine, champagne and other spirits.") == []
    assert "threat" in raised(run, "Trump threatened Iran with military strikes if it did not halt enrichment.")


def test_territory_is_seized_by_an_armed_side_or_as_a_place(run: Run) -> None:
    # voa:8008697:45 (dev): "occupied a gray area" seizes nothing.
    assert raised(run, "Being neither Black nor white, the Chinese Texans occupied a gray area under Jim Crow "
                       "law.") == []
    assert "territory_seized" in raised(run, "Rebels occupied the town of Nyabiondo on Sunday after two days of "
                                             "fighting with the army.")


def test_a_clause_hanging_from_a_habitual_or_years_long_act_shares_its_time(run: Run) -> None:
    # voa dev: "frequently conducts bombings ..., aiming to topple", "for years, he has engaged ..., threatening".
    assert raised(run, "The group frequently conducts bombings and gun assaults in Somalia, aiming to topple the "
                       "government and impose its strict interpretation of Islamic Sharia law.") == []
    assert raised(run, "For years, he has engaged in secessionist activity, challenging Bosnia and Herzegovina's "
                       "state institutions, undermining the constitution and threatening the territorial integrity "
                       "of the country.") == []
    assert raised(run, "Al-Shabaab fighters attacked a base in Lower Shabelle on Tuesday, killing 12 soldiers.")


def test_what_is_under_sanctions_is_no_new_sanction_and_a_health_ban_is_none(run: Run) -> None:
    assert raised(run, "Ships carrying materials related to Iran's missile industry, which is under U.S. sanctions, "
                       "are at risk of interception.") == []
    assert raised(run, "As a precaution, Cameroon banned the import of chicks and hatching eggs from France.") == []
    assert "sanctions" in raised(run, "The United States imposed new sanctions on Iran on Tuesday.")


def test_trouble_with_things_is_no_assault(run: Run) -> None:
    # voa dev ("we all struggled ... with the forms"), in a sentence the parser reads whole.
    assert_no_conflict(run, "Passengers and staff at the airport struggled with the new forms and database "
                            "requirements.")
    assert raised(run, "Protesters struggled with police outside parliament, and officers fired tear gas.")


def test_a_parliament_that_approves_emergency_rule_imposes_it(run: Run) -> None:
    # dev-054: coded as a concession, imposed all the same; against a hazard it is the response to it.
    assert "emergency_rule" in raised(run, "Ethiopia's parliament approved a six-month state of emergency in the "
                                           "Amhara region after deadly clashes between the army and Fano militiamen.")
    assert raised(run, "Zimbabwe's parliament approved a state of emergency over the drought that has ruined the "
                       "maize harvest.") == []


def test_months_later_is_history_and_days_later_is_news(run: Run) -> None:
    # voa dev: "Several months later, North Korea invaded."
    assert raised(run, "Several months later, North Korea invaded South Korea.") == []
    assert "territory_seized" in raised(run, "Two days later, rebels seized the town of Kidal.")


def test_a_dateline_is_stripped_as_ingest_strips_it(run: Run) -> None:
    # dev-580: the eval builds its articles with ingest's core, so "JAYAPURA, Indonesia —" is no subject.
    events, alerts = run("JAYAPURA, Indonesia — Separatist gunmen ambushed a police patrol in Papua's Intan Jaya "
                         "regency, killing two officers, a police spokesman said.")
    assert "armed_group_attack" in escalations(alerts)
    assert all("JAYAPURA" not in (e.actor.text or "") for e in events)


def test_coordinated_parties_of_talks_talk_with_each_other(run: Run) -> None:
    # dev-537.
    _, alerts = run("YEREVAN — Armenian and Azerbaijani commissions resumed border delimitation talks on Thursday "
                    "after a six-month pause, Armenia's deputy prime minister said.")
    resumed = [a for a in alerts if a.signal == "talks_resumed"]
    assert resumed and set(resumed[0].countries) == {"ARM", "AZE"}
    _, alerts = run("US and British warplanes struck Houthi targets in Yemen on Tuesday.")
    assert "military_strike" in escalations(alerts)


def test_a_trigger_inside_the_name_of_an_institution_is_no_event(run: Run) -> None:
    # dev-541: the museum's name holds "Genocide".
    assert raised(run, "The Tuol Sleng Genocide Museum opened a new digital archive on Monday cataloguing "
                       "thousands of prisoner photographs.") == []
    assert "attack_on_civilians" in raised(run, "Militiamen massacred 40 villagers in Ituri province on Monday, "
                                                "local officials said.")


def test_what_an_event_ended_went_before_it(run: Run) -> None:
    # dev-587: the insurgency the 2005 deal ended.
    assert raised(run, "Voters in Aceh elected a new provincial governor on Wednesday, nearly two decades after the "
                       "2005 Helsinki peace deal ended a separatist insurgency that killed about 15,000 people.") == []
    assert raised(run, "Rebels attacked a village in Ituri on Sunday in a raid that killed 15 people.")


def test_an_act_quantified_by_any_is_no_particular_act(run: Run) -> None:
    events, _ = run("The minister said the government would respond to any declaration of martial law by the "
                    "army.")
    assert all(e.factuality is not Factuality.ASSERTED for e in events if e.cameo_code.startswith("172"))
    events, _ = run("The army declared martial law in the capital on Tuesday.")
    assert any(e.factuality is Factuality.ASSERTED for e in events if e.cameo_code.startswith("172"))


def test_a_named_act_a_copula_comments_on_is_not_reported(run: Run) -> None:
    # voa:6203896:12, voa:6181235:22 (dev).
    assert raised(run, "Still, others suggest the bombing was a plot by France to trigger Gbagbo's departure.") == []
    assert raised(run, "A full long-range missile test is a little dangerous for Kim Jong Un, the analyst said.") == []
    assert "bombing" in raised(run, "A suicide bomber killed 30 people at a mosque in Peshawar on Friday.")


def test_a_sayer_introduced_as_an_observer_predicts(run: Run) -> None:
    # voa:6181235 (dev): the professor later named by his surname alone.
    text = ("Chinese leaders see the revised law as part of a strategy, said Alexander Vuving, a professor at the "
            "Daniel K. Inouye Asia-Pacific Center for Security Studies. \u201cIncreasingly China will use domestic "
            "laws to enforce its internal jurisdiction within the South China Sea,\u201d Vuving said.")
    assert "threat" not in raised(run, text)
    official = text.replace("a professor at the Daniel K. Inouye Asia-Pacific Center for Security Studies",
                            "China's defence minister")
    assert "threat" in raised(run, official)


def test_a_weapon_left_from_an_old_war_goes_off_by_accident(run: Run) -> None:
    # dev-627.
    assert_no_conflict(run, "VIENTIANE, Laos — A cluster bomblet left over from the Vietnam War exploded as two boys "
                            "played with it near their village in Xieng Khouang province, killing both, a demining "
                            "official said.")
    assert "bombing" in raised(run, "A roadside bomb exploded near an army convoy in Helmand, killing four soldiers.")


def test_a_volcano_that_fires_ash_and_a_poison_that_kills_are_hazards(run: Run) -> None:
    # dev-603, dev-628.
    assert_no_conflict(run, "JAKARTA — Indonesia's Mount Semeru fired columns of ash 2 km into the sky on Monday as "
                            "pyroclastic flows swept down its slopes toward villages in Lumajang, the volcanology "
                            "agency said. Police and soldiers moved about 1,800 residents to temporary shelters.")
    assert raised(run, "AHVAZ, Iran — Bootleg liquor laced with methanol has killed 17 people in Khuzestan province, "
                       "health officials said.") == []
    assert raised(run, "Militants fired rockets at the army base near Mount Sinjar on Monday, killing two soldiers.")


def test_an_act_done_by_mistake_or_in_a_drill_is_an_accident(run: Run) -> None:
    # dev-641.
    assert_no_conflict(run, "SEOUL, South Korea — Two air force fighter jets mistakenly dropped eight bombs on a "
                            "village near Pocheon during a live-fire drill, injuring 15 civilians.")
    assert "military_strike" in raised(run, "Two air force fighter jets dropped eight bombs on a rebel-held village "
                                            "near Pocheon, injuring 15 civilians.")


def test_an_explosion_at_a_port_and_a_disaster_that_kills_are_no_attacks(run: Run) -> None:
    # dev-649, dev-652.
    assert_no_conflict(run, "A massive explosion tore through a container yard at Shahid Rajaee port, killing at "
                            "least 40 people and shattering windows kilometres away.")
    assert_no_conflict(run, "A public inquiry into the collapse of a tailings dam concluded that the mining company "
                            "ignored warnings. The disaster killed 64 people.")
    assert "bombing" in raised(run, "A car bomb exploded at the entrance of the port, killing at least 40 people.")


def test_fighting_that_broke_out_between_two_parties_is_their_clash(run: Run) -> None:
    # dev-665.
    events, alerts = run("GOMA, Congo — Heavy fighting broke out between M23 rebels and the Congolese army near Sake "
                         "on Wednesday, local officials said.")
    assert "armed_clash" in escalations(alerts)
    fighting = next(e for e in events if e.evidence.trigger == "fighting")
    assert fighting.reciprocal and {fighting.actor.text, fighting.recipient.text} == {"M23 rebels", "Congolese army"}


def test_an_act_in_a_report_that_is_dismissed_is_denied(run: Run) -> None:
    # dev-688.
    events, alerts = run("ISLAMABAD — Pakistan's military spokesman dismissed as baseless propaganda media reports "
                         "that the army was planning an attack on militant hideouts inside Afghanistan.")
    assert escalations(alerts) == []
    assert all(e.factuality is Factuality.NEGATED for e in events if e.event_type is PloverType.THREATEN)
    assert raised(run, "The interior minister dismissed rumours of a coup attempt.") == []
    assert "military_strike" in raised(run, "Witnesses reported that troops shelled the village on Monday.")


def test_fighting_for_votes_and_shooting_down_a_bid_are_no_violence(run: Run) -> None:
    # dev-691, dev-694.
    assert raised(run, "BERLIN — Germany's opposition Christian Democrats launched their election campaign in "
                       "Dresden on Sunday, with the party leader vowing to fight for every vote.") == []
    assert_no_conflict(run, "Shares of a Johannesburg-listed platinum miner bombed on Tuesday, falling 18 percent "
                            "after its board shot down a takeover bid from a larger Australian rival.")
    assert raised(run, "Gunmen shot down a police helicopter over Zamfara state on Monday, killing four officers.")


def test_labour_strikes_told_by_their_idioms_are_protests(run: Run) -> None:
    # dev-266, dev-531, dev-522.
    assert raised(run, "Dockworkers at the port of Rotterdam walked off the job for 24 hours in a dispute over "
                       "automation, the FNV union said.") == ["protest"]
    assert raised(run, "JOHANNESBURG — Platinum miners downed tools at three shafts in North West province on "
                       "Monday in a wage dispute.") == ["protest"]
    assert raised(run, "BELGRADE — Tens of thousands of people joined a silent march through central Belgrade on "
                       "Saturday to demand accountability.") == ["protest"]
    assert raised(run, "The striker walked off the pitch after a red card.") == []


@pytest.mark.parametrize(
    "text",
    [
        # dev-714: a mine set off while it is being cleared is an accident of the work.
        "A Cambodian deminer was killed and two colleagues injured when an anti-tank mine detonated during "
        "clearance work in a rice field in Battambang province, the national mine action centre said.",
        # dev-704: ordnance from an old war, told by a demining charity.
        "A farmer was killed and his 12-year-old son wounded in Laos' Xieng Khouang province when their hoe struck "
        "a cluster bomblet dropped during the Vietnam War, a demining charity said.",
        # dev-707: a crowd crush is a calamity, like a stampede.
        "At least 12 people were killed and dozens injured in a crush at the gates of a stadium in Antananarivo as "
        "crowds pushed to enter a pre-match ceremony, Madagascar's government said.",
        # dev-713: a drill in the time clause that tells how the injury happened.
        "Three Israeli soldiers were lightly injured when their armoured personnel carrier overturned during a "
        "training exercise in the Golan Heights, the military said.",
        # dev-715: a structure named by what it stores ("a gas cylinder storage facility") explodes by accident.
        "A gas cylinder storage facility exploded in Beirut's southern suburbs on Friday, sending a fireball over "
        "several blocks and wounding nine people.",
    ],
)
def test_ordnance_work_old_munitions_crushes_and_drills_are_accidents(run: Run, text: str) -> None:
    assert_no_conflict(run, text)


def test_a_mine_laid_by_a_perpetrator_and_clearance_operations_stay_violence(run: Run) -> None:
    assert raised(run, "A landmine planted by rebels killed three soldiers in Cauca.")
    assert raised(run, "Myanmar troops killed 30 villagers during clearance operations in Rakhine state.")
    assert raised(run, "Two deminers were killed when militants ambushed their convoy near Kidal, Mali's army said.")


def test_a_completed_pullback_is_a_troop_withdrawal_by_who_completed_it(run: Run) -> None:
    # dev-251, dev-722: the nouns of a disengagement, and the doer of the verb that says it was done.
    events, alerts = run("India and China completed the pullback of troops from two friction points along their "
                         "disputed Himalayan frontier, the Indian defence ministry said.")
    assert {a.signal for a in alerts} == {"troops_withdrawn"}
    assert {e.actor.country for e in events if e.event_type is PloverType.RETREAT and e.actor} == {"IND", "CHN"}
    assert "troops_withdrawn" in {a.signal for a in run(
        "Indian and Chinese troops have completed disengagement from a contested friction point in eastern Ladakh "
        "and dismantled temporary structures, India's foreign ministry said.")[1]}
    events, _ = run("The Nigerian army conducted airstrikes on Boko Haram camps near Lake Chad.")
    assert any(e.actor and e.actor.country == "NGA" for e in events if e.event_type is PloverType.ASSAULT)
