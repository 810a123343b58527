"""Settings: precedence (environment > .env > defaults), one-line errors, unknown names against every class."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from powderkeg_cli.envdoc import settings_classes
from powderkeg_ingest.settings import IngestSettings
from powderkeg_runtime.settings import (
    ServiceSettings,
    SettingsError,
    check_environment,
    known_variables,
    load_settings,
    unknown_variables,
)

CLASSES = [cls for _, cls in settings_classes()]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of its own, without any POWDERKEG_* variable in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("POWDERKEG_"):
            monkeypatch.delenv(name)
    return tmp_path


def test_dotenv_is_read_and_the_environment_wins_over_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / ".env").write_text("POWDERKEG_KAFKA_BOOTSTRAP=dotenv:9092\nPOWDERKEG_TOPIC_PARTITIONS=7\n")
    monkeypatch.setenv("POWDERKEG_TOPIC_PARTITIONS", "5")
    settings = load_settings(ServiceSettings)
    assert settings.kafka_bootstrap == "dotenv:9092"  # .env over the default
    assert settings.topic_partitions == 5  # the environment over .env
    assert settings.log_level == "INFO"  # the default where neither sets it
    assert load_settings(ServiceSettings, topic_partitions=9).topic_partitions == 9  # options over everything


def test_a_service_class_ignores_the_other_services_variables_in_dotenv(workdir: Path) -> None:
    (workdir / ".env").write_text("POWDERKEG_STORE_GROUP_ID=g\nPOWDERKEG_INGEST_HTTP_PORT=8181\n")
    assert load_settings(IngestSettings).ingest_http_port == 8181


def test_a_bad_log_level_is_one_line_naming_the_variable_and_the_allowed_values(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWDERKEG_LOG_LEVEL", "verbose")
    with pytest.raises(SettingsError) as caught:
        load_settings(ServiceSettings)
    assert caught.value.problems == [
        "POWDERKEG_LOG_LEVEL='verbose': not a log level; choose one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    ]
    monkeypatch.setenv("POWDERKEG_LOG_LEVEL", "debug")
    assert load_settings(ServiceSettings).log_level == "DEBUG"


def test_every_bad_value_is_reported_and_a_secret_is_never_shown(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWDERKEG_INGEST_HTTP_PORT", "eighty")
    monkeypatch.setenv("POWDERKEG_TOPIC_PARTITIONS", "0")
    monkeypatch.setenv("POWDERKEG_INGEST_HTTP_TOKEN", "hunter2")
    with pytest.raises(SettingsError) as caught:
        load_settings(IngestSettings, ingest_http_token=["not", "a", "string"])
    problems = caught.value.problems
    assert [p.split("=", 1)[0].split(":", 1)[0] for p in problems] == [
        "POWDERKEG_TOPIC_PARTITIONS", "POWDERKEG_INGEST_HTTP_PORT", "POWDERKEG_INGEST_HTTP_TOKEN",
    ]
    assert "'0'" in problems[0] and "'eighty'" in problems[1]
    assert problems[2].startswith("POWDERKEG_INGEST_HTTP_TOKEN: ") and "not" not in problems[2].split(": ", 1)[0]


def test_unknown_means_unknown_to_every_class_and_the_closest_name_is_suggested() -> None:
    known = known_variables(CLASSES)
    names = ["POWDERKEG_STORE_GROUP_ID", "POWDERKEG_DEV_DATA", "POWDERKEG_LOG_LEVL", "POWDERKEG_XYZZY", "HOME"]
    assert unknown_variables(known, names) == [
        "unknown setting POWDERKEG_LOG_LEVL; did you mean POWDERKEG_LOG_LEVEL?",
        "unknown setting POWDERKEG_XYZZY; see .env.example for the valid names",
    ]


def test_check_environment_reads_names_from_the_environment_and_dotenv(workdir: Path) -> None:
    check_environment(CLASSES, environ={"POWDERKEG_KAFKA_BOOTSTRAP": "k:1"})
    (workdir / ".env").write_text("POWDERKEG_INGEST_HTTP_TOKNE=s3cret\n")
    with pytest.raises(SettingsError) as caught:
        check_environment(CLASSES, environ={"POWDERKEG_EXTRACTOR_APP_ID": "x"})
    assert caught.value.problems == [
        "unknown setting POWDERKEG_INGEST_HTTP_TOKNE; did you mean POWDERKEG_INGEST_HTTP_TOKEN?"
    ]


def test_a_copied_env_example_means_the_defaults_and_an_empty_token_means_no_token(workdir: Path) -> None:
    from powderkeg_cli.envdoc import ENV_EXAMPLE

    (workdir / ".env").write_text(ENV_EXAMPLE.read_text(encoding="utf-8"))
    check_environment(CLASSES, environ={})
    for cls in CLASSES:
        assert load_settings(cls) == cls.model_construct(), cls.__name__
    assert load_settings(IngestSettings).ingest_http_token is None


def test_an_empty_token_is_no_token_but_an_empty_url_is_a_value(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from powderkeg_alerting.settings import AlertingSettings
    from powderkeg_runtime.auth import bearer_ok

    monkeypatch.setenv("POWDERKEG_INGEST_HTTP_TOKEN", "")
    monkeypatch.setenv("POWDERKEG_ALERTING_ALERTMANAGER_URL", "")
    assert load_settings(IngestSettings).ingest_http_token is None
    assert load_settings(AlertingSettings).alerting_alertmanager_url == ""  # the sink turned off
    assert not bearer_ok("Bearer ", SecretStr(""))


@pytest.mark.parametrize(
    ("value", "why"),
    [('[{"name": "ops", "url": "ftp://x", "secret": "hunter2"}]', "should match pattern"),
     ('[{"name": "ops", "url": "http://x", "secret": "hunter2"}', "not valid JSON")],
    ids=["invalid", "not-json"],
)
def test_a_bad_value_of_a_setting_that_holds_secrets_is_not_echoed(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, value: str, why: str
) -> None:
    from powderkeg_alerting.settings import AlertingSettings

    monkeypatch.setenv("POWDERKEG_ALERTING_WEBHOOKS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings(AlertingSettings)
    (problem,) = caught.value.problems
    assert problem.startswith("POWDERKEG_ALERTING_WEBHOOKS: ") and why in problem and "hunter2" not in problem
