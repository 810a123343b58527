"""Kafka cluster settings: how every client connects (TLS, SASL) and how the topics are laid out (replication,
``min.insync.replicas``, partitions, retention).

One frozen settings class, :class:`KafkaSettings`, carries both, so faust, kafka-python and the topic administration
read the same values (:mod:`powderkeg_runtime.kafka_clients` turns them into client options).
:class:`~powderkeg_runtime.settings.ServiceSettings` inherits it; tools without a service settings class build it
alone. :func:`topic_specs` is the pure part: which partitions, replication factor and configs each topic gets.

Topic kinds, told apart by name:

- app topics (``powderkeg.*.vN``): the contracts' topics, written with ``acks=all``;
- dead-letter topics (``*.dlq``): kept longer by default, since someone has to look at them;
- faust's table changelogs (``*-changelog``): compacted by faust; replicated like the app topics unless set apart;
- faust's repartition topics (``*-repartition``): transient, so a shorter retention may be set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
TopicKind = Literal["app", "dlq", "changelog", "repartition"]

DLQ_SUFFIX = ".dlq"
CHANGELOG_SUFFIX = "-changelog"
REPARTITION_SUFFIX = "-repartition"


class TopicOverride(BaseModel):
    """Per-topic settings that win over the defaults for its kind (unset fields keep the default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partitions: int | None = Field(default=None, ge=1)
    replication_factor: int | None = Field(default=None, ge=1)
    min_insync_replicas: int | None = Field(default=None, ge=1)
    retention_ms: int | None = Field(default=None, ge=-1)


@dataclass(frozen=True)
class TopicSpec:
    """What a topic is created with: partitions, replication factor and topic-level configs (``retention.ms`` ...)."""

    name: str
    partitions: int
    replication_factor: int
    configs: Mapping[str, str] = field(default_factory=dict)


def topic_kind(name: str) -> TopicKind:
    """The kind of topic ``name`` is, from its suffix (see the module docstring)."""
    if name.endswith(DLQ_SUFFIX):
        return "dlq"
    if name.endswith(CHANGELOG_SUFFIX):
        return "changelog"
    if name.endswith(REPARTITION_SUFFIX):
        return "repartition"
    return "app"


class KafkaSettings(BaseSettings):
    """Kafka connection security and topic layout (environment prefix ``POWDERKEG_``)."""

    model_config = SettingsConfigDict(env_prefix="POWDERKEG_", frozen=True, extra="ignore", env_file=None)

    # --- connection security: every client (faust workers, kafka-python producers, consumers, admin) ---
    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="Kafka security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
    )
    kafka_sasl_mechanism: SaslMechanism = Field(
        default="PLAIN", description="SASL mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512."
    )
    kafka_sasl_username: str | None = Field(default=None, description="SASL user name (SASL_* protocols).")
    kafka_sasl_password: SecretStr | None = Field(default=None, description="SASL password (SASL_* protocols).")
    kafka_ssl_cafile: Path | None = Field(
        default=None, description="PEM file of the CA(s) that signed the brokers' certificates (default: system CAs)."
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="PEM client certificate, for brokers that require TLS client authentication."
    )
    kafka_ssl_keyfile: Path | None = Field(default=None, description="PEM private key of the client certificate.")
    kafka_ssl_check_hostname: bool = Field(
        default=True, description="Check that the broker certificate names the host connected to."
    )
    kafka_timeout_seconds: float = Field(
        default=8.0,
        gt=0,
        description="How long the command-line tools and topic setup wait for the broker (a worker started without "
        "one exits non-zero after this).",
    )

    # --- topic layout: applied when the services create their topics ---
    kafka_replication_factor: int = Field(
        default=1, ge=1, description="Replication factor of the app and dead-letter topics (3 on a real cluster)."
    )
    kafka_min_insync_replicas: int = Field(
        default=1, ge=1, description="min.insync.replicas of every topic created (2 with replication factor 3)."
    )
    kafka_retention_ms: int | None = Field(
        default=None, ge=-1, description="retention.ms of the app topics; empty: the broker's default; -1: forever."
    )
    kafka_dlq_retention_ms: int | None = Field(
        default=2_592_000_000, ge=-1, description="retention.ms of the dead-letter topics (default 30 days)."
    )
    kafka_changelog_replication_factor: int | None = Field(
        default=None, ge=1, description="Replication factor of faust's table changelogs; empty: as the app topics."
    )
    kafka_changelog_min_insync_replicas: int | None = Field(
        default=None, ge=1, description="min.insync.replicas of the changelogs; empty: as the app topics."
    )
    kafka_repartition_retention_ms: int | None = Field(
        default=None, ge=-1, description="retention.ms of faust's repartition topics; empty: the broker's default."
    )
    kafka_topics: dict[str, TopicOverride] = Field(
        default_factory=dict,
        description="Per-topic overrides, JSON: "
        '{"powderkeg.articles.v1": {"partitions": 12, "retention_ms": 86400000}}; unset fields keep the defaults.',
    )

    @field_validator(
        "kafka_sasl_username", "kafka_sasl_password", "kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile",
        "kafka_retention_ms", "kafka_dlq_retention_ms", "kafka_changelog_replication_factor",
        "kafka_changelog_min_insync_replicas", "kafka_repartition_retention_ms",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # ``POWDERKEG_KAFKA_SSL_CAFILE=``, as .env.example lists it, means "not set", not the path "" (the folder).
        return None if value == "" else value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        sasl = self.kafka_security_protocol.startswith("SASL_")
        if sasl and (not self.kafka_sasl_username or self.kafka_sasl_password is None):
            raise ValueError(
                f"POWDERKEG_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "POWDERKEG_KAFKA_SASL_USERNAME and POWDERKEG_KAFKA_SASL_PASSWORD"
            )
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("POWDERKEG_KAFKA_SSL_CERTFILE and POWDERKEG_KAFKA_SSL_KEYFILE go together")
        checks = [("app and dead-letter topics", self.kafka_replication_factor, self.kafka_min_insync_replicas)]
        checks.append(("changelog topics", self.changelog_replication_factor, self.changelog_min_insync_replicas))
        for name, override in self.kafka_topics.items():
            if override.partitions is not None and topic_kind(name) in ("changelog", "repartition"):
                raise ValueError(
                    f"topic {name}: faust sizes its changelog and repartition topics like their source topic; "
                    "set the partitions of the source topic instead"
                )
            spec_rf = override.replication_factor or self._default_rf(topic_kind(name))
            spec_isr = override.min_insync_replicas or self._default_isr(topic_kind(name))
            checks.append((f"topic {name}", spec_rf, spec_isr))
        for what, rf, isr in checks:
            if isr > rf:
                raise ValueError(
                    f"min.insync.replicas {isr} > replication factor {rf} for the {what}: no write with acks=all "
                    "could ever succeed; lower POWDERKEG_KAFKA_MIN_INSYNC_REPLICAS or raise the replication factor"
                )
        return self

    @property
    def uses_tls(self) -> bool:
        """Whether clients wrap their connections in TLS."""
        return self.kafka_security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        """Whether clients authenticate with SASL."""
        return self.kafka_security_protocol.startswith("SASL_")

    @property
    def changelog_replication_factor(self) -> int:
        """The changelogs' replication factor (the app topics' unless set apart)."""
        return self.kafka_changelog_replication_factor or self.kafka_replication_factor

    @property
    def changelog_min_insync_replicas(self) -> int:
        """The changelogs' ``min.insync.replicas`` (the app topics' unless set apart)."""
        return self.kafka_changelog_min_insync_replicas or self.kafka_min_insync_replicas

    def _default_rf(self, kind: TopicKind) -> int:
        faust_made = kind in ("changelog", "repartition")
        return self.changelog_replication_factor if faust_made else self.kafka_replication_factor

    def _default_isr(self, kind: TopicKind) -> int:
        faust_made = kind in ("changelog", "repartition")
        return self.changelog_min_insync_replicas if faust_made else self.kafka_min_insync_replicas

    def _default_retention(self, kind: TopicKind) -> int | None:
        return {
            "app": self.kafka_retention_ms,
            "dlq": self.kafka_dlq_retention_ms,
            "changelog": None,  # compacted: faust sets cleanup.policy=compact, retention does not apply
            "repartition": self.kafka_repartition_retention_ms,
        }[kind]

    def topic_spec(self, name: str, partitions: int) -> TopicSpec:
        """The spec of topic ``name``: its override, else its kind's defaults; ``partitions`` is the default count."""
        kind = topic_kind(name)
        override = self.kafka_topics.get(name, TopicOverride())
        retention = override.retention_ms if override.retention_ms is not None else self._default_retention(kind)
        configs = {"min.insync.replicas": str(override.min_insync_replicas or self._default_isr(kind))}
        if retention is not None:
            configs["retention.ms"] = str(retention)
        return TopicSpec(
            name=name,
            partitions=override.partitions or partitions,
            replication_factor=override.replication_factor or self._default_rf(kind),
            configs=configs,
        )


def topic_specs(kafka: KafkaSettings, names: Iterable[str], partitions: int) -> list[TopicSpec]:
    """The specs of ``names`` (duplicates dropped, order kept) with ``partitions`` as the default count."""
    return [kafka.topic_spec(name, partitions) for name in dict.fromkeys(names)]


def local_defaults() -> KafkaSettings:
    """The defaults without reading the environment: a local plaintext broker, replication factor 1."""
    return KafkaSettings.model_construct()
