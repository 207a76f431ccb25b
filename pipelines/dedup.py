"""De-duplication: links a record to the earlier article it repeats (exact body or MinHash/LSH near match).

Duplicates are linked (duplicate_of, cluster_id), not dropped: the store keeps every copy and the
export chooses. Re-crawls of the same URL are not duplicates: the store updates them in place.
The signature used here travels to the store pipeline on the item (`CrawledPage.signature`).
"""

from __future__ import annotations

from typing import Any

from newsbot import dedup
from newsbot.store import record_key
from pipelines.common import StorePipelineBase, as_page, bump, in_form_of, log


class DedupPipeline(StorePipelineBase):
    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        dedup.warm()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        page = as_page(item)
        record = page.record
        try:
            page.signature = sig = dedup.signature_for(record, page.signed_ahead)
            match = self.active_store.find_duplicate(record, sig)
        except Exception:  # linking is an enrichment: never lose the record over it
            log.exception("de-duplication failed for %s", record.url)
            self.stats.inc_value("newsbot/dedup/errors")
            return in_form_of(item, page)
        if match is None:
            record.duplicate_of = None
            record.cluster_id = dedup.cluster_id_for(record_key(record))
        else:
            record.duplicate_of = match.key
            record.cluster_id = match.cluster_id
            bump(self.stats, "near_duplicate", record.site)
            self.stats.inc_value(f"newsbot/dedup/{match.method}")
        return in_form_of(item, page)
