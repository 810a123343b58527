"""Structure of docker-compose.yml and the files it mounts.

No Docker engine is needed (none runs in CI): these parse the files and check that they agree with each other,
so the compose setup cannot silently rot while everyday runs use deploy/stack.sh.
"""

from __future__ import annotations

import json
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
        port = int(env["POWDERKEG_METRICS_PORT"])
        assert any(str(p).endswith(f":{port}") for p in services[name]["ports"])
        assert services[name]["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    alerting_env = services["alerting"]["environment"]
    assert alerting_env["POWDERKEG_ALERTMANAGER_URL"] == "http://alertmanager:9093"
    assert alerting_env["POWDERKEG_ALERTING_ALERTMANAGER_URL"] == "http://alertmanager:9093"
    assert services["ingest"]["environment"]["POWDERKEG_INGEST_METRICS_PORT"] == 9101
    assert services["extractor"]["environment"]["POWDERKEG_EXTRACTOR_METRICS_PORT"] == 9102
    assert alerting_env["POWDERKEG_ALERTING_METRICS_PORT"] == 9103
    assert services["store"]["environment"]["POWDERKEG_STORE_METRICS_PORT"] == 9104


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
        port = services[service]["environment"]["POWDERKEG_METRICS_PORT"]
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


def test_the_services_run_under_a_restart_policy(services: dict[str, dict[str, Any]]) -> None:
    """Exit status 75 (replay) and the input watchdog rely on a supervisor restarting the worker."""
    for name in POWDERKEG_SERVICES:
        assert services[name].get("restart") in {"unless-stopped", "always", "on-failure"}, name
