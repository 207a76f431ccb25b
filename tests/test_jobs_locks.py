"""Per-site locks: a second run skips a locked site; a dead holder's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from newsbot.jobs.locks import FileSiteLock, PgAdvisorySiteLock, site_lock
from newsbot.state import state_dir
from tests.support.pg import pg_server, pg_url  # noqa: F401 - fixtures

HOLD = textwrap.dedent(
    """
    import sys, time
    from newsbot.jobs.locks import site_lock
    lock = site_lock(sys.argv[1], sys.argv[2])
    print("got" if lock.acquire() else "busy", flush=True)
    time.sleep(60)
    """
)


def _holder(site: str, store: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, site, store], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "got"
    return proc


def test_file_lock_excludes_another_process_and_is_taken_over_when_it_dies(tmp_path):
    store = str(tmp_path / "news.db")
    proc = _holder("aljazeera.net", store)
    try:
        lock = site_lock("aljazeera.net", store)
        assert isinstance(lock, FileSiteLock)
        assert lock.path.parent == state_dir(store) / "locks"
        assert not lock.acquire()
        holder = lock.holder()
        assert holder is not None and holder.pid == proc.pid
        assert f"pid {proc.pid}" in holder.describe()
        # another site is not affected
        assert site_lock("bbc.com", store).acquire()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the kernel released the dead process's lock: the stale file is simply taken over
    assert lock.acquire()
    assert lock.holder().pid == os.getpid()
    lock.release()


def test_file_lock_is_reentrant_within_a_run_and_released(tmp_path):
    a = FileSiteLock(tmp_path, "site")
    b = FileSiteLock(tmp_path, "site")
    assert a.acquire() and a.acquire()
    assert not b.acquire()
    a.release()
    assert b.acquire()
    b.release()


def test_lock_names_are_safe_file_names(tmp_path):
    lock = FileSiteLock(tmp_path, "../evil/site:8080")
    assert lock.path.parent == tmp_path
    assert lock.acquire()
    lock.release()


@pytest.mark.postgres
def test_postgres_advisory_lock_excludes_and_dies_with_its_holder(pg_url):  # noqa: F811
    proc = _holder("alarabiya.net", pg_url)
    try:
        lock = site_lock("alarabiya.net", pg_url)
        assert isinstance(lock, PgAdvisorySiteLock)
        assert not lock.acquire()
        holder = lock.holder()
        assert holder is not None and holder.pid == proc.pid
        assert site_lock("other.site", pg_url).acquire()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # PostgreSQL drops the advisory lock when the dead client's connection goes
    deadline = time.monotonic() + 20
    while not lock.acquire():
        assert time.monotonic() < deadline, "advisory lock of a killed process never released"
        time.sleep(0.2)
    lock.release()


RUN_THEN_RELEASE = textwrap.dedent(
    """
    import sys
    from newsbot.jobs.run import CrawlJob
    job = CrawlJob(sys.argv[1])
    print(",".join(job.claim(["alarabiya.net"])), flush=True)
    sys.stdin.readline()  # the server is stopped meanwhile
    job.site_done("alarabiya.net", {"newsbot/site/alarabiya.net/pages": 3}, finish_reason="finished")
    job.finish()
    print("finished", flush=True)
    """
)


@pytest.mark.postgres
def test_releasing_a_postgres_lock_after_the_server_went_is_one_warning(tmp_path):
    from tests.support.pg import ClusterUnavailable, TempCluster

    cluster = TempCluster()  # of this test alone: it is stopped
    try:
        url = cluster.start()
    except ClusterUnavailable as exc:
        cluster.stop()
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        env = {**os.environ, "NEWSBOT_STATE_DIR": str(tmp_path / "state")}
        proc = subprocess.Popen([sys.executable, "-c", RUN_THEN_RELEASE, url], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout.readline().strip() == "alarabiya.net"
        stopped = cluster._run(str(cluster.bin / "pg_ctl"), "-D", str(cluster.dir / "data"), "-m", "immediate",
                               "-w", "stop")
        assert stopped.returncode == 0, stopped.stderr
        out, err = proc.communicate("go\n", timeout=60)
    finally:
        cluster.stop()
    assert proc.returncode == 0 and out.strip() == "finished", err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    told = [line for line in err.splitlines() if "site lock of alarabiya.net" in line]
    assert len(told) == 1 and "database was gone" in told[0], err[-3000:]
    assert list((tmp_path / "state" / "runs").glob("*.json")), "the run report was not written"
