"""The extraction entry point: one parse, then metadata, body and text clean-up."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from newsbot import EXTRACTOR_VERSION
from newsbot.extract import trace
from newsbot.extract.body import extract_body, without_repeated_runs
from newsbot.extract.decode import decode_html_utf8, looks_binary, nesting_too_deep
from newsbot.extract.lang import detect_lang
from newsbot.extract.metadata import extract_metadata
from newsbot.extract.options import ExtractOptions, current, using
from newsbot.extract.profiles import choose_profile, site_profiles
from newsbot.extract.profiles.base import Profile
from newsbot.extract.profiles.fields import apply_fields
from newsbot.extract.text import normalize_text
from newsbot.extract.types import Metadata
from newsbot.record import ArticleRecord
from newsbot.urls import site_of

# an XML prolog followed by a feed/sitemap root: lexbor would happily read it as tag soup
_XML_DOC = re.compile(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<\?[^>]*>\s*)*<(rss|feed|rdf:RDF|urlset|sitemapindex)\b", re.S | re.I)


class ExtractionError(ValueError):
    """The input cannot give an article record (empty, binary, not an article...)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # short machine-readable code: empty, binary, not-html, no-body


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one page is analysed.

    The DOM walk allocates tens of thousands of small, acyclic objects (freed by reference counting);
    the collector's generation-0 passes over them cost about a tenth of the extraction time and find nothing.
    Collection resumes as before right after the page.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _http_charset(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == "content-type" and "charset=" in v.lower():
            return v.lower().split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return None


@dataclass
class ParsedPage:
    """A decoded and parsed page: what extraction and the crawler's link discovery both read (one parse)."""

    html: str
    tree: LexborHTMLParser
    encoding: str


def parse_page(
    data: bytes | str, headers: Mapping[str, str] | None = None, encoding: str | None = None,
    options: ExtractOptions | None = None,
) -> ParsedPage:
    """Decode and parse a page, or raise ExtractionError for input that is not a safe HTML page (options: whose
    max_parse_work bounds the parse; None: those in force)."""
    with using(options):
        return _parse(data, headers, encoding)


def _parse(data: bytes | str, headers: Mapping[str, str] | None, encoding: str | None) -> ParsedPage:
    utf8: bytes | None = None  # the UTF-8 bytes of `html` when they are the input itself
    if isinstance(data, bytes):
        if not data or data.isspace():  # == not data.strip(), without copying a page that ends in a newline
            raise ExtractionError("empty", "empty input")
        if looks_binary(data):
            raise ExtractionError("binary", "input is binary, not HTML")
        html, used_encoding, utf8 = decode_html_utf8(data, http_charset=encoding or _http_charset(headers),
                                                     forced=bool(encoding))
    else:
        html, used_encoding = data, "unicode"
    if not html or html.isspace():
        raise ExtractionError("empty", "empty input")
    if _XML_DOC.match(html, 0, 4096):
        raise ExtractionError("not-html", "input is an XML document (feed or sitemap), not an HTML page")
    if "<" not in html:  # JSON, CSV or plain text served as a page: nothing to parse as HTML
        raise ExtractionError("not-html", "no markup: not an HTML page")
    if nesting_too_deep(html, data=utf8):
        raise ExtractionError("too-deep", "markup nested too deep to parse safely (hostile or broken page)")
    # lexbor parses UTF-8 bytes: handing over the page's own bytes spares encoding the text again (same tree)
    return ParsedPage(html, LexborHTMLParser(utf8 if utf8 is not None else html), used_encoding)


def extract(
    data: bytes | str,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    encoding: str | None = None,
    now: datetime | None = None,
    site: str | None = None,
    fetched: datetime | str | None = None,
    registry: Path | None = None,
    options: ExtractOptions | None = None,
) -> ArticleRecord:
    """Turn one page into an ArticleRecord, or raise ExtractionError with a clear reason.

    options: the thresholds to weigh (newsbot/extract/options.py; None: the defaults, or those already in force)."""
    with using(options):
        return extract_parsed(parse_page(data, headers, encoding), url=url, now=now, site=site, fetched=fetched,
                              registry=registry)


def extract_parsed(
    page: ParsedPage, url: str | None = None, now: datetime | None = None, site: str | None = None,
    fetched: datetime | str | None = None, registry: Path | None = None, options: ExtractOptions | None = None,
) -> ArticleRecord:
    """The record of an already parsed page (does not change the tree, so callers may read it after).

    fetched: when the page was fetched (a stored page's fetch time; None: now, a live page): its site's profile
    is read in the layout the site served that day. registry: the sites.toml to take profiles from (None: the
    project's data/sites.toml). options: as for extract()."""
    with using(options):
        return _record(page, url or "", now or datetime.now(UTC), site, fetched, registry)


def _record(page: ParsedPage, url: str, now: datetime, site: str | None, fetched: datetime | str | None,
            registry: Path | None) -> ArticleRecord:
    html, tree = page.html, page.tree
    with _gc_paused():
        meta = extract_metadata(tree, url, now)
        profile = _site_profile(tree, url, meta, now, fetched, registry)
        result = extract_body(tree, meta, url, profile, html=html)

    paragraphs = without_repeated_runs([p for p in (normalize_text(p) for p in result.paragraphs) if p])
    body = "\n\n".join(paragraphs)
    if not body or (len(body) < current().min_body_chars and meta.is_article is not True):  # (a script shell says article)
        raise ExtractionError("no-body", "no article body found (not an article page?)")

    rec = ArticleRecord(
        url=url,
        canonical_url=meta.canonical_url,
        site=site or (site_of(url) or None),
        kind=meta.kind or "article",
        lang=detect_lang(body or (meta.title or "")),
        title=_normalized(meta.title),
        description=_normalized(meta.description),
        body=body,
        published=meta.published,
        modified=meta.modified,
        published_raw=meta.published_raw,
        authors=[normalize_text(a) for a in meta.authors],
        section=_normalized(meta.section),
        tags=[normalize_text(t) for t in meta.tags],
        image=meta.image,
        extracted_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        extractor_version=EXTRACTOR_VERSION,
        strategy=result.strategy,
        confidence=round(result.confidence, 3),
        encoding=page.encoding,
        warnings=list(result.warnings),
    )
    rec = rec.finalise()
    if (t := trace.active()) is not None:
        _trace_fields(t, rec, meta)
    return rec


_DERIVED_SOURCES = {"lang": "detected from the body text", "kind": "page type (JSON-LD @type, URL)",
                    "encoding": "decoding (HTTP charset, BOM, <meta>, detection)", "warnings": "the body finder"}


def _site_profile(tree: LexborHTMLParser, url: str, meta: Metadata, now: datetime, fetched: datetime | str | None,
                  registry: Path | None) -> Profile | None:
    """The page's site profile in the layout the site served when the page was fetched (its fields applied to
    `meta`), or None for a site without one."""
    found = site_profiles(url or meta.canonical_url or "", registry)
    if not found:
        return None
    fetch_day = fetched.isoformat() if isinstance(fetched, datetime) else fetched
    profile = choose_profile(tree, found, (fetch_day or now.date().isoformat(), meta.published))
    if profile is not None:
        apply_fields(tree, profile, meta, now)
    return profile


def _normalized(text: str | None) -> str | None:
    return normalize_text(text) if text else None


def _trace_fields(t: trace.Trace, rec: ArticleRecord, meta: Metadata) -> None:
    """Every record field with where its value came from (the inspector's metadata table)."""
    for name in trace.FIELD_NAMES:
        value = getattr(rec, name, None)
        if value in (None, "", []):
            continue
        t.add_field(name, value, meta.sources.get(name) or _DERIVED_SOURCES.get(name, "metadata"))
