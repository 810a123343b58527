"""A real ``powderkeg ingest --serve`` process on free loopback ports, for the integration tests that push to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.support.net import free_port
from tests.support.polling import wait_for

TOKEN = "integration-token"


class IngestProcess:
    """``powderkeg ingest --serve`` with its own state folder; ``env`` adds settings; stopped with SIGTERM."""

    def __init__(self, bootstrap: str, tmp: Path, *args: str, **env: str) -> None:
        self.http_port, self.metrics_port = free_port(), free_port()
        self.log_path = tmp / "ingest.log"
        environment = {
            **os.environ,
            "POWDERKEG_KAFKA_BOOTSTRAP": bootstrap,
            "POWDERKEG_INGEST_STATE_DIR": str(tmp / "state"),
            "POWDERKEG_INGEST_HTTP_TOKEN": TOKEN,
            **env,
        }
        self._log = self.log_path.open("w")
        command = [sys.executable, "-m", "powderkeg_ingest", "--serve", "--no-progress"]
        command += [f"--http-port={self.http_port}", f"--metrics-port={self.metrics_port}", *args]
        self.proc = subprocess.Popen(command, env=environment, stdout=self._log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.http_port}/v1/articles"
        self.auth = {"Authorization": f"Bearer {TOKEN}"}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def readiness(self) -> tuple[bool, str]:
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=3).json()
        except (httpx.HTTPError, ValueError) as exc:
            return False, str(exc)
        return bool(answer["ready"]), str(answer["detail"])

    def wait_ready(self, timeout_s: float = 60) -> None:
        wait_for(lambda: self.readiness()[0] or self.proc.poll() is not None, timeout_s, "ingest /readyz", every_s=0.3)
        if not self.readiness()[0]:
            raise AssertionError(f"ingest exited before it was ready: {self.readiness()}\n{self.log()}")

    def push(self, body: Any = None, *, content: bytes | None = None, media: str = "application/json",
             timeout_s: float = 60, **headers: str) -> httpx.Response:
        all_headers = {**self.auth, "Content-Type": media, **headers}
        if content is None:
            return httpx.post(self.url, json=body, headers=all_headers, timeout=timeout_s)
        return httpx.post(self.url, content=content, headers=all_headers, timeout=timeout_s)

    def metric(self, name: str, **labels: str) -> float:
        text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in text.splitlines():
            series, _, value = line.rpartition(" ")
            if series == name and not wanted:
                return float(value)
            if series.startswith(name + "{") and ",".join(sorted(series[len(name) + 1 : -1].split(","))) == wanted:
                return float(value)
        return 0.0

    def stop(self) -> int:
        """SIGTERM, then the exit code (SIGKILL and a failure after 30 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("ingest did not stop within 30 s of SIGTERM") from None
        finally:
            self._log.close()
        return code
