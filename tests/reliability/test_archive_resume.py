"""An archive run killed with SIGKILL in the middle of a file resumes to the same store as an uninterrupted run."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from newsbot.store import open_store
from tests.reliability.conftest import kill9, sqlite_count, wait_until
from tests.support.crawl import env_for
from tests.support.warcs import ArchiveBuilder, arabic_pages

N_PAGES = 300


def _cmd(warc: Path, db: Path) -> list[str]:
    # small commits and one worker: the kill lands between commits, in the middle of the file
    return [sys.executable, "-m", "newsbot", "archive", str(warc), "--db", str(db), "--workers", "1", "-q",
            "-s", "NEWSBOT_COMMIT_EVERY=7", "-s", "NEWSBOT_COMMIT_SECONDS=0.2"]


def _records(db: Path) -> dict[str, dict]:
    store = open_store(str(db))
    try:
        return {r.url: {k: v for k, v in r.to_dict().items() if k != "extracted_at"} for r in store.iter_records()}
    finally:
        store.close()


def _progress(db: Path, name: str = "") -> tuple[int, int]:
    """(records, done) of the file's committed resume point; (0, 0) before there is one."""
    if sqlite_count(db, "archive_files") <= 0:
        return 0, 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        row = conn.execute("SELECT records, done FROM archive_files WHERE path LIKE ?", (f"%{name}",)).fetchone()
    return row or (0, 0)


def test_killed_archive_run_resumes_to_the_same_records(tmp_path, case):
    case("`newsbot archive` killed with SIGKILL (process group) in the middle of a WARC file, then run again")
    b = ArchiveBuilder(tmp_path / "big.warc.gz")
    for k, (url, page) in enumerate(arabic_pages(tmp_path / "site", N_PAGES, seed=3)):
        b.article(url, page)
        if k % 25 == 0:
            b.not_found(url + "-gone")
    warc = b.write()
    env = env_for(tmp_path)

    whole = tmp_path / "whole.db"
    subprocess.run(_cmd(warc, whole), env=env, check=True, timeout=600, capture_output=True)
    expected = _records(whole)
    assert len(expected) == N_PAGES

    db = tmp_path / "killed.db"
    log = open(tmp_path / "killed.log", "wb")  # noqa: SIM115 - the child writes it
    proc = subprocess.Popen(_cmd(warc, db), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_until(lambda: _progress(db)[0] >= 60, timeout=300, proc=proc), "no progress committed"
    finally:
        kill9(proc)
    read_at_kill, done_at_kill = _progress(db)
    stored_at_kill = sqlite_count(db)
    assert not done_at_kill and 0 < stored_at_kill < N_PAGES, "the kill did not land in the middle of the file"
    case.happened(f"killed after {stored_at_kill} of {N_PAGES} articles were committed "
                  f"(resume point: record {read_at_kill})")

    again = subprocess.run(_cmd(warc, db), env=env, timeout=600, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    report = json.loads((tmp_path / "killed.jobs" / "runs" / "last-archive-run.json").read_text("utf-8"))
    f = report["files"][0]
    assert f["reason"].startswith("resumed at record")
    observed = _records(db)
    # nothing stored twice: the second run's new articles are exactly the ones the first had not committed
    assert f["new"] == N_PAGES - stored_at_kill
    assert f["duplicate"] < 64  # only the records after the last resume point are read again
    case.happened(f"the second run resumed at record {read_at_kill}, stored {f['new']} new articles and read "
                  f"{f['duplicate']} committed ones again (unchanged)")
    lost = case.count_lost(set(expected), set(observed))
    assert lost == 0
    assert observed == expected  # same records, same duplicate links, as the uninterrupted run
    third = subprocess.run(_cmd(warc, db), env=env, timeout=600, capture_output=True, text=True)
    assert third.returncode == 0
    assert json.loads((tmp_path / "killed.jobs" / "runs" / "last-archive-run.json").read_text("utf-8"))[
        "files"][0]["status"] == "skipped"
    case.happened("a third run found the file done and read nothing")


def test_sigterm_stops_cleanly_and_says_so(tmp_path, case):
    case("`newsbot archive` of two files sent SIGTERM in the middle of the first, then run again")
    pages = arabic_pages(tmp_path / "site", 310, seed=4)
    first, second = ArchiveBuilder(tmp_path / "one.warc.gz"), ArchiveBuilder(tmp_path / "two.warc.gz")
    for url, page in pages[:300]:
        first.article(url, page)
    for url, page in pages[300:]:
        second.article(url, page)
    first.write()
    second.write()
    db = tmp_path / "store.db"
    one = _cmd(first.path, db)
    cmd = [*one[:5], str(second.path), *one[5:]]  # archive one.warc.gz two.warc.gz --db ...
    log = open(tmp_path / "term.log", "wb")  # noqa: SIM115 - the child writes it
    proc = subprocess.Popen(cmd, env=env_for(tmp_path), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_until(lambda: _progress(db, "one.warc.gz")[0] >= 40, timeout=300, proc=proc)
        proc.terminate()
        assert proc.wait(timeout=120) == 130
    finally:
        kill9(proc)
    report = json.loads((tmp_path / "store.jobs" / "runs" / "last-archive-run.json").read_text("utf-8"))
    assert report["interrupted"] and report["outcome"] == "interrupted"
    assert [f["status"] for f in report["files"]] == ["partial", "not_started"]
    case.happened(f"exit 130 after {report['files'][0]['new']} articles; report: interrupted, first file partial, "
                  "second not started")
    again = subprocess.run(cmd, env=env_for(tmp_path), timeout=600, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert case.count_lost({u for u, _ in pages}, set(_records(db))) == 0
