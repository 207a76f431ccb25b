"""Acceptance: a generated local site of 500 articles reachable only through a mix of routes
(sitemaps, RSS feeds, paginated sections), with duplicate URL variants and non-article pages.
One crawl stores every article once and nothing else; a second crawl fetches no stored article."""

from __future__ import annotations

import sqlite3
from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest

from newsbot.urls import canonicalize
from tests.support.crawl import crawl
from tests.support.httpserver import LocalServer
from tests.support.sitegen import generate_site

N_ARTICLES = 500


def _path(url: str) -> str:
    return unquote(urlsplit(canonicalize(url)).path) or "/"


def _norm(path: str) -> str:
    return _path("http://x" + path)


@pytest.mark.slow
def test_mixed_route_site_of_500_articles(tmp_path):
    spec = generate_site(tmp_path / "site", N_ARTICLES, seed=7, page_kb=(20, 40))
    expected = {_norm(p) for p in spec.articles}
    assert len(expected) == N_ARTICLES
    variant_paths = {urlsplit(v).path for v in spec.variants}
    with LocalServer(root=spec.root) as srv:
        first = crawl(tmp_path, srv.url("/"), name="first", timeout=900).check()
        got = Counter(_path(r["url"]) for r in first.records)
        assert set(got) == expected, f"missing {sorted(expected - set(got))[:5]} extra {sorted(set(got) - expected)[:5]}"
        assert max(got.values()) == 1  # no duplicates
        non_articles = {_norm(p) for p in spec.non_articles}
        assert not non_articles & set(got)
        totals = first.summary["totals"]
        assert totals["new"] == N_ARTICLES and totals["errors"] == 0

        # the store holds exactly the articles, once each
        with sqlite3.connect(tmp_path / "store.db") as db:
            stored = [_path(u) for (u,) in db.execute("SELECT url FROM articles")]
        assert sorted(stored) == sorted(expected)

        # every article fetched once, whatever route and URL variant led to it
        article_hits = Counter(_norm(urlsplit(r.path).path) for r in srv.requests)
        assert all(article_hits[p] == 1 for p in expected), [p for p in expected if article_hits[p] != 1][:5]

        srv.requests.clear()
        second = crawl(tmp_path, srv.url("/"), name="second", timeout=900).check()
        refetched = [r.path for r in srv.requests if _norm(urlsplit(r.path).path) in expected]
        assert refetched == []
        assert not [r.path for r in srv.requests if urlsplit(r.path).path in variant_paths]
        assert second.records == [] and second.summary["totals"]["new"] == 0
