"""``.env.example`` generated from the settings classes, so the documented variables are always the real ones."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

ENV_EXAMPLE = Path(__file__).resolve().parents[3] / ".env.example"


def _settings_classes() -> list[tuple[str, type[BaseSettings]]]:
    from powderkeg_alerting.settings import AlertingSettings
    from powderkeg_extractor.settings import ExtractorSettings
    from powderkeg_ingest.settings import IngestSettings
    from powderkeg_runtime.settings import DevDataSettings, ServiceSettings
    from powderkeg_store.settings import StoreSettings

    return [
        ("every service", ServiceSettings),
        ("ingest", IngestSettings),
        ("extractor", ExtractorSettings),
        ("alerting", AlertingSettings),
        ("store", StoreSettings),
        ("development tools (make eval-dev, powderkeg bench, the tests)", DevDataSettings),
    ]


def _value(default: object) -> str:
    if default is None:
        return ""
    if isinstance(default, SecretStr):
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, (list, tuple, dict)):
        return json.dumps(list(default) if isinstance(default, tuple) else default)
    return str(default)


def render_env_example() -> str:
    lines = [
        "# Powderkeg configuration: every variable the services and the development tools read, with its default.",
        "# Generated from the settings classes by `powderkeg schemas --env`; a test fails when it is stale.",
        "# Each service reads its variables once, at start-up. Copy to .env and edit, or export them.",
    ]
    seen: set[str] = set()
    for title, cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        block = []
        for name, field in cls.model_fields.items():
            var = (prefix + name).upper()
            if var in seen:
                continue
            seen.add(var)
            description = (field.description or "").strip()
            block.append(f"# {description}" if description else f"# {name}")
            block.append(f"{var}={_value(field.get_default(call_default_factory=True))}")
        if block:
            lines += ["", f"# --- {title} ---", *block]
    return "\n".join(lines) + "\n"
