"""Small value types passed between the extraction modules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Metadata:
    """What metadata.extract_metadata reads from JSON-LD, meta tags and the visible page."""

    title: str | None = None
    description: str | None = None
    published: str | None = None
    modified: str | None = None
    published_raw: str | None = None
    modified_raw: str | None = None  # the modification date as the page writes it (zyte dateModifiedRaw)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    kind: str | None = None  # "liveblog" when the page says so (LiveBlogPosting, URL, ...)
    is_article: bool | None = None  # True/False when the page says so (og:type, JSON-LD @type), None when unknown
    jsonld_body: str | None = None  # JSON-LD articleBody, a body source and cross-check
    sources: dict[str, str] = field(default_factory=dict)  # field -> where its value came from (the trace)


@dataclass
class BodyResult:
    paragraphs: list[str]
    strategy: str  # dom | jsonld | appstate | profile:<slug> | trafilatura
    confidence: float  # 0..1
    warnings: list[str] = field(default_factory=list)
