"""One place decides what a page is (newsbot/extract/pagekind.py): extraction and the crawler read the same claim."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from newsbot.extract import jsonld, parse_page
from newsbot.extract.metadata import extract_metadata
from newsbot.extract.pagekind import Claim, claim_of, decide, link_density

NOW = datetime(2026, 12, 7, tzinfo=UTC)
PROSE = "".join(
    f"<p>The council met on Monday to discuss the harbour plan, part {i}, and voted after a long debate about "
    f"housing, parks and the fishing fleet that has used the old quay for generations.</p>" for i in range(5))


def _page(head: str = "", ld: object | str | None = None) -> str:
    script = ""
    if ld is not None:
        text = ld if isinstance(ld, str) else json.dumps(ld)
        script = f'<script type="application/ld+json">{text}</script>'
    return (f"<html><head><title>Harbour plan</title>{head}{script}</head>"
            f"<body><article><h1>Harbour plan approved</h1>{PROSE}</article></body></html>")


def _both(html: str, url: str = "") -> tuple[Claim, Claim]:
    """(the claim extraction's metadata made, the claim the crawler reads afterwards) of one page."""
    tree = parse_page(html).tree
    meta = extract_metadata(tree, url, NOW)
    return Claim(meta.is_article, meta.kind, meta.sources["kind"]), claim_of(tree, urlsplit(url).path.lower())


@pytest.mark.parametrize("html,says", [
    # a type the crawler's own list used to miss
    (_page(ld={"@type": "AskPublicNewsArticle", "headline": "Harbour plan approved"}), True),
    # a block that needs a repair (trailing comma) beside og:type=website: the article object still speaks
    (_page('<meta property="og:type" content="website">', '{"@type": "BlogPosting", "headline": "x",}'), True),
    # the article as a WebPage's mainEntity
    (_page(ld={"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "Harbour"}}), True),
    (_page('<meta name="og:type" content="news">'), True),
    (_page('<meta property="og:type" content="video.other">'), False),
    (_page(ld=[{"@type": "WebSite", "name": "x"}, {"@type": "Organization", "name": "x"}]), False),
    (_page(), None),
    (_page(ld={"@type": "Person", "name": "x"}), None),
])  # fmt: skip
def test_extraction_and_crawler_read_one_claim(html, says):
    meta_claim, crawler_claim = _both(html)
    assert meta_claim == crawler_claim
    assert crawler_claim.is_article is says


def test_the_json_ld_is_parsed_once_per_page():
    tree = parse_page(_page(ld={"@type": "NewsArticle", "headline": "Harbour plan approved"})).tree
    first = jsonld.page_nodes(tree)
    assert jsonld.page_nodes(tree) is first
    other = parse_page(_page(ld={"@type": "WebSite", "name": "x"})).tree
    assert jsonld.types_of(jsonld.page_nodes(other)[0]) == {"website"}  # a new tree is read afresh


@pytest.mark.parametrize("html,url", [
    (_page(ld={"@type": "LiveBlogPosting", "headline": "Harbour vote, live"}), ""),
    (_page(ld={"@graph": [{"@type": "WebPage"}, {"@type": "LiveBlogPosting", "headline": "x"}]}), ""),
    (_page('<meta name="contenttype" content="LiveBlog">'), ""),
    (_page(), "https://x.com/news/liveblog/2024/5/20/harbour"),
])  # fmt: skip
def test_a_live_blog_is_told_by_its_type_meta_or_path(html, url):
    meta_claim, crawler_claim = _both(html, url)
    assert meta_claim == crawler_claim and crawler_claim.hint == "liveblog"


def test_a_page_that_says_article_is_kept_whatever_its_url_looks_like():
    claim = claim_of(parse_page(_page('<meta property="og:type" content="article">')).tree)
    for url_kind in ("section", "other", "article"):
        verdict = decide(claim, url_kind, body_words=120, link_density=0.05)
        assert verdict.kind == "article" and verdict.is_record, (url_kind, verdict)
        assert "og:type article" in verdict.reason


def test_a_listing_that_says_article_stays_a_listing_without_running_prose():
    claim = Claim(True, None, "og:type article")
    verdict = decide(claim, "tag", body_words=20, link_density=0.8)
    assert verdict.kind == "tag" and not verdict.is_record


def test_link_density_of_a_listing_and_an_article():
    listing = parse_page("<html><body>" + "".join(
        f'<div><a href="/n/{i}">Story number {i} of the day</a></div>' for i in range(10)) + "</body></html>").tree
    article = parse_page(_page()).tree
    assert (link_density(listing) or 0) > 0.9
    assert link_density(article) == 0.0


def test_link_density_is_measured_only_when_the_verdict_depends_on_it():
    """Measuring it reads the whole page's text again: an article on an article URL (most of a crawl) never needs it;
    a long text that says article on a listing URL, or a page that says nothing, does."""
    from newsbot.extract.options import DEFAULTS

    listing = parse_page("<html><body>" + "".join(
        f'<div><a href="/n/{i}">Story number {i} of the day, and more words about it here</a></div>'
        for i in range(40)) + "</body></html>").tree
    asked: list[str] = []

    def measured() -> float | None:
        asked.append("measured")
        return link_density(listing)

    says_article = Claim(True, None, "og:type article")
    assert decide(says_article, "article", body_words=400, link_density=measured).kind == "article"
    assert decide(says_article, "tag", body_words=20, link_density=measured).kind == "tag"  # too short anyway
    assert asked == []
    long_enough = DEFAULTS.listing_max_words + 50
    assert decide(says_article, "section", body_words=long_enough, link_density=measured).kind == "section"
    assert asked == ["measured"]  # dense: a listing after all
    assert decide(Claim(None, None, "nothing said"), "other", body_words=long_enough,
                  link_density=measured).kind == "other"
    assert asked == ["measured", "measured"]
