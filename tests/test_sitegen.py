"""tests/support/sitegen.py: the generated sites are what their SiteSpec says (routes, variants, layouts, sizes)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsbot.demo_server import load_manifest, serve
from newsbot.urls import canonicalize
from tests.support.sitegen import ROUTES, generate_site

SM = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    spec = generate_site(root, 120, seed=7, page_kb=(30, 60), sections=4, per_page=10)
    with serve(root) as srv:
        yield spec, srv


def html_paths(srv, body: bytes) -> list[str]:
    tree = LexborHTMLParser(body.decode("utf-8"))
    return [urlsplit(a.attributes["href"]).path for a in tree.css("a[href]")
            if a.attributes["href"].startswith(srv.base_url)]


def sitemap_articles(srv) -> set[str]:
    found, todo = set(), [srv.url("/sitemap.xml")]
    while todo:
        status, body = get(todo.pop())
        assert status == 200
        root = ET.fromstring(body)
        todo += [loc.text for loc in root.findall("sm:sitemap/sm:loc", SM)]
        found |= {urlsplit(loc.text).path for loc in root.findall("sm:url/sm:loc", SM)}
    return found


def feed_articles(srv, spec) -> set[str]:
    found = set()
    for feed in spec.feeds:
        status, body = get(srv.url(feed))
        assert status == 200
        found |= {urlsplit(item.findtext("link")).path for item in ET.fromstring(body).iter("item")}
    return found


def section_articles(srv, spec) -> set[str]:
    """Walk every section's pagination chain from its first page; collect the article links."""
    found = set()
    for first in [p for p in spec.non_articles if p.count("/") == 2 and p != "/"]:
        url, pages = first, 0
        while url:
            status, body = get(srv.url(url))
            assert status == 200
            pages += 1
            tree = LexborHTMLParser(body.decode("utf-8"))
            found |= {urlsplit(a.attributes["href"]).path for a in tree.css(".card a")}
            nxt = tree.css_first('a[rel="next"]')
            url = urlsplit(nxt.attributes["href"]).path if nxt else None
        assert pages >= 1
    return found & set(spec.articles)


def test_routes_are_what_the_spec_says(site):
    spec, srv = site
    assert sitemap_articles(srv) & set(spec.articles) == spec.routes["sitemap"]
    assert feed_articles(srv, spec) == spec.routes["rss"]
    assert section_articles(srv, spec) == spec.routes["sections"]


def test_only_the_mix_of_routes_covers_every_article(site):
    spec, _ = site
    assert set(spec.routes) == set(ROUTES)
    assert set().union(*spec.routes.values()) == set(spec.articles)
    for route, paths in spec.routes.items():
        assert paths and paths != set(spec.articles), route
    assert len(spec.articles) == len(set(spec.articles)) == 120


def test_articles_link_only_within_their_route_group(site):
    spec, srv = site
    group = {}
    for route, paths in spec.routes.items():
        for p in paths:
            group.setdefault(p, set()).add(route)
    for path in spec.articles[:30]:
        _, body = get(srv.url(path))
        linked = {p for p in html_paths(srv, body) if p in group and p != path}
        assert all(group[p] & group[path] for p in linked), path


def test_every_page_is_served_with_base_substituted(site):
    spec, srv = site
    for path in spec.articles[:40] + spec.non_articles + list(spec.variants)[:10] + spec.sitemaps + spec.feeds:
        status, body = get(srv.url(path))
        assert status == 200, path
        assert b"{{BASE}}" not in body, path
    status, body = get(srv.url("/robots.txt"))
    assert f"Sitemap: {srv.base_url}/sitemap.xml".encode() in body and b"Disallow: /private/" in body


def test_article_pages_have_real_structure_and_size(site):
    spec, srv = site
    sizes = []
    for path in spec.articles[:20]:
        _, body = get(srv.url(path))
        sizes.append((spec.root / path.lstrip("/")).stat().st_size)  # on disk: serving lengthens {{BASE}}
        tree = LexborHTMLParser(body.decode("utf-8"))
        assert tree.css_first("h1").text(strip=True) == spec.titles[path]
        assert spec.first_words[path] in tree.css_first(".post-body").text()
        assert 4 <= len(tree.css(".post-body > p")) <= 10
        ld = [json.loads(n.text()) for n in tree.css('script[type="application/ld+json"]')]
        assert ld[0]["@type"] == "NewsArticle" and ld[0]["headline"] == spec.titles[path]
        assert tree.css_first('meta[property="og:type"]').attributes["content"] == "article"
        assert tree.css_first('link[rel="canonical"]').attributes["href"] == srv.url(path)
        assert tree.css(".mega-menu a") and tree.css(".sidebar") and tree.css("footer") and tree.css("style")
    assert all(30 * 1024 <= s <= 61 * 1024 for s in sizes), sizes
    assert len(set(sizes)) > 10


def test_default_pages_are_100_to_200_kb(tmp_path):
    spec = generate_site(tmp_path, 12, seed=1, with_feeds=False, non_articles=False)
    sizes = [(tmp_path / p.lstrip("/")).stat().st_size for p in spec.articles]
    assert all(100 * 1024 <= s <= 201 * 1024 for s in sizes), sizes


def test_variants_duplicate_their_articles(site):
    spec, srv = site
    kinds = {"amp": 0, "utm": 0, "slash": 0}
    for variant, target in spec.variants.items():
        assert target in spec.articles and target in spec.routes["sections"]
        assert canonicalize(srv.url(variant)) == canonicalize(srv.url(target))
        kinds["amp" if variant.startswith("/amp/") else "utm" if "utm_source" in variant else "slash"] += 1
        if variant.startswith("/amp/"):
            _, body = get(srv.url(variant))
            canonical = LexborHTMLParser(body.decode()).css_first('link[rel="canonical"]').attributes["href"]
            assert canonical == srv.url(target)
    assert all(kinds.values()), kinds
    listed = set()
    for page in [p for p in spec.non_articles if p == "/" or p.count("/") >= 2][:40]:
        _, body = get(srv.url(page))
        tree = LexborHTMLParser(body.decode())
        listed |= {a.attributes["href"].replace(srv.base_url, "") for a in tree.css("a[href]")}
    assert set(spec.variants) <= listed  # the duplicates are linked from the listing pages


def test_non_articles_are_not_articles(site):
    spec, srv = site
    for prefix in ("/tag/", "/author/", "/video/"):
        assert any(p.startswith(prefix) for p in spec.non_articles), prefix
    for path in spec.non_articles:
        _, body = get(srv.url(path))
        tree = LexborHTMLParser(body.decode())
        assert tree.css_first('meta[property="og:type"]').attributes["content"] in ("website", "video.other")
        assert b'"NewsArticle"' not in body


def test_sitemaps_are_well_formed_with_news_tags_and_lastmod(site):
    spec, srv = site
    _, body = get(srv.url("/sitemaps/news.xml"))
    urls = ET.fromstring(body).findall("sm:url", SM)
    assert urls
    for u in urls:
        path = urlsplit(u.findtext("sm:loc", namespaces=SM)).path
        assert u.findtext("news:news/news:title", namespaces=SM) == spec.titles[path]
        assert u.findtext("news:news/news:publication_date", namespaces=SM).startswith("202")
        assert u.findtext("sm:lastmod", namespaces=SM)


def test_manifest_matches_spec(site):
    spec, _ = site
    m = load_manifest(spec.root)
    assert m["paths"]["articles"] == spec.articles and m["paths"]["non_articles"] == spec.non_articles
    assert m["variants"] == spec.variants
    assert {k: set(v) for k, v in m["routes"].items()} == spec.routes


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(root)).encode() + f.read_bytes())
    return h.hexdigest()


def test_deterministic_from_seed(tmp_path):
    a = generate_site(tmp_path / "a", 25, seed=3, page_kb=(5, 10))
    b = generate_site(tmp_path / "b", 25, seed=3, page_kb=(5, 10))
    c = generate_site(tmp_path / "c", 25, seed=4, page_kb=(5, 10))
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
    assert a.articles == b.articles and a.titles == b.titles and a.routes == b.routes
    assert a.titles != c.titles


def test_article_bodies_are_distinct(tmp_path):
    spec = generate_site(tmp_path, 40, seed=5, page_kb=(5, 10), variants=False)

    def shingles(path: str) -> set[tuple[str, ...]]:
        text = LexborHTMLParser((tmp_path / path.lstrip("/")).read_text()).css_first(".post-body").text()
        words = text.split()
        return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}

    sets = [shingles(p) for p in spec.articles]
    worst = max(len(x & y) / len(x | y) for i, x in enumerate(sets) for y in sets[i + 1:])
    assert worst < 0.5  # not near-duplicates of each other


def test_without_sitemaps_or_feeds(tmp_path):
    spec = generate_site(tmp_path, 30, seed=2, page_kb=(5, 10), with_sitemaps=False, with_feeds=False)
    assert set(spec.routes) == {"sections"} and spec.routes["sections"] == set(spec.articles)
    assert not (tmp_path / "sitemap.xml").exists() and not spec.feeds and not spec.sitemaps
    assert "Sitemap:" not in (tmp_path / "robots.txt").read_text()


def test_template_b_is_a_different_layout(tmp_path):
    a = generate_site(tmp_path / "a", 10, seed=9, page_kb=(5, 10))
    b = generate_site(tmp_path / "b", 10, seed=9, page_kb=(5, 10), template="b")
    assert a.articles == b.articles and a.titles == b.titles  # same news, new layout
    for path in b.articles:
        old = LexborHTMLParser((tmp_path / "a" / path.lstrip("/")).read_text())
        new = LexborHTMLParser((tmp_path / "b" / path.lstrip("/")).read_text())
        assert old.css("article") and not new.css("article")
        assert old.css(".post-body p") and not new.css(".x-flow p") and not new.css(".post-body")
        assert new.css_first("h1").text(strip=True) == b.titles[path]
        assert b.first_words[path] in new.body.text()
        classes_a = {c for n in old.css("[class]") for c in n.attributes["class"].split()}
        classes_b = {c for n in new.css("[class]") for c in n.attributes["class"].split()}
        assert len(classes_a & classes_b) < len(classes_b) / 2


def test_bad_template_rejected(tmp_path):
    with pytest.raises(ValueError):
        generate_site(tmp_path, 3, template="c")
