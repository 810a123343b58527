"""Where the development data is: the gold sets, the VOA articles, the PETRARCH2 dictionaries, the seed story.

The data is not part of the repository (licences, size). Tools that read it take ``--data DIR``; without it they
use the setting ``POWDERKEG_DEV_DATA``, and without that the folder ``shared/data`` beside the repository
(``../shared/data`` from its root), where the development machines keep it. Read when a tool runs, never at
import; the pure cores never read it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ENV = "POWDERKEG_DEV_DATA"
REPO_ROOT = Path(__file__).resolve().parents[3]


def dev_data(override: Path | None = None) -> Path:
    """``override``, else ``$POWDERKEG_DEV_DATA``, else ``<repo>/../shared/data``."""
    if override is not None:
        return override
    value = os.environ.get(ENV)
    return Path(value) if value else REPO_ROOT.parent / "shared" / "data"


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data DIR``: the development-data folder (see :func:`dev_data`)."""
    parser.add_argument(
        "--data", type=Path, default=None, help=f"development data folder (default: ${ENV}, else ../shared/data)"
    )
