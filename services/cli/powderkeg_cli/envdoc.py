"""``.env.example`` generated from the settings classes, so the documented variables are always the real ones."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

ENV_EXAMPLE = Path(__file__).resolve().parents[3] / ".env.example"


def settings_classes() -> list[tuple[str, type[BaseSettings]]]:
    """Every settings class with its section title: the one registry of the ``POWDERKEG_*`` names."""
    from powderkeg_alerting.settings import AlertingSettings
    from powderkeg_extractor.settings import ExtractorSettings
    from powderkeg_ingest.settings import IngestSettings
    from powderkeg_runtime.settings import DevDataSettings, ServiceSettings, StackSettings
    from powderkeg_store.settings import StoreSettings

    return [
        ("every service", ServiceSettings),
        ("ingest", IngestSettings),
        ("extractor", ExtractorSettings),
        ("alerting", AlertingSettings),
        ("store", StoreSettings),
        ("development tools (make eval-dev, powderkeg bench, the tests)", DevDataSettings),
        ("the tests' local stack (deploy/stack.sh env prints these)", StackSettings),
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
        "# Each service reads its variables once, at start-up. Copy to .env (read from the working directory) and",
        "# edit, or export them: the environment wins over .env, .env over the defaults. An unknown POWDERKEG_* name,",
        "# in either, is an error naming the closest valid one. Settings without a default are commented out.",
    ]
    seen: set[str] = set()
    for title, cls in settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        block = []
        for name, field in cls.model_fields.items():
            var = (prefix + name).upper()
            if var in seen:
                continue
            seen.add(var)
            description = (field.description or "").strip()
            block.append(f"# {description}" if description else f"# {name}")
            default = field.get_default(call_default_factory=True)
            # No default: commented out, since an empty value would be a value (an empty path, an empty URL).
            block.append(f"# {var}=" if default is None else f"{var}={_value(default)}")
        if block:
            lines += ["", f"# --- {title} ---", *block]
    return "\n".join(lines) + "\n"
