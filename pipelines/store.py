"""Storage: idempotent upsert of each record (and its raw page) into the store.

Writes are grouped into transactions of NEWSBOT_COMMIT_EVERY records or NEWSBOT_COMMIT_SECONDS (defaults in
newsbot/settings.py) whichever comes first; each record is its own savepoint, so a
record the database rejects rolls back alone and the crawl goes on. A batch whose commit fails is counted
as store errors (not as new or updated articles) in the stats the run report reads. Records the store could
not take are kept in a local spool file and stored by the site's next crawl (pipelines/spool.py).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from scrapy.exceptions import DropItem

from newsbot import dedup
from newsbot import settings as defaults
from newsbot.record import ArticleRecord
from newsbot.store.core import StoreUnavailable
from pipelines.common import StorePipelineBase, as_page, bump, in_form_of, log, setting, setting_int
from pipelines.spool import Spool, replay, spool_dir


def _without_raw(record: ArticleRecord) -> ArticleRecord:
    kept = copy.copy(record)  # shallow: no field of a stored record changes afterwards
    kept.raw = None
    return kept


class StorePipeline(StorePipelineBase):
    def __init__(self, settings: Any = None, stats: Any = None, store: Any = None, *, seen: bool = True):
        super().__init__(settings, stats, store)
        self.seen = seen  # False for re-extraction: the page was not fetched again
        self.spool: Spool | None = None
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(settings=crawler.settings, stats=crawler.stats)
        pipeline.crawler = crawler  # its spider names the site (Scrapy no longer passes the spider)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        dedup.warm()  # the store signs records the de-duplication pipeline did not see
        self.commit_every = setting_int(self.settings, "NEWSBOT_COMMIT_EVERY", defaults.NEWSBOT_COMMIT_EVERY)
        self.commit_seconds = float(setting(self.settings, "NEWSBOT_COMMIT_SECONDS", defaults.NEWSBOT_COMMIT_SECONDS))
        self._pending = 0
        # (status, site, the record to keep should the commit fail) of the open batch's records
        self._uncommitted: list[tuple[str, str | None, ArticleRecord | None]] = []
        self._last_commit = time.monotonic()
        # unset (a run without a crawler): the store's own cache and waits (a crawl has newsbot/settings.py's)
        cache = setting(self.settings, "NEWSBOT_STORE_CACHE_MB", None)
        self.active_store.begin_batch(cache_mb=int(cache) if cache is not None else None)
        wait = setting(self.settings, "NEWSBOT_STORE_WAIT_SECONDS", None)
        if wait is not None:  # the store is written from the crawl's event loop: its waits freeze the crawl
            self.active_store.bound_waits(float(wait))
        self.spool = self._open_spool(spider)

    def _open_spool(self, spider: Any) -> Spool | None:
        """A crawl of a site keeps what the store cannot take, and first stores what an earlier one kept."""
        site = getattr(spider or getattr(self.crawler, "spider", None), "slug", None)
        if not self.seen or not site:  # re-extraction: the pages are in the store already
            return None
        directory = spool_dir(setting(self.settings, "NEWSBOT_DB", "") or None)
        statuses: list[tuple[str, str | None]] = []

        def store_one(record: ArticleRecord) -> None:
            statuses.append((self.active_store.upsert(record, seen=True), record.site))

        def commit() -> None:  # counted once stored: a replay the store refuses again is no store error
            try:
                self.active_store.commit()
                for status, where in statuses:
                    bump(self.stats, status, where)
            finally:
                statuses.clear()

        done, left = replay(directory, site, store_one, commit)
        if done:
            self.stats.inc_value(f"newsbot/site/{site}/replayed", done)
        if left:
            self.stats.inc_value(f"newsbot/site/{site}/spool_left", left)
        return Spool(directory, site, setting_int(self.settings, "NEWSBOT_SPOOL_MAX_MB", defaults.NEWSBOT_SPOOL_MAX_MB) * 2**20)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            try:
                self.store.end_batch()
            except Exception as exc:
                self._batch_lost(exc)
            else:
                self._uncommitted.clear()
        super().close_spider(spider)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        page = as_page(item)
        record = page.record
        # the store reads the raw page from the record (and may still, at the batch's commit)
        record.raw = page.stored_raw()
        try:
            status = self.active_store.upsert(record, seen=self.seen, signature=page.signature)
        except StoreUnavailable as exc:  # said once by the store; each record is only counted (and kept)
            bump(self.stats, "store_error", record.site)
            self._keep(record.to_json(), record.site)
            raise DropItem(f"store error: {exc}") from exc
        except Exception as exc:
            log.exception("could not store %s", record.url)
            bump(self.stats, "store_error", record.site)
            try:
                self.active_store.add_invalid(record, f"store-error: {type(exc).__name__}")
            except Exception:
                log.exception("could not keep %s aside either", record.url)
                self._keep(record.to_json(), record.site)  # the store takes nothing: kept on local disk
            raise DropItem(f"store error: {exc!r}") from exc
        bump(self.stats, status, record.site)
        # the record, should the batch's commit fail: written out only then (JSON for every record was a tenth of
        # the store pipeline's time); without its raw page, which the spool does not keep and memory need not
        self._uncommitted.append((status, record.site, _without_raw(record) if self.spool else None))
        self._pending += 1
        if self._pending >= self.commit_every or time.monotonic() - self._last_commit >= self.commit_seconds:
            self.flush()
        return in_form_of(item, page)

    def flush(self) -> None:
        try:
            self.active_store.commit()
        except Exception as exc:
            self._batch_lost(exc)
            raise
        finally:
            self._pending = 0
            self._last_commit = time.monotonic()
        self._uncommitted.clear()

    def _batch_lost(self, exc: Exception) -> None:
        """The batch's commit failed (a full disk, say) and rolled back: its records are not stored. Count
        them as store errors instead of new/updated, so that the run report says so; they are not in the
        store, so the next crawl fetches them again."""
        lost, self._uncommitted = self._uncommitted, []
        if not lost:  # nothing was waiting for this commit (the store said itself that it is unavailable)
            return
        where = f"kept in {self.spool.path} for the next crawl" if self.spool else "the next crawl fetches them again"
        log.error("could not commit %d stored records (%s): they are not stored; %s", len(lost), exc, where)
        for status, site, record in lost:
            self.stats.inc_value(f"newsbot/items/{status}", -1)
            self.stats.inc_value(f"newsbot/site/{site or 'unknown'}/{status}", -1)
            bump(self.stats, "store_error", site)
            if record is not None:
                self._keep(record.to_json(), site)

    def _keep(self, line: str, site: str | None) -> None:
        if self.spool is not None and self.spool.keep(line):
            bump(self.stats, "spooled", site)
            self.stats.set_value("newsbot/spool/path", str(self.spool.path))
