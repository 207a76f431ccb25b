"""The spool of articles the store could not take (pipelines/spool.py), on real files and a real SQLite store."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsbot.store import open_store
from pipelines.spool import Spool, replay
from tests.support.store import make_record


def _spool(tmp_path, n: int, pid: int | None = None):
    spool = Spool(tmp_path / "spool", "news.example", max_bytes=2**20)
    if pid is not None:
        spool.path = spool.path.with_name(f"news.example.{pid}.jsonl")
    for i in range(n):
        assert spool.keep(make_record(i, raw=False).to_json())
    return spool


def test_kept_records_are_stored_by_the_next_run_and_a_torn_last_line_skipped(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    spool = _spool(tmp_path, 5, pid=int(dead.stdout))  # written by a crawl that has ended
    with open(spool.path, "a", encoding="utf-8") as fh:
        fh.write('{"url": "https://www.example-news.com/cut')  # killed while writing
    with open_store(str(tmp_path / "store.db")) as store:
        done, left = replay(spool.path.parent, "news.example", store.upsert, store.commit)
        assert (done, left) == (5, 0) and store.count() == 5
    assert list(spool.path.parent.iterdir()) == []


def test_a_store_that_still_refuses_leaves_the_file_for_later(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    spool = _spool(tmp_path, 3, pid=int(dead.stdout))

    def refuse() -> None:
        raise RuntimeError("the store is locked or unreachable")

    with open_store(str(tmp_path / "store.db")) as store:
        assert replay(spool.path.parent, "news.example", store.upsert, refuse) == (0, 1)
    assert [p.name for p in spool.path.parent.iterdir()] == [spool.path.name]  # the claim undone


def test_a_file_a_live_crawl_writes_is_not_taken_and_other_sites_are_left(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        spool = _spool(tmp_path, 2, pid=live.pid)
        other = Spool(tmp_path / "spool", "news.example.org", max_bytes=2**20)
        other.path = other.path.with_name("news.example.org.1.jsonl")
        other.keep(make_record(9, raw=False).to_json())
        with open_store(str(tmp_path / "store.db")) as store:
            assert replay(spool.path.parent, "news.example", store.upsert, store.commit) == (0, 0)
            assert store.count() == 0
    finally:
        live.kill()
        live.wait()
    assert sorted(p.name for p in spool.path.parent.iterdir()) == sorted([spool.path.name, other.path.name])


def test_the_spool_is_bounded(tmp_path, caplog):
    spool = Spool(tmp_path / "spool", "news.example", max_bytes=20_000)
    line = make_record(1, raw=False, words=400).to_json()
    kept = [spool.keep(line) for _ in range(50)]
    assert kept[0] and not kept[-1] and spool.path.stat().st_size <= 20_000
    assert sum("NEWSBOT_SPOOL_MAX_MB" in r.message for r in caplog.records) == 1  # said once


@pytest.mark.parametrize("site", ["a/b", ""])
def test_site_names_make_safe_file_names(tmp_path, site):
    spool = Spool(tmp_path, site, max_bytes=100)
    assert spool.path.parent == tmp_path and "/" not in spool.path.name
