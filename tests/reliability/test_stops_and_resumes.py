"""Stops at any moment, then a resume (issue 12, items 1 and 7): kill -9 of the process group, Ctrl-C twice (Scrapy's
forced stop) and Ctrl-C once, against the demo site served by `newsbot.demo_server`, with `--jobdir`. Each resume
must store every one of the demo's 20 articles exactly once, and a damaged queue must be said in one line."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from newsbot.demo_server import DEMO_ROOT, load_manifest, serve
from newsbot.urls import canonicalize
from tests.reliability.conftest import kill9, sqlite_count, start_crawl, wait_until

ARTICLES = sorted(unquote(urlsplit(canonicalize("http://x" + p)).path) for p in load_manifest(DEMO_ROOT)["paths"]["articles"])
SLOW = ("-s", "DOWNLOAD_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")


def _stored(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [unquote(urlsplit(canonicalize(u)).path) for (u,) in conn.execute("SELECT url FROM articles")]


def _log(tmp_path: Path, name: str) -> str:
    p = tmp_path / name
    return p.read_text("utf-8", "replace") if p.exists() else ""


def _queue_files(jobdir: Path) -> list[Path]:
    return [p for p in jobdir.glob("*/requests.queue/**/*") if p.is_file()]


def _resume(tmp_path: Path, url: str, jobdir: Path, log: str = "resume.log") -> tuple[int, str]:
    proc = start_crawl(tmp_path, url, "--allow-private", "--jobdir", str(jobdir), log=log)
    proc.wait(timeout=300)
    return proc.returncode, _log(tmp_path, log)


def _check_resume(code: int, text: str) -> None:
    assert code == 0, text[-3000:]
    assert "Traceback" not in text and "struct.error" not in text, text[-3000:]


@pytest.mark.parametrize("moment", ["queue-created", "first-article", "half-stored"])
def test_kill9_at_any_moment_then_resume_stores_every_article_once(tmp_path, moment, case):
    case(f"`newsbot crawl --jobdir` of the demo site, kill -9 of the whole process group at the moment "
         f"'{moment}', then the same command again")
    db, jobdir = tmp_path / "store.db", tmp_path / "job"
    with serve() as srv:
        url = srv.base_url + "/"
        proc = start_crawl(tmp_path, url, "--allow-private", "--jobdir", str(jobdir), *SLOW, "-v", log="first.log")
        mark = {"queue-created": lambda: bool(_queue_files(jobdir)),
                "first-article": lambda: sqlite_count(db) >= 1,
                "half-stored": lambda: sqlite_count(db) >= len(ARTICLES) // 2}[moment]
        assert wait_until(mark, 120, proc), _log(tmp_path, "first.log")[-3000:]
        kill9(proc)
        before = len(_stored(db))
        code, text = _resume(tmp_path, url, jobdir)
    stored = _stored(db)
    _check_resume(code, text)
    damaged = [ln for ln in text.splitlines() if "was damaged" in ln]
    assert len(damaged) == 1, text[-3000:]  # told once, in one line, and recovered
    lost = case.count_lost(ARTICLES, stored)
    assert lost == 0 and len(stored) == len(set(stored)) == len(ARTICLES)
    case.happened(f"killed with {before} stored; the resume said in one line that the saved state was damaged "
                  f"and rebuilt it; exit 0; {len(stored)} of {len(ARTICLES)} stored, none twice")


def test_ctrl_c_twice_then_resume_stores_every_article_once(tmp_path, case):
    case("`newsbot crawl --jobdir` of the demo site, Ctrl-C twice (Scrapy's forced, unclean stop), then a resume")
    db, jobdir = tmp_path / "store.db", tmp_path / "job"
    with serve() as srv:
        url = srv.base_url + "/"
        proc = start_crawl(tmp_path, url, "--allow-private", "--jobdir", str(jobdir), *SLOW, log="first.log")
        assert wait_until(lambda: sqlite_count(db) >= 2, 120, proc), _log(tmp_path, "first.log")[-3000:]
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
        first_code = proc.returncode
        code, text = _resume(tmp_path, url, jobdir)
    stored = _stored(db)
    assert first_code != 0, "a forced stop is not a success"
    _check_resume(code, text)
    lost = case.count_lost(ARTICLES, stored)
    assert lost == 0 and len(stored) == len(set(stored))
    case.happened(f"the stopped run exited {first_code}; the resume exited 0 with {len(stored)} of "
                  f"{len(ARTICLES)} stored, none twice")


def test_ctrl_c_says_stopping_at_once_stops_within_seconds_and_resumes(tmp_path, case):
    case("Ctrl-C once during a `newsbot crawl --jobdir` with a 1 s download delay, then the same command again")
    db, jobdir = tmp_path / "store.db", tmp_path / "job"
    report = tmp_path / "r.json"
    with serve() as srv:
        url = srv.base_url + "/"
        proc = start_crawl(tmp_path, url, "--allow-private", "--jobdir", str(jobdir), "--report", str(report),
                           "-s", "DOWNLOAD_DELAY=1", log="first.log")
        assert wait_until(lambda: sqlite_count(db) >= 1, 120, proc), _log(tmp_path, "first.log")[-3000:]
        t0 = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        told = wait_until(lambda: "stopping" in _log(tmp_path, "first.log"), 5, proc)
        told_after = time.monotonic() - t0
        proc.wait(timeout=60)
        stopped_after = time.monotonic() - t0
        site = json.loads(report.read_text(encoding="utf-8"))["sites"][0]
        code, text = _resume(tmp_path, url, jobdir)
    stored = _stored(db)
    assert told and told_after < 1.0, told_after
    assert stopped_after < 5.0, stopped_after
    assert proc.returncode == 130
    assert site["status"] == "interrupted", site
    _check_resume(code, text)
    lost = case.count_lost(ARTICLES, stored)
    assert lost == 0 and len(stored) == len(set(stored))
    case.figure("stopping_line_s", round(told_after, 2))
    case.figure("stopped_s", round(stopped_after, 2))
    case.happened(f"'stopping…' after {told_after:.2f} s, stopped after {stopped_after:.1f} s, exit 130, site "
                  f"'interrupted' in the report; the resume stored {len(stored)} of {len(ARTICLES)}, none twice")
