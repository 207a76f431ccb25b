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
