"""The item a crawl hands its pipelines: one article page and what was already computed for it.

The crawler's analysis workers do per-page work the pipelines would otherwise repeat on the crawler's one
core (the WARC form of the response, the body's MinHash signature); the de-duplication pipeline computes
the signature the store pipeline then keeps. Each is a declared field here, read by name.

Feed exports and every `ItemAdapter` reader see a CrawledPage as its record's exported fields only
(newsbot/crawled_adapter.py, registered by the spider and the pipelines that read items through ItemAdapter):
`scrapy crawl news -O x.jsonl` gives the record shape, never the raw page. Kept apart because importing
itemadapter costs about 0.3 s, which commands that only read records need not pay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from newsbot.record import ArticleRecord, RawPage

if TYPE_CHECKING:  # newsbot.dedup imports numpy: not for commands that only read records
    from newsbot.dedup import SignedAhead


@dataclass
class CrawledPage:
    record: ArticleRecord
    raw: RawPage | None = None  # the response as fetched (None: a record from elsewhere, e.g. a feed re-import)
    packed: bytes | None = None  # `raw` as the store keeps it (newsbot.store.warc.encode_raw), made ahead
    signed_ahead: SignedAhead | None = None  # (content_hash, signature, band buckets) made ahead of the pipelines
    signature: bytes | None = None  # the MinHash signature the de-duplication pipeline used (the store keeps it)

    @property
    def kind(self) -> str:
        """The page's kind (article | liveblog): the record's own exported field, so the two cannot differ."""
        return self.record.kind

    def stored_raw(self) -> RawPage | None:
        """The raw page in the form the store takes (its WARC form attached when it was made ahead)."""
        raw = self.raw
        if raw is None or self.packed is None or raw.packed is not None:
            return raw
        return replace(raw, packed=self.packed)


def record_of(item: Any) -> ArticleRecord | None:
    """The article record an item carries (None: not an article item)."""
    if isinstance(item, CrawledPage):
        return item.record
    return item if isinstance(item, ArticleRecord) else None
