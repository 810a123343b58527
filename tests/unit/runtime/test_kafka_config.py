"""Topic layout and client security from :class:`KafkaSettings`: pure, no broker, no environment."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from powderkeg_contracts import topics
from powderkeg_runtime.kafka_clients import describe_failure, faust_credentials, is_auth_failure, kafka_python_options
from powderkeg_runtime.kafka_config import KafkaSettings, TopicOverride, topic_kind, topic_specs


def settings(**values: Any) -> KafkaSettings:
    return KafkaSettings(_env_prefix="POWDERKEG_TEST_UNSET_", **values)


def test_cluster_settings_reach_every_kind_of_topic() -> None:
    kafka = settings(
        kafka_replication_factor=3,
        kafka_min_insync_replicas=2,
        kafka_retention_ms=604_800_000,
        kafka_dlq_retention_ms=2_592_000_000,
        kafka_repartition_retention_ms=3_600_000,
        kafka_topics={topics.ARTICLES: TopicOverride(partitions=12, retention_ms=86_400_000)},
    )
    names = [topics.ARTICLES, topics.EVENTS, topics.EVENTS_DLQ, "alerting-open-changelog", "x-repartition"]
    specs = {spec.name: spec for spec in topic_specs(kafka, [*names, topics.EVENTS], partitions=3)}
    assert list(specs) == names, "one spec per topic, duplicates dropped, order kept"
    assert {spec.replication_factor for spec in specs.values()} == {3}
    assert {spec.configs["min.insync.replicas"] for spec in specs.values()} == {"2"}
    assert specs[topics.ARTICLES].partitions == 12 and specs[topics.EVENTS].partitions == 3
    assert specs[topics.ARTICLES].configs["retention.ms"] == "86400000"
    assert specs[topics.EVENTS].configs["retention.ms"] == "604800000"
    assert specs[topics.EVENTS_DLQ].configs["retention.ms"] == "2592000000"
    assert "retention.ms" not in specs["alerting-open-changelog"].configs, "changelogs are compacted, not expired"
    assert specs["x-repartition"].configs["retention.ms"] == "3600000"


def test_changelogs_can_be_replicated_apart_from_the_app_topics() -> None:
    kafka = settings(kafka_changelog_replication_factor=3, kafka_changelog_min_insync_replicas=2)
    changelog = kafka.topic_spec("alerting-open-changelog", 6)
    app = kafka.topic_spec(topics.ALERTS, 6)
    assert (changelog.replication_factor, changelog.configs["min.insync.replicas"]) == (3, "2")
    assert (app.replication_factor, app.configs["min.insync.replicas"]) == (1, "1")


def test_the_defaults_suit_one_local_broker() -> None:
    spec = settings().topic_spec(topics.EVENTS, 3)
    assert (spec.partitions, spec.replication_factor, dict(spec.configs)) == (3, 1, {"min.insync.replicas": "1"})
    assert [topic_kind(n) for n in (topics.EVENTS, topics.INGEST_DLQ, "a-changelog", "a-repartition")] == [
        "app", "dlq", "changelog", "repartition",
    ]


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"kafka_replication_factor": 2, "kafka_min_insync_replicas": 3},
         "min.insync.replicas 3 > replication factor 2"),
        ({"kafka_replication_factor": 3, "kafka_changelog_replication_factor": 1, "kafka_min_insync_replicas": 2},
         "for the changelog topics"),
        ({"kafka_replication_factor": 3, "kafka_min_insync_replicas": 2,
          "kafka_topics": {topics.ALERTS: TopicOverride(replication_factor=1)}}, f"for the topic {topics.ALERTS}"),
        ({"kafka_topics": {"a-changelog": TopicOverride(partitions=6)}}, "set the partitions of the source topic"),
        ({"kafka_replication_factor": 0}, "greater than or equal to 1"),
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "alice"}, "POWDERKEG_KAFKA_SASL_PASSWORD"),
        ({"kafka_ssl_certfile": Path("client.pem")}, "go together"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "SCRAM-SHA-512"),
    ],
)
def test_impossible_combinations_are_refused_with_the_reason(values: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    assert says in str(caught.value)


def test_one_settings_object_gives_both_clients_the_same_security(tmp_path: Path) -> None:
    kafka = settings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="carol",
        kafka_sasl_password=SecretStr("s3cret"),
        kafka_ssl_check_hostname=False,
    )
    options = kafka_python_options(kafka)
    assert options["security_protocol"] == "SASL_SSL"
    assert (options["sasl_mechanism"], options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "SCRAM-SHA-512", "carol", "s3cret",
    )
    assert isinstance(options["ssl_context"], ssl.SSLContext) and not options["ssl_context"].check_hostname
    credentials = faust_credentials(kafka)
    assert credentials is not None
    assert credentials.protocol.value == "SASL_SSL" and credentials.mechanism.value == "SCRAM-SHA-512"
    assert (credentials.username, credentials.password) == ("carol", "s3cret")  # type: ignore[union-attr]
    assert "s3cret" not in repr(kafka), "the password stays out of logs and dumps"


def test_plaintext_needs_no_credentials() -> None:
    assert kafka_python_options(None) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings()) is None
    tls = faust_credentials(settings(kafka_security_protocol="SSL"))
    assert tls is not None and tls.protocol.value == "SSL"


def test_refusals_are_described_for_an_operator() -> None:
    from kafka.errors import KafkaConnectionError, SaslAuthenticationFailedError

    kafka = settings(
        kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="bob", kafka_sasl_password=SecretStr("s3cret"),
    )
    sasl = describe_failure(kafka, "k1:9093", SaslAuthenticationFailedError("invalid credentials"))
    assert sasl.startswith("Kafka at k1:9093 refused user 'bob' (SCRAM-SHA-256) over SASL_SSL:")
    try:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as exc:
            raise KafkaConnectionError(f"Handshake failed: {exc}")  # noqa: B904 - kafka-python raises it so
    except KafkaConnectionError as wrapped:
        tls = describe_failure(kafka, "k1:9093", wrapped)
        assert is_auth_failure(wrapped)
    assert tls.startswith("Kafka at k1:9093 refused the TLS handshake:")
    assert not is_auth_failure(KafkaConnectionError("socket disconnected"))
    assert "s3cret" not in sasl + tls


def test_an_empty_variable_means_unset_as_env_example_lists_it() -> None:
    kafka = settings(kafka_ssl_cafile="", kafka_retention_ms="", kafka_sasl_username="")
    assert (kafka.kafka_ssl_cafile, kafka.kafka_retention_ms, kafka.kafka_sasl_username) == (None, None, None)
