"""When something goes wrong, newsbot says so (issue 12): real crawls of the demo site and of local servers that fail
in ordinary ways (a store or Redis that is down, a bad setting, a name that does not resolve, a refused port, a 503,
robots.txt saying no), checked through exit codes, the run report, `newsbot health` and stderr."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsbot.demo_server import DEMO_ROOT, load_manifest, serve
from tests.support.crawl import FAST, ROOT, crawl, env_for, newsbot, read_jsonl
from tests.support.httpserver import LocalServer, Route

MANIFEST = load_manifest(DEMO_ROOT)
N_ARTICLES = len(MANIFEST["paths"]["articles"])


def _stored(db: Path, what: str = "url") -> list:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return [r[0] for r in conn.execute(f"SELECT {what} FROM articles")]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens on it once the socket is closed


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Unhandled error" not in stderr, stderr[-3000:]


# ---------------------------------------------------------------- item 2: a store that is down

@pytest.fixture
def dead_pg_url():
    """The URL of a real PostgreSQL cluster that was started and then stopped (a store that is down)."""
    from tests.support.pg import ClusterUnavailable, TempCluster

    cluster = TempCluster()
    try:
        url = cluster.start()
    except ClusterUnavailable as exc:
        cluster.stop()
        pytest.skip(f"no PostgreSQL server: {exc}")
    cluster.stop()
    return url


@pytest.mark.postgres
def test_store_down_is_a_failure_everywhere_and_health_says_so(tmp_path, dead_pg_url, case):
    case("`newsbot crawl` of the demo site into a PostgreSQL store whose server is down, with --report; "
         "then `newsbot health` on that store")
    env = env_for(tmp_path, NEWSBOT_DB=dead_pg_url, NEWSBOT_STATE_DIR=str(tmp_path / "state"))
    with serve() as srv:
        run = crawl(tmp_path, srv.base_url + "/", extra=("--report", str(tmp_path / "r.json")), env=env)
        fetched = len(srv.requests)
    assert run.returncode == 1, run.stderr[-3000:]
    assert fetched == 0  # checked before the crawl: nothing fetched for a store that cannot take it
    _no_traceback(run.stderr)
    for report in (tmp_path / "r.json", tmp_path / "state" / "runs" / "last-run.json"):
        text = report.read_text(encoding="utf-8")
        assert "success" not in text
        data = json.loads(text)
        assert data["exit_code"] == 1 and data["sites"][0]["status"] == "failed"
        assert "store unavailable" in data["sites"][0]["reason"]
    assert "success" not in run.stderr and "store unavailable" in run.stderr
    health = newsbot(tmp_path, "health", env=env)
    assert health.returncode == 1 and "store unavailable" in health.stderr, health.stderr
    _no_traceback(health.stderr)
    assert len(health.stderr.strip().splitlines()) == 1
    case.happened("exit 1 before any request; report and last-run.json say 'failed: store unavailable', never "
                  "'success'; `newsbot health` exit 1 in one line")


def test_health_fails_after_a_failed_run(tmp_path):
    port = _closed_port()
    run = crawl(tmp_path, f"http://127.0.0.1:{port}/")
    assert run.returncode == 1
    health = newsbot(tmp_path, "health")
    assert health.returncode == 1 and "exit 1" in health.stderr, (health.stdout, health.stderr)


# ---------------------------------------------------------------- item 3: configuration first

@pytest.mark.parametrize("command", [("crawl", "http://127.0.0.1:9/"), ("demo",), ("stats",), ("health",),
                                     ("export", "-o", "x.jsonl")])
def test_unsupported_store_url_exits_2_in_one_line_and_creates_nothing(tmp_path, command, case):
    case(f"`newsbot {command[0]}` with NEWSBOT_DB=mysql://x/y")
    work = tmp_path / "cwd"
    work.mkdir()
    run = newsbot(work, *command, env=env_for(tmp_path, NEWSBOT_DB="mysql://x/y"))
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "NEWSBOT_DB" in lines[0] and "postgresql://" in lines[0], lines
    assert list(work.iterdir()) == []  # no ./mysql:/x/y.jobs/, no lock, no report
    case.happened(f"exit 2, one line naming NEWSBOT_DB and the accepted forms, nothing created: {lines[0][:90]}")


@pytest.mark.parametrize("command", [("stats",), ("health",), ("export", "-o", "x.jsonl"), ("reextract",)])
def test_read_only_commands_never_create_a_store(tmp_path, command):
    db = tmp_path / "typo" / "stroe.db"
    run = newsbot(tmp_path, *command, "--db", str(db))
    assert run.returncode == 2 and "no store at" in run.stderr and "--db" in run.stderr, run.stderr
    assert not db.exists() and not db.parent.exists()


def test_sqlite_url_read_as_relative_is_refused_with_the_right_spelling(tmp_path):
    target = tmp_path / "abs" / "store.db"
    target.parent.mkdir()
    url = "sqlite://" + str(target)  # sqlite:///tmp/...: SQLAlchemy reads it as the relative path tmp/...
    work = tmp_path / "cwd"
    work.mkdir()
    run = newsbot(work, "crawl", "http://127.0.0.1:9/", "--db", url)
    assert run.returncode == 2 and "sqlite:////" in run.stderr and "--db" in run.stderr, run.stderr
    assert list(work.iterdir()) == []
    ok = newsbot(work, "stats", "--db", "sqlite:///" + str(target))  # four slashes: the absolute path
    assert ok.returncode == 2 and f"no store at {target}" in ok.stderr, ok.stderr


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100, encoding="utf-8")
    for command in (("stats",), ("crawl", "http://127.0.0.1:9/")):
        run = newsbot(tmp_path, *command, "--db", str(notes))
        assert run.returncode == 2 and "not a SQLite database" in run.stderr, run.stderr
        _no_traceback(run.stderr)
    assert notes.read_text(encoding="utf-8") == "not a database\n" * 100


@pytest.mark.parametrize(("args", "env", "named"), [
    (("-s", "DOWNLOAD_DELAY=slow"), {}, "DOWNLOAD_DELAY"),
    (("-s", "CONCURRENT_REQUESTS=-3"), {}, "CONCURRENT_REQUESTS"),
    (("-s", "ROBOTSTXT_OBEY=perhaps"), {}, "ROBOTSTXT_OBEY"),
    (("-s", "NOEQUALSIGN"), {}, "-s"),
    (("-s", "LOG_LEVEL=LOUD"), {}, "LOG_LEVEL"),
    (("--redis-url", "http://127.0.0.1:6379"), {}, "--redis-url"),
    ((), {"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ((), {"NEWSBOT_EXTRACT_PROCESSES": "many"}, "NEWSBOT_EXTRACT_PROCESSES"),
    (("--workers", "2"), {}, "--workers"),
])
def test_bad_settings_exit_2_naming_the_setting(tmp_path, args, env, named):
    run = newsbot(tmp_path, "crawl", "http://127.0.0.1:9/", *args, env=env_for(tmp_path, **env))
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], lines
    assert not (tmp_path / "store.db").exists() and not (tmp_path / "store.jobs").exists()


def test_redis_that_is_down_is_one_line_not_a_deferred_traceback(tmp_path):
    from tests.support.redis import RedisServer, RedisUnavailable

    try:
        server = RedisServer()
    except RedisUnavailable as exc:
        pytest.skip(str(exc))
    url = server.url
    server.stop()  # a real Redis URL whose server is gone
    with serve() as srv:
        run = crawl(tmp_path, srv.base_url + "/", extra=("--redis-url", url))
        fetched = len(srv.requests)
    assert run.returncode == 1 and "Redis unavailable" in run.stderr, run.stderr[-3000:]
    assert fetched == 0
    _no_traceback(run.stderr)


# ---------------------------------------------------------------- item 4: limits are limits

@pytest.mark.parametrize("limit", [1, 3])
def test_max_articles_stores_at_most_n(tmp_path, limit, case):
    case(f"`newsbot crawl --max-articles {limit}` of the 20-article demo site")
    with serve() as srv:
        run = crawl(tmp_path, srv.base_url + "/", extra=("--max-articles", str(limit)))
    assert run.returncode == 0, run.stderr[-3000:]
    stored = _stored(tmp_path / "store.db")
    assert 1 <= len(stored) <= limit, stored
    assert len(run.records) <= limit
    case.happened(f"{len(stored)} stored (limit {limit})")


def test_max_pages_fetches_at_most_n(tmp_path, case):
    case("`newsbot crawl --max-pages 5` of the demo site, requests counted by the server")
    with LocalServer(root=DEMO_ROOT) as srv:
        run = crawl(tmp_path, srv.url("/"), extra=("--max-pages", "5"))
        fetched = len(srv.requests)
    assert run.returncode == 0, run.stderr[-3000:]
    assert 1 <= fetched <= 5, [r.path for r in srv.requests]
    case.happened(f"the server received {fetched} requests")


@pytest.mark.parametrize("option", ["--max-articles", "--max-pages", "--max-runtime", "--timeout", "--workers"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_zero_or_negative_limits_are_refused(tmp_path, option, value):
    run = newsbot(tmp_path, "crawl", "http://127.0.0.1:9/", option, value)
    assert run.returncode == 2 and option in run.stderr and "> 0" in run.stderr, run.stderr
    assert not (tmp_path / "store.jobs").exists()


def test_max_runtime_ends_within_a_few_seconds_of_the_budget(tmp_path, case):
    case("`newsbot crawl --max-runtime 8` of the demo site at 1 s between requests (more to fetch than 8 s allow)")
    # a slow site (1 s between requests) with more to fetch than the budget allows
    with serve() as srv:
        t0 = time.monotonic()
        run = crawl(tmp_path, srv.base_url + "/",
                    extra=("--max-runtime", "8", "-s", "DOWNLOAD_DELAY=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                           "--report", str(tmp_path / "r.json")))
        wall = time.monotonic() - t0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert report["sites"][0]["status"] == "partial"
    # (8 s rather than 4: on a loaded 2-core CI machine Scrapy's start-up alone can take seconds)
    assert report["duration_s"] <= 8 + 2.5, report["duration_s"]
    assert wall <= 8 + 8, wall  # + interpreter and Scrapy start-up
    case.figure("run_duration_s", report["duration_s"])
    case.happened(f"site 'partial'; the run took {report['duration_s']} s by its report, {wall:.1f} s with start-up")


# ---------------------------------------------------------------- item 5: --since by the article's date

def test_since_filters_by_the_articles_own_date(tmp_path, case):
    case("`newsbot crawl --since 2026-02-01` of the demo site (articles 2021-2026, many reached by links only)")
    since = "2026-02-01"
    with serve() as srv:
        run = crawl(tmp_path, srv.base_url + "/", extra=("--since", since))
    assert run.returncode == 0, run.stderr[-3000:]
    published = _stored(tmp_path / "store.db", "published")
    assert published, "nothing stored"
    dated = [p for p in published if p]
    assert all(p[:10] >= since for p in dated), sorted(dated)
    expected = [a for a in MANIFEST["article"] if (a.get("published") or "9999")[:10] >= since]
    assert len(published) >= len(expected) - 1  # the newer ones are all there (one may be a near-duplicate)
    row = next(iter(run.summary["sites"].values()))
    assert row["skipped_since"] > 0 and "undated_kept" in row
    newer = {a["path"] for a in expected}
    case.count_lost(len(newer), len(published), what="articles published since then")
    case.happened(f"{len(published)} stored, none older; {row['skipped_since']} older entries or articles skipped")


def test_since_help_says_undated_articles_are_kept(tmp_path):
    run = newsbot(tmp_path, "crawl", "--help")
    assert "undated" in run.stdout and "published" in run.stdout


# ---------------------------------------------------------------- item 6: one line per failure

def test_unresolvable_scrape_is_a_few_lines_without_traceback(tmp_path, case):
    case("`newsbot scrape http://no-such-host.invalid/x`")
    run = newsbot(tmp_path, "scrape", "http://no-such-host.invalid/x")
    assert run.returncode != 0
    _no_traceback(run.stderr)
    assert len(run.stderr.strip().splitlines()) <= 5, run.stderr
    assert "unreachable: name not resolved" in run.stderr
    assert json.loads(run.stdout)["error"] == "unreachable: name not resolved"
    case.happened(f"exit {run.returncode}, {len(run.stderr.strip().splitlines())} stderr lines, no traceback, "
                  "'unreachable: name not resolved'")


@pytest.fixture
def failing_sites():
    """Four local sites, each failing its own way."""
    disallow = LocalServer({"/robots.txt": Route(body=b"User-agent: *\nDisallow: /\n",
                                                  headers={"Content-Type": "text/plain"}),
                            "/": Route.html("<html><body>hi</body></html>")})
    unavailable = LocalServer(handler=lambda rec: Route(status=503, body=b"down"))
    slow = LocalServer(handler=lambda rec: Route(body=b"late", delay=5))
    with disallow, unavailable, slow:
        yield {"robots": disallow.url("/"), "503": unavailable.url("/"), "slow": slow.url("/"),
               "refused": f"http://127.0.0.1:{_closed_port()}/"}


def _site_line(stderr: str, url: str) -> str:
    port = urlsplit(url).port
    lines = [ln for ln in stderr.splitlines() if f"127.0.0.1_{port}" in ln]
    assert lines, stderr[-3000:]
    return " ".join(lines)


@pytest.mark.parametrize("quiet", [False, True])
def test_each_failed_site_gets_one_line_with_its_reason(tmp_path, failing_sites, quiet, case):
    case("one `newsbot crawl` of four local sites: robots.txt disallows all, 503 always (robots.txt too), "
         "no answer within the timeout, port refused" + (" (-q)" if quiet else ""))
    urls = failing_sites
    extra = ("-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=2", *(("-q",) if quiet else ()))
    run = crawl(tmp_path, urls["robots"], urls["503"], urls["slow"], urls["refused"], extra=extra, timeout=300)
    assert run.returncode == 1
    _no_traceback(run.stderr)
    assert "robots.txt disallows" in _site_line(run.stderr, urls["robots"])
    # this site's robots.txt answers 503 too: RFC 9309 makes that a complete disallow, after one retry
    # (NEWSBOT_ROBOTS_RETRY_TIMES), and the site's line says which answer stopped it
    assert "robots.txt answered HTTP 503 after 2 tries" in _site_line(run.stderr, urls["503"])
    assert "timeout" in _site_line(run.stderr, urls["slow"])
    assert "refused" in _site_line(run.stderr, urls["refused"])
    assert "success" not in run.stderr
    if quiet:  # the cron form: only what went wrong, one line per site, and the outcome
        assert len(run.stderr.strip().splitlines()) <= 4 + 2, run.stderr
    else:
        total = next(ln for ln in run.stderr.splitlines() if ln.startswith("TOTAL"))
        assert "4 of 4 failed" in total and not total.rstrip().endswith("ok"), total
    case.happened("exit 1; one line per site: robots.txt disallows, HTTP 503 after 3 tries, timeout, refused; "
                  "no traceback" + ("; nothing else printed" if quiet else "; TOTAL row '4 of 4 failed'"))


def test_unresolvable_crawl_says_so_in_one_line(tmp_path):
    run = crawl(tmp_path, "http://no-such-host.invalid/", extra=("-q",))
    assert run.returncode == 1
    _no_traceback(run.stderr)
    assert "no-such-host.invalid: failed: unreachable: name not resolved" in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) <= 3, run.stderr


# ---------------------------------------------------------------- item 8: a second demo on another port

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_second_demo_on_another_port_exports_its_articles(tmp_path, case):
    case("`newsbot demo` twice into one store, the second time on another port (another site, near-duplicates)")
    out = tmp_path / "export.jsonl"
    db = str(tmp_path / "demo.db")
    first = newsbot(tmp_path, "demo", "--port", str(_free_port()), "-o", str(out), "--db", db, *FAST)
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(read_jsonl(out)) == N_ARTICLES
    second = newsbot(tmp_path, "demo", "--port", str(_free_port()), "-o", str(out), "--db", db, *FAST)
    assert second.returncode == 0, second.stderr[-3000:]
    rows = read_jsonl(out)
    assert len(rows) == N_ARTICLES, second.stderr[-2000:]
    assert len({urlsplit(r["url"]).port for r in rows}) == 1  # the second run's site
    case.count_lost(N_ARTICLES, len(rows), what="articles in the second export")


# ---------------------------------------------------------------- item 10: a bare domain

def test_bare_domain_is_crawled_as_a_homepage_not_refused_as_a_slug(tmp_path):
    run = newsbot(tmp_path, "crawl", "no-such-host.invalid", "-q")
    assert "unknown site" not in run.stderr, run.stderr
    assert run.returncode == 1 and "no-such-host.invalid: failed: unreachable" in run.stderr, run.stderr


# ---------------------------------------------------------------- item 12: docs

def _registry_slugs() -> set[str]:
    from spiders.registry import load_registry

    return set(load_registry())


def test_scheduling_doc_uses_registry_slugs():
    text = (ROOT / "docs" / "scheduling.md").read_text(encoding="utf-8")
    used = set(re.findall(r"site=([A-Za-z0-9_.-]+)", text))
    assert used, "the doc shows a scrapyd schedule call"
    assert used <= _registry_slugs() | {"SLUG"}, used - _registry_slugs()


def test_docs_tell_how_to_serve_the_demo_and_that_the_registry_is_unverified():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m newsbot.demo_server" in readme
    assert "unverified" in readme.lower()


def test_scrapyd_leftovers_are_ignored():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for name in ("dbs/", "eggs/", "logs/"):
        assert name in ignored or "/" + name in ignored, name


