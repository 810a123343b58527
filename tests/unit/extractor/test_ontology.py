"""Ontology decisions: pentacode from the CAMEO root, SANCTION's quad class, sanctions as SANCTION discontinue."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from powderkeg_contracts.datafiles import DataFileError
from powderkeg_contracts.models import PloverType, QuadClass, Sector
from powderkeg_extractor.core.ontology import Ontology, iso_country, pentacode_of, split_code


@pytest.mark.parametrize(
    ("code", "penta"),
    [("010", 0), ("0211", 0), ("036", 1), ("057", 1), ("0871", 2), ("112", 3), ("138", 3), ("163", 4), ("195", 4)],
)
def test_pentacode_from_root(code: str, penta: int) -> None:
    assert pentacode_of(code) == penta


def test_statements_have_no_plover_type() -> None:
    assert Ontology.default().lookup("010").plover is None
    assert Ontology.default().lookup("020").plover is None


def test_sanction_is_verbal_conflict_and_sanctions_are_discontinue() -> None:
    entry = Ontology.default().lookup("163")
    assert entry.plover is PloverType.SANCTION and entry.mode == "discontinue"
    assert entry.quad_class is QuadClass.VERBAL_CONFLICT
    assert entry.goldstein == -8.0


def test_deeper_codes_fall_back_to_parents() -> None:
    entry = Ontology.default().lookup("1213")
    assert entry.plover is PloverType.REJECT


def test_cameo_106_is_demand_meeting_in_cameo_1_1b3() -> None:
    assert "meeting" in Ontology.default().lookup("106").description.lower()


def test_change_in_leadership_is_a_material_retreat() -> None:
    entry = Ontology.default().lookup("0831")
    assert entry.plover is PloverType.RETREAT
    assert entry.quad_class is QuadClass.MATERIAL_COOPERATION
    assert Ontology.default().lookup("083").plover is PloverType.CONCEDE


def test_recodings_are_made_in_the_ontology() -> None:
    ontology = Ontology.default()
    assert ontology.intent_code("190") == "138" and ontology.intent_code("071") == "033"
    assert ontology.intent_code("120") is None
    assert ontology.refusal_code("0356") == "1246" and ontology.refusal_code("0357") == "120"
    assert ontology.refusal_code("190") is None
    assert ontology.demand_code("0214") == "1014" and ontology.demand_code("036") == "036"


def test_a_recoding_to_an_unknown_code_names_its_line(tmp_path: Path) -> None:
    from powderkeg_contracts import datafiles
    from powderkeg_extractor.core.ontology import Recoding

    packaged = Path(str(resources.files("powderkeg_extractor").joinpath("data", "ontology", "recoding.yaml")))
    text = packaged.read_text(encoding="utf-8").replace('"07": "033"', '"07": "0999"')
    path = tmp_path / "recoding.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if '"07": "0999"' in row)
    with pytest.raises(DataFileError) as err:
        datafiles.load(path, Recoding, context={"codes": set(Ontology.default().codes())})
    assert (err.value.line, err.value.field) == (line, "intent_of_root.07")
    assert "unknown CAMEO code '0999'" in err.value.problem


def test_actor_codes_read_as_country_and_sector() -> None:
    assert split_code("JAPGOVMED") == ("JPN", Sector.GOVERNMENT, None)
    assert split_code("IGOUNO") == (None, Sector.INTERNATIONAL_ORGANISATION, "international organisation")
    assert iso_country("ZAR") == "COD" and iso_country("PAK") == "PAK"
