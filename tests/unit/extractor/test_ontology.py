"""Ontology decisions: pentacode from the CAMEO root, SANCTION's quad class, sanctions as SANCTION discontinue."""

from __future__ import annotations

import pytest

from powderkeg_contracts.models import PloverType, QuadClass
from powderkeg_extractor.core.ontology import Ontology, pentacode_of


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
