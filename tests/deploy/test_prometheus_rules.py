"""Prometheus alert rules and the Alertmanager config, checked by the real tools.

`promtool test rules` runs deploy/prometheus/rules.test.yml (every rule fires and stays quiet where it should);
`amtool check-config` validates deploy/alertmanager/alertmanager.yml. The tools come from the Debian packages that
`deploy/stack.sh install` installs; without them the tests skip locally and fail in CI (where stack.sh installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "deploy" / "prometheus"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (bash deploy/stack.sh install)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}", pytrace=False)
        pytest.skip(message)
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_rules_file_is_valid() -> None:
    result = _run(_tool("promtool"), "check", "rules", str(PROMETHEUS / "rules.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass() -> None:
    result = _run(_tool("promtool"), "test", "rules", str(PROMETHEUS / "rules.test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_rule_has_a_unit_test() -> None:
    import yaml

    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((PROMETHEUS / "rules.test.yml").read_text(encoding="utf-8"))
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule}
    tested = {case["alertname"] for test in tests["tests"] for case in test.get("alert_rule_test", [])}
    assert alerts == tested
    assert all("interval" in test for test in tests["tests"]), "Prometheus 2.42 needs an interval in every test"


def test_alertmanager_config_is_valid() -> None:
    result = _run(_tool("amtool"), "check-config", str(REPO / "deploy" / "alertmanager" / "alertmanager.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
