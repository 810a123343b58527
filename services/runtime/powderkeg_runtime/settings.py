"""Settings shared by every service, and the one way to read them. Each service reads its settings once, at its
entry point, with :func:`load_settings`.

Precedence, highest first: arguments the entry point passes (command-line options), the process environment, the
``.env`` file of the working directory, the defaults. Every class shares the ``POWDERKEG_`` prefix, so a class
ignores the others' variables; :func:`unknown_variables` catches a misspelt one against all classes at once.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as PydanticSettingsError

from powderkeg_runtime.kafka_config import KafkaSettings
from powderkeg_runtime.logs import LEVELS

ENV_PREFIX = "POWDERKEG_"
ENV_FILE = ".env"
"""The dotenv file read from the working directory (as ``.env.example`` says: copy it to ``.env``)."""

SETTINGS_CONFIG = SettingsConfigDict(
    env_prefix=ENV_PREFIX,
    frozen=True,
    extra="ignore",
    env_file=ENV_FILE,
    env_file_encoding="utf-8",
)
"""Every settings class's configuration. ``extra="ignore"`` because the classes share one prefix; unknown names
are refused by :func:`unknown_variables`, which knows all of them. An empty value is a value (an empty
``POWDERKEG_ALERTING_ALERTMANAGER_URL`` turns that sink off); settings without a default are commented out in
``.env.example``."""


def _empty_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


OptionalSecret = Annotated[SecretStr | None, BeforeValidator(_empty_is_none)]
"""A secret that may be unset: an empty value means unset, never the empty secret (a bearer token of "")."""


# Kafka connection security and topic layout live in their own class (powderkeg_runtime.kafka_config), inherited here
# so that every service's settings object carries them and the kafka-python tools can read them alone.


class ServiceSettings(KafkaSettings):
    """Kafka and metrics settings common to all services (environment prefix ``POWDERKEG_``); the Kafka security and
    topic layout fields come from :class:`~powderkeg_runtime.kafka_config.KafkaSettings`."""

    model_config = SETTINGS_CONFIG

    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated.")
    topic_partitions: int = Field(default=3, ge=1, description="Partitions for topics the services create.")
    metrics_host: str = Field(default="127.0.0.1", description="Address the /metrics and health server binds to.")
    log_level: str = Field(default="INFO", description="Log level: DEBUG, INFO, WARNING, ERROR, CRITICAL.")
    shutdown_timeout_seconds: float = Field(
        default=30.0, gt=0, description="After SIGTERM, exit anyway if the graceful stop takes longer (broker gone)."
    )
    log_json: bool = Field(default=False, description="Log one JSON object per line instead of plain text.")
    faust_data_dir: Path = Field(
        default=Path(".powderkeg/faust"),
        description="Where the faust workers keep their local data, one folder per app id (not the working directory).",
    )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.strip().upper() not in LEVELS:
            raise ValueError(f"not a log level; choose one of {', '.join(LEVELS)}")
        return value.strip().upper()


REPO_ROOT = Path(__file__).resolve().parents[3]
"""The repository root of a source checkout (editable install), against which a relative data path is taken."""


class DevDataSettings(BaseSettings):
    """Where the development data lives: evaluation sets, the full VOA set. Read by the developer tools (``make
    eval-dev``, ``powderkeg bench``) and the tests, never by the services."""

    model_config = SETTINGS_CONFIG

    dev_data: Path = Field(
        default=Path("../shared/data"),
        description="Development data folder (evaluation sets, the 89 VOA articles); relative to the repository root.",
    )

    def path(self, *parts: str) -> Path:
        """A path inside the development data folder (``..`` of a relative setting taken off, not resolved)."""
        base = self.dev_data if self.dev_data.is_absolute() else Path(os.path.normpath(REPO_ROOT / self.dev_data))
        return base.joinpath(*parts)


class StackSettings(BaseSettings):
    """The local test stack: where ``deploy/stack.sh`` keeps it, where the tests find it (``deploy/stack.sh env``
    prints the addresses) and how big the chaos run is. Declared so that the names are known; the services never
    read them."""

    model_config = SETTINGS_CONFIG

    cache: Path = Field(
        default=Path("~/.cache/powderkeg"), description="deploy/stack.sh: Maven repository and Kafka libraries."
    )
    run_dir: Path | None = Field(
        default=None, description="deploy/stack.sh: pid files, logs and data of the stack; else $POWDERKEG_CACHE/run."
    )

    prometheus_url: str = Field(default="http://127.0.0.1:9090", description="Prometheus the tests query.")
    alertmanager_url: str = Field(
        default="http://127.0.0.1:9093",
        description="Alertmanager the tests query (the alerting service's own is POWDERKEG_ALERTING_ALERTMANAGER_URL).",
    )
    chaos_articles: int = Field(default=2000, ge=1, description="Articles the chaos test pushes (make chaos).")
    chaos_seed: int | None = Field(default=None, description="Seed of the chaos schedule; random if unset.")
    chaos_workers: int = Field(default=2, ge=1, description="Extractor and alerting workers the chaos test runs.")


class SettingsError(ValueError):
    """Settings that cannot be used: one line per problem, each naming the variable and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


S = TypeVar("S", bound=BaseSettings)


def variable_name(cls: type[BaseSettings], field: str) -> str:
    """The environment variable of ``field`` of ``cls``."""
    return (str(cls.model_config.get("env_prefix", "")) + field).upper()


def _holds_secret(annotation: Any) -> bool:
    """Whether a value of ``annotation`` can hold a secret (a ``SecretStr``, or a model or container of one)."""
    if annotation is SecretStr:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds_secret(f.annotation) for f in annotation.model_fields.values())
    return any(_holds_secret(arg) for arg in get_args(annotation))


def _is_secret(cls: type[BaseSettings], field: str) -> bool:
    info = cls.model_fields.get(field)
    return info is not None and _holds_secret(info.annotation)


def load_settings(cls: type[S], **overrides: Any) -> S:
    """``cls`` read from the arguments, the environment, ``.env`` and the defaults.

    Raises:
        SettingsError: a value is not allowed; each line names the variable, the value (never a secret's) and why.
    """
    try:
        return cls(**overrides)
    except PydanticSettingsError as exc:  # a complex value (list, model) that is not JSON
        named = re.search(r'field "(\w+)"', str(exc))
        var = variable_name(cls, named.group(1)) if named else cls.__name__
        raise SettingsError([f"{var}: not valid JSON ({exc.__cause__ or exc})"]) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            var = variable_name(cls, field) if field else cls.__name__
            secret = _is_secret(cls, field) or isinstance(error.get("input"), SecretStr)
            shown = "" if secret else f"={error['input']!r}"
            problems.append(f"{var}{shown}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError(problems) from None


def known_variables(classes: Iterable[type[BaseSettings]]) -> set[str]:
    """Every environment variable the settings ``classes`` read."""
    return {variable_name(cls, field) for cls in classes for field in cls.model_fields}


def dotenv_names(path: Path = Path(ENV_FILE)) -> set[str]:
    """The variable names set in the dotenv file at ``path`` (none if there is no such file)."""
    if not path.is_file():
        return set()
    from dotenv import dotenv_values

    return {name.upper() for name in dotenv_values(path)}


def unknown_variables(known: set[str], names: Iterable[str], prefix: str = ENV_PREFIX) -> list[str]:
    """One message per ``prefix`` variable in ``names`` that no settings class reads, with the closest valid name."""
    problems = []
    # Compared without the prefix that every name shares, or any two names would look alike.
    stems = {name.removeprefix(prefix): name for name in known}
    for name in sorted({n.upper() for n in names if n.upper().startswith(prefix)} - known):
        close = difflib.get_close_matches(name.removeprefix(prefix), sorted(stems), n=1, cutoff=0.6)
        hint = f"; did you mean {stems[close[0]]}?" if close else "; see .env.example for the valid names"
        problems.append(f"unknown setting {name}{hint}")
    return problems


def check_environment(
    classes: Iterable[type[BaseSettings]], environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> None:
    """Refuse ``POWDERKEG_*`` variables (environment and ``.env``) that none of ``classes`` reads.

    Raises:
        SettingsError: one line per unknown variable.
    """
    names = set(os.environ if environ is None else environ) | dotenv_names(env_file or Path(ENV_FILE))
    problems = unknown_variables(known_variables(classes), names)
    if problems:
        raise SettingsError(problems)
