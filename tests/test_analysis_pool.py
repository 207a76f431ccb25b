"""Page analysis in extraction worker processes (spiders/analysis_pool.py): the same records as in-process,
and a page that kills its worker costs that page only."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from spiders.analysis_pool import AnalysisPool, processes_setting
from tests.support.crawl import article_html, crawl, env_for
from tests.support.httpserver import LocalServer
from tests.support.pool_pages import KILLER, outcome_or_die
from tests.support.sitegen import generate_site


def _run(pool: AnalysisPool, pages: list[bytes]) -> list:
    """Analyse the pages concurrently; their outcomes (or failures) in page order."""
    results: list = [None] * len(pages)
    left = threading.Semaphore(0)

    def keep(value, i):
        results[i] = value
        left.release()

    for i, body in enumerate(pages):
        d = pool.analyse(body, f"http://news.test/2026/03/01/story-{i}.html", {}, "news.test",
                         url_kind="article", want_record=True, links_of_articles=True)
        d.addBoth(keep, i)
    for _ in pages:
        assert left.acquire(timeout=120), "an analysis never finished"
    return results


@pytest.fixture
def pool():
    # results are handed over on the pool's own thread (no reactor in this test)
    p = AnalysisPool(2, func=outcome_or_die, call_from_thread=lambda f, *a: f(*a))
    yield p
    p.close()


def _page(i: int, extra: str = "") -> bytes:
    return article_html(f"خبر رقم {i} عن المحادثات", links=[f"/2026/03/02/other-{i}.html"]).replace(
        "</body>", extra + "</body>").encode("utf-8")


def test_worker_processes_give_records_and_links(pool):
    outcomes = _run(pool, [_page(i) for i in range(6)])
    for i, out in enumerate(outcomes):
        assert out.error is None and out.record is not None, out
        assert out.record.title == f"خبر رقم {i} عن المحادثات"
        assert out.kind == "article"
        assert f"http://news.test/2026/03/02/other-{i}.html" in out.links


def test_a_page_that_kills_its_worker_is_reported_and_the_pool_goes_on(pool):
    good = _run(pool, [_page(i) for i in range(3)])
    assert all(o.record is not None for o in good)
    [crashed] = _run(pool, [_page(99, KILLER.decode())])
    assert crashed.record is None and crashed.error == "crashed"
    assert pool.crashes == 1
    # the replacement pool serves the next pages
    after = _run(pool, [_page(i) for i in range(3, 7)])
    assert [o.record.title for o in after] == [f"خبر رقم {i} عن المحادثات" for i in range(3, 7)]


def test_pages_in_flight_beside_a_killer_page_are_retried(pool):
    pages = [_page(i) for i in range(5)]
    pages.insert(2, _page(50, KILLER.decode()))
    outcomes = _run(pool, pages)
    assert outcomes[2].error == "crashed"
    others = [o for i, o in enumerate(outcomes) if i != 2]
    # the pages that died beside it were run again, alone: every one of them gives its record
    assert [o.record.title for o in others] == [f"خبر رقم {i} عن المحادثات" for i in range(5)]
    assert pool.crashes == 1
    # and the pool is back to normal
    assert all(o.record is not None for o in _run(pool, [_page(i) for i in range(4)]))


def test_auto_processes_share_the_cores_among_local_workers(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert processes_setting("auto") == 4  # capped
    assert processes_setting("auto", workers=2) == 3
    assert processes_setting("auto", workers=8) == 0
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert processes_setting("auto") == 1
    assert processes_setting("auto", workers=2) == 0
    assert processes_setting("0") == 0 and processes_setting(3) == 3
    with pytest.raises(ValueError):
        processes_setting(-1)


def test_crawl_with_and_without_extraction_processes_gives_the_same_records(tmp_path):
    spec = generate_site(tmp_path / "site", 40, seed=3, page_kb=(20, 40))
    runs = {}
    with LocalServer(root=spec.root) as srv:
        for procs in ("0", "2"):
            work = tmp_path / f"procs{procs}"
            work.mkdir()
            env = env_for(work, NEWSBOT_EXTRACT_PROCESSES=procs)
            runs[procs] = crawl(work, srv.url("/"), env=env, timeout=300).check()
    drop = {"extracted_at"}
    by_url = {p: {r["url"]: {k: v for k, v in r.items() if k not in drop} for r in run.records}
              for p, run in runs.items()}
    assert len(by_url["0"]) == 40
    assert by_url["0"] == by_url["2"]
    assert runs["0"].summary["totals"]["new"] == runs["2"].summary["totals"]["new"] == 40


def _children(pid: int) -> set[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return set()
    out: set[int] = set()
    for tid in tasks:
        try:
            out |= {int(c) for c in open(f"/proc/{pid}/task/{tid}/children").read().split()}
        except FileNotFoundError:
            pass
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc to find the worker processes")
def test_workers_leave_when_the_crawler_is_killed(tmp_path):
    spec = generate_site(tmp_path / "site", 300, seed=5, page_kb=(20, 40))
    with LocalServer(root=spec.root) as srv:
        env = env_for(tmp_path, NEWSBOT_EXTRACT_PROCESSES="2")
        # a crawl slowed down by robots.txt-free politeness settings, so it is still running when killed
        cmd = [sys.executable, "-m", "newsbot", "crawl", srv.url("/"), "--allow-private", "-q",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0.05"]
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            workers: set[int] = set()
            while time.monotonic() < deadline and proc.poll() is None:
                workers = {c for c in _children(proc.pid) if "spawn_main" in open(f"/proc/{c}/cmdline").read()}
                if len(workers) == 2:
                    break
                time.sleep(0.1)
            assert len(workers) == 2, "the crawl never started its two extraction workers"
            proc.kill()  # SIGKILL: no chance to shut the pool down
            proc.wait()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(_alive(w) for w in workers):
                time.sleep(0.2)
            assert not [w for w in workers if _alive(w)], "extraction workers outlived the killed crawler"
        finally:
            if proc.poll() is None:
                proc.kill()


def test_record_pages_come_back_packed_and_signed(pool):
    """The store's per-page work done ahead in the worker: the WARC record reads back as the page, and the
    MinHash signature is the body's (and is recomputed once normalisation changes the body)."""
    from newsbot import dedup
    from newsbot.store.warc import decode_raw

    body = _page(7)
    d = pool.analyse(body, "http://news.test/2026/03/01/story-7.html", {"Content-Type": "text/html; charset=utf-8"},
                     "news.test", url_kind="article", want_record=True, links_of_articles=False,
                     raw={"status": 200, "fetched_at": "2026-03-01T10:00:00+00:00",
                          "request_url": "http://news.test/s/7"})
    done = threading.Event()
    got: list = []
    d.addBoth(lambda v: (got.append(v), done.set()))
    assert done.wait(120)
    out = got[0]
    page = decode_raw(out.packed_raw, fetched_at="2026-03-01T10:00:00+00:00")
    assert page.body == body and page.status == 200
    assert page.url == "http://news.test/2026/03/01/story-7.html" and page.request_url == "http://news.test/s/7"
    assert page.headers.get("Content-Type") == "text/html; charset=utf-8"
    record = out.record
    assert out.signed is not None and out.signed[1] == dedup.signature(record.body)
    assert dedup.signature_for(record, out.signed) == dedup.signature(record.body)
    record.body = record.body + "\n\nفقرة أضيفت بعد الاستخراج"
    record.finalise()
    assert dedup.signature_for(record, out.signed) == dedup.signature(record.body)


def test_a_page_past_its_time_limit_is_stopped_and_reported():
    """Real worker processes and real timers: a page stuck in Python, and one stuck in C code (where SIGALRM
    cannot interrupt it), each end as a `timeout` outcome; the other pages keep their records."""
    from tests.support.pool_pages import SLOW_C, SLOW_PY, outcome_or_stall

    p = AnalysisPool(2, func=outcome_or_stall, call_from_thread=lambda f, *a: f(*a), time_limit=1.5)
    try:
        pages = [_page(0), _page(1, SLOW_PY.decode()), _page(2), _page(3, SLOW_C.decode()), _page(4)]
        started = time.monotonic()
        outcomes = _run(p, pages)
        took = time.monotonic() - started
    finally:
        p.close()
    assert [o.error for o in outcomes] == [None, "timeout", None, "timeout", None], outcomes
    assert all(outcomes[i].record is not None for i in (0, 2, 4))
    assert p.timeouts == 2
    # the C-stuck page: its limit, the CPU grace, then once more alone (far below the minutes it would take)
    assert took < 60, took


def test_pages_go_in_batches_and_a_killer_in_a_batch_costs_only_its_own_page():
    """Batched hand-over (the crawler's default): pages wait for the scheduled flush or a full batch; a page
    that kills its worker inside a batch is reported alone, its batch-mates still give their records."""
    from spiders.analysis_pool import BATCH_PAGES

    asked: list = []
    p = AnalysisPool(2, func=outcome_or_die, call_from_thread=lambda f, *a: f(*a),
                     schedule=lambda delay, f: asked.append((delay, f)))
    try:
        results: list = [None] * 4
        done = threading.Semaphore(0)
        pages = [_page(0), _page(1), _page(60, KILLER.decode()), _page(3)]
        for i, body in enumerate(pages):
            d = p.analyse(body, f"http://news.test/2026/03/01/story-{i}.html", {}, "news.test",
                          url_kind="article", want_record=True, links_of_articles=True)
            d.addBoth(lambda v, i=i: (results.__setitem__(i, v), done.release()))
        time.sleep(0.5)
        assert results == [None] * 4, "a page went before its batch was flushed"
        assert len(asked) == 1  # one flush scheduled for the whole batch
        asked[0][1]()
        for _ in pages:
            assert done.acquire(timeout=120), "an analysis never finished"
        assert results[2].error == "crashed" and p.crashes == 1
        assert [results[i].record.title for i in (0, 1, 3)] == [f"خبر رقم {i} عن المحادثات" for i in (0, 1, 3)]
        # a full batch goes at once, without waiting for its flush
        asked.clear()
        full = _run(p, [_page(i) for i in range(BATCH_PAGES)])
        assert all(o.record is not None for o in full) and len(asked) == 1
    finally:
        p.close()
