"""The seeds committed under seeds/ are verbatim copies of the development data they come from (seeds/README.md).

Tests and ``powderkeg run`` read the committed copies; these checks keep them honest where the development data is
present (``POWDERKEG_DEV_DATA``) and are skipped elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.devdata import dev_data

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_the_seed_story_is_the_development_data_original() -> None:
    name = "000_63084aac38a30e02.txt"
    assert (SEEDS / name).read_bytes() == dev_data("seed", name).read_bytes()


def test_the_voa_selection_is_twelve_verbatim_lines_of_the_full_set() -> None:
    selection = (SEEDS / "voa" / "voa_selection.jsonl").read_text(encoding="utf-8").splitlines()
    full = set(dev_data("voa", "voa_stories.jsonl").read_text(encoding="utf-8").splitlines())
    assert len(selection) == 12
    assert [line for line in selection if line not in full] == []
