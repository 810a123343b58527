"""docs/store.md documents every export column, with the meaning the code gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from powderkeg_store.core.columns import ALERT_COLUMNS, EVENT_COLUMNS

DOC = (Path(__file__).resolve().parents[3] / "docs" / "store.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "meaning"), EVENT_COLUMNS + ALERT_COLUMNS, ids=lambda v: str(v)[:30])
def test_every_column_is_documented(name: str, meaning: str) -> None:
    assert f"| `{name}` | {meaning} |" in DOC
