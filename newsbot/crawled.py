"""The item a crawl hands its pipelines: one article page and what was already computed for it.

The crawler's analysis workers do per-page work the pipelines would otherwise repeat on the crawler's one
core (the WARC form of the response, the body's MinHash signature); the de-duplication pipeline computes
the signature the store pipeline then keeps. Each is a declared field here, read by name.

Feed exports and every `ItemAdapter` reader see a CrawledPage as its record's exported fields only
(`CrawledPageAdapter`): `scrapy crawl news -O x.jsonl` gives the record shape, never the raw page.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, KeysView
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from itemadapter import ItemAdapter
from itemadapter.adapter import AdapterInterface

from newsbot.dedup import SignedAhead
from newsbot.record import ArticleRecord, RawPage


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


_EXPORTED = tuple(ArticleRecord.field_names())
_EXPORTED_SET = frozenset(_EXPORTED)


class CrawledPageAdapter(AdapterInterface):
    """A CrawledPage as a mapping of its record's exported fields (the JSONL shape)."""

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return issubclass(item_class, CrawledPage)

    @classmethod
    def get_field_names_from_class(cls, item_class: type) -> list[str] | None:
        return list(_EXPORTED)

    @classmethod
    def get_field_meta_from_class(cls, item_class: type, field_name: str) -> MappingProxyType:
        if field_name not in _EXPORTED_SET:
            raise KeyError(f"CrawledPage does not support field: {field_name}")
        return MappingProxyType({})

    def __getitem__(self, name: str) -> Any:
        if name not in _EXPORTED_SET:
            raise KeyError(name)
        return getattr(self.item.record, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in _EXPORTED_SET:
            raise KeyError(f"CrawledPage does not support field: {name}")
        setattr(self.item.record, name, value)

    def __delitem__(self, name: str) -> None:
        raise KeyError(f"a record field cannot be deleted: {name}")

    def __iter__(self) -> Iterator[str]:
        return iter(_EXPORTED)

    def __len__(self) -> int:
        return len(_EXPORTED)

    def field_names(self) -> KeysView:
        return self.keys()


# ahead of the dataclass adapter, which would otherwise expose record/raw/packed as the item's fields
_adapters = ItemAdapter.ADAPTER_CLASSES  # a deque, documented as the way to add an adapter
if isinstance(_adapters, deque) and CrawledPageAdapter not in _adapters:
    _adapters.appendleft(CrawledPageAdapter)
