"""``python -m powderkeg_ingest`` runs the same entry point as ``powderkeg ingest``."""

from __future__ import annotations

import sys

from powderkeg_ingest.service import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
