"""Dashboards and alert rules use only metric names the services declare.

Declared names are read from the prometheus_client registry after importing every service's ``metrics.py``, so a
renamed or removed metric breaks this test rather than silently emptying a panel or disarming an alert.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((REPO / "deploy" / "grafana" / "dashboards").glob("*.json"))
RULES = REPO / "deploy" / "prometheus" / "rules.yml"
SERVICE_METRICS = (
    "powderkeg_ingest.metrics", "powderkeg_extractor.metrics", "powderkeg_alerting.metrics", "powderkeg_store.metrics",
)
PROMETHEUS_OWN = {"up"}
"""Series Prometheus itself creates for every scrape target."""

SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("", "_count", "_sum"),
}
METRIC_NAME = re.compile(r"\bpowderkeg_[a-z0-9_]+\b")


def declared_names() -> set[str]:
    for module in SERVICE_METRICS:
        importlib.import_module(module)
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def dashboard_queries(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [target["expr"] for panel in data["panels"] for target in panel.get("targets", [])]


def rule_queries() -> list[str]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule["expr"] for group in data["groups"] for rule in group["rules"]]


def used_names(expr: str) -> set[str]:
    return set(METRIC_NAME.findall(expr))


def test_every_service_declares_metrics() -> None:
    names = declared_names()
    assert {"powderkeg_alerts_total", "powderkeg_pair_escalation_index", "powderkeg_consumer_lag"} <= names
    assert "powderkeg_ingest_articles_published_total" in names and "powderkeg_events_total" in names


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_uses_only_declared_metrics(path: Path) -> None:
    queries = dashboard_queries(path)
    assert queries, f"{path.name} has no queries"
    undeclared = {name for expr in queries for name in used_names(expr)} - declared_names()
    assert not undeclared, f"{path.name} queries undeclared metrics: {sorted(undeclared)}"


def test_alert_rules_use_only_declared_metrics() -> None:
    undeclared = {name for expr in rule_queries() for name in used_names(expr)} - declared_names()
    assert not undeclared, f"rules.yml queries undeclared metrics: {sorted(undeclared)}"


def test_the_checker_catches_an_unknown_name() -> None:
    assert used_names("rate(powderkeg_nonexistent_total[5m]) + up") - declared_names() == {
        "powderkeg_nonexistent_total"
    }


def test_the_expected_dashboards_exist_and_use_the_provisioned_datasource() -> None:
    titles = {json.loads(p.read_text(encoding="utf-8"))["title"] for p in DASHBOARDS}
    assert {"Powderkeg pipeline health", "Powderkeg escalation"} <= titles
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, (path.name, panel["title"])


def test_names_outside_the_powderkeg_prefix_are_prometheus_own() -> None:
    bare = re.compile(r"\b([a-z_]+)\{")
    for expr in rule_queries() + [q for p in DASHBOARDS for q in dashboard_queries(p)]:
        for name in bare.findall(expr):
            assert name.startswith("powderkeg_") or name in PROMETHEUS_OWN, (name, expr)
