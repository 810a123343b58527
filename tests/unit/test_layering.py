"""Architecture guards: services never import each other, cores do no I/O wiring, only the extractor uses spaCy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = {
    "ingest": "powderkeg_ingest",
    "extractor": "powderkeg_extractor",
    "alerting": "powderkeg_alerting",
    "store": "powderkeg_store",
}
CORE_FORBIDDEN = {
    "kafka", "faust", "aiokafka", "powderkeg_runtime", "httpx", "uvicorn", "starlette", "prometheus_client",
    "sqlalchemy", "alembic", "psycopg",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _files(package_dir: Path) -> list[Path]:
    return sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_services_do_not_import_each_other(service: str) -> None:
    package = REPO / "services" / service / SERVICES[service]
    others = {pkg for name, pkg in SERVICES.items() if name != service} | {"powderkeg_cli"}
    offenders = {str(p.relative_to(REPO)): _imports(p) & others for p in _files(package) if _imports(p) & others}
    assert not offenders, offenders


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_cores_know_nothing_of_kafka_metrics_or_http(service: str) -> None:
    core = REPO / "services" / service / SERVICES[service] / "core"
    offenders = {
        str(p.relative_to(REPO)): _imports(p) & CORE_FORBIDDEN for p in _files(core) if _imports(p) & CORE_FORBIDDEN
    }
    assert not offenders, offenders
    for path in _files(core):
        assert "os.environ" not in path.read_text(encoding="utf-8"), f"{path} reads the environment"


@pytest.mark.parametrize("service", ["ingest", "alerting", "store"])
def test_only_the_extractor_imports_spacy(service: str) -> None:
    package = REPO / "services" / service / SERVICES[service]
    assert not [p for p in _files(package) if "spacy" in _imports(p)]


def test_contracts_depend_on_nothing_of_ours() -> None:
    ours = {"powderkeg_runtime", "powderkeg_cli", *SERVICES.values()}
    for path in _files(REPO / "contracts" / "powderkeg_contracts"):
        assert not (_imports(path) & ours), path
