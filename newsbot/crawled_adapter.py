"""A CrawledPage seen through itemadapter (feed exports, the health pipeline): its record's exported fields.

Importing this module registers the adapter; spiders/news.py and pipelines/health.py do.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, KeysView
from types import MappingProxyType
from typing import Any

from itemadapter import ItemAdapter
from itemadapter.adapter import AdapterInterface

from newsbot.crawled import CrawledPage
from newsbot.record import ArticleRecord

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
