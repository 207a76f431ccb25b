"""robots.txt Sitemap lines and Crawl-delay; listing-page links and pagination."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.discovery.links import next_pages, page_links, page_number
from spiders.discovery.robots import can_fetch, crawl_delay, robots_sitemaps

FIX = Path(__file__).parent / "fixtures" / "discovery"
ROBOTS = (FIX / "robots.txt").read_text(encoding="utf-8")
LISTING = (FIX / "listing.html").read_text(encoding="utf-8")
LISTING_URL = "https://www.example-news.com/politics/page/2/"


def test_robots_sitemaps_absolute_deduplicated_http_only():
    assert robots_sitemaps(ROBOTS, "https://www.example-news.com/robots.txt") == [
        "https://www.example-news.com/sitemap_index.xml",
        "https://www.example-news.com/news-sitemap.xml",
        "https://www.example-news.com/sitemaps/relative.xml",
    ]


def test_robots_without_sitemaps():
    assert robots_sitemaps("User-agent: *\nDisallow:\n", "https://a.com/robots.txt") == []
    assert robots_sitemaps("", "https://a.com/robots.txt") == []
    assert robots_sitemaps("<html>404 not found</html>", "https://a.com/robots.txt") == []


def test_crawl_delay_for_our_group_and_the_default():
    assert crawl_delay(ROBOTS, "newsbot/0.1 (+https://github.com/newsbot/newsbot)") == 0.5
    assert crawl_delay(ROBOTS, "SomeOtherBot/2.0") == 2.0
    assert crawl_delay("User-agent: *\nDisallow: /x\n", "newsbot") is None
    assert crawl_delay("User-agent: *\nCrawl-delay: soon\n", "newsbot") is None


def test_robots_rules_by_agent():
    assert not can_fetch(ROBOTS, "https://www.example-news.com/private/x", "newsbot")
    assert can_fetch(ROBOTS, "https://www.example-news.com/search?q=x", "newsbot")  # its own group applies
    assert not can_fetch(ROBOTS, "https://www.example-news.com/search?q=x", "OtherBot")
    assert not can_fetch(ROBOTS, "https://www.example-news.com/anything", "BadBot")


def test_page_links_absolute_deduplicated_in_order():
    links = page_links(LISTING, LISTING_URL)
    assert links == [
        "https://www.example-news.com/",
        "https://www.example-news.com/politics/",
        "https://www.example-news.com/2024/05/20/%d8%a7%d9%84%d8%ad%d9%83%d9%88%d9%85%d8%a9-%d8%aa%d8%b5%d8%a7%d8%af%d9%82/",
        "https://www.example-news.com/2024/05/20/second-story/",  # fragment removed
        "https://www.example-news.com/2024/05/19/third-story/",  # whitespace around href stripped
        "https://cdn.example-news.com/video/clip-123.html",  # protocol-relative
        "https://www.example-news.com/politics/page/3/",
        "https://www.example-news.com/politics/page/4/",
        "https://www.example-news.com/2024/05/18/unrelated-next-story/",
    ]


@pytest.mark.parametrize(
    "href",
    ["mailto:a@b.c", "javascript:void(0)", " JavaScript:alert(1)", "tel:+9611", "data:text/html,x", "file:///etc/passwd",
     "ftp://h/x", "#", "#top", "whatsapp://send?text=x", ""],
)  # fmt: skip
def test_page_links_drop_non_http(href):
    html = f'<a href="{href}">x</a><a href="/ok-1234567">ok</a>'
    assert page_links(html, "https://www.example-news.com/") == ["https://www.example-news.com/ok-1234567"]


def test_page_links_base_href_and_arabic_href():
    html = '<base href="https://www.example-news.com/ar/"><a href="أخبار/سياسة-1234567">خبر</a><a href="../en/x">x</a>'
    assert page_links(html, "https://www.example-news.com/index.html") == [
        "https://www.example-news.com/ar/أخبار/سياسة-1234567",
        "https://www.example-news.com/en/x",
    ]


def test_page_links_on_broken_html():
    html = "<div><a href='/a-1234567'>one<a href=/b-7654321>two</div></p></td><a href=\"/c\n-1111111\">three"
    assert page_links(html, "https://x.com/") == [
        "https://x.com/a-1234567",
        "https://x.com/b-7654321",
        "https://x.com/c-1111111",
    ]


@pytest.mark.corpus
def test_page_links_on_a_real_listing_page(corpus):
    html = (corpus / "listing" / "todaysarabnews__home-2013.html").read_bytes().decode("utf-8", "replace")
    links = page_links(html, "http://www.todaysarabnews.com/")
    assert len(links) > 100  # the page has 174 <a href>, some repeated or non-http
    assert len(links) == len(set(links))
    assert all(u.startswith(("http://", "https://")) and "#" not in u for u in links)


def test_next_pages_on_listing():
    assert next_pages(LISTING, LISTING_URL) == ["https://www.example-news.com/politics/page/3/"]


@pytest.mark.parametrize(
    "html,url,expected",
    [
        ('<a href="/news?page=2">الصفحة التالية</a>', "https://x.com/news", ["https://x.com/news?page=2"]),
        ('<a href="/news?page=3">التالي</a>', "https://x.com/news?page=2", ["https://x.com/news?page=3"]),
        ('<ul class="pagination"><li><a href="/news/page/5">»</a></li></ul>', "https://x.com/news/page/4",
         ["https://x.com/news/page/5"]),
        ('<a href="/cat/sport/page/2/">2</a><a href="/cat/sport/page/3/">3</a>', "https://x.com/cat/sport/",
         ["https://x.com/cat/sport/page/2/"]),
        ('<a href="/list?cat=4&amp;page=8">8</a><a href="/list?cat=4&amp;page=7">7</a>', "https://x.com/list?cat=4&page=6",
         ["https://x.com/list?cat=4&page=7"]),
        ('<li class="pager-next"><a href="/archive?p2">more</a></li>', "https://x.com/archive",
         ["https://x.com/archive?p2"]),
        ('<link rel="next" href="https://x.com/tag/gaza/page/2">', "https://x.com/tag/gaza", ["https://x.com/tag/gaza/page/2"]),
        ('<a href="https://other.com/page/2">التالي</a>', "https://x.com/news", []),  # other host
        ('<a href="/news?page=1">السابق</a><a href="/news?page=1">1</a>', "https://x.com/news?page=2", []),
        ('<a class="next-article" href="/2024/05/20/next-story">الخبر التالي</a>', "https://x.com/2024/05/20/story", []),
        ('<a href="/sport/page/2">2</a>', "https://x.com/politics", []),  # another listing's pages
        ("", "https://x.com/", []),
    ],
)  # fmt: skip
def test_next_pages(html, url, expected):
    assert next_pages(html, url) == expected


def test_next_pages_rel_next_comes_first_and_once():
    html = (
        '<a href="/n?page=3">3</a><a class="next" href="/n?page=3">›</a>'
        '<link rel="next" href="/n?page=3"><a href="/n?page=9">9</a>'
    )
    assert next_pages(html, "https://x.com/n?page=2") == ["https://x.com/n?page=3"]


@pytest.mark.parametrize(
    "url,n",
    [("https://x.com/a/page/3/", 3), ("https://x.com/a?page=12", 12), ("https://x.com/a?paged=2", 2),
     ("https://x.com/a", None), ("https://x.com/a?page=x", None), ("https://x.com/2024/05/20/page-one", None)],
)  # fmt: skip
def test_page_number(url, n):
    assert page_number(url) == n


def test_image_map_links_count_too():
    html = '<map><area href="/2024/05/20/map-story" alt="x"></map><a href="/a">a</a>'
    assert page_links(html, "https://x.com/") == ["https://x.com/2024/05/20/map-story", "https://x.com/a"]


def test_robots_with_bom_and_bytes():
    text = "\ufeffUser-agent: *\nCrawl-delay: 3\nSitemap: https://x.com/s.xml\n"
    assert crawl_delay(text, "newsbot") == 3.0
    assert robots_sitemaps(text.encode("utf-8"), "https://x.com/robots.txt") == ["https://x.com/s.xml"]
