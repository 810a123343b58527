"""``powderkeg schemas``: regenerate or check the committed JSON Schema files under ``contracts/schemas/``."""

from __future__ import annotations

import argparse
import sys

from powderkeg_cli.envdoc import ENV_EXAMPLE, render_env_example
from powderkeg_contracts.schema import SCHEMA_DIR, render_schemas, write_schemas


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="powderkeg schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="Exit 1 if a committed file differs from the models.")
    parser.add_argument("--env", action="store_true", help="Also (re)write .env.example from the settings classes.")
    args = parser.parse_args(argv)
    if not args.check:
        for path in write_schemas():
            print(path)
        if args.env:
            ENV_EXAMPLE.write_text(render_env_example(), encoding="utf-8")
            print(ENV_EXAMPLE)
        return 0
    stale = [
        name
        for name, text in render_schemas().items()
        if not (SCHEMA_DIR / name).exists() or (SCHEMA_DIR / name).read_text(encoding="utf-8") != text
    ]
    if not ENV_EXAMPLE.exists() or ENV_EXAMPLE.read_text(encoding="utf-8") != render_env_example():
        stale.append("../../.env.example")
    for name in stale:
        print(f"stale: contracts/schemas/{name} (run `powderkeg schemas`)", file=sys.stderr)
    return 1 if stale else 0
