"""Sitemap parsing: <urlset>, <sitemapindex>, Google News sitemaps, gzipped and plain-text sitemaps.

Streams with lxml's pull parser so a 50,000-URL (or larger) sitemap never sits in memory as a tree:
each <url>/<sitemap> element is cleared as soon as it has been read. Safety: entities are never
expanded (billion laughs, external entities), no network access, no huge-tree mode, and gzip bodies
are inflated chunk by chunk up to a bound (gzip bombs).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from newsbot import settings as defaults
from spiders.discovery.dates import parse_date

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024
_RECORDS = {"url", "sitemap"}  # the per-entry elements of <urlset> / <sitemapindex>


class SitemapError(ValueError):
    """The sitemap is malformed, too large once decompressed, or not a sitemap at all."""


@dataclass
class SitemapItem:
    url: str
    is_sitemap: bool  # True: a child sitemap from a <sitemapindex>
    lastmod: datetime | None  # tz-aware when the source gives an offset
    news_published: datetime | None  # <news:publication_date>
    news_title: str | None  # <news:title>


def iter_sitemap(data: bytes, *, max_decompressed: int = defaults.NEWSBOT_SITEMAP_MAXSIZE,
                 max_entries: int = defaults.NEWSBOT_MAX_SITEMAP_ENTRIES) -> Iterator[SitemapItem]:
    """Yield the entries of a sitemap body (XML or text, optionally gzipped), only http(s) URLs.

    On malformed XML the entries read before the error are yielded, then SitemapError is raised; so it is
    past `max_entries` entries (0: no bound), the rest not read (NEWSBOT_MAX_SITEMAP_ENTRIES).
    """
    for n, item in enumerate(_entries(data, max_decompressed)):
        if max_entries and n >= max_entries:
            raise SitemapError(f"more than {max_entries} entries (NEWSBOT_MAX_SITEMAP_ENTRIES): the rest not read")
        yield item


def _entries(data: bytes, max_decompressed: int) -> Iterator[SitemapItem]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, bytes):  # memoryview, bytearray
        data = bytes(data)
    chunks = _inflate(data, max_decompressed) if data[:2] == GZIP_MAGIC else _split(data)
    first = b""
    for first in chunks:
        if first.strip():
            break
    else:
        return
    head = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        yield from _iter_xml(head, chunks)
    else:
        yield from _iter_text(first, chunks)


def _split(data: bytes) -> Iterator[bytes]:
    for i in range(0, len(data), _CHUNK):
        yield data[i : i + _CHUNK]


def _inflate(data: bytes, limit: int) -> Iterator[bytes]:
    """Gunzip in bounded steps; raise SitemapError once more than `limit` bytes come out."""
    total = 0
    pending = data
    while pending:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = pending
        pending = b""
        while buf:
            try:
                out = inflater.decompress(buf, _CHUNK)
            except zlib.error as exc:
                raise SitemapError(f"corrupt gzip data: {exc}") from exc
            buf = inflater.unconsumed_tail
            total += len(out)
            if total > limit:
                raise SitemapError(f"sitemap exceeds {limit} bytes once decompressed")
            if out:
                yield out
            if inflater.eof:
                break
        if not inflater.eof:
            # flush what zlib still holds; a truncated download ends here
            out = inflater.flush()
            total += len(out)
            if total > limit:
                raise SitemapError(f"sitemap exceeds {limit} bytes once decompressed")
            if out:
                yield out
            return
        # concatenated gzip members are legal (and produced by some generators)
        rest = inflater.unused_data
        pending = rest if rest[:2] == GZIP_MAGIC else b""


def _tag_localname(tag: object) -> str:
    if not isinstance(tag, str):  # comments, processing instructions, entity references
        return ""
    return tag.rsplit("}", 1)[-1].lower()


# typed as the plain function: lru_cache's wrapper asks for Hashable arguments, and types-lxml lets an element's
# tag be a bytearray (a parsed tree's tags are str, or a function for comments)
_localname: Callable[[object], str] = lru_cache(maxsize=512)(_tag_localname)


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    # an element holding an entity reference gets an Entity child: its text would be a truncated
    # value, so it is treated as absent rather than trusted
    if len(el):
        return None
    return (el.text or "").strip() or None


def _http(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, without whitespace inside."""
    if not url:
        return None
    url = url.strip()
    if not url[:8].lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        return None
    try:
        return url if urlsplit(url).hostname else None
    except ValueError:  # e.g. a broken IPv6 literal
        return None


_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_SKIP = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)", re.S | re.I)


def _sniff_root(head: bytes) -> str | None:
    """The root element's local name from the first bytes, past the XML declaration, comments, DOCTYPE."""
    pos = 0
    while True:
        m = _SKIP.match(head, pos)
        if not m:
            break
        pos = m.end()
    m = _FIRST_TAG.match(head, pos + (len(head[pos:]) - len(head[pos:].lstrip())))
    return m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower() if m else None


def _iter_xml(first: bytes, rest: Iterator[bytes]) -> Iterator[SitemapItem]:
    # an HTML error page or a feed served where a sitemap was expected: say so plainly
    name = _sniff_root(first)
    if name is not None and name not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element <{name}>")
    parser = etree.XMLPullParser(
        events=("end",),
        # only entry elements come back to Python: one proxy per <url>, not one per descendant
        tag=("{*}url", "{*}sitemap"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    state = {"root": False}
    try:
        for chunk in _chain(first, rest):
            try:
                parser.feed(chunk)
            except etree.XMLSyntaxError as exc:
                yield from _drain(parser, state)
                raise SitemapError(f"malformed sitemap XML: {exc}") from exc
            yield from _drain(parser, state)
        try:
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            # every entry really in the data was read after its chunk; events now are elements the parser
            # closed itself at the end of a truncated document (lxml >= 6 emits them): a cut-off URL
            raise SitemapError(f"malformed sitemap XML: {exc}") from exc
        yield from _drain(parser, state)
        if not state["root"] and root is not None:
            _check_root(root)  # no entry at all: still refuse an HTML page or a feed
    finally:
        del parser


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _check_root(el: etree._Element) -> None:
    """Refuse documents whose root is not urlset/sitemapindex (an HTML error page, a feed...)."""
    root = el.getroottree().getroot()
    name = _localname(root.tag)
    if name not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element <{name or str(root.tag)}>")


def _drain(parser: etree.XMLPullParser, state: dict) -> Iterator[SitemapItem]:
    for _event, el in parser.read_events():
        if not state["root"]:
            _check_root(el)
            state["root"] = True
        name = _localname(el.tag)
        if name not in _RECORDS:
            continue
        parent = el.getparent()
        # only direct children of the root are entries (an <image:image><loc> is not a page)
        if parent is None or parent.getparent() is not None:
            continue
        item = _item(el, is_sitemap=name == "sitemap")
        # free the entry and everything already read before it: memory stays bounded
        el.clear()
        while el.getprevious() is not None:
            del parent[0]
        if item is not None:
            yield item


def _item(el: etree._Element, *, is_sitemap: bool) -> SitemapItem | None:
    loc = lastmod = news_pub = news_title = None
    for child in el:
        name = _localname(child.tag)
        if name == "loc":
            loc = _text(child)
        elif name == "lastmod":
            lastmod = parse_date(_text(child))
        elif name == "news":
            # the title is news:news/news:title (an image:title elsewhere is not the headline)
            for sub in child.iter("{*}publication_date", "{*}title"):
                if _localname(sub.tag) == "publication_date":
                    news_pub = parse_date(_text(sub))
                elif sub.getparent() is child:
                    news_title = _text(sub)
    url = _http(loc)
    if url is None:
        return None
    return SitemapItem(url=url, is_sitemap=is_sitemap, lastmod=lastmod, news_published=news_pub, news_title=news_title)


def _iter_text(first: bytes, rest: Iterator[bytes]) -> Iterator[SitemapItem]:
    """Text sitemaps: one URL a line (UTF-8 per the protocol); anything that is not an http(s) URL is skipped."""
    tail = b""
    for chunk in _chain(first, rest):
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        for line in lines:
            item = _text_line(line)
            if item is not None:
                yield item
    item = _text_line(tail)
    if item is not None:
        yield item


def _text_line(line: bytes) -> SitemapItem | None:
    url = _http(line.decode("utf-8", "replace").strip().lstrip("\ufeff"))
    if url is None:
        return None
    return SitemapItem(url=url, is_sitemap=False, lastmod=None, news_published=None, news_title=None)
