"""Feed parsing (RSS 2.0, RSS 0.9x, RSS 1.0/RDF, Atom) and feed auto-discovery in HTML.

lxml with entity expansion and network access off, in recover mode: real feeds are often not
well-formed (stray '&', HTML entities without a DTD), and a tolerant parse of them is worth more than
an error. Only the fields discovery needs are read: link, date, title.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from newsbot import settings as defaults
from spiders.discovery.dates import parse_date
from spiders.discovery.sitemaps import GZIP_MAGIC
from spiders.discovery.urlutil import absolute_http, base_href

logger = logging.getLogger(__name__)

_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}


_DOCTYPE_SCAN = 256 * 1024
_INTERNAL_DTD = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.S)


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FeedError(f"corrupt gzip data: {exc}") from exc
    if len(out) > limit:
        raise FeedError(f"feed exceeds {limit} bytes once decompressed")
    return out


class FeedError(ValueError):
    """The input is not an RSS/Atom/RDF feed."""


@dataclass
class FeedEntry:
    url: str
    published: datetime | None
    title: str | None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = "".join(t for t in el.itertext() if isinstance(t, str)).strip()
    return " ".join(text.split()) or None


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _first(el: etree._Element, *names: str) -> etree._Element | None:
    # not `a or b`: an lxml element without children is falsy
    for name in names:
        found = _child(el, name)
        if found is not None:
            return found
    return None


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) == name]


def parse_feed(data: bytes | str, base_url: str, *, max_bytes: int = defaults.NEWSBOT_FEED_MAXSIZE,
               max_entries: int = defaults.NEWSBOT_MAX_FEED_ENTRIES) -> list[FeedEntry]:
    """The entries of a feed, in feed order; relative links resolved against xml:base/base_url, only http(s).

    A gzipped feed is refused past `max_bytes` decompressed (a plain one is bounded by its download);
    past `max_entries` distinct entries (0: no bound) the rest are left out, with a warning."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if data[:2] == GZIP_MAGIC:  # a feed saved or served as .gz
        data = _gunzip(data, max_bytes)
    body = bytes(data).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body.startswith(b"<"):
        raise FeedError("not a feed: no XML markup")
    if b"<!ENTITY" in body[:_DOCTYPE_SCAN]:
        # entity declarations (a billion-laughs bomb) are never expanded, and lxml then drops every element
        # that uses them, often the whole channel: without its internal DTD the feed reads, the references
        # left out. The caller is told through the entries' count; the warning says why.
        stripped = _INTERNAL_DTD.sub(b"", body[:_DOCTYPE_SCAN], count=1) + body[_DOCTYPE_SCAN:]
        logger.warning("feed %s declares XML entities: not expanded, its references left out", base_url)
        body = stripped
    try:
        root = etree.fromstring(body, _parser(), base_url=base_url or None)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FeedError(f"not a feed: {exc}") from exc
    if root is None:
        raise FeedError("not a feed: empty document")
    kind = _local(root.tag)
    if kind == "feed":
        entries = _atom(root, base_url)
    elif kind in ("rss", "rdf", "channel"):
        entries = _rss(root, base_url)
    else:
        raise FeedError(f"not a feed: root element <{kind or str(root.tag)}>")
    seen: set[str] = set()
    unique: list[FeedEntry] = []
    for e in entries:
        if e.url not in seen:
            if max_entries and len(unique) >= max_entries:
                logger.warning("feed %s lists more than %d entries (NEWSBOT_MAX_FEED_ENTRIES): the rest left out",
                               base_url, max_entries)
                break
            seen.add(e.url)
            unique.append(e)
    return unique


def _rss(root: etree._Element, base_url: str) -> list[FeedEntry]:
    # RSS 2.0 keeps <item> inside <channel>; RSS 1.0/RDF puts them beside it
    channel = root if _local(root.tag) == "channel" else _child(root, "channel")
    items = _children(root, "item") + (_children(channel, "item") if channel is not None else [])
    base = _xml_base(root, base_url)
    out = []
    for item in items:
        url = _rss_link(item, base)
        if url is None:
            continue
        date_el = _first(item, "pubdate", "date", "published", "issued", "created")
        out.append(
            FeedEntry(url=url, published=parse_date(_text(date_el), lenient=True), title=_text(_child(item, "title")))
        )
    return out


def _rss_link(item: etree._Element, base: str) -> str | None:
    for link in _children(item, "link"):
        # <link> in RSS holds text; an <atom:link href> may sit beside it
        url = absolute_http(_text(link) or link.get("href"), base)
        if url:
            return url
    # a guid is only a link when it is one already: "12345" or "tag:..." ids must not resolve to URLs
    guid = _child(item, "guid")
    if guid is not None and (guid.get("isPermaLink") or "true").lower() == "true":
        url = _absolute_only(_text(guid))
        if url:
            return url
    return _absolute_only(item.get(_RDF_ABOUT))


def _absolute_only(value: str | None) -> str | None:
    value = (value or "").strip()
    return absolute_http(value, "") if value.lower().startswith(("http://", "https://")) else None


def _atom(root: etree._Element, base_url: str) -> list[FeedEntry]:
    feed_base = _xml_base(root, base_url)
    out = []
    for entry in _children(root, "entry"):
        base = _xml_base(entry, feed_base)
        url = None
        for link in _children(entry, "link"):
            if (link.get("rel") or "alternate").lower() == "alternate":
                url = absolute_http(link.get("href"), _xml_base(link, base))
                if url:
                    break
        if url is None:
            continue
        date_el = _first(entry, "published", "issued", "created", "updated", "modified")
        out.append(
            FeedEntry(url=url, published=parse_date(_text(date_el), lenient=True), title=_text(_child(entry, "title")))
        )
    return out


def _xml_base(el: etree._Element, base: str) -> str:
    own = el.get(_XML_BASE)
    return urljoin(base, own.strip()) if own else base


def feed_links(html: str | HTMLParser, base_url: str, limit: int = defaults.NEWSBOT_MAX_FEED_LINKS) -> list[str]:
    """Feeds a page advertises: <link rel="alternate" type="application/rss+xml|atom+xml" href>, absolute, in order;
    at most `limit` (NEWSBOT_MAX_FEED_LINKS: a hostile page advertises 40,000)."""
    tree = html if isinstance(html, HTMLParser) else HTMLParser(html)
    base = base_href(tree, base_url)
    out: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in _FEED_TYPES:
            continue
        url = absolute_http(node.attributes.get("href"), base)
        if url:
            out[url] = None
            if len(out) >= limit:
                break
    return list(out)
