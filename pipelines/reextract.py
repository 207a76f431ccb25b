"""Re-extraction: run the current extractor over the raw pages kept in the store, without re-crawling.

Each stored response (a WARC record) is decompressed, given to `newsbot.extract.extract` (the only
HTML parsing on the storage side) and the new record goes through the same pipelines as a crawl,
with seen=False: last_seen and the raw page stay as they were, the record and its
extractor_version are updated in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsbot.record import ArticleRecord
from newsbot.store import Store
from pipelines.common import SimpleStats, log
from pipelines.run import run_records


def _records(store: Store, ids: list[int], stats: Any) -> Iterator[ArticleRecord]:
    from newsbot.extract import ExtractionError, extract

    for article_id in ids:
        try:
            found = store.raw_page(article_id)
        except OSError as exc:  # a raw page kept as a place in an archive file that was moved or deleted since
            log.warning("raw page of article %s not readable: %s", article_id, exc)
            stats.inc_value("newsbot/reextract/raw_missing")
            continue
        if found is None:
            continue
        url, site, raw = found
        stats.inc_value("newsbot/reextract/pages")
        try:
            # read in the layout its site served when it was fetched (a site profile's versions)
            record = extract(raw.body, url=raw.url or url, headers=raw.headers, site=site, fetched=raw.fetched_at)
        except ExtractionError as exc:
            stats.inc_value(f"newsbot/reextract/extract_error/{exc.reason}")
            stats.inc_value("newsbot/reextract/extract_error")
            continue
        except Exception:  # an extractor bug on one page must not end the re-extraction
            log.exception("extractor failed on stored page %s", url)
            stats.inc_value("newsbot/reextract/extract_error")
            continue
        record.url = url  # the stored identity, whatever URL the page now claims
        record.raw = raw
        yield record


def reextract(store: Store, *, sites: list[str] | None = None, since: str | None = None,
              settings: Any = None, stats: Any = None) -> dict[str, Any]:
    """Re-extract the stored pages (of these sites, fetched at or after `since`); returns the stats."""
    stats = stats if stats is not None else SimpleStats()
    ids = store.raw_ids(sites=sites, since=since)
    return run_records(_records(store, ids, stats), store, settings=settings, stats=stats, seen=False)
