"""What one discovery document may hand the crawl is bounded by settings (issue 13): the parsers stop at the bound
and say so, and the crawl reads each bound from its Scrapy settings (`-s NAME=VALUE`)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsbot import settings as defaults
from spiders.discovery.bounds import DiscoveryBounds
from spiders.discovery.feeds import parse_feed
from spiders.discovery.sitemaps import SitemapError, iter_sitemap
from tests.reliability.test_hostile_sites import distinct_article
from tests.support.crawl import crawl, urlset
from tests.support.httpserver import LocalServer, Route

BASE = "https://news.example.com"


def _rss(n: int) -> bytes:
    items = "".join(f"<item><link>{BASE}/a-{i}.html</link><title>t{i}</title></item>" for i in range(n))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def test_a_sitemap_with_exactly_the_bound_reads_whole_and_one_more_entry_is_told():
    body = urlset([f"{BASE}/a-{i}.html" for i in range(5)]).encode()
    assert len(list(iter_sitemap(body, max_entries=5))) == 5
    read = []
    with pytest.raises(SitemapError, match="more than 4 entries.*NEWSBOT_MAX_SITEMAP_ENTRIES"):
        for item in iter_sitemap(body, max_entries=4):
            read.append(item.url)
    assert read == [f"{BASE}/a-{i}.html" for i in range(4)]  # the first ones kept, in order
    assert len(list(iter_sitemap(body, max_entries=0))) == 5  # 0: no bound


def test_a_feed_past_its_entry_bound_keeps_the_first_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="spiders.discovery.feeds"):
        entries = parse_feed(_rss(7), f"{BASE}/feed.xml", max_entries=3)
    assert [e.url for e in entries] == [f"{BASE}/a-{i}.html" for i in range(3)]
    assert "NEWSBOT_MAX_FEED_ENTRIES" in caplog.text
    assert len(parse_feed(_rss(7), f"{BASE}/feed.xml")) == 7  # under the default: whole, no warning


def test_bounds_come_from_the_scrapy_settings_with_their_declared_defaults():
    assert DiscoveryBounds.from_settings(Settings({})) == DiscoveryBounds(
        sitemap_entries=0, sitemap_maxsize=0, feed_maxsize=0, feed_entries=0, robots_sitemaps=0, feed_links=0,
        next_pages=0)  # a bare Settings has none: the crawl's come from newsbot/settings.py, below
    ours = Settings()
    ours.setmodule(defaults)
    assert DiscoveryBounds.from_settings(ours) == DiscoveryBounds()
    ours.set("NEWSBOT_MAX_NEXT_PAGES", "3", priority="cmdline")
    assert DiscoveryBounds.from_settings(ours).next_pages == 3


def test_crawl_reads_the_sitemap_entry_bound_from_its_settings(tmp_path: Path):
    arts = [f"/politics/2026/03/01/bound-{i}.html" for i in range(6)]
    routes = {"/": Route.html("<html><body>home</body></html>"),
              "/robots.txt": Route(body=b"User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n"),
              **{p: Route.html(distinct_article(40 + i)) for i, p in enumerate(arts)}}
    with LocalServer(routes) as srv:
        srv.add("/sitemap.xml", Route(body=urlset([srv.url(p) for p in arts]).encode(),
                                      headers={"Content-Type": "application/xml"}))
        run = crawl(tmp_path, srv.url("/"), extra=("-s", "NEWSBOT_MAX_SITEMAP_ENTRIES=3"), timeout=120)
        asked = srv.paths()
    stored = sorted(r["url"].rsplit("/", 1)[-1] for r in run.records)
    assert stored == [f"bound-{i}.html" for i in range(3)], run.stderr[-3000:]
    assert not [p for p in asked if p in arts[3:]], asked  # the rest never requested
    assert "more than 3 entries (NEWSBOT_MAX_SITEMAP_ENTRIES)" in run.stderr


def test_robots_txt_past_its_line_bound_keeps_its_first_lines_and_every_sitemap_line():
    from spiders.discovery.robots import cap_lines

    body = b"User-agent: *\n" + b"".join(b"Disallow: /p%d/\n" % i for i in range(50)) + b"Sitemap: /s.xml\n"
    assert cap_lines(body, 0) == (body, 0) and cap_lines(body, 1000) == (body, 0)
    cut, dropped = cap_lines(body, 11)
    assert cut.split(b"\n")[:11] == body.split(b"\n")[:11]
    assert cut.endswith(b"\nSitemap: /s.xml") and b"/p10/" not in cut
    assert dropped == 40 + 1  # 40 rules and the empty last line; the Sitemap: line kept


def test_crawl_reads_robots_txt_up_to_its_line_bound_and_still_follows_its_sitemap(tmp_path: Path):
    arts = [f"/politics/2026/03/01/robots-{i}.html" for i in range(2)]
    robots = (b"User-agent: *\n" + b"".join(b"Disallow: /nothing-%d/\n" % i for i in range(200))
              + b"Sitemap: /maps/news.xml\n")  # no conventional path: found only through this line
    routes = {"/": Route.html("<html><body>home</body></html>"), "/robots.txt": Route(body=robots),
              **{p: Route.html(distinct_article(50 + i)) for i, p in enumerate(arts)}}
    with LocalServer(routes) as srv:
        srv.add("/maps/news.xml", Route(body=urlset([srv.url(p) for p in arts]).encode(),
                                      headers={"Content-Type": "application/xml"}))
        run = crawl(tmp_path, srv.url("/"), extra=("-s", "NEWSBOT_ROBOTS_MAX_LINES=50"), timeout=120)
    assert sorted(r["url"].rsplit("/", 1)[-1] for r in run.records) == ["robots-0.html", "robots-1.html"], \
        run.stderr[-3000:]
    assert "over 50 lines (NEWSBOT_ROBOTS_MAX_LINES)" in run.stderr
