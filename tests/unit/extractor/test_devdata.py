"""The development-data folder is named by option or setting, never by where one workstation keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest

from powderkeg_extractor import devdata


def test_option_then_setting_then_beside_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(devdata.ENV, raising=False)
    assert devdata.dev_data() == devdata.REPO_ROOT.parent / "shared" / "data"
    assert (devdata.REPO_ROOT / "services" / "extractor" / "powderkeg_extractor").is_dir()
    monkeypatch.setenv(devdata.ENV, str(tmp_path))
    assert devdata.dev_data() == tmp_path
    assert devdata.dev_data(tmp_path / "other") == tmp_path / "other"

