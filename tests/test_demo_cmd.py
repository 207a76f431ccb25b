"""`newsbot demo` and a crawl of the bundled demo site (data/demo, its manifest says what to expect)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import unquote, urlsplit

from newsbot.demo_server import DEMO_ROOT, load_manifest, serve
from newsbot.urls import canonicalize
from tests.support.crawl import FAST, crawl, newsbot, read_jsonl

MANIFEST = load_manifest(DEMO_ROOT)
ARTICLES = {unquote(p) for p in MANIFEST["paths"]["articles"]}
NON_ARTICLES = {unquote(p) for p in MANIFEST["paths"]["non_articles"]}


def _path(url: str) -> str:
    return unquote(urlsplit(canonicalize(url)).path)


def _canon(path: str) -> str:
    return _path("http://x" + path)


def test_demo_command_crawls_stores_and_exports_every_article(tmp_path):
    out = tmp_path / "export.jsonl"
    run = newsbot(tmp_path, "demo", "-o", str(out), "--db", str(tmp_path / "demo.db"), *FAST)
    assert run.returncode == 0, run.stderr[-4000:]
    rows = read_jsonl(out)
    got = Counter(_path(r["url"]) for r in rows)
    assert set(got) == {_canon(p) for p in ARTICLES}
    assert max(got.values()) == 1
    kinds = {_canon(unquote(a["path"])): a["kind"] for a in MANIFEST["article"]}
    assert {_path(r["url"]): r["kind"] for r in rows} == kinds
    assert "exported" in run.stderr and "new" in run.stderr  # the summary table
    assert (tmp_path / "demo.db").exists()
    # it ends by saying how to browse what it stored, and the browser shows it
    assert run.stderr.rstrip().splitlines()[-1].startswith(f"newsbot demo: browse what it stored with `newsbot browse --db {tmp_path / 'demo.db'}`")
    from newsbot.browse.app import create_app

    listed = create_app(str(tmp_path / "demo.db")).test_client().get("/").get_data(as_text=True)
    assert listed.count('<tr class="article">') == len(rows)


def test_demo_site_crawl_fetches_each_article_once_and_nothing_forbidden(tmp_path):
    with serve() as srv:
        run = crawl(tmp_path, srv.base_url + "/").check()
        asked = [unquote(urlsplit(p).path) for p in srv.requests]
    got = Counter(_path(r["url"]) for r in run.records)
    assert set(got) == {_canon(p) for p in ARTICLES} and max(got.values()) == 1
    assert not {_path(r["url"]) for r in run.records} & {_canon(p) for p in NON_ARTICLES}
    # one fetch per article, whichever variant (AMP, tracking parameters, trailing slash) was met first
    fetched = Counter(_canon(p) for p in asked)
    assert all(fetched[_canon(p)] == 1 for p in ARTICLES), fetched
    for path in MANIFEST["paths"]["disallowed"]:
        assert unquote(urlsplit(path).path) not in asked
    assert run.summary["totals"]["robots_forbidden"] >= 1
    assert run.summary["totals"]["errors"] >= 1  # the missing page (404) is counted


def test_second_demo_run_is_incremental_on_the_same_site(tmp_path):
    # the demo serves on a fixed port by default, so its URLs and site slug are the same in every run;
    # a free port is chosen here (tests run in parallel) and given to both runs
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    db = str(tmp_path / "demo.db")
    first = newsbot(tmp_path, "demo", "--port", port, "-o", str(tmp_path / "a.jsonl"), "--db", db, *FAST)
    assert first.returncode == 0, first.stderr[-4000:]
    second = newsbot(tmp_path, "demo", "--port", port, "-o", str(tmp_path / "b.jsonl"), "--db", db, *FAST)
    assert second.returncode == 0, second.stderr[-4000:]
    a, b = read_jsonl(tmp_path / "a.jsonl"), read_jsonl(tmp_path / "b.jsonl")
    assert len(a) == len(ARTICLES)
    # the second export is the same articles (nothing stored twice under a new site name)
    assert sorted(r["url"] for r in b) == sorted(r["url"] for r in a)
    assert {r["site"] for r in b} == {f"127.0.0.1_{port}"}
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(ARTICLES)
