"""JSON Schema generation for the contracts; the committed files under ``contracts/schemas/`` are its output."""

from __future__ import annotations

import json
from pathlib import Path

from powderkeg_contracts.models import MODELS, schema_version_of

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def render_schemas() -> dict[str, str]:
    """Return ``{file name: JSON text}`` for every model, deterministic byte for byte."""
    out: dict[str, str] = {}
    for name, model in sorted(MODELS.items()):
        schema = model.model_json_schema(mode="serialization")
        file_name = f"{name}.v{schema_version_of(model)}.json"
        schema["$id"] = f"https://powderkeg.invalid/schemas/{file_name}"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[file_name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in render_schemas().items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas():
        print(written_path)
