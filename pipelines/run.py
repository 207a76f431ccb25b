"""The pipelines without Scrapy's crawler: for re-extraction, imports, tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.exceptions import DropItem

from newsbot.record import ArticleRecord
from newsbot.store import Store
from pipelines.common import SimpleStats, log
from pipelines.dedup import DedupPipeline
from pipelines.normalise import NormalisePipeline
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline

BULK_DEFAULTS = {"NEWSBOT_COMMIT_EVERY": 1000, "NEWSBOT_COMMIT_SECONDS": 30}


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
    records: Iterable[ArticleRecord],
    store: Store,
    *,
    settings: Any = None,
    stats: Any = None,
    seen: bool = True,
) -> dict[str, Any]:
    """Push records through the four pipelines into `store`; returns the stats (newsbot/items/... keys)."""
    stats = stats if stats is not None else SimpleStats()
    # a bulk run commits in larger groups than a crawl (fewer rewrites of the same index pages)
    settings = {**BULK_DEFAULTS, **(dict(settings) if settings else {})}
    chain = build(store, settings=settings, stats=stats, seen=seen)
    for pipe in chain:
        if hasattr(pipe, "open_spider"):
            pipe.open_spider()
    try:
        for record in records:
            item: Any = record
            try:
                for pipe in chain:
                    item = pipe.process_item(item)
            except DropItem:
                continue  # already kept aside and counted by the pipeline that dropped it
            except Exception:  # one bad record never stops the run
                log.exception("pipeline failed on %s", getattr(record, "url", record))
                stats.inc_value("newsbot/items/error")
    finally:
        for pipe in reversed(chain):
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()
    return stats.get_stats()
