"""The page decides its kind: a URL that looks like a section or "other" never keeps an article out of the store."""

from __future__ import annotations

from tests.support.crawl import crawl
from tests.support.httpserver import LocalServer, Route

PARAS = [
    "The city council approved a new plan for the old harbour on Monday, after two years of public meetings "
    "and a long debate about housing, parks and the future of the fishing fleet.",
    "Under the plan, the warehouses along the quay will be turned into homes and workshops, and a new bridge "
    "will link the harbour to the railway station on the other side of the river.",
    "Residents who spoke at the meeting welcomed the park but asked for more affordable homes, and several "
    "fishermen said they feared losing the berths their families have used for generations.",
    "The mayor said the first works would start next spring and that the fishing berths would stay where they "
    "are, with new cold stores built for the catch before any homes are finished.",
    "The plan will be put on display at the town hall for six weeks, and anyone may send comments before the "
    "council takes its final vote in the autumn.",
]


def article(title: str, og: bool = True) -> str:
    meta = '<meta property="og:type" content="article">' if og else ""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f'<html><head><meta charset="utf-8"><title>{title}</title>{meta}</head><body>'
            f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}</article></body></html>')


def test_articles_on_section_and_other_looking_urls_are_stored(tmp_path):
    routes = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        "/": Route(body='<html><body><a href="/ar/555">Harbour plan</a> <a href="/news/1.html">Bridge</a> '
                        '<a href="/details/2024/1/1/55">Fishing berths</a> <a href="/sport">Sport</a></body></html>'),
        "/ar/555": Route(body=article("Harbour plan approved after two years")),
        "/news/1.html": Route(body=article("A new bridge for the harbour")),
        "/details/2024/1/1/55": Route(body=article("Fishing berths will stay", og=False)),
        "/sport": Route(body='<html><body><h1>Sport</h1>' + "".join(
            f'<div><a href="/sport/{i}">Match report number {i} of the season</a></div>' for i in range(12))
            + "</body></html>"),
    }
    with LocalServer(routes) as srv:
        run = crawl(tmp_path, srv.url("/")).check()
    stored = {r["url"].split(srv.url(""), 1)[-1].lstrip("/") for r in run.records}
    assert {"ar/555", "news/1.html", "details/2024/1/1/55"} <= stored, stored
    assert "sport" not in stored  # a real section page stays a listing


def _says_article_in_json_ld(title: str, ld: str) -> str:
    """An article page whose og:type says website (as on every page of many sites) and whose JSON-LD says article."""
    page = article(title, og=False)
    return page.replace("</head>", '<meta property="og:type" content="website">'
                        f'<script type="application/ld+json">{ld}</script></head>')


def test_an_article_declared_in_json_ld_is_stored_on_a_section_looking_url(tmp_path):
    # once the crawler read JSON-LD with its own parser and type list: a schema.org article type it did not list, or
    # a block with a trailing comma (extraction repairs it), left only og:type=website, and the page was a "section"
    routes = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
        "/": Route(body='<html><body><a href="/ar/556">Harbour questions</a> <a href="/ar/557">Quay</a></body></html>'),
        "/ar/556": Route(body=_says_article_in_json_ld(
            "Readers ask about the harbour plan", '{"@type": "AskPublicNewsArticle", "headline": "Readers ask"}')),
        "/ar/557": Route(body=_says_article_in_json_ld(
            "The quay after the vote", '{"@type": "NewsArticle", "headline": "The quay after the vote",}')),
    }
    with LocalServer(routes) as srv:
        run = crawl(tmp_path, srv.url("/")).check()
    stored = {r["url"].split(srv.url(""), 1)[-1].lstrip("/") for r in run.records}
    assert {"ar/556", "ar/557"} <= stored, stored
