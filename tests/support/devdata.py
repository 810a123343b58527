"""The development data (``POWDERKEG_DEV_DATA``, see the README): the one way tests reach it.

It is not part of the repository, so a test that needs it is skipped, naming the setting, where it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from powderkeg_runtime.settings import DevDataSettings


def dev_data(*parts: str) -> Path:
    """A path inside the development data; skips the calling test when it does not exist."""
    path = DevDataSettings().path(*parts)
    if not path.exists():
        pytest.skip(f"development data not found at {path} (set POWDERKEG_DEV_DATA)")
    return path
