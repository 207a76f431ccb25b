"""One fetched page -> (record, extraction error, page signals): what the spider decides on.

Imports no Scrapy: plain bytes in, plain values out (so it could run in another process).
"""

from __future__ import annotations

from newsbot.extract import ExtractionError, extract
from newsbot.record import ArticleRecord
from spiders.pagesignals import PageSignals, page_signals


def analyse_page(
    body: bytes, url: str, headers: dict[str, str], encoding: str | None, slug: str, want_record: bool
) -> tuple[ArticleRecord | None, str | None, PageSignals]:
    """(record or None, extraction error reason or None, page signals) for one fetched page."""
    html = body.decode(encoding or "utf-8", "replace")
    signals = page_signals(html)
    if not want_record:
        return None, None, signals
    try:
        return extract(body, url=url, headers=headers, site=slug), None, signals
    except ExtractionError as exc:
        return None, exc.reason, signals
