#!/usr/bin/env python3
"""The failure drill of issue 12: ordinary failures against the demo site, as a new user meets them.

    python3 scripts/failure_drill.py            # prints one line per check; exit 1 if any failed

Serves the demo site with `python3 -m newsbot.demo_server --port N` (a real separate process) and runs the
`newsbot` command in a scratch directory:

1. a `--jobdir` crawl killed with kill -9 (process group) mid-crawl, then resumed: all 20 articles, once each;
2. a store that is down (PostgreSQL on a port nobody listens on): exit non-zero, no "success" in the run
   report, last-run.json or the output, and `newsbot health` exits non-zero;
3. `NEWSBOT_DB=mysql://x/y`: exit 2, nothing created;
4. `--max-articles 3`: 1 to 3 articles stored;
5. `newsbot scrape` of a name that does not resolve: exit non-zero, at most 5 stderr lines, no traceback;
6. `--since 2d`: no article published earlier stored.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]
results: list[tuple[str, bool, str]] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(db: Path | str, **extra: str) -> dict[str, str]:
    e = {**os.environ, "NEWSBOT_DB": str(db), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    e.pop("NEWSBOT_STATE_DIR", None)
    e.update(extra)
    return e


def newsbot(cwd: Path, *args: str, db: Path | str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbot", *args], cwd=cwd, env=env(db, **extra),
                          capture_output=True, text=True, timeout=600)


def count(db: Path, sql: str = "SELECT count(*), count(DISTINCT url) FROM articles") -> tuple:
    if not db.exists():
        return (0, 0)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        try:
            return conn.execute(sql).fetchone()
        except sqlite3.OperationalError:
            return (0, 0)


def check(name: str, ok: bool, detail: str) -> None:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def drill(work: Path, site: str) -> None:
    """Each failure in turn, each in its own folder."""
    _drill_1(work, site)
    _drill_2(work, site)
    _drill_3(work, site)
    _drill_4(work, site)
    _drill_5(work, site)
    _drill_6(work, site)


def _drill_1(work: Path, site: str) -> None:
    """1. kill -9 mid-crawl, then resume"""
    d1 = work / "1"
    d1.mkdir()
    db1 = d1 / "store.db"
    cmd = [sys.executable, "-m", "newsbot", "crawl", site, "--allow-private", "--jobdir", "job", *FAST,
           "-s", "DOWNLOAD_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-q"]
    proc = subprocess.Popen(cmd, cwd=d1, env=env(db1), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while count(db1)[0] < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    killed_with = count(db1)[0]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    resumed = newsbot(d1, "crawl", site, "--allow-private", "--jobdir", "job", *FAST, db=db1)
    total, distinct = count(db1)
    told = [ln for ln in resumed.stderr.splitlines() if "damaged" in ln]
    check("1 kill -9 then resume", resumed.returncode == 0 and total == distinct == 20 and len(told) == 1,
          f"killed with {killed_with} stored; resume exit {resumed.returncode}, {total} stored ({distinct} distinct); "
          f"told: {told[0].strip()[:150] if told else 'nothing'}")


def _drill_2(work: Path, site: str) -> None:
    """2. the store is down"""
    d2 = work / "2"
    d2.mkdir()
    down = f"postgresql://newsbot@127.0.0.1:{free_port()}/newsbot"
    state = d2 / "state"
    r2 = newsbot(d2, "crawl", site, "--allow-private", "--report", "r.json", *FAST, db=down,
                 NEWSBOT_STATE_DIR=str(state))
    texts = {"stdout+stderr": r2.stdout + r2.stderr}
    for p in (d2 / "r.json", state / "runs" / "last-run.json"):
        texts[p.name] = p.read_text(encoding="utf-8") if p.exists() else ""
    said = [k for k, t in texts.items() if "success" in t]
    health = newsbot(d2, "health", db=down, NEWSBOT_STATE_DIR=str(state))
    check("2 store down", r2.returncode != 0 and not said and health.returncode != 0,
          f"crawl exit {r2.returncode}; 'success' in: {said or 'nowhere'}; health exit {health.returncode}: "
          f"{health.stderr.strip()[:120]}")


def _drill_3(work: Path, site: str) -> None:
    """3. a store URL of another database"""
    d3 = work / "3"
    d3.mkdir()
    r3 = newsbot(d3, "crawl", site, "--allow-private", db="mysql://x/y")
    created = sorted(str(p.relative_to(d3)) for p in d3.rglob("*"))
    check("3 mysql:// store", r3.returncode == 2 and not created,
          f"exit {r3.returncode}, created {created or 'nothing'}; said: {r3.stderr.strip()[:150]}")


def _drill_4(work: Path, site: str) -> None:
    """4. --max-articles 3"""
    d4 = work / "4"
    d4.mkdir()
    r4 = newsbot(d4, "crawl", site, "--allow-private", "--max-articles", "3", *FAST, db=d4 / "store.db")
    n4 = count(d4 / "store.db")[0]
    check("4 --max-articles 3", r4.returncode == 0 and 1 <= n4 <= 3, f"exit {r4.returncode}, {n4} stored")


def _drill_5(work: Path, site: str) -> None:
    """5. scrape a name that does not resolve"""
    r5 = newsbot(work, "scrape", "http://no-such-host.invalid/x", db=work / "none.db")
    lines = r5.stderr.strip().splitlines()
    check("5 unresolvable scrape", r5.returncode != 0 and len(lines) <= 5 and "Traceback" not in r5.stderr,
          f"exit {r5.returncode}, {len(lines)} stderr lines; last: {lines[-1][:120] if lines else ''}")


def _drill_6(work: Path, site: str) -> None:
    """6. --since 2d"""
    d6 = work / "6"
    d6.mkdir()
    cutoff = datetime.now(UTC) - timedelta(days=2)
    r6 = newsbot(d6, "crawl", site, "--allow-private", "--since", "2d", *FAST, db=d6 / "store.db")
    rows = [] if not (d6 / "store.db").exists() else sqlite3.connect(d6 / "store.db").execute(
        "SELECT published FROM articles").fetchall()
    older = [p for (p,) in rows if p and _utc(p) < cutoff]
    check("6 --since 2d", r6.returncode == 0 and not older,
          f"exit {r6.returncode}, {len(rows)} stored, {len(older)} published earlier than {cutoff:%Y-%m-%d %H:%M}Z")

def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def main() -> int:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "newsbot.demo_server", "--port", str(port)],
                              env=env("unused.db"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None  # stdout=PIPE
    try:
        print(f"demo site: {server.stdout.readline().strip()}", flush=True)
        with tempfile.TemporaryDirectory(prefix="newsbot-drill-") as tmp:
            drill(Path(tmp), f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.wait(timeout=10)
    failed = [name for name, ok, _ in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} checks passed" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
