"""Crash safety with real processes: kill -9 mid-crawl and resume (JOBDIR + store), two crawls writing one
store at once, PostgreSQL restarted mid-crawl, a full disk and a read-only store."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from newsbot.urls import canonicalize
from tests.reliability.conftest import integrity, kill9, sqlite_count, start_crawl, wait_until
from tests.support.crawl import env_for
from tests.support.httpserver import LocalServer
from tests.support.sitegen import generate_site


def _path(url: str) -> str:
    return unquote(urlsplit(canonicalize(url)).path) or "/"


def _stored_paths(db: Path) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [_path(u) for (u,) in conn.execute("SELECT url FROM articles")]


def _log(tmp_path: Path, name: str = "crawl.log") -> str:
    p = tmp_path / name
    return p.read_text("utf-8", "replace") if p.exists() else ""


def kill_resume_cycles(tmp_path: Path, n_articles: int, kills: int, case) -> None:
    spec = generate_site(tmp_path / "site", n_articles, seed=11, page_kb=(4, 8))
    expected = sorted(_path("http://x" + p) for p in spec.articles)
    db = tmp_path / "store.db"
    jobdir = tmp_path / "job"
    # small steps: the crawl stores many more articles between reaching the mark and the kill landing,
    # and every kill must still find work left to interrupt
    step = max(10, n_articles // (3 * kills))
    killed_at = []
    with LocalServer(root=spec.root) as srv:
        for k in range(kills):
            before = max(0, sqlite_count(db))
            proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "--jobdir", str(jobdir), "-v")
            reached = wait_until(lambda b=before: sqlite_count(db) >= b + step, 240, proc)
            if proc.poll() is not None:
                now = sqlite_count(db)
                assert now >= n_articles, (
                    f"run {k + 1} (a resume) ended by itself with {n_articles - now} articles never stored "
                    f"(exit {proc.returncode}):\n{_log(tmp_path)[-3000:]}")
            assert reached, "no progress within 240 s"
            kill9(proc)
            killed_at.append(sqlite_count(db))
        final = start_crawl(tmp_path, srv.url("/"), "--allow-private", "--jobdir", str(jobdir), "-v")
        final.wait(timeout=600)
    assert final.returncode == 0, _log(tmp_path)[-3000:]
    stored = _stored_paths(db)
    assert case.count_lost(expected, stored) == 0, f"missing {sorted(set(expected) - set(stored))[:5]}"
    assert len(stored) == len(set(stored)), "an article was stored twice"
    assert sorted(stored) == expected, f"missing {sorted(set(expected) - set(stored))[:5]}"
    assert integrity(db) == "ok"
    case.figure("killed_with_stored", killed_at)
    case.figure("final_stored", len(stored))
    case.happened(f"kill -9 at {killed_at} stored articles; after the last resume exactly {len(stored)} of "
                  f"{n_articles} stored, none twice, integrity_check ok")



def test_kill9_and_resume_twice_over_400_articles(tmp_path, case):
    case("`newsbot crawl --jobdir` of a 400-article local site, kill -9 (whole process group) twice mid-crawl, "
         "resume each time with the same JOBDIR and store")
    kill_resume_cycles(tmp_path, 400, 2, case)


@pytest.mark.slow
def test_kill9_and_resume_five_times_over_1000_articles(tmp_path, case):
    case("kill -9 / resume repeated 5 times over a 1,000-article local site (slow: -m slow)")
    kill_resume_cycles(tmp_path, 1000, 5, case)


def test_two_crawls_write_one_store_at_once(tmp_path, case):
    case("two `newsbot crawl` processes (two sites, 150 articles each) writing one SQLite store at the same time")
    specs = [generate_site(tmp_path / f"site{i}", 150, seed=20 + i, page_kb=(4, 8)) for i in (0, 1)]
    db = tmp_path / "store.db"
    with LocalServer(root=specs[0].root) as a, LocalServer(root=specs[1].root) as b:
        procs = [start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", log=f"crawl{i}.log")
                 for i, srv in enumerate((a, b))]
        for p in procs:
            p.wait(timeout=300)
        slugs = {f"127.0.0.1_{a.port}": specs[0], f"127.0.0.1_{b.port}": specs[1]}
    for i, p in enumerate(procs):
        assert p.returncode == 0, _log(tmp_path, f"crawl{i}.log")[-3000:]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT site, url FROM articles").fetchall()
    expected = [(slug, _path("http://x" + p)) for slug, spec in slugs.items() for p in spec.articles]
    assert case.count_lost(expected, [(s, _path(u)) for s, u in rows]) == 0
    for slug, spec in slugs.items():
        got = sorted(_path(u) for s, u in rows if s == slug)
        assert got == sorted(_path("http://x" + p) for p in spec.articles), slug
    assert len(rows) == 300 and integrity(db) == "ok"
    case.happened("both exit 0; 150 + 150 articles stored, each once; integrity_check ok")


# ---------------------------------------------------------------- PostgreSQL restart

@pytest.fixture
def own_pg():
    """A PostgreSQL cluster of this test alone (restarting the shared one would hurt other tests)."""
    from tests.support.pg import ClusterUnavailable, TempCluster

    # durable: a fast test cluster (synchronous_commit=off) forgets its last commits on an immediate stop
    cluster = TempCluster(durable=True)
    try:
        cluster.start()
    except ClusterUnavailable as exc:
        cluster.stop()
        pytest.skip(f"no PostgreSQL server: {exc}")
    yield cluster
    cluster.stop()


def _pg_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    except psycopg.Error:
        return (-1, -1)


@pytest.mark.postgres
def test_postgres_restart_mid_crawl_loses_nothing(tmp_path, own_pg, case):
    n = 200
    case(f"crawl of a {n}-article site into PostgreSQL; `pg_ctl restart -m immediate` when a third is stored")
    spec = generate_site(tmp_path / "site", n, seed=31, page_kb=(4, 8))
    url = own_pg.url
    env = env_for(tmp_path, NEWSBOT_DB=url)
    with LocalServer(root=spec.root) as srv:
        proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", env=env)
        assert wait_until(lambda: _pg_count(url)[0] >= n // 3, 240, proc), _log(tmp_path)[-3000:]
        data = own_pg.dir / "data"
        restarted = own_pg._run(str(own_pg.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "restart",
                                "-l", str(own_pg.dir / "server.log"))
        assert restarted.returncode == 0, restarted.stderr
        proc.wait(timeout=300)
    total, distinct = _pg_count(url)
    log = _log(tmp_path)
    case.count_lost(n, distinct)
    assert total == distinct == n, f"{total} stored of {n} after the restart:\n{log[-3000:]}"
    case.happened(f"server restarted at ~{n // 3} stored; the crawl reconnected and stored all {n}")


# ---------------------------------------------------------------- full disk, read-only store

@pytest.fixture
def tiny_fs(tmp_path):
    """A 2 MB tmpfs (root only): a disk that fills up."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount tmpfs: {done.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_full_disk_gives_a_clear_error_and_no_corrupt_store(tmp_path, tiny_fs, case):
    n = 150
    case(f"crawl of a {n}-article site into a store on a 2 MB filesystem (fills up mid-crawl); then room is "
         "made and the crawl run again")
    spec = generate_site(tmp_path / "site", n, seed=41, page_kb=(8, 16))
    db = tiny_fs / "store.db"
    env = env_for(tmp_path, NEWSBOT_DB=str(db))
    with LocalServer(root=spec.root) as srv:
        # commits every 20 articles: the crawl takes about a second, less than the default 2 s commit timer,
        # and the case is a disk that fills up between commits (a failed commit loses no committed article)
        proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", "-s", "NEWSBOT_COMMIT_EVERY=20",
                           "--summary-json", str(tmp_path / "first.json"), env=env)
        proc.wait(timeout=300)
        log = _log(tmp_path)
        first = sqlite_count(db)
        assert 0 < first < n, f"the disk did not fill up ({first} stored)"
        assert "disk is full" in log or "No space left" in log, log[-3000:]
        assert integrity(db) == "ok"
        # the report counts as new only what is really stored; the rest as store errors, and the site failed
        totals = json.loads((tmp_path / "first.json").read_text())["totals"]
        assert totals["new"] == first and totals["store_error"] > 0, totals
        assert proc.returncode == 1
        # room again: the next run stores the rest (nothing was half-written, nothing is stored twice)
        subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_fs)], check=True)
        again = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", env=env, log="again.log")
        again.wait(timeout=300)
    assert again.returncode == 0, _log(tmp_path, "again.log")[-3000:]
    stored = _stored_paths(db)
    case.count_lost([_path("http://x" + p) for p in spec.articles], stored)
    assert sorted(stored) == sorted(_path("http://x" + p) for p in spec.articles)
    assert integrity(db) == "ok"
    case.figure("stored_when_full", first)
    case.happened(f"disk full after {first} articles: 'database or disk is full' in the log, exit {proc.returncode}, "
                  f"integrity_check ok; the run report counts {totals['new']} new and {totals['store_error']} "
                  f"not stored; after making room the next run stored the other {n - first}")


def test_read_only_store_gives_a_clear_error(tmp_path, tiny_fs, case):
    case("crawl into an existing store whose filesystem is mounted read-only")
    spec = generate_site(tmp_path / "site", 20, seed=51, page_kb=(4, 8))
    db = tiny_fs / "store.db"
    from newsbot.store import open_store

    open_store(str(db)).close()
    before = db.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    env = env_for(tmp_path, NEWSBOT_DB=str(db))
    with LocalServer(root=spec.root) as srv:
        proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", env=env)
        proc.wait(timeout=120)
    log = _log(tmp_path)
    assert proc.returncode != 0, "a crawl that could store nothing reported success"
    assert "read-only" in log.lower() or "readonly" in log.lower(), log[-3000:]
    assert "Traceback" not in log.split("\n")[-30:], log[-3000:]
    assert db.read_bytes() == before and integrity(db, immutable=True) == "ok"
    case.happened(f"exit {proc.returncode} with a read-only error in the log; store unchanged, integrity_check ok")
