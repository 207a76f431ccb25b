"""Every NEWSBOT_* default is declared once, in newsbot/settings.py; the import graph keeps its layers (issue 14)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from newsbot import settings

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^NEWSBOT_[A-Z0-9_]+$")
# environment variables read where they are used, with no default beyond "unset" (listed in settings' docstring)
ENVIRONMENT_ONLY = {"NEWSBOT_STATE_DIR", "NEWSBOT_CACHE_DIR", "NEWSBOT_WORKER"}
NOT_SETTINGS = {"NEWSBOT_STORE"}  # the browse app's Flask config key


def _code() -> list[tuple[str, ast.AST]]:
    out = []
    for pkg in ("newsbot", "spiders", "pipelines"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if path != ROOT / "newsbot" / "settings.py":
                out.append((str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))))
    return out


def test_every_setting_the_code_reads_is_declared_in_settings():
    used = {n.value for _, tree in _code() for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and NAME.match(n.value)}
    missing = sorted(used - ENVIRONMENT_ONLY - NOT_SETTINGS - set(dir(settings)))
    assert not missing, f"read in the code but given no default in newsbot/settings.py: {missing}"


def test_no_reader_passes_a_default_of_its_own():
    """settings.get("NEWSBOT_X", 200) or setting(s, "NEWSBOT_X", 200): a second default, free to disagree."""
    found = []
    for where, tree in _code():
        for n in ast.walk(tree):
            if not isinstance(n, ast.Call):
                continue
            args = list(n.args)
            for i, a in enumerate(args):
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and NAME.match(a.value):
                    rest = args[i + 1:i + 2]
                    if rest and isinstance(rest[0], ast.Constant) and rest[0].value not in (None, ""):
                        found.append(f"{where}:{n.lineno} {a.value}={rest[0].value!r}")
                    elif rest and isinstance(rest[0], ast.BinOp):  # 8 * 2**20
                        found.append(f"{where}:{n.lineno} {a.value}=<expression>")
    assert not found, found


def test_settings_module_imports_nothing_from_spiders_or_pipelines_even_with_redis_set(tmp_path):
    code = ("import sys, newsbot.settings as s\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('spiders', 'pipelines', 'scrapy_redis'))\n"
            "assert not bad, bad\n"
            "assert 'spiders.redis_addon.RedisAddon' in s.ADDONS\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": "redis://127.0.0.1:1/0"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_pipelines_do_not_import_newsbot_jobs():
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in n.names] if isinstance(n, ast.Import) else \
                [n.module or ""] if isinstance(n, ast.ImportFrom) else []
            assert not any(m == "newsbot.jobs" or m.startswith("newsbot.jobs.") for m in names), \
                f"{path.relative_to(ROOT)}:{n.lineno} imports {names}"
