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


def _field(doc: str, role: str, default: Any = None, factory: Any = None) -> Any:
    """A record field with its one description (the export's data card and docs read it) and its role: `content`
    (a change makes a re-crawl an update), `provenance` (how it was extracted), `derived` (computed from the body),
    `link` (filled by the de-duplication pipeline), `identity` (which page it is)."""
    meta = {"doc": doc, "role": role}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class ArticleRecord:
    """One article: every field is declared here once, with its description and role. A new field also becomes a
    store column (newsbot/store/schema.py reads the annotations) and an export field."""

    url: str = _field("URL fetched, after redirects", "identity", "")
    canonical_url: str | None = _field("canonical URL as the page declares it (<link rel=canonical>, og:url, "
                                       "JSON-LD)", "content")
    site: str | None = _field("site slug (registry) or host", "content")
    kind: str = _field("article | liveblog", "content", "article")
    lang: str | None = _field("language detected from the body (ISO 639-1)", "content")
    title: str | None = _field("visible headline", "content")
    description: str | None = _field("standfirst / dek", "content")
    body: str = _field("plain text, paragraphs separated by a blank line", "content", "")
    # dates: ISO 8601, with UTC offset when the page gives or implies one
    published: str | None = _field("publication date, ISO 8601 (with UTC offset when known)", "content")
    modified: str | None = _field("last modification date, ISO 8601", "content")
    published_raw: str | None = _field("the date text as found on the page (Hijri, Arabic month names, ...)",
                                       "content")
    authors: list[str] = _field("list of author names", "content", factory=list)
    section: str | None = _field("section / category", "content")
    tags: list[str] = _field("list of tags / keywords", "content", factory=list)
    image: str | None = _field("lead image URL", "content")
    word_count: int = _field("number of whitespace-separated words in body", "derived", 0)
    content_hash: str | None = _field("sha256 of the whitespace-normalised body", "derived")
    extracted_at: str | None = _field("when the record was extracted (ISO 8601, UTC)", "provenance")
    extractor_version: str | None = _field("extractor that produced the record", "provenance")
    strategy: str | None = _field("how the body was found (dom, jsonld, appstate, profile:<slug>, trafilatura)",
                                  "provenance")
    confidence: float = _field("extractor confidence, 0..1", "provenance", 0.0)
    encoding: str | None = _field("character encoding the page was decoded with", "provenance")
    warnings: list[str] = _field("extraction warnings", "provenance", factory=list)
    duplicate_of: str | None = _field("canonical URL key of the earlier article this one duplicates (null for "
                                      "originals)", "link")
    cluster_id: str | None = _field("story cluster: the same id for an original and all its duplicates", "link")
    # not exported: the response the record came from, handed from the spider to the store pipeline
    raw: RawPage | None = field(default=None, repr=False, compare=False, metadata={"export": False})

    @classmethod
    def fields_with(cls, role: str) -> tuple[str, ...]:
        """The exported fields of one role, in order."""
        return tuple(f.name for f in fields(cls) if f.metadata.get("role") == role)

    @classmethod
    def field_docs(cls) -> dict[str, str]:
        return {f.name: f.metadata["doc"] for f in fields(cls) if "doc" in f.metadata}

    @classmethod
    def field_names(cls) -> list[str]:
        """The exported fields, in order (the JSONL shape, also Scrapy's FEED_EXPORT_FIELDS)."""
        return [f.name for f in fields(cls) if f.metadata.get("export", True)]

    @classmethod
    def field_types(cls) -> dict[str, str]:
        """The exported fields' annotations, in order (the store's columns are made from them)."""
        return {f.name: str(f.type) for f in fields(cls) if f.metadata.get("export", True)}

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
