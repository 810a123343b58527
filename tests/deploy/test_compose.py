"""Structure of docker-compose.yml and the files it mounts.

No Docker engine is needed (none runs in CI): these parse the files and check that they agree with each other,
so the compose setup cannot silently rot while everyday runs use deploy/stack.sh.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"

REQUIRED_SERVICES = {
    "kafka", "ingest", "extractor", "alerting", "store", "postgres", "prometheus", "alertmanager", "grafana",
}
POWDERKEG_SERVICES = {
    "ingest": "powderkeg-ingest",
    "extractor": "powderkeg-extractor",
    "alerting": "powderkeg-alerting",
    "store": "powderkeg-store",
}
METRICS_PORT_VARIABLE = {name: f"POWDERKEG_{name.upper()}_METRICS_PORT" for name in POWDERKEG_SERVICES}
STATE_PATHS = {
    # service: the folder where its image keeps its state
    "kafka": "/var/lib/kafka/data",
    "postgres": "/var/lib/postgresql/data",
    "prometheus": "/prometheus",
    "alertmanager": "/alertmanager",
    "grafana": "/var/lib/grafana",
    "ingest": "/var/lib/powderkeg",
}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?([^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def _load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _targets_by_job(config: dict[str, Any]) -> dict[str, list[str]]:
    return {
        job["job_name"]: [target for static in job.get("static_configs", []) for target in static["targets"]]
        for job in config["scrape_configs"]
    }


def test_required_services_present(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) >= REQUIRED_SERVICES


def test_every_service_has_image_or_build(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert service.get("image") or service.get("build"), f"service {name} has neither image nor build"
    for name in POWDERKEG_SERVICES:
        assert services[name].get("build"), f"{name} must be built from the repo's Dockerfile"
    assert (ROOT / "Dockerfile").is_file()


def test_kafka_image_matches_local_stack_version(services: dict[str, dict[str, Any]]) -> None:
    stack = (ROOT / "deploy" / "stack.sh").read_text(encoding="utf-8")
    image = services["kafka"]["image"]
    assert image.startswith("apache/kafka:4.")
    version = image.split(":", 1)[1]
    assert f"KAFKA_VERSION=${{KAFKA_VERSION:-{version}}}" in stack, "compose and stack.sh run different Kafka"
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text(encoding="utf-8")
    assert f"<kafka.version>{version}</kafka.version>" in pom, "pom.xml default differs from compose"


def test_mounted_host_paths_exist(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    checked = 0
    named_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"service {name} mounts missing path {source}"
                checked += 1
            else:
                assert source in named_volumes, f"service {name} uses undeclared volume {source}"
    assert checked >= 4


def test_services_point_at_kafka_and_expose_their_metrics_port(services: dict[str, dict[str, Any]]) -> None:
    for name in POWDERKEG_SERVICES:
        env = services[name]["environment"]
        assert env["POWDERKEG_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["POWDERKEG_METRICS_HOST"] == "0.0.0.0"
        port = int(env[METRICS_PORT_VARIABLE[name]])
        assert any(str(p).endswith(f":{port}") for p in services[name]["ports"])
        assert services[name]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["alerting"]["environment"]["POWDERKEG_ALERTING_ALERTMANAGER_URL"] == "http://alertmanager:9093"
    assert services["ingest"]["environment"]["POWDERKEG_INGEST_METRICS_PORT"] == 9101
    assert services["extractor"]["environment"]["POWDERKEG_EXTRACTOR_METRICS_PORT"] == 9102
    assert services["alerting"]["environment"]["POWDERKEG_ALERTING_METRICS_PORT"] == 9103
    assert services["store"]["environment"]["POWDERKEG_STORE_METRICS_PORT"] == 9104


def test_every_powderkeg_variable_is_one_the_service_reads(services: dict[str, dict[str, Any]]) -> None:
    """A variable no settings class of the service reads is a setting silently not applied."""
    from powderkeg_alerting.settings import AlertingSettings
    from powderkeg_extractor.settings import ExtractorSettings
    from powderkeg_ingest.settings import IngestSettings
    from powderkeg_runtime.settings import known_variables
    from powderkeg_store.settings import StoreSettings

    read = {
        "ingest": IngestSettings, "extractor": ExtractorSettings, "alerting": AlertingSettings, "store": StoreSettings,
    }
    for name, cls in read.items():
        set_here = {var for var in services[name]["environment"] if var.startswith("POWDERKEG_")}
        assert set_here - known_variables([cls]) == set(), f"{name} sets variables it never reads"


def test_every_powderkeg_variable_in_compose_and_the_env_example_is_a_known_setting(
    services: dict[str, dict[str, Any]],
) -> None:
    from powderkeg_cli.envdoc import ENV_EXAMPLE, settings_classes
    from powderkeg_runtime.settings import known_variables, unknown_variables

    known = known_variables(cls for _, cls in settings_classes())
    in_compose = {var for service in services.values() for var in service.get("environment") or {}}
    in_compose |= {m.group(1) for m in INTERPOLATION.finditer(COMPOSE_FILE.read_text(encoding="utf-8"))}
    in_example = {  # set, or commented out for having no default ("# POWDERKEG_X=")
        line.removeprefix("# ").split("=", 1)[0] for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if "=" in line and line.removeprefix("# ").startswith("POWDERKEG_")
    }
    assert unknown_variables(known, in_compose | in_example) == []
    assert {v for v in in_compose if v.startswith("POWDERKEG_")} <= in_example


def test_the_push_api_listens_on_every_interface_and_needs_a_token_from_the_environment(
    services: dict[str, dict[str, Any]],
) -> None:
    ingest = services["ingest"]
    env = ingest["environment"]
    assert "--serve" in ingest["command"]
    assert env["POWDERKEG_INGEST_HTTP_HOST"] == "0.0.0.0"
    assert any(str(p).endswith(f":{env['POWDERKEG_INGEST_HTTP_PORT']}") for p in ingest["ports"])
    for service, variable in (("ingest", "POWDERKEG_INGEST_HTTP_TOKEN"), ("store", "POWDERKEG_STORE_API_TOKEN")):
        match = INTERPOLATION.fullmatch(str(services[service]["environment"][variable]))
        assert match is not None and match.group(1) == variable, f"{variable} must come from the environment"
        assert match.group(2) == ":?", f"{variable} must be required (no default, not empty)"


def test_every_interpolated_variable_has_a_default_or_is_required() -> None:
    for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text(encoding="utf-8")):
        assert match.group(2) in {":-", "-", ":?", "?"}, f"${{{match.group(1)}}} is silently empty when unset"


def test_the_services_health_checks_ask_their_own_readiness(services: dict[str, dict[str, Any]]) -> None:
    for name in POWDERKEG_SERVICES:
        port = services[name]["environment"][METRICS_PORT_VARIABLE[name]]
        check = " ".join(services[name]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in check, name
        assert "/healthz" not in check and "os.environ" not in check, name


def test_every_stateful_service_keeps_its_state_on_a_named_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    named = set(compose.get("volumes") or {})
    for name, path in STATE_PATHS.items():
        mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in services[name].get("volumes", [])}
        assert mounts.get(path) in named, f"{name} keeps {path} on no named volume"
    kafka_env = services["kafka"]["environment"]
    assert kafka_env["KAFKA_LOG_DIRS"] == STATE_PATHS["kafka"], "Kafka would write outside its volume"
    assert f"--storage.tsdb.path={STATE_PATHS['prometheus']}" in services["prometheus"]["command"]
    assert f"--storage.path={STATE_PATHS['alertmanager']}" in services["alertmanager"]["command"]
    assert services["ingest"]["environment"]["POWDERKEG_INGEST_STATE_DIR"].startswith(STATE_PATHS["ingest"] + "/")


def test_the_store_runs_on_the_compose_postgres(services: dict[str, dict[str, Any]]) -> None:
    stack = (ROOT / "deploy" / "stack.sh").read_text(encoding="utf-8")
    image = services["postgres"]["image"]
    assert f"POSTGRES_VERSION=${{POSTGRES_VERSION:-{image.split(':', 1)[1]}}}" in stack, "compose and stack.sh differ"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    store = services["store"]
    env = store["environment"]
    pg = services["postgres"]["environment"]
    assert env["POWDERKEG_STORE_DATABASE_URL"] == (
        f"postgresql+psycopg://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"
    )
    assert store["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "--serve" in store["command"]
    assert any(str(p).endswith(f":{env['POWDERKEG_STORE_HTTP_PORT']}") for p in store["ports"])


def test_prometheus_docker_config_scrapes_service_hostnames(services: dict[str, dict[str, Any]]) -> None:
    command = " ".join(services["prometheus"]["command"])
    assert "--config.file=/etc/prometheus/prometheus.docker.yml" in command
    targets = _targets_by_job(_load_yaml(PROMETHEUS_DIR / "prometheus.docker.yml"))
    for service, job in POWDERKEG_SERVICES.items():
        port = services[service]["environment"][METRICS_PORT_VARIABLE[service]]
        assert targets[job] == [f"{service}:{port}"]


def test_local_and_docker_prometheus_configs_agree() -> None:
    local = _load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    docker = _load_yaml(PROMETHEUS_DIR / "prometheus.docker.yml")
    assert set(_targets_by_job(local)) == set(_targets_by_job(docker))
    assert local["rule_files"] == docker["rule_files"]
    for rule_file in local["rule_files"]:
        groups = _load_yaml(PROMETHEUS_DIR / rule_file)["groups"]
        assert groups and all(group["rules"] for group in groups)


def test_grafana_provisioning_parses() -> None:
    datasources = _load_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert [(d["type"], d["url"]) for d in datasources] == [("prometheus", "http://prometheus:9090")]
    providers = _load_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "powderkeg.yml")["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"
    for dashboard in (GRAFANA_DIR / "dashboards").glob("*.json"):
        data = json.loads(dashboard.read_text(encoding="utf-8"))
        assert isinstance(data.get("panels", []), list) and data.get("title"), f"{dashboard} is not a dashboard"


def test_the_image_keeps_faust_data_where_the_service_user_may_write() -> None:
    """The image runs as an unprivileged user and /app belongs to root; faust's data dir must be under the
    directory the Dockerfile hands to that user (a worker that cannot create it exits at start)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chown powderkeg /var/lib/powderkeg" in dockerfile
    assert "USER powderkeg" in dockerfile
    assert "POWDERKEG_FAUST_DATA_DIR=/var/lib/powderkeg/" in dockerfile


def test_every_service_runs_under_a_restart_policy(services: dict[str, dict[str, Any]]) -> None:
    """Exit status 75 (replay) and the input watchdog rely on a supervisor restarting the worker; the broker, the
    database and the monitoring come back after a crash or a host reboot too."""
    for name, service in services.items():
        assert service.get("restart") in {"unless-stopped", "always", "on-failure"}, name


def _render(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``podman-compose config``: a compose-spec implementation (no container engine needed with ``--dry-run``)
    interpolates, merges and prints the file as compose itself would run it."""
    exe = Path(sys.executable).with_name("podman-compose")
    assert exe.exists(), "podman-compose comes with the development lock (make venv)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("POWDERKEG_")}
    return subprocess.run(
        [str(exe), "--dry-run", "-f", str(COMPOSE_FILE), "config"], cwd=tmp_path, env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_a_compose_implementation_renders_the_file_and_every_variable_it_sets_is_read(tmp_path: Path) -> None:
    from powderkeg_cli.envdoc import settings_classes
    from powderkeg_runtime.settings import known_variables

    result = _render(tmp_path, POWDERKEG_INGEST_HTTP_TOKEN="push-secret", POWDERKEG_STORE_API_TOKEN="api-secret")
    assert result.returncode == 0, result.stderr[-2000:]
    rendered = yaml.safe_load(result.stdout)
    assert set(rendered["services"]) >= REQUIRED_SERVICES
    known = known_variables(cls for _, cls in settings_classes())
    for name, service in rendered["services"].items():
        variables = {k for k in (service.get("environment") or {}) if k.startswith("POWDERKEG_")}
        assert variables <= known, f"{name}: {sorted(variables - known)}"
    assert rendered["services"]["ingest"]["environment"]["POWDERKEG_INGEST_HTTP_TOKEN"] == "push-secret"
    assert rendered["services"]["store"]["environment"]["POWDERKEG_STORE_API_TOKEN"] == "api-secret"
    assert set(rendered.get("volumes") or {}) >= {"kafka-data", "postgres-data"}


def test_compose_refuses_to_render_without_the_secrets_naming_the_missing_one(tmp_path: Path) -> None:
    result = _render(tmp_path, POWDERKEG_STORE_API_TOKEN="api-secret")
    assert result.returncode != 0
    assert "POWDERKEG_INGEST_HTTP_TOKEN" in result.stderr
