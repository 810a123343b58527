"""The real services as subprocesses against the real broker, as a user runs them.

:class:`ServiceProcess` starts ``python -m powderkeg_cli.main <service>``, waits for its ``/readyz``, and stops it with
SIGKILL (a crash) or SIGTERM (a graceful stop), by its own pid only; :func:`service_env` gives one test run's
services fresh consumer groups. Used by the chaos test and the reliability integration tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support import net
from tests.support.polling import wait_for


class ServiceProcess:
    """One Powderkeg service run as ``python -m powderkeg_cli.main <args>``; restartable, logs appended to a file."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], log_path: Path, port: int | None = None
    ) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.log_path = log_path
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> ServiceProcess:
        with self.log_path.open("ab") as log:
            log.write(f"\n----- start #{self.starts + 1} of {self.name} -----\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "powderkeg_cli.main", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        return self.port is not None and self.alive and net.ready(self.port)

    def wait_ready(self, timeout_s: float = 180) -> None:
        wait_for(lambda: self.ready() or not self.alive, timeout_s, f"{self.name} /readyz")
        assert self.alive, f"{self.name} exited with {self.proc and self.proc.returncode}: {self.log_tail()}"

    def kill(self) -> None:
        """SIGKILL: a crash with no chance to commit or flush anything."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self, timeout_s: float = 60) -> int:
        """SIGTERM and wait for the exit code (the graceful path)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            raise AssertionError(f"{self.name} did not stop within {timeout_s:.0f}s of SIGTERM") from None

    def stop_quietly(self) -> None:
        """Clean-up path: SIGTERM, then SIGKILL if it hangs; never raises."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else "(no log)"


def service_env(bootstrap: str, run: str, **extra: str) -> dict[str, str]:
    """Environment for the services of one test run: fresh app ids (= consumer groups), faster failure detection."""
    return {
        **os.environ,
        "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
        "POWDERKEG_EXTRACTOR_APP_ID": f"{run}-extractor",
        "POWDERKEG_ALERTING_APP_ID": f"{run}-alerting",
        # faust reads these (its settings' env names): a SIGKILLed worker's partitions are handed to its
        # replacement after 10 s rather than faust's default 60 s session timeout.
        "BROKER_SESSION_TIMEOUT": "10",
        "BROKER_HEARTBEAT_INTERVAL": "2",
        "BROKER_REBALANCE_TIMEOUT": "30",
        "POWDERKEG_ALERTING_ALERTMANAGER_URL": "",
        **extra,
    }
