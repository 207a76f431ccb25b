"""What the pipelines share: settings access, the stats keys, and one store per URL per process."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import Any

from newsbot.crawled import CrawledPage
from newsbot.record import ArticleRecord
from newsbot.store import Store, open_store, resolve_url

log = logging.getLogger("newsbot.pipelines")

_stores: dict[str, list[Any]] = {}  # resolved URL -> [Store, users]
_lock = threading.Lock()


def acquire_store(url: str | None) -> Store:
    """The process's store for this URL, shared by the pipelines (one connection, one transaction batch)."""
    url = resolve_url(url or None)
    with _lock:
        entry = _stores.get(url)
        if entry is None:
            entry = _stores[url] = [open_store(url), 0]
        entry[1] += 1
        return entry[0]


def release_store(store: Store) -> None:
    with _lock:
        for url, entry in list(_stores.items()):
            if entry[0] is store:
                entry[1] -= 1
                if entry[1] <= 0:
                    del _stores[url]
                    store.close()
                return


class SimpleStats:
    """The part of Scrapy's StatsCollector the pipelines use, for runs without a crawler."""

    def __init__(self) -> None:
        self.values: Counter = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set_value(self, key: str, value: Any) -> None:  # the spool's path (pipelines/store.py)
        self.values[key] = value

    def get_stats(self) -> dict[str, Any]:
        return dict(self.values)


def bump(stats: Any, suffix: str, site: str | None) -> None:
    """newsbot/items/<suffix> and newsbot/site/<site>/<suffix> (the keys crawl summaries read)."""
    stats.inc_value(f"newsbot/items/{suffix}")
    stats.inc_value(f"newsbot/site/{site or 'unknown'}/{suffix}")


def setting(settings: Any, name: str, default: Any) -> Any:
    value = settings.get(name) if settings is not None else None
    return default if value in (None, "") else value


def setting_int(settings: Any, name: str, default: int) -> int:
    return int(setting(settings, name, default))


def setting_list(settings: Any, name: str) -> list[str]:
    value = setting(settings, name, [])
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split() if v]
    return [str(v) for v in value]


def as_record(item: Any) -> ArticleRecord:
    if isinstance(item, CrawledPage):
        return item.record
    if isinstance(item, ArticleRecord):
        return item
    if isinstance(item, dict):  # e.g. a feed re-import; the raw page cannot travel in a dict
        return ArticleRecord.from_dict(item)
    raise TypeError(f"not an article record: {type(item).__name__}")


def as_page(item: Any) -> CrawledPage:
    """The item as a crawled page: a bare record (re-extraction, archive imports, tests) carries its raw
    page, if any, on its own `raw` field and nothing computed ahead."""
    if isinstance(item, CrawledPage):
        return item
    record = as_record(item)
    return CrawledPage(record, raw=record.raw)


def in_form_of(item: Any, page: CrawledPage) -> Any:
    """What a pipeline returns: a crawled page stays one (the next pipeline reads its fields); any other item
    comes back as its record."""
    return page if isinstance(item, CrawledPage) else page.record


class StorePipelineBase:
    """A pipeline that talks to the store: shares the process's store for NEWSBOT_DB, or a given one."""

    def __init__(self, settings: Any = None, stats: Any = None, store: Store | None = None):
        self.settings = settings
        self.stats = stats if stats is not None else SimpleStats()
        self.store = store
        self._owns_store = store is None

    @property
    def active_store(self) -> Store:
        """The store, between open_spider and close_spider (or given at construction)."""
        if self.store is None:
            raise RuntimeError(f"{type(self).__name__}: no store outside open_spider/close_spider")
        return self.store

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipelineBase:
        return cls(settings=crawler.settings, stats=crawler.stats)

    def open_spider(self, spider: Any = None) -> None:
        if self.store is None:
            self.store = acquire_store(setting(self.settings, "NEWSBOT_DB", ""))

    def close_spider(self, spider: Any = None) -> None:
        if self._owns_store and self.store is not None:
            release_store(self.store)
            self.store = None
