"""Meta-refresh redirects: Scrapy's middleware, asked only of pages whose head can hold one (the crawler process
never decodes the other pages' text). Scrapy's own MetaRefreshMiddleware is the oracle."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from spiders.middlewares import META_REFRESH_HEAD_BYTES, HeadMetaRefreshMiddleware
from tests.support.crawl import article_html, crawl, html_route, listing_html
from tests.support.httpserver import LocalServer, Route

URL = "https://example.com/old/story"
ARABIC = "خبر عاجل عن المحادثات في العاصمة " * 60  # ~2 KB of characters, ~3.5 KB of UTF-8 bytes


def _page(head: str, body: str = "<p>نص</p>") -> str:
    return f'<!doctype html><html lang="ar"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


REFRESH = '<meta http-equiv="refresh" content="0; url=/new/story">'
PAGES = {
    "plain refresh": (_page(REFRESH), "utf-8"),
    "upper case": (_page('<META HTTP-EQUIV="REFRESH" CONTENT="0;URL=/new/story">'), "utf-8"),
    "character references": (_page('<meta http-equiv="&#114;efresh" content="0; url=/new/story">'), "utf-8"),
    "after 3.7K Arabic characters": (_page(f"<title>{(ARABIC * 2)[:3650]}</title>{REFRESH}"), "utf-8"),
    "UTF-16": (_page(REFRESH).replace('charset="utf-8"', 'charset="utf-16"'), "utf-16"),
    "windows-1256": (_page(f"<title>{ARABIC[:500]}</title>{REFRESH}").replace("utf-8", "windows-1256"),
                     "windows-1256"),
    "no refresh": (_page(f"<title>{ARABIC}</title>", "<p>" + ARABIC * 20 + "</p>"), "utf-8"),
    "refresh in the body, past the head": (_page("", "<p>" + ARABIC * 20 + "</p>" + REFRESH), "utf-8"),
    "refresh too slow to follow": (_page('<meta http-equiv="refresh" content="900; url=/new/story">'), "utf-8"),
    "refresh inside a script": (_page(f"<script>var a = '{REFRESH}';</script>"), "utf-8"),
}


def _middlewares():
    crawler = get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100})
    return MetaRefreshMiddleware.from_crawler(crawler), HeadMetaRefreshMiddleware.from_crawler(crawler)


def _answer(mw, text: str, encoding: str):
    body = text.encode(encoding)
    response = HtmlResponse(URL, body=body, headers={"Content-Type": f"text/html; charset={encoding}"})
    out = mw.process_response(Request(URL), response)
    return ("redirect", out.url) if isinstance(out, Request) else ("page", out is response)


@pytest.mark.parametrize("name", list(PAGES))
def test_same_answer_as_scrapys_meta_refresh(name):
    scrapy_mw, ours = _middlewares()
    text, encoding = PAGES[name]
    assert _answer(ours, text, encoding) == _answer(scrapy_mw, text, encoding)


def test_the_cases_cover_both_answers():
    scrapy_mw, _ours = _middlewares()
    answers = {name: _answer(scrapy_mw, *PAGES[name])[0] for name in PAGES}
    assert answers["plain refresh"] == answers["UTF-16"] == answers["character references"] == "redirect"
    assert answers["after 3.7K Arabic characters"] == answers["windows-1256"] == "redirect"
    assert answers["no refresh"] == answers["refresh in the body, past the head"] == "page"
    assert len(PAGES["refresh in the body, past the head"][0].encode()) > META_REFRESH_HEAD_BYTES


class _CountedText(HtmlResponse):
    """An HtmlResponse that counts the reads of its decoded text."""

    reads = 0

    @property
    def text(self) -> str:
        type(self).reads += 1
        return super().text


def test_a_page_without_a_refresh_is_not_decoded():
    scrapy_mw, ours = _middlewares()
    text, encoding = PAGES["no refresh"]
    for mw, reads in ((ours, 0), (scrapy_mw, 1)):  # Scrapy's reads the text: the thing saved
        _CountedText.reads = 0
        response = _CountedText(URL, body=text.encode(encoding), headers={"Content-Type": "text/html; charset=utf-8"})
        assert mw.process_response(Request(URL), response) is response
        assert (_CountedText.reads > 0) == bool(reads)


def test_a_crawl_follows_a_meta_refresh(tmp_path):
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", ["/news/2026/03/01/old-address-of-the-story"])))
        srv.add("/news/2026/03/01/old-address-of-the-story",
                Route.html(_page('<meta http-equiv="&#114;efresh" content="0; url=/news/2026/03/01/the-story">')))
        srv.add("/news/2026/03/01/the-story", html_route(article_html("الخبر بعد التحويل")))
        run = crawl(tmp_path, srv.url("/")).check()
        assert srv.hits("/news/2026/03/01/the-story") == 1
        assert [r["title"] for r in run.records] == ["الخبر بعد التحويل"]
