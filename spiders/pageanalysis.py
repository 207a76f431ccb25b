"""One fetched page -> what the spider decides on: record, extraction error, page kind and the links worth
following. The page is decoded and parsed once; extraction, the page's kind (newsbot.extract.pagekind, over
extraction's own JSON-LD parse) and links all read it.

Imports no Scrapy: plain bytes in, plain (picklable) values out, so it runs in the crawler process or in an
extraction worker process alike (spiders/analysis_pool.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from newsbot import dedup
from newsbot.extract import ExtractionError, extract_parsed, parse_page
from newsbot.record import ArticleRecord, RawPage
from newsbot.store.warc import encode_raw
from spiders.classify import RECORD_KINDS, page_kind
from spiders.discovery.bounds import DiscoveryBounds
from spiders.discovery.feeds import feed_links
from spiders.discovery.links import next_pages, page_links


@dataclass
class PageAnalysis:
    record: ArticleRecord | None
    error: str | None  # ExtractionError reason (e.g. "no-body", "too-deep")
    tree: LexborHTMLParser | None  # None when the page could not be parsed safely (then: no links either)


@dataclass
class PageOutcome:
    """What the spider needs from a page, without the parsed tree (which cannot leave its process)."""

    record: ArticleRecord | None  # set only when the page is an article or liveblog (`kind`)
    error: str | None
    kind: str  # the page's kind: the URL's kind, refined by the page's own signals when it has an article
    kind_reason: str = ""  # why the page got that kind (pagekind.Verdict.reason), when it had an article body
    feeds: list[str] = field(default_factory=list)  # <link rel=alternate> feeds (listing pages only)
    next_pages: list[str] = field(default_factory=list)  # pagination (listing pages only)
    links: list[str] = field(default_factory=list)  # every <a href> link, in document order
    packed_raw: bytes | None = None  # the page as the store keeps it (CrawledPage.packed), for a record
    signed: dedup.SignedAhead | None = None  # the record body's signature (CrawledPage.signed_ahead)


def analyse_page(body: bytes, url: str, headers: dict[str, str], slug: str, want_record: bool) -> PageAnalysis:
    try:
        page = parse_page(body, headers)
    except ExtractionError as exc:
        return PageAnalysis(None, exc.reason, None)
    if not want_record:
        return PageAnalysis(None, None, page.tree)
    try:
        return PageAnalysis(extract_parsed(page, url=url, site=slug), None, page.tree)
    except ExtractionError as exc:
        return PageAnalysis(None, exc.reason, page.tree)


def page_outcome(
    body: bytes,
    url: str,
    headers: dict[str, str],
    slug: str,
    *,
    url_kind: str,
    want_record: bool,
    links_of_articles: bool,
    raw: dict | None = None,
    bounds: DiscoveryBounds | None = None,
) -> PageOutcome:
    """Analyse, classify and collect links. links_of_articles: read an article's links too (a site with no
    sitemap or feed lists its articles only through them); a listing's links are always read.

    raw (status, fetched_at, request_url of the response): for a record, also do here the per-page work the
    store pipelines would otherwise do on the crawler's one core: pack the raw page (WARC, compressed) and
    compute the body's MinHash signature (reused by the dedup pipeline while the body stays unchanged).
    bounds: the crawl's NEWSBOT_MAX_FEED_LINKS / NEWSBOT_MAX_NEXT_PAGES (None: their defaults)."""
    page = analyse_page(body, url, headers, slug, want_record)
    record, kind, why = page.record, url_kind, ""
    if record is not None and page.tree is not None:
        verdict = page_kind(url, page.tree, record.word_count)
        kind, why = verdict.kind, verdict.reason
        if kind not in RECORD_KINDS:
            record = None
    out = PageOutcome(record, page.error, kind, kind_reason=why)
    if record is not None and raw is not None:
        out.packed_raw = encode_raw(RawPage(url=url, body=body, headers=headers, **raw))
        out.signed = dedup.signed_ahead(record.content_hash, record.body)
    tree = page.tree
    if tree is not None and (record is None or links_of_articles):
        if record is None:
            bounds = bounds or DiscoveryBounds()
            out.feeds = feed_links(tree, url, bounds.feed_links)
            out.next_pages = next_pages(tree, url, bounds.next_pages)
        out.links = page_links(tree, url)
    return out
