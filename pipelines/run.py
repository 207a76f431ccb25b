"""The pipelines without Scrapy's crawler: for re-extraction, imports, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.exceptions import DropItem

from newsbot.crawled import CrawledPage
from newsbot.heap import long_run_collector
from newsbot.record import ArticleRecord
from newsbot.store import Store
from pipelines.common import SimpleStats, as_page, log
from pipelines.dedup import DedupPipeline
from pipelines.normalise import NormalisePipeline
from pipelines.prepare import prepared
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline

# A bulk run (no crawler) commits in larger groups than a crawl (newsbot/settings.py NEWSBOT_COMMIT_EVERY / _SECONDS,
# the base defaults): fewer rewrites of the same index pages. Per store dialect; 1000 elsewhere.
BULK_DEFAULTS = {"NEWSBOT_COMMIT_EVERY": 1000, "NEWSBOT_COMMIT_SECONDS": 30}
# SQLite writes every page a transaction dirtied into its WAL at commit, and a batch's LSH band rows land all
# over the band index: each commit rewrites most of that index (35 MB at 100,000 articles), so fewer, larger
# commits save most of that I/O. It keeps no replay log (PostgreSQL's holds the batch's records and raw pages).
BULK_COMMIT_EVERY = {"sqlite": 5000}


def build(store: Store, *, settings: Any = None, stats: Any = None, seen: bool = True) -> list[Any]:
    """validate -> normalise -> de-duplicate -> store, in the order settings.ITEM_PIPELINES gives."""
    stats = stats if stats is not None else SimpleStats()
    return [
        ValidatePipeline(settings, stats, store),
        NormalisePipeline(),
        DedupPipeline(settings, stats, store),
        StorePipeline(settings, stats, store, seen=seen),
    ]


def run_records(
    records: Iterable[ArticleRecord | CrawledPage],
    store: Store,
    *,
    settings: Any = None,
    stats: Any = None,
    seen: bool = True,
    processes: int | None = None,
) -> dict[str, Any]:
    """Push records through the four pipelines into `store`; returns the stats (newsbot/items/... keys).

    processes: helper processes that prepare records ahead once the run is a bulk one (pipelines/prepare.py);
    None = one per spare core (up to 2), 0 = none."""
    stats = stats if stats is not None else SimpleStats()
    # a bulk run commits in larger groups than a crawl (fewer rewrites of the same index pages)
    bulk = {**BULK_DEFAULTS, "NEWSBOT_COMMIT_EVERY": BULK_COMMIT_EVERY.get(store.dialect, 1000)}
    settings = {**bulk, **(dict(settings) if settings else {})}
    chain = build(store, settings=settings, stats=stats, seen=seen)
    for pipe in chain:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    try:
        with long_run_collector():  # after opening: what the pipelines load on opening is frozen too
            _run(chain, prepared(records, processes), stats)
    finally:
        for pipe in reversed(chain):
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()
    return stats.get_stats()


def _run(chain: list[Any], records: Iterable[ArticleRecord | CrawledPage], stats: Any) -> None:
    for record in records:
        try:
            # as a crawled page: what one pipeline computes (the signature) reaches the next by name
            item: Any = as_page(record)
            for pipe in chain:
                item = pipe.process_item(item)
        except DropItem:
            continue  # already kept aside and counted by the pipeline that dropped it
        except Exception:  # one bad record never stops the run
            log.exception("pipeline failed on %s", getattr(record, "url", record))
            stats.inc_value("newsbot/items/error")
