"""Distributed crawling on scrapy-redis, with a real redis-server, PostgreSQL and local site.

1. `newsbot crawl --workers 2` on a 1,000-article site into PostgreSQL: every article stored exactly once,
   no URL fetched twice (the server's request log), both workers did work, the shared state is cleared.
2. Two workers on one SQLite store, one killed (SIGKILL) mid-crawl: the other finishes and nothing is lost.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest

from newsbot.urls import canonicalize
from tests.support.crawl import FAST, env_for, newsbot
from tests.support.httpserver import LocalServer
from tests.support.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.support.redis import redis_server  # noqa: F401 - fixture
from tests.support.sitegen import generate_site


def test_redis_url_switches_scrapy_to_the_shared_scheduler(tmp_path, redis_server):  # noqa: F811
    """`scrapy crawl news` / scrapyd workers: $REDIS_URL alone puts a crawler on scrapy-redis (the project's add-on,
    applied when the crawler starts); the settings module itself imports nothing from spiders/."""
    code = (
        "import sys; from scrapy import Spider; from scrapy.crawler import Crawler; "
        "from scrapy.utils.project import get_project_settings as g; "
        "c = Crawler(Spider, g()); c.addons.load_settings(c.settings); s = c.settings; "
        "print(s['SCHEDULER'], s['DUPEFILTER_CLASS'], s.getbool('SCHEDULER_PERSIST'), s['REDIS_URL'], "
        "'spiders.redis_support' in sys.modules)"
    )
    env = env_for(tmp_path, SCRAPY_SETTINGS_MODULE="newsbot.settings")
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "redis" not in plain.stdout.lower() and plain.stdout.split()[-1] == "False"
    shared = subprocess.run([sys.executable, "-c", code], env={**env, "REDIS_URL": redis_server.url},
                            capture_output=True, text=True, check=True)
    assert shared.stdout.split() == [
        "spiders.redis_support.SharedScheduler", "spiders.redis_support.CanonicalRedisDupeFilter", "True",
        redis_server.url, "True",
    ]


def _key(path_or_url: str) -> str:
    url = path_or_url if "://" in path_or_url else "http://site" + path_or_url
    return unquote(urlsplit(canonicalize(url)).path) or "/"


def _fetched_twice(server: LocalServer) -> list[tuple[str, int]]:
    # robots.txt is fetched by each worker process's robots middleware (outside the shared queue), by design
    counts = Counter(r.path for r in server.requests if urlsplit(r.path).path != "/robots.txt")
    return [(p, n) for p, n in counts.items() if n > 1]


@pytest.mark.postgres
def test_two_workers_share_a_1000_article_crawl_into_postgres(tmp_path, redis_server, pg_url):  # noqa: F811
    spec = generate_site(tmp_path / "site", 1000, seed=11, page_kb=(8, 16))
    expected = {_key(p) for p in spec.articles}
    assert len(expected) == 1000
    with LocalServer(root=spec.root) as srv:
        run = newsbot(
            tmp_path, "crawl", srv.url("/"), "--allow-private", "-q", *FAST, "--db", pg_url,
            "--workers", "2", "--redis-url", redis_server.url,
            "--summary-json", str(tmp_path / "summary.json"), "--report", str(tmp_path / "report.json"),
            env=env_for(tmp_path, NEWSBOT_STATE_DIR=str(tmp_path / "state")), timeout=900,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-4000:]
        assert _fetched_twice(srv) == []
        article_fetches = [r.path for r in srv.requests if _key(r.path) in expected]
    # every article exactly once in the store
    import psycopg

    with psycopg.connect(pg_url) as db:
        stored = [_key(u) for (u,) in db.execute("SELECT url FROM articles")]
    assert len(stored) == 1000 and set(stored) == expected
    assert len(article_fetches) == 1000
    # both workers did a real share of the work
    row = next(iter(json.loads((tmp_path / "summary.json").read_text())["sites"].values()))
    assert row["workers"] == 2 and row["new"] == 1000
    assert min(row["worker_pages"]) >= 0.1 * sum(row["worker_pages"]), row["worker_pages"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exit_code"] == 0 and report["workers"] == 2
    # the crawl completed: the shared queue and dupefilter are gone, so the next scheduled run starts afresh
    assert redis_server.client().keys("newsbot:*") == []


def _stored(db_path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=30) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killing_a_worker_mid_crawl_loses_nothing(tmp_path, redis_server):  # noqa: F811
    n = 300
    spec = generate_site(tmp_path / "site", n, seed=5, page_kb=(8, 16))
    expected = {_key(p) for p in spec.articles}
    article_paths = set(spec.articles)
    env = env_for(tmp_path)

    def steadily(req):  # articles take a moment, so the crawl is still going when the victim is killed
        if urlsplit(req.path).path in article_paths:
            time.sleep(0.2)

    with LocalServer(root=spec.root, handler=steadily) as srv:
        args = [sys.executable, "-m", "newsbot", "crawl", srv.url("/"), "--allow-private", "-q", *FAST,
                "--redis-url", redis_server.url]
        # each its own process, as workers on two machines would be
        victim = subprocess.Popen([*args, "--report", str(tmp_path / "victim.json")], cwd=tmp_path, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        survivor = subprocess.Popen([*args, "--report", str(tmp_path / "survivor.json")], cwd=tmp_path, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 300
            while _stored(tmp_path / "store.db") < n // 5:
                assert victim.poll() is None and survivor.poll() is None, "a worker ended before the kill"
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(0.2)
            # not right after the commit that made the count visible: mid-batch, with work in flight
            time.sleep(1.2)
            assert victim.poll() is None, "the victim finished before it could be killed"
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            _, err = survivor.communicate(timeout=600)
        finally:
            for proc in (victim, survivor):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        assert survivor.returncode == 0, err[-4000:]
    with sqlite3.connect(tmp_path / "store.db") as db:
        stored = [_key(u) for (u,) in db.execute("SELECT url FROM articles")]
    missing = expected - set(stored)
    assert not missing, f"{len(missing)} articles lost with the killed worker, e.g. {sorted(missing)[:3]}"
    assert len(stored) == n  # and none twice
    report = json.loads((tmp_path / "survivor.json").read_text())
    assert report["exit_code"] == 0
    assert redis_server.client().keys("newsbot:*") == []  # the survivor finished the crawl and cleaned up


def test_a_crawl_stopped_by_its_time_budget_resumes_from_the_shared_queue(tmp_path, redis_server):  # noqa: F811
    n = 80
    spec = generate_site(tmp_path / "site", n, seed=9, page_kb=(8, 16))
    expected = {_key(p) for p in spec.articles}
    article_paths = set(spec.articles)

    def slowly(req):  # articles take a while: the budget runs out half-way
        if urlsplit(req.path).path in article_paths:
            time.sleep(1.5)

    with LocalServer(root=spec.root, handler=slowly) as srv:
        common = ("crawl", srv.url("/"), "--allow-private", "-q", *FAST, "--redis-url", redis_server.url)
        first = newsbot(tmp_path, *common, "--max-runtime", "6", "--report", str(tmp_path / "r1.json"))
        assert first.returncode == 0, first.stderr[-3000:]
        r1 = json.loads((tmp_path / "r1.json").read_text())
        assert r1["sites"][0]["status"] == "partial"
        stored_after_first = _stored(tmp_path / "store.db")
        assert 0 < stored_after_first < n
        # the queue and dupefilter were kept for the next run
        assert redis_server.client().zcard(f"newsbot:default:127.0.0.1_{srv.port}:requests") > 0

        second = newsbot(tmp_path, *common, "--report", str(tmp_path / "r2.json"), timeout=600)
        assert second.returncode == 0, second.stderr[-3000:]
    with sqlite3.connect(tmp_path / "store.db") as db:
        stored = [_key(u) for (u,) in db.execute("SELECT url FROM articles")]
    assert set(stored) == expected and len(stored) == n
    r2 = json.loads((tmp_path / "r2.json").read_text())
    assert r2["sites"][0]["new"] == n - stored_after_first
    assert redis_server.client().keys("newsbot:*") == []
