"""The command line fails in a way an operator can act on: one clear line, a non-zero status, no traceback, and
Ctrl-C stops it. No broker is needed: "no broker" is a loopback port nobody listens on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.net import free_port

POWDERKEG = [sys.executable, "-m", "powderkeg_cli.main"]
BOUND_S = 20.0
"""A bound on each command, so that a hang fails the test instead of stalling the suite (not a speed figure)."""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWDERKEG_")}
    env.update({"POWDERKEG_INGEST_STATE_DIR": str(tmp_path / "state"), "POWDERKEG_INGEST_METRICS_PORT": "0"})
    env.update(extra)
    return env


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POWDERKEG, *args], env=_env(tmp_path, **env), cwd=tmp_path, capture_output=True, text=True,
        timeout=BOUND_S,
    )


def test_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = _run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"powderkeg {version('powderkeg')}"


def test_dlq_list_without_a_broker_is_one_line_naming_the_address(tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    result = _run(["dlq", "list"], tmp_path, POWDERKEG_KAFKA_BOOTSTRAP=address)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("powderkeg dlq:")]
    assert line.startswith(f"powderkeg dlq: error: cannot reach Kafka at {address}")


def test_a_misspelt_setting_in_dotenv_stops_every_command_naming_the_valid_one(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("POWDERKEG_KAFKA_BOOTSTAP=127.0.0.1:9092\n")
    result = _run(["dlq", "list"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "powderkeg dlq: error: unknown setting POWDERKEG_KAFKA_BOOTSTAP; did you mean POWDERKEG_KAFKA_BOOTSTRAP?"
    )


def test_a_bad_log_level_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = _run(["ingest", "--dry-run", "-"], tmp_path, POWDERKEG_LOG_LEVEL="verbose")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "powderkeg ingest: error: POWDERKEG_LOG_LEVEL='verbose': not a log level; choose one of DEBUG, INFO, "
        "WARNING, ERROR, CRITICAL"
    )


def _interrupt_while_reaching_the_broker(args: list[str], tmp_path: Path) -> tuple[int, str]:
    """Start ``powderkeg ARGS`` against a closed port, SIGINT it once it tries the port; (status, its stderr after)."""
    env = _env(tmp_path, POWDERKEG_KAFKA_BOOTSTRAP=f"127.0.0.1:{free_port()}")
    proc = subprocess.Popen([*POWDERKEG, *args], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + BOUND_S
        while "bootstrap" not in proc.stderr.readline().lower():  # kafka-python would retry for 30 s
            assert time.monotonic() < deadline and proc.poll() is None
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=5)
        return status, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("mode", [["seeds"], ["--serve", "--http-port", "0"]], ids=["batch", "serve"])
def test_ingest_without_a_broker_stops_on_ctrl_c(tmp_path: Path, mode: list[str]) -> None:
    repo = Path(__file__).resolve().parents[2]
    args = ["ingest", "--no-progress", *[str(repo / a) if a == "seeds" else a for a in mode]]
    status, rest = _interrupt_while_reaching_the_broker(args, tmp_path)
    assert status == 130  # nothing was read: nothing to finish
    assert "Traceback" not in rest and "stopped by SIGINT" in rest


@pytest.mark.parametrize("command", ["alerting", "extractor"])
def test_a_worker_without_a_broker_stops_on_ctrl_c_without_a_traceback(tmp_path: Path, command: str) -> None:
    status, rest = _interrupt_while_reaching_the_broker([command], tmp_path)
    assert status == 130
    assert "Traceback" not in rest and f"powderkeg {command}: interrupted" in rest


@pytest.mark.parametrize("command", [["alerting"], ["extractor"], ["store"], ["ingest", "--no-progress", "-"]])
def test_a_command_that_needs_the_broker_exits_non_zero_naming_the_address(tmp_path: Path, command: list[str]) -> None:
    """It waits POWDERKEG_KAFKA_TIMEOUT_SECONDS (here 2 s) for the broker, then says so in one line and stops; a
    supervisor (compose's ``restart:``) starts it again. The subprocess bound is a hang guard, not a speed figure."""
    address = f"127.0.0.1:{free_port()}"
    result = subprocess.run(
        [*POWDERKEG, *command],
        env=_env(
            tmp_path,
            POWDERKEG_KAFKA_BOOTSTRAP=address,
            POWDERKEG_KAFKA_TIMEOUT_SECONDS="2",
            POWDERKEG_STORE_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        ),
        cwd=tmp_path,
        input='{"id": "a1", "text": "Troops clashed on the border on Monday."}\n',
        capture_output=True,
        text=True,
        timeout=BOUND_S,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert any(address in line and ("reach" in line or "Kafka" in line) for line in result.stderr.splitlines()), (
        result.stderr[-2000:]
    )
