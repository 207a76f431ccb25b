"""`newsbot crawl` against real local sites: each discovery channel finds the articles, and only them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.crawl import (
    article_html,
    crawl,
    html_route,
    listing_html,
    sitemapindex,
    text_route,
    urlset,
    xml_route,
)
from tests.support.httpserver import LocalServer, Route


def _paths(records: list[dict]) -> set[str]:
    return {urlsplit(r["url"]).path for r in records}


def _articles(srv: LocalServer, paths: list[str]) -> None:
    for i, path in enumerate(paths):
        srv.add(path, html_route(article_html(f"خبر تجريبي رقم {i} عن المحادثات")))


@pytest.fixture
def srv():
    with LocalServer() as server:
        server.add("/", html_route(listing_html("الصفحة الرئيسية", [])))
        yield server


def test_robots_sitemap_lines_lead_to_the_articles(srv, tmp_path):
    arts = [f"/news/2026/03/0{i}/talks-resume-in-the-capital-{i}" for i in range(1, 4)]
    _articles(srv, arts)
    srv.add("/robots.txt", text_route(f"User-agent: *\nAllow: /\nSitemap: {srv.url('/maps/main.xml')}\n"))
    srv.add("/maps/main.xml", xml_route(urlset([srv.url(p) for p in arts])))
    run = crawl(tmp_path, srv.url("/")).check()
    assert _paths(run.records) == set(arts)
    assert all(srv.hits(p) == 1 for p in arts)
    assert srv.hits("/robots.txt") == 1  # the spider reads the middleware's copy, no second download
    assert {r["kind"] for r in run.records} == {"article"}


def test_sitemap_index_news_sitemap_and_gzip(srv, tmp_path):
    import gzip

    news = [f"/news/12345{i}-minister-visit-{i}-talks-today" for i in range(1, 3)]
    old = ["/news/2025/01/05/older-story-about-the-port-expansion"]
    for i, path in enumerate(news + old):
        srv.add(path, html_route(article_html(f"عنوان {i}", published=None)))
    news_meta = {srv.url(p): ("2026-03-01T08:30:00+03:00", f"عنوان الخبر من خريطة الأخبار {i}") for i, p in enumerate(news)}
    srv.add("/robots.txt", text_route(f"Sitemap: {srv.url('/sitemap_index.xml')}\n"))
    srv.add("/sitemap_index.xml", xml_route(sitemapindex([srv.url("/news-sitemap.xml"), srv.url("/old.xml.gz")])))
    srv.add("/news-sitemap.xml", xml_route(urlset([srv.url(p) for p in news], news=news_meta)))
    srv.add("/old.xml.gz", Route(body=gzip.compress(urlset([srv.url(p) for p in old]).encode()),
                                 headers={"Content-Type": "application/gzip"}))  # fmt: skip
    run = crawl(tmp_path, srv.url("/")).check()
    assert _paths(run.records) == set(news + old)
    by_path = {urlsplit(r["url"]).path: r for r in run.records}
    # neither the page nor its URL gives a date: the news sitemap's publication date is kept
    assert by_path[news[0]]["published"].startswith("2026-03-01T08:30")


def test_rss_and_atom_found_through_link_rel_alternate(tmp_path):
    rss_items = ["/news/2026/03/02/rss-story-about-water-talks", "/news/2026/03/03/rss-story-about-energy-deal"]
    atom_items = ["/opinion/2026/03/04/atom-column-on-regional-trade"]
    with LocalServer() as srv:
        head = (
            f'<link rel="alternate" type="application/rss+xml" href="{srv.url("/feed/rss")}">'
            '<link rel="alternate" type="application/atom+xml" href="/feed/atom">'
        )
        srv.add("/", html_route(listing_html("الرئيسية", [], extra_head=head)))
        _articles(srv, rss_items + atom_items)
        items = "".join(
            f"<item><title>خبر {i}</title><link>{srv.url(p)}</link><pubDate>Mon, 02 Mar 2026 10:00:00 +0300</pubDate></item>"
            for i, p in enumerate(rss_items)
        )
        srv.add("/feed/rss", xml_route(f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'))
        entries = "".join(
            f'<entry><title>مقال</title><link rel="alternate" href="{p}"/><updated>2026-03-04T09:00:00Z</updated></entry>'
            for p in atom_items
        )
        srv.add("/feed/atom", xml_route(
            f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="{srv.url("/")}"><title>t</title>{entries}</feed>'
        ))  # fmt: skip
        run = crawl(tmp_path, srv.url("/")).check()
        assert _paths(run.records) == set(rss_items + atom_items)
        assert srv.hits("/feed/rss") == 1 and srv.hits("/feed/atom") == 1


def test_sections_and_pagination(tmp_path):
    page1 = [f"/politics/2026/02/{10 + i}/section-story-number-{i}" for i in range(3)]
    page2 = [f"/politics/2026/01/{10 + i}/older-section-story-{i}" for i in range(3)]
    page3 = ["/politics/2025/12/20/oldest-section-story-here"]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", ["/politics/"])))
        srv.add("/politics/", html_route(listing_html("سياسة", page1, next_url="/politics/page/2/")))
        srv.add("/politics/page/2/", html_route(listing_html("سياسة 2", page2, next_url="/politics/page/3/")))
        srv.add("/politics/page/3/", html_route(listing_html("سياسة 3", page3)))
        _articles(srv, page1 + page2 + page3)
        run = crawl(tmp_path, srv.url("/")).check()
        assert _paths(run.records) == set(page1 + page2 + page3)
        assert srv.hits("/politics/page/3/") == 1
        # listing pages are fetched but never become records
        assert run.summary["totals"]["non_articles"] >= 4


def test_offsite_and_non_http_links_are_not_followed(tmp_path):
    with LocalServer() as other, LocalServer() as srv:
        other.add("/news/2026/03/01/offsite-story-should-not-be-fetched", html_route(article_html("خارجي")))
        inside = "/news/2026/03/01/inside-story-about-the-summit"
        links = [
            inside,
            # another host (localhost is not 127.0.0.1 for the site's allowed domains)
            f"http://localhost:{other.port}/news/2026/03/01/offsite-story-should-not-be-fetched",
            "mailto:desk@example.com",
            "javascript:void(0)",
            "ftp://127.0.0.1/news/2026/03/01/ftp-story-file",
            "tel:+201000000000",
        ]
        srv.add("/", html_route(listing_html("الرئيسية", links)))
        _articles(srv, [inside])
        run = crawl(tmp_path, srv.url("/")).check()
        assert _paths(run.records) == {inside}
        assert other.requests == []


def test_non_article_pages_are_not_records(tmp_path):
    art = "/news/2026/03/05/real-article-about-the-budget-vote"
    non = ["/tag/economy", "/author/ahmed", "/about-us", "/video/2026/03/05/clip-of-the-day", "/economy/"]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", [art, *non])))
        _articles(srv, [art])
        srv.add("/tag/economy", html_route(listing_html("وسم اقتصاد", [art])))
        srv.add("/author/ahmed", html_route(listing_html("الكاتب أحمد", [art])))
        srv.add("/economy/", html_route(listing_html("اقتصاد", [art])))
        # a service page with a long text and og:type=website is still not an article
        srv.add("/about-us", html_route(article_html("من نحن", paragraphs=8, og_type="website", published=None)))
        srv.add("/video/2026/03/05/clip-of-the-day", html_route(article_html("فيديو اليوم")))
        run = crawl(tmp_path, srv.url("/")).check()
        assert _paths(run.records) == {art}
        assert srv.hits("/video/2026/03/05/clip-of-the-day") == 0  # classified from the URL: not fetched
