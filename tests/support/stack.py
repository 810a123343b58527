"""Fixtures for tests against the real broker, Prometheus, Alertmanager and PostgreSQL (integration and chaos tiers).

`deploy/with-stack.sh` (used by `make test` and CI) starts them on loopback and exports the variables below;
to run these tests by hand: `bash deploy/stack.sh up`, then `.venv/bin/pytest tests/integration`. Each tier's
`conftest.py` imports the fixtures it uses from here.

Outside CI an unreachable service skips the tests that need it. With `CI` set it fails them instead: in CI
the harness has started the stack, so an unreachable service is a broken harness, never a reason to skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"
DEFAULT_ALERTMANAGER_URL = "http://127.0.0.1:9093"


def _unavailable(what: str, where: str, error: object) -> None:
    """Skip locally, fail in CI: the harness must have started the stack there."""
    message = f"{what} is not reachable at {where} ({error}); start it with `bash deploy/stack.sh up`"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {message}", pytrace=False)
    pytest.skip(message)


def _tcp_reachable(bootstrap: str) -> Exception | None:
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return None
    except OSError as exc:
        return exc


def _http_ready(base_url: str) -> Exception | None:
    try:
        httpx.get(f"{base_url}/-/ready", timeout=3).raise_for_status()
    except httpx.HTTPError as exc:
        return exc
    return None


def _reachable(what: str, variable: str, default: str, probe: Callable[[str], Exception | None]) -> str:
    """The address in ``variable`` (else ``default``) once ``probe`` finds the service there; skip or fail if not."""
    address = os.environ.get(variable, default).rstrip("/")
    error = probe(address)
    if error is not None:
        _unavailable(what, address, error)
    return address


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of the real broker (env POWDERKEG_KAFKA_BOOTSTRAP)."""
    return _reachable("Kafka", "POWDERKEG_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP, _tcp_reachable)


@pytest.fixture(scope="session")
def prometheus_url() -> str:
    """Base URL of the real Prometheus (env POWDERKEG_PROMETHEUS_URL)."""
    return _reachable("Prometheus", "POWDERKEG_PROMETHEUS_URL", DEFAULT_PROMETHEUS_URL, _http_ready)


@pytest.fixture(scope="session")
def alertmanager_url() -> str:
    """Base URL of the real Alertmanager (env POWDERKEG_ALERTMANAGER_URL)."""
    return _reachable("Alertmanager", "POWDERKEG_ALERTMANAGER_URL", DEFAULT_ALERTMANAGER_URL, _http_ready)


def _suffix() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def unique_group(request: pytest.FixtureRequest) -> str:
    """A consumer group id used by this test only, so no committed offsets leak between tests."""
    return f"pk-test-{request.node.name[:40]}-{_suffix()}"


@pytest.fixture
def topic_factory(kafka_bootstrap: str) -> Iterator[Callable[..., str]]:
    """Create uniquely named topics on the real broker; they are deleted after the test.

    Call as ``topic_factory("articles", partitions=3)``; returns the topic name.
    """
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="pk-test-admin")
    created: list[str] = []

    def create(prefix: str = "topic", partitions: int = 1) -> str:
        name = f"pk-test.{prefix}.{_suffix()}"
        admin.create_topics({name: {"num_partitions": partitions, "replication_factor": 1}}, wait_for_metadata=True)
        created.append(name)
        return name

    yield create
    try:
        if created:
            admin.delete_topics(created)
    finally:
        admin.close()


DEFAULT_STORE_DATABASE_URL = "postgresql+psycopg://powderkeg@127.0.0.1:5434/powderkeg"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of the real PostgreSQL started by the stack (env POWDERKEG_STORE_DATABASE_URL)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    url = os.environ.get("POWDERKEG_STORE_DATABASE_URL", DEFAULT_STORE_DATABASE_URL)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        _unavailable("PostgreSQL", url, type(exc).__name__)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def database_factory(postgres_url: str) -> Iterator[Callable[[], str]]:
    """Create empty databases on the real PostgreSQL, one per call, dropped after the test; returns their URLs."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = f"pk_test_{_suffix()}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)

    yield create
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
