"""One fetched page -> what the spider decides on: record, extraction error, page signals, and the parsed
tree for link discovery. The page is decoded and parsed once; extraction, signals and links all read it.

Imports no Scrapy: plain bytes in, plain values out (so it could run in another process).
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import ExtractionError, extract_parsed, parse_page
from newsbot.record import ArticleRecord
from spiders.pagesignals import PageSignals, page_signals


@dataclass
class PageAnalysis:
    record: ArticleRecord | None
    error: str | None  # ExtractionError reason (e.g. "no-body", "too-deep")
    signals: PageSignals
    tree: LexborHTMLParser | None  # None when the page could not be parsed safely (then: no links either)


_NO_SIGNALS = PageSignals(None, None, None)


def analyse_page(body: bytes, url: str, headers: dict[str, str], slug: str, want_record: bool) -> PageAnalysis:
    try:
        page = parse_page(body, headers)
    except ExtractionError as exc:
        return PageAnalysis(None, exc.reason, _NO_SIGNALS, None)
    signals = page_signals(page.tree)
    if not want_record:
        return PageAnalysis(None, None, signals, page.tree)
    try:
        return PageAnalysis(extract_parsed(page, url=url, site=slug), None, signals, page.tree)
    except ExtractionError as exc:
        return PageAnalysis(None, exc.reason, signals, page.tree)
