"""Publication and modification dates stated by the page: JSON-LD, meta tags, microdata, <time>, the visible
dateline beside the headline, the date in the URL (precedence in newsbot.extract.metadata)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract import jsonld
from newsbot.extract.dates import ParsedDate, date_from_url, parse_date
from newsbot.extract.metadata.common import ancestors, css_nested, node_text, short_text
from newsbot.extract.text import ascii_digits

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published", "og:published_time",
    "datepublished", "published_time", "publishdate", "publish-date", "publish_date", "pubdate", "publication_date",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
    "dcterms.created", "dc.date.created", "datecreated", "cxenseparse:recs:publishtime", "original-publish-date",
    "article.published", "publisheddate", "article_date_original", "date", "nastooh:publishdate",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "article:modified", "og:updated_time", "datemodified",
    "modified_time", "dc.date.modified", "dcterms.modified", "last-modified", "lastmod", "lastdate",
    "article.updated", "parsely-updated",
)
_DATE_NODES = (
    '[class*="date" i], [class*="time" i], [class*="publish" i], [class*="stmp" i], [class*="posted" i], '
    '[id*="date" i], [class*="tarikh" i], [class*="byline" i], [class*="meta" i]'
)
_UPDATE_WORDS = re.compile(r"(?:آخر تحديث|اخر تحديث|تم التحديث|تحديث|updated|last update|modified|به‌?\s?روز|بروزرسان)",
                           re.I)
_YEAR = re.compile(r"(?<![\d+:-])(?:19|20|13|14)\d{2}(?!\d)")


def _attr_date(node: LexborNode) -> str | None:
    a = node.attributes
    return a.get("content") or a.get("datetime") or a.get("data-datetime") or a.get("title") or None


def _later_or_equal(a: ParsedDate, b: ParsedDate) -> bool:
    """a >= b where comparable (instants when both carry an offset, else local values, else days)."""
    if isinstance(a.value, datetime) and isinstance(b.value, datetime):  # has_time, said so to the type checker
        if a.has_tz and b.has_tz:
            return a.value >= b.value
        return a.value.replace(tzinfo=None) >= b.value.replace(tzinfo=None)
    return a.day() >= b.day()


def _visible_dates(tree: LexborHTMLParser, title_node: LexborNode | None, now: datetime
                   ) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) from the dateline printed next to the headline."""
    if title_node is not None:
        # the headline's own blocks only: a page-wide scan would find the "today is ..." date of the header bar
        scopes = [a for a in ancestors(title_node, 6) if a.tag != "body"]
    else:
        scopes = [tree.body] if tree.body is not None else []
    seen: set[int] = set()
    for found in css_nested(scopes, _DATE_NODES):
        for node in found[:40]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if not short_text(node, 160):
                continue
            text = " ".join(node.text(deep=True, separator=" ").split())  # as printed (published_raw)
            upd = _UPDATE_WORDS.search(text)
            if upd:
                # "نشر في 12 مايو 2024 - آخر تحديث 13 مايو 2024": two dates; "28 آب 2013، آخر تحديث 14:00": one
                before, after = text[: upd.start()], text[upd.end():]
                if _YEAR.search(ascii_digits(before)) and _YEAR.search(ascii_digits(after)):
                    pub, mod = parse_date(before, now, fallback=False), parse_date(after, now, fallback=False)
                    if mod:
                        return pub, mod
                whole = parse_date(text, now, fallback=False)
                if whole:
                    return None, whole
                continue
            parsed = parse_date(text, now, fallback=False)
            if parsed:
                return parsed, None
        if len(seen) > 200:
            break
    # no date-named block: the short lines right around the headline, whatever their class says ("story_created_at")
    for scope in scopes[:2]:
        for node in scope.css("div, p, span, small, time")[:60]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            text = short_text(node, 100)
            if not text or not _YEAR.search(ascii_digits(text)) or _UPDATE_WORDS.search(text):
                continue
            parsed = parse_date(" ".join(node.text(deep=True, separator=" ").split()), now, fallback=False)
            if parsed:
                return parsed, None
    return None, None


def _date_chain(tree: LexborHTMLParser, metas: dict, art: dict | None, now: datetime, names: tuple[str, ...],
                ld_keys: tuple[str, ...], itemprop: str) -> Iterator[ParsedDate]:
    """The usable dates of one field, in precedence order (JSON-LD, meta tags, microdata, Dublin Core). Lazily: the
    caller mostly needs the first one, and the microdata look-ups are page-wide queries."""
    latest_ok = (now + timedelta(days=2)).date()
    for label, v in _date_raw_values(tree, metas, art, names, ld_keys, itemprop):
        p = parse_date(v, now, fallback=False)
        if p is not None and p.day() <= latest_ok:
            yield replace(p, source=label)


def _date_raw_values(tree: LexborHTMLParser, metas: dict, art: dict | None, names: tuple[str, ...],
                     ld_keys: tuple[str, ...], itemprop: str) -> Iterator[tuple[str, str]]:
    """(where, value) of each stated date of one field, in precedence order."""
    if art:
        for k in ld_keys:
            v = jsonld.first_text(art.get(k))
            if v:
                yield f"JSON-LD {k}", v
    for n in names:
        for v in metas.get(n, ()):
            yield f"meta {n}", v
    for node in tree.css(f'[itemprop="{itemprop}"]:not(meta)')[:3]:
        v = _attr_date(node) or node_text(node)
        if v:
            yield f"microdata itemprop={itemprop}", v
    if itemprop == "datePublished":
        for node in tree.css('[property="dc:date"]:not(meta), [property="dc:created"]:not(meta)')[:3]:
            v = node.attributes.get("content") or node_text(node)
            if v:
                yield "RDFa dc:date", v


def _time_elements(tree: LexborHTMLParser, title_node: LexborNode | None, now: datetime) -> ParsedDate | None:
    nodes = tree.css("time[pubdate], time[itemprop=datePublished]")
    if not nodes and title_node is not None:
        for scope in ancestors(title_node, 5):
            nodes = scope.css("time")
            if nodes:
                break
    for node in nodes[:3]:
        p = parse_date(node.attributes.get("datetime") or node_text(node), now, fallback=False)
        if p:
            return replace(p, source="<time> element")
    return None


def find_dates(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None, url: str,
               title_node: LexborNode | None, now: datetime) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) by the precedence in newsbot.extract.metadata; `art` is the node carrying the dates."""
    published = next(_date_chain(tree, metas, art, now, _PUBLISHED_META, ("datePublished", "dateCreated"),
                                 "datePublished"), None)
    modified_chain = _date_chain(tree, metas, art, now, _MODIFIED_META, ("dateModified",), "dateModified")
    visible: list[tuple[ParsedDate | None, ParsedDate | None]] = []  # the visible dateline, read on first need

    def visible_dates() -> tuple[ParsedDate | None, ParsedDate | None]:
        if not visible:
            pub, mod = _visible_dates(tree, title_node, now)
            visible.append((pub and replace(pub, source="visible dateline near the headline"),
                            mod and replace(mod, source="visible update line near the headline")))
        return visible[0]

    url_date = date_from_url(url)
    if url_date is not None:
        url_date = replace(url_date, source="date in the URL")
    if published is not None and url_date is not None and url_date.precision == "day" and \
            abs((published.day() - url_date.day()).days) > 2:
        # e.g. a CMS that stamps the page generation time as the publication time: the URL keeps the real day
        published = url_date
    if published is None:
        published = _time_elements(tree, title_node, now)
    if published is None and (vis_pub := visible_dates()[0]) is not None:
        published = vis_pub
        if url_date and url_date.precision == "day" and abs((vis_pub.day() - url_date.day()).days) > 1:
            published = url_date  # a stray date (ticker, related story) beside the headline; the URL is firmer
    if published is None and url_date is not None and url_date.precision == "day":
        published = url_date
    for cand in modified_chain:
        if published is None or _later_or_equal(cand, published):
            return published, cand
    # only now the dateline: pages that state both dates in meta data never need it
    vis_mod = visible_dates()[1]
    if vis_mod and (published is None or _later_or_equal(vis_mod, published)):
        return published, vis_mod
    return published, None
