"""The guard rails of `make lint`, run by the test suite too (CI runs only the tests):
mypy with django-stubs on every services/selectors module, and the import-linter contracts
(adapters -> services/selectors -> models; no app imports another app's views). Both are
configured in pyproject.toml. A missing tool skips with the reason; a finding fails."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]' brings it)")
    return path


def _run(command: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.timeout(600)
def test_import_contracts_are_kept():
    result = _run([_tool("lint-imports")], timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.timeout(1500)
def test_services_and_selectors_type_check():
    result = _run([_tool("mypy")], timeout=1400)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


def _service_modules() -> list[Path]:
    found: list[Path] = []
    for base in ("crm", "billing", "tenants"):
        for path in (ROOT / base).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if path.name in {"services.py", "selectors.py"} or "services" in path.parts:
                found.append(path)
    return sorted(found)


def test_no_service_takes_an_untyped_keyword_bag():
    """``**fields: Any`` hides every caller's mistake from mypy: services name their keyword
    arguments or type the bag with ``Unpack[SomeTypedDict]``."""
    modules = _service_modules()
    assert ROOT / "crm/accounts/services.py" in modules  # the walk sees what it polices
    offenders = []
    for path in modules:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_") or node.args.kwarg is None:
                continue
            annotation = node.args.kwarg.annotation
            text = ast.unparse(annotation) if annotation is not None else ""
            if not text.startswith("Unpack["):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
                                 f"(**{node.args.kwarg.arg}: {text or 'untyped'})")
    assert not offenders, "\n".join(offenders)
