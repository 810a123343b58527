"""Where the development data is: the gold sets, the VOA articles, the PETRARCH2 dictionaries, the seed story.

The data is not part of the repository (licences, size). Tools that read it take ``--data DIR``; without it they
use the setting ``POWDERKEG_DEV_DATA`` (:class:`powderkeg_runtime.settings.DevDataSettings`, see the README). Read
when a tool runs, never at import; the pure cores never read it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from powderkeg_runtime.settings import REPO_ROOT, DevDataSettings

ENV = "POWDERKEG_DEV_DATA"
__all__ = ["ENV", "REPO_ROOT", "add_data_option", "dev_data"]


def dev_data(override: Path | None = None) -> Path:
    """``override``, else the ``POWDERKEG_DEV_DATA`` setting (by default ``../shared/data`` from the repository)."""
    return override if override is not None else DevDataSettings().path()


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data DIR``: the development-data folder (see :func:`dev_data`)."""
    parser.add_argument(
        "--data", type=Path, default=None, help=f"development data folder (default: ${ENV}, else ../shared/data)"
    )
