"""The one article record type shared by extraction, crawling, storage and export.

A plain dataclass: Scrapy accepts dataclass instances as items (via itemadapter), the store
maps it to columns, and `to_json` gives the exported JSONL shape. Nothing here imports Scrapy.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class RawPage:
    """A fetched response as the crawler saw it; kept (compressed) by the store for re-extraction."""

    url: str  # final URL, after redirects
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    fetched_at: str | None = None  # ISO 8601 UTC
    request_url: str | None = None  # the URL asked for, before redirects
    # the store's compressed form of this page (a WARC record), when it was made ahead of storing: the crawler
    # packs pages in its extraction worker processes, where the CPU is free (newsbot.store.warc.encode_raw)
    packed: bytes | None = field(default=None, repr=False, compare=False)
    # (file, offset, length) of the WARC record an archive run read this page from: the store keeps that place
    # instead of a copy of the page (newsbot/archive/)
    source: tuple[str, int, int] | None = field(default=None, compare=False)


@dataclass
class ArticleRecord:
    # identity
    url: str = ""  # URL fetched, after redirects
    canonical_url: str | None = None  # as the page declares it (<link rel=canonical>, og:url, JSON-LD)
    site: str | None = None  # registry slug or host
    kind: str = "article"  # article | liveblog
    # content
    lang: str | None = None  # detected from the body text (ISO 639-1)
    title: str | None = None  # visible headline
    description: str | None = None  # standfirst / dek
    body: str = ""  # plain text, paragraphs separated by a blank line
    # dates: ISO 8601, with UTC offset when the page gives or implies one
    published: str | None = None
    modified: str | None = None
    published_raw: str | None = None  # the date text as found (Hijri, Arabic month names, ...)
    # people and places
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    # derived
    word_count: int = 0
    content_hash: str | None = None  # sha256 of the normalised body
    extracted_at: str | None = None  # ISO 8601 UTC
    # provenance / diagnostics
    extractor_version: str | None = None
    strategy: str | None = None  # which strategy produced the body (dom, jsonld, appstate, profile:<slug>, trafilatura)
    confidence: float = 0.0  # 0..1
    encoding: str | None = None  # how the bytes were decoded
    warnings: list[str] = field(default_factory=list)
    # storage-side links (filled by the de-duplication pipeline)
    duplicate_of: str | None = None
    cluster_id: str | None = None
    # not exported: the response the record came from, handed from the spider to the store pipeline
    raw: RawPage | None = field(default=None, repr=False, compare=False, metadata={"export": False})

    @classmethod
    def field_names(cls) -> list[str]:
        """The exported fields, in order (the JSONL shape, also Scrapy's FEED_EXPORT_FIELDS)."""
        return [f.name for f in fields(cls) if f.metadata.get("export", True)]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRecord:
        names = set(cls.field_names())
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return {name: _copy(getattr(self, name)) for name in self.field_names()}

    def to_json(self, **extra: Any) -> str:
        """One JSON line, UTF-8, never \\u-escaped."""
        data = {**extra, **self.to_dict()} if extra else self.to_dict()
        return json.dumps(data, ensure_ascii=False)

    def finalise(self, *, clean: bool = False) -> ArticleRecord:
        """Recompute the derived fields from the body. clean: the body's whitespace runs are all " ", "\n" or
        "\n\n" (as pipelines.normalise.clean_body returns it), so flattening those three gives the flat text
        without splitting the body into words."""
        body = self.body
        flat = body.replace("\n\n", " ").replace("\n", " ") if clean else " ".join(body.split())
        self.word_count = flat.count(" ") + 1 if flat else 0
        self.content_hash = _hash_flat(flat)
        return self


def content_hash(body: str) -> str:
    # whitespace-insensitive so re-wrapped paragraphs hash the same
    return _hash_flat(" ".join(body.split()))


def _hash_flat(flat: str) -> str:
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
