"""``powderkeg schemas``: regenerate or check the committed JSON Schema files under ``contracts/schemas/``."""

from __future__ import annotations

import argparse
import sys

from powderkeg_contracts.schema import SCHEMA_DIR, render_schemas, write_schemas


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="powderkeg schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="Exit 1 if a committed file differs from the models.")
    args = parser.parse_args(argv)
    if not args.check:
        for path in write_schemas():
            print(path)
        return 0
    stale = [
        name
        for name, text in render_schemas().items()
        if not (SCHEMA_DIR / name).exists() or (SCHEMA_DIR / name).read_text(encoding="utf-8") != text
    ]
    for name in stale:
        print(f"stale: contracts/schemas/{name} (run `powderkeg schemas`)", file=sys.stderr)
    return 1 if stale else 0
