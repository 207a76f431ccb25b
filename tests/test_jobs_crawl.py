"""Scheduled runs end to end: `newsbot crawl` in subprocesses against real local sites.

Three runs over the same store, as cron would make them:
1. two healthy sites                                  -> exit 0, both ok, health recorded;
2. one of them redesigned (a JavaScript app shell)    -> exit 3, the alarm on that site only;
3. a site that is down, one whose lock another run holds, one slower than --max-runtime
                                                      -> exit 1; skipped / failed / partial in the report.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.fixtures.jobs.site import write_site
from tests.support.crawl import FAST, env_for, newsbot
from tests.support.httpserver import LocalServer

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from newsbot.jobs.locks import site_lock
    lock = site_lock(sys.argv[1], sys.argv[2])
    print("got" if lock.acquire() else "busy", flush=True)
    time.sleep(120)
    """
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _crawl(tmp_path: Path, name: str, *targets: str, extra: tuple[str, ...] = ()) -> tuple[int, dict, str]:
    report = tmp_path / f"{name}.json"
    run = newsbot(tmp_path, "crawl", *targets, "--allow-private", "--report", str(report), *FAST, *extra)
    assert report.exists(), f"no run report; exit {run.returncode}\n{run.stderr[-4000:]}"
    return run.returncode, json.loads(report.read_text(encoding="utf-8")), run.stderr


def _slowly(slow: bool) -> None:
    """A handler that serves the static file (None) after a delay on the slow site's articles."""
    if slow:
        time.sleep(2.0)


def _site(report: dict, slug: str) -> dict:
    return next(s for s in report["sites"] if s["site"] == slug)


def _slug(server: LocalServer) -> str:
    return f"127.0.0.1_{server.port}"


@pytest.fixture
def sites(tmp_path):
    roots = [tmp_path / "site1", tmp_path / "site2"]
    for root in roots:
        write_site(root, {i: "a" for i in range(8)})
    servers = [LocalServer(root=root) for root in roots]
    yield roots, servers
    for s in servers:
        s.stop()


def test_good_run_then_redesign_alarm_then_failures(tmp_path, sites):
    (root1, root2), (s1, s2) = sites
    a, b = s1.url("/"), s2.url("/")

    # 1. all good
    code, report, err = _crawl(tmp_path, "run1", a, b)
    assert code == 0, err[-3000:]
    assert report["exit_code"] == 0 and report["failed"] == [] and report["alarms"] == []
    for server in (s1, s2):
        site = _site(report, _slug(server))
        assert site["status"] == "ok" and site["new"] == 8 and site["errors"] == 0
        assert site["health"]["score"] == 1.0
    assert "exit 0 (success)" in err
    first_run = report["run_id"]

    # 2. site 2 is redesigned: its new articles come as an app shell; site 1 publishes as usual
    write_site(root1, {i: "a" for i in range(12)})
    write_site(root2, {**{i: "a" for i in range(8)}, **{i: "shell" for i in range(8, 16)}})
    code, report, err = _crawl(tmp_path, "run2", a, b)
    assert code == 3, err[-3000:]
    assert report["alarms"] == [_slug(s2)] and report["failed"] == []
    healthy, broken = _site(report, _slug(s1)), _site(report, _slug(s2))
    assert healthy["new"] == 4 and not healthy["health"]["alarm"]
    assert broken["status"] == "ok"  # nothing failed to download: only the health check notices
    assert broken["health"]["alarm"] and broken["health"]["baseline"] == 1.0 and broken["health"]["score"] < 0.5
    assert broken["new"] == 0  # the 8 old articles were known, the 8 new ones had no body
    assert "HEALTH ALARM" in err and "exit 3" in err

    # `newsbot health` shows it too, and exits 3 while the alarm is open
    env = env_for(tmp_path)
    health = newsbot(tmp_path, "health", "--json", env=env)
    assert health.returncode == 3
    view = json.loads(health.stdout)
    assert view["open_alarms"] == [_slug(s2)] and view["last_run"]["exit_code"] == 3
    history = newsbot(tmp_path, "health", "--site", _slug(s2), "--json", env=env)
    assert [r["run_id"] for r in json.loads(history.stdout)][0] == first_run

    # 3. site 1 is locked by a run still going, a third site is down, a fourth is slower than the budget
    slow_paths = write_site(tmp_path / "site4", {i: "a" for i in range(40)})
    slow = LocalServer(root=tmp_path / "site4", handler=lambda req: _slowly(req.path in slow_paths))
    hits_before = s1.hits("/")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, _slug(s1), str(tmp_path / "store.db")],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "got"
        down = f"http://127.0.0.1:{_closed_port()}/"
        code, report, err = _crawl(tmp_path, "run3", a, down, slow.url("/"), extra=("--max-runtime", "5"))
    finally:
        holder.kill()
        holder.wait()
        slow.stop()
    assert code == 1, err[-3000:]
    locked = _site(report, _slug(s1))
    assert locked["status"] == "skipped" and f"pid {holder.pid}" in locked["reason"]
    failed = _site(report, down.split("//")[1].rstrip("/").replace(":", "_"))
    assert failed["status"] == "failed" and failed["pages"] == 0
    partial = _site(report, _slug(slow))
    assert partial["status"] == "partial" and partial["finish_reason"] == "closespider_timeout"
    assert report["failed"] == [failed["site"]]
    assert s1.hits("/") == hits_before  # the locked site was not touched


def test_usage_errors_exit_2_before_anything_is_locked(tmp_path):
    env = {k: v for k, v in env_for(tmp_path).items() if k != "REDIS_URL"}
    run = newsbot(tmp_path, "crawl", "http://127.0.0.1:9/", "--allow-private", "--workers", "2", env=env)
    assert run.returncode == 2 and "--redis-url" in run.stderr
    run = newsbot(tmp_path, "crawl", "no-such-site-slug", env=env)
    assert run.returncode == 2
    assert not (tmp_path / "store.jobs" / "locks").exists() or not any((tmp_path / "store.jobs" / "locks").iterdir())
