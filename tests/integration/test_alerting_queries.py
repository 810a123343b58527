"""Every PromQL query in the Grafana dashboards parses and runs on the REAL Prometheus (deploy/stack.sh, :9090).

tests/deploy/test_dashboards.py checks metric names; this one catches syntax and type errors (a rate() of a gauge is
fine, a histogram_quantile without ``le`` is not) that only Prometheus itself can judge.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

DASHBOARDS = sorted((Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards").glob("*.json"))


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_queries_run_on_prometheus(prometheus_url: str, path: Path) -> None:
    panels = json.loads(path.read_text(encoding="utf-8"))["panels"]
    for panel in panels:
        for target in panel.get("targets", []):
            response = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": target["expr"]}, timeout=10)
            body = response.json()
            assert response.status_code == 200 and body["status"] == "success", (panel["title"], target["expr"], body)
