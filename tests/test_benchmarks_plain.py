"""benchmarks/ run from a plain install: none of them, nor the test helpers they import, needs pytest (a dev
dependency). Checked in child processes where importing pytest fails, as it does without the dev extras."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))

# a sitecustomize that makes `import pytest` fail the way it does where pytest is not installed
_NO_PYTEST = """
import importlib.abc, sys

class _NoPytest(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pytest", "_pytest"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoPytest())
"""


@pytest.fixture
def no_pytest_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(_NO_PYTEST)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}


def _imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at any depth (functions import theirs lazily)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_blocker_blocks(no_pytest_env):
    out = subprocess.run([sys.executable, "-c", "import pytest"], capture_output=True, text=True, env=no_pytest_env)
    assert out.returncode != 0 and "No module named 'pytest'" in out.stderr


@pytest.mark.parametrize("bench", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_imports_need_no_pytest(bench, no_pytest_env):
    modules = sorted(m for m in _imported_modules(bench) if m.split(".")[0] in ("newsbot", "tests", "spiders",
                                                                                  "pipelines"))
    assert "pytest" not in _imported_modules(bench)
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    out = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True, env=no_pytest_env,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]


def test_store_benchmark_runs_without_pytest(no_pytest_env, tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "store.py"), "--n", "60", "--backends", "sqlite",
                          "--keep", str(tmp_path / "bench")], capture_output=True, text=True, env=no_pytest_env,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr.strip().splitlines()[-1:]
    assert "sqlite     insert" in out.stdout
