"""Reliability suite helpers: the case register behind docs/reliability.md, slow-test gating, crawl processes.

Each test describes itself with the `case` fixture: `case("what was tried")`, then `case.happened(...)`
and `case.count_lost(expected, observed)` (computed; `case.lost(text)` only for words) as it learns them. They go to the JUnit XML as properties (record_property) and
scripts/reliability_table.py turns them into the table. A test that passes without calling
`case.lost` lost nothing it could count; one that fails is listed as failed whatever it said.

`@pytest.mark.slow` tests of this folder run only when asked: `python3 -m pytest -m slow tests/reliability`
(or NEWSBOT_SLOW=1).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.crawl import FAST, env_for

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.option.markexpr or "") or os.environ.get("NEWSBOT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow reliability case: python3 -m pytest -m slow tests/reliability")
    for item in items:
        if item.get_closest_marker("slow") and HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


class Case:
    def __init__(self, record: Callable[[str, object], None]):
        self._record = record

    def __call__(self, tried: str) -> Case:
        self._record("tried", tried)
        return self

    def happened(self, text: str) -> None:
        self._record("happened", text)

    def lost(self, text: str) -> None:
        """A loss stated in words (prefer `count_lost`, which computes it from what the test observed)."""
        self._record("lost", text)

    def count_lost(self, expected: object, observed: object, what: str = "articles") -> int:
        """Compute and record what was lost: `expected` and `observed` are counts or collections of ids.

        With collections the loss is the expected ids not observed (and ids observed twice are reported as
        duplicates when `observed` is a list); with counts, the shortfall. The table shows the figure, never a
        sentence written by hand: "nothing (20 of 20 articles)" or "3 of 20 articles".
        Returns the number lost so the test can assert on it."""
        dup = 0
        if isinstance(expected, int) and isinstance(observed, int):
            n_exp, n_lost = expected, max(0, expected - observed)
        else:
            exp = set(expected)  # type: ignore[call-overload]
            obs_list = list(observed)  # type: ignore[call-overload]
            dup = len(obs_list) - len(set(obs_list))
            n_exp, n_lost = len(exp), len(exp - set(obs_list))
        text = f"nothing ({n_exp - n_lost} of {n_exp} {what})" if n_lost == 0 else f"{n_lost} of {n_exp} {what}"
        if dup:
            text += f"; {dup} stored twice"
        self._record("lost", text)
        self._record("lost_count", n_lost)
        return n_lost

    def figure(self, name: str, value: object) -> None:
        """A measured figure (peak RSS, bytes sent...) shown in the table."""
        self._record(f"figure:{name}", value)


@pytest.fixture
def case(record_property) -> Case:
    return Case(record_property)


# ---------------------------------------------------------------- crawl processes

def crawl_cmd(url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsbot", "crawl", url, *FAST, *extra]


def start_crawl(tmp_path: Path, url: str, *extra: str, env: dict[str, str] | None = None,
                log: str = "crawl.log") -> subprocess.Popen:
    """`newsbot crawl URL` in its own process group (so kill -9 takes all of it), log to tmp_path/log."""
    fh = open(tmp_path / log, "ab")  # noqa: SIM115 - the child owns it; closed when the Popen is collected
    return subprocess.Popen(crawl_cmd(url, *extra), cwd=tmp_path, env=env or env_for(tmp_path),
                            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def kill9(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def sqlite_count(db: Path, table: str = "articles", distinct: str | None = None) -> int:
    """Rows in the store (read-only; -1 while the store does not exist yet)."""
    if not db.exists():
        return -1
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            what = f"COUNT(DISTINCT {distinct})" if distinct else "COUNT(*)"
            return conn.execute(f"SELECT {what} FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return -1


def wait_until(predicate: Callable[[], bool], timeout: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc is not None and proc.poll() is not None:
            return predicate()
        time.sleep(0.05)
    return predicate()


def integrity(db: Path, immutable: bool = False) -> str:
    """PRAGMA integrity_check, read-only (immutable: on a read-only filesystem, where WAL files cannot be made)."""
    with sqlite3.connect(f"file:{db}?mode=ro{'&immutable=1' if immutable else ''}", uri=True) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
