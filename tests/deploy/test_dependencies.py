"""Dependencies: every package the product imports is declared, the image installs the runtime lock only, and the
locks pin every package by version and hash."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [ROOT / "contracts", *(p for p in (ROOT / "services").iterdir() if p.is_dir())]
DEV_TOOLS = {"pytest", "pytest-timeout", "hypothesis", "mypy", "ruff", "jsonschema", "playwright"}
NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _product_files() -> list[Path]:
    files = []
    for top in PRODUCT:
        for package in top.glob("powderkeg_*"):
            files += [p for p in package.rglob("*.py") if "__pycache__" not in p.parts]
    return files


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in _product_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and not n.startswith("powderkeg_")}


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = NAME.match(line)
        if match:
            pins[_canonical(match.group(1))] = match.group(3)
    return pins


def _declared() -> set[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}


def test_every_imported_package_is_declared_in_pyproject_and_requirements_in() -> None:
    owners = packages_distributions()
    runtime_in = {_canonical(n) for n in _pins(ROOT / "requirements.in")}
    declared = _declared()
    imported = _imported_top_levels()
    assert {"aiokafka", "numpy", "httpcore"} <= imported  # the check sees the imports it is about
    for module in sorted(imported):
        distributions = {_canonical(d) for d in owners.get(module, [])}
        assert distributions, f"{module} is imported but no installed distribution provides it"
        assert distributions & declared, f"{module} ({', '.join(distributions)}) is not in pyproject dependencies"
        assert distributions & runtime_in, f"{module} ({', '.join(distributions)}) is not pinned in requirements.in"


@pytest.mark.parametrize("source", ["requirements.in", "requirements-dev.in"])
def test_every_requirement_is_pinned_to_one_version(source: str) -> None:
    for line in (ROOT / source).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-r ")):
            assert NAME.match(line), f"{source}: {line!r} is not pinned with =="


def test_the_runtime_lock_has_no_development_tools_and_the_dev_lock_agrees_with_it() -> None:
    runtime = _pins(ROOT / "requirements.lock")
    dev = _pins(ROOT / "requirements-dev.lock")
    assert DEV_TOOLS & set(runtime) == set()
    assert set(dev) >= DEV_TOOLS
    assert {name: dev.get(name) for name in runtime} == runtime, "the dev lock must pin the runtime's versions"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_carries_a_hash(lock: str) -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8"))
    pinned = [b for b in blocks if NAME.match(b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)


def test_the_image_installs_the_runtime_lock_only() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = re.findall(r"pip install[^\n]*", dockerfile)
    assert "pip install --require-hashes -r requirements.lock" in installs
    assert not any("requirements-dev" in line for line in installs)
    assert installs[0] == "pip install --require-hashes -r requirements-pip.lock \\", "pip itself first, hash-pinned"
    allowed = ("-r requirements.lock", "-r requirements-pip.lock", "--no-deps")
    assert all(any(part in line for part in allowed) for line in installs)
