"""Metadata from JSON-LD, meta tags and the visible page.

Precedence, field by field (first source that gives a usable value wins):
- title: the VISIBLE headline: the <h1> (else another heading) whose words match the JSON-LD headline /
  og:title / twitter:title / <title> best; else the best of those with the " - Site name" suffix removed.
- published: JSON-LD datePublished > meta tags (article:published_time, parsely, sailthru, dc.*, ...) >
  microdata/RDFa (itemprop=datePublished, property=dc:date) > <time datetime> > the visible dateline next to the
  headline > the date in the URL. A full URL date (/2024/5/20/) wins over a visible dateline more than a day away
  from it, and over a meta date more than two days away (CMSes that stamp the page generation time).
- modified: the same chain for modification dates; values earlier than `published` (CMS save times) are skipped;
  a visible "آخر تحديث"/"updated" dateline is a modification date, never a publication date.
- authors: people from JSON-LD > meta > microdata > the visible byline ("كتب فلان", "بقلم", "حوار:", "By");
  organisations (or the site itself) only when no person is credited.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract import jsonld
from newsbot.extract.boilerplate import is_byline
from newsbot.extract.dates import ParsedDate, date_from_url, parse_date
from newsbot.extract.text import DELETED_CHARS, ascii_digits, clean_line
from newsbot.extract.types import Metadata
from newsbot.lexicon import folder, table, words

fold = folder()  # the MATCH fold, cached (newsbot.lexicon)

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
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                "byl", "cxenseparse:author", "og:article:author")
_SECTION_META = ("article:section", "og:article:section", "parsely-section", "sailthru.section", "section",
                 "cxenseparse:recs:articlesection", "article.section")
_TAG_META = ("article:tag", "og:article:tag", "parsely-tags", "sailthru.tags", "article.tags")

_TOKEN = re.compile(r"[^\W_]+")
_DATE_NODES = (
    '[class*="date" i], [class*="time" i], [class*="publish" i], [class*="stmp" i], [class*="posted" i], '
    '[id*="date" i], [class*="tarikh" i], [class*="byline" i], [class*="meta" i]'
)
_UPDATE_WORDS = re.compile(r"(?:آخر تحديث|اخر تحديث|تم التحديث|تحديث|updated|last update|modified|به‌?\s?روز|بروزرسان)",
                           re.I)
_YEAR = re.compile(r"(?<![\d+:-])(?:19|20|13|14)\d{2}(?!\d)")
# the credit words of newsbot/lexicon/bylines.toml as pages write them and folded (matched on cleaned, unfolded text)
_CREDIT_WORDS = tuple(dict.fromkeys([*table("bylines")["credit"]["words"], *words("bylines", "credit.words")]))
_BYLINE_PREFIX = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in sorted(_CREDIT_WORDS, key=len, reverse=True)) + r"),?"
    r"(?=[\s:：\-–])\s*[:：\-–]?\s*",
    re.I,
)
_BYLINE_NODES = (
    '[class*="author" i], [class*="byline" i], [class*="writer" i], [class*="writeby" i], [class*="kateb" i], '
    '[class*="katib" i], [rel="author"], [class*="reporter" i]'
)
_NAME_SPLIT = re.compile(r"\s*(?:[,،؛;&]|\band\b|\s-\s)\s*", re.I)
_TAG_CONTAINER = re.compile(r"(?:^|[\s_-])(?:tags?|tagcloud|tag-?list|post-?tags|article-?tags|keywords)(?:$|[\s_-])",
                            re.I)


def _collect_meta(tree: LexborHTMLParser) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        content = content.strip()
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            k = attrs.get(key)
            if k:
                for part in k.lower().split():  # split() parts carry no surrounding whitespace
                    metas.setdefault(part, []).append(content)
    return metas


def _first(metas: dict[str, list[str]], *names: str) -> str | None:
    for n in names:
        for v in metas.get(n, ()):
            if v:
                return v
    return None


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _similarity(a: str, b: str) -> float:
    ta, tb = set(_tokens(a)), set(_tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / max(len(ta), len(tb))


def _is_site_label(part: str, site_names: list[str]) -> bool:
    p = fold(part).replace(" ", "")
    for s in site_names:
        s = fold(s).replace(" ", "")
        if s and (s in p or p in s):
            return True
    return False


def strip_site_name(title: str, site_names: list[str]) -> str:
    """'Headline - Site' / 'Headline | Section | Site' -> 'Headline'."""
    pieces = re.split(r"(\s+(?:\||-|–|—|::|«|»|·|•)\s+)", title)
    parts, seps = pieces[::2], pieces[1::2]
    if len(parts) == 1:
        return title
    longest = max(len(p) for p in parts)

    def droppable(part: str) -> bool:
        # names the site, or a short label beside a much longer headline part
        return _is_site_label(part, site_names) or (len(part) * 2 < longest and len(part.split()) <= 4)

    while len(parts) > 1 and droppable(parts[-1]) and len(parts[-1]) < longest:
        parts.pop()
        seps.pop()
    while len(parts) > 1 and _is_site_label(parts[0], site_names) and len(parts[0]) < longest:
        parts.pop(0)
        seps.pop(0)
    return "".join(p + (seps[i] if i < len(seps) else "") for i, p in enumerate(parts)).strip()


def _node_text(node: LexborNode) -> str:
    return clean_line(node.text(deep=True, separator=" "))


def _short_text(node: LexborNode, limit: int) -> str:
    """The node's cleaned text when it is at most `limit` characters, else "" (cheap check on the raw text first)."""
    return _short_raw(node.text(deep=True, separator=" "), limit)


def _short_raw(raw: str, limit: int) -> str:
    """_short_text of a node whose text is `raw`."""
    if len(raw) > limit * 3 and (len(raw) > 4000 or len(" ".join(raw.split())) > limit * 2):
        return ""  # indentation can make short texts long: only measure after collapsing when that is cheap
    text = clean_line(raw)
    return text if len(text) <= limit else ""


def _find_title(tree: LexborHTMLParser, metas: dict, art: dict | None, site_names: list[str]
                ) -> tuple[str | None, LexborNode | None]:
    candidates = []
    if art:
        candidates.append(jsonld.first_text(art.get("headline") or art.get("headLine") or art.get("name")))
    candidates += [_first(metas, "og:title"), _first(metas, "twitter:title"), _first(metas, "dc.title"),
                   _first(metas, "headline"), _first(metas, "title")]
    strong = [c for c in candidates if c and c.strip()]
    t = tree.css_first("title")
    if t is not None:
        candidates.append(t.text())
    refs = []
    for c in candidates:
        c = clean_line(c)
        if c:
            refs.append(c)
            stripped = clean_line(strip_site_name(c, site_names))
            if stripped and stripped != c:
                refs.append(stripped)

    ref_tokens = [set(_tokens(r)) for r in refs]

    def best_heading(nodes: list[LexborNode], threshold: float) -> tuple[str | None, LexborNode | None]:
        """The heading whose words overlap a reference title most (share of the larger word set)."""
        best_score, best_text, best_node = 0.0, None, None
        for node in nodes:
            text = _short_text(node, 400)
            words = set(_tokens(text)) if text else set()
            if not words:
                continue
            score = max((len(words & r) / max(len(words), len(r)) for r in ref_tokens if r), default=0.0)
            if score >= threshold and score > best_score:
                best_score, best_text, best_node = score, text, node
        return best_text, best_node

    if refs:
        text, node = best_heading(tree.css("h1")[:20], 0.5)
        if text:
            return text, node
        text, node = best_heading(tree.css("h2, h3, h4, [itemprop=headline]")[:80], 0.8)
        if text:
            return text, node
        if not strong:  # only <title>, often "Site | Section": a real-looking <h1> is the better guess
            for node in tree.css("h1")[:5]:
                text = _node_text(node)
                if len(text.split()) >= 3 and not _is_site_label(text, site_names):
                    return text, node
        for c in candidates:
            c = clean_line(c)
            if c:
                return clean_line(strip_site_name(c, site_names)), None
    for node in tree.css("h1")[:5]:
        text = _node_text(node)
        if len(text.split()) >= 2:
            return text, node
    return None, None


def _ancestors(node: LexborNode | None, levels: int) -> list[LexborNode]:
    out: list[LexborNode] = []
    while node is not None and len(out) < levels:
        node = node.parent
        if node is None or node.tag in ("html", "#document"):
            break
        out.append(node)
    return out


def _is_chain(scopes: list[LexborNode]) -> bool:
    """Does each scope hold the one before (found on the way up from the first)?"""
    cur: LexborNode | None = scopes[0]
    for scope in scopes[1:]:
        while cur is not None and cur.mem_id != scope.mem_id:
            cur = cur.parent
        if cur is None:
            return False
    return True


def _css_nested(scopes: list[LexborNode], selector: str) -> list[list[LexborNode]]:
    """`[scope.css(selector) for scope in scopes]` for scopes that each hold the one before (a node's ancestors,
    innermost first), from ONE query on the outermost: an attribute-substring selector list costs about as much on
    the headline's sixth ancestor as on the first, so six queries pay for the inner blocks six times."""
    if len(scopes) < 2 or not _is_chain(scopes):
        return [scope.css(selector) for scope in scopes]
    out: list[list[LexborNode]] = [[] for _ in scopes]
    level: dict[int, int] = {}  # mem_id -> index of the innermost scope holding that node
    for i, scope in enumerate(scopes):
        level.setdefault(scope.mem_id, i)
    for node in scopes[-1].css(selector):
        path: list[int] = []
        cur: LexborNode = node
        while (lvl := level.get(cur.mem_id)) is None:
            path.append(cur.mem_id)
            parent = cur.parent
            if parent is None:  # cannot happen for a chain; plain queries rather than a wrong answer
                return [scope.css(selector) for scope in scopes]
            cur = parent
        for mid in path:
            level[mid] = lvl
        for k in range(lvl, len(scopes)):
            out[k].append(node)
    return out


def _attr_date(node: LexborNode) -> str | None:
    a = node.attributes
    return a.get("content") or a.get("datetime") or a.get("data-datetime") or a.get("title") or None


def _later_or_equal(a: ParsedDate, b: ParsedDate) -> bool:
    """a >= b where comparable (instants when both carry an offset, else local values, else days)."""
    if a.has_tz and b.has_tz:
        return a.value >= b.value
    if isinstance(a.value, datetime) and isinstance(b.value, datetime):  # has_time, as mypy can narrow it
        return a.value.replace(tzinfo=None) >= b.value.replace(tzinfo=None)
    return a.day() >= b.day()


def _visible_dates(tree: LexborHTMLParser, title_node: LexborNode | None, now: datetime
                   ) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(published, modified) from the dateline printed next to the headline."""
    if title_node is not None:
        # the headline's own blocks only: a page-wide scan would find the "today is ..." date of the header bar
        scopes = [a for a in _ancestors(title_node, 6) if a.tag != "body"]
    else:
        scopes = [tree.body] if tree.body is not None else []
    seen: set[int] = set()
    for found in _css_nested(scopes, _DATE_NODES):
        for node in found[:40]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if not _short_text(node, 160):
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
            text = _short_text(node, 100)
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
        v = _attr_date(node) or _node_text(node)
        if v:
            yield f"microdata itemprop={itemprop}", v
    if itemprop == "datePublished":
        for node in tree.css('[property="dc:date"]:not(meta), [property="dc:created"]:not(meta)')[:3]:
            v = node.attributes.get("content") or _node_text(node)
            if v:
                yield "RDFa dc:date", v


def _time_elements(tree: LexborHTMLParser, title_node: LexborNode | None, now: datetime) -> ParsedDate | None:
    nodes = tree.css("time[pubdate], time[itemprop=datePublished]")
    if not nodes and title_node is not None:
        for scope in _ancestors(title_node, 5):
            nodes = scope.css("time")
            if nodes:
                break
    for node in nodes[:3]:
        p = parse_date(node.attributes.get("datetime") or _node_text(node), now, fallback=False)
        if p:
            return replace(p, source="<time> element")
    return None


def _dates(tree, metas, art, url, title_node, now) -> tuple[ParsedDate | None, ParsedDate | None]:
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


def _split_names(name: str) -> list[str]:
    name = _BYLINE_PREFIX.sub("", clean_line(name))
    parts = [p for p in _NAME_SPLIT.split(name) if p.strip()]
    out = []
    for p in parts:
        p = p.strip(" .:-–")
        # "فلان الفلاني وفلانة الفلانية": split at a conjunction و only when both sides are full names
        sub = re.split(r"\s+و(?=\S)", p)
        if len(sub) == 2 and all(len(s.split()) >= 2 for s in (sub[0], sub[1][0:])):
            out.extend([sub[0].strip(), sub[1].strip()])
        else:
            out.append(p)
    return [o for o in out if _plausible_name(o)]


def _plausible_name(name: str) -> bool:
    if not name or len(name) > 60 or len(name.split()) > 6:
        return False
    if re.search(r"\d|https?://|www\.|@|\.com", name):
        return False
    return True


def _clean_org(name: str) -> str:
    parts = re.split(r"\s+[|\-–—]\s+", clean_line(name))
    return parts[0].strip() if parts else name


# first letters of the credit words, in both cases and as NFD's first letter (what _may_start_byline compares)
_BYLINE_FIRST = frozenset(c for w in _CREDIT_WORDS for c in {unicodedata.normalize("NFD", w[0])[0], w[0].upper(),
                                                               w[0].lower()})


def _may_start_byline(raw: str) -> bool:
    """Can clean_line(raw) begin with a byline word (_BYLINE_PREFIX, "by Name")? Cleaning drops whitespace and
    DELETED_CHARS before the first letter; NFC may compose that letter with the marks after it, which keeps the first
    letter of its decomposition; presentation forms are unfolded by cleaning, so they are not judged here."""
    for ch in (raw.lstrip() if raw[:1].isspace() else raw):
        if ch in DELETED_CHARS or ch.isspace():
            continue
        if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":
            return True
        return unicodedata.normalize("NFD", ch)[0] in _BYLINE_FIRST
    return False


def _visible_bylines(tree: LexborHTMLParser, title_node: LexborNode | None) -> list[str]:
    scopes = _ancestors(title_node, 6) if title_node is not None else []
    body = tree.body
    # the headline's blocks share one query; the whole <body> (costly on big pages) only when they give nothing
    box_nodes = _css_nested(scopes, _BYLINE_NODES)
    if body is not None and all(s.mem_id != body.mem_id for s in scopes):  # body as an ancestor: searched already
        scopes.append(body)
    seen: set[int] = set()
    for i, scope in enumerate(scopes):
        for node in (box_nodes[i] if i < len(box_nodes) else scope.css(_BYLINE_NODES))[:20]:
            text = _short_text(node, 80)
            # without a "كتب"/"بقلم" prefix, a one-word text in an author box is a label (a section, "Author")
            if 2 < len(text) <= 80 and (_BYLINE_PREFIX.match(text) or len(text.split()) >= 2):
                names = _split_names(text)
                if names:
                    return names
        for node in scope.css("p, span, strong, b, h5, h6")[:400]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            raw = node.text(deep=True, separator=" ")
            if not _may_start_byline(raw):
                continue  # most of these are body paragraphs: no need to clean their text to see that
            text = _short_raw(raw, 60)
            if len(text) <= 4:
                continue
            # a credit line by the body's own rule (boilerplate.is_byline: short, no sentence): what the body
            # leaves out as a byline is what gets credited, and a sentence opening with متابعة is neither
            if _BYLINE_PREFIX.match(text) and not re.match(r"^\s*by\b", text, re.I) and is_byline(text) or \
                    re.match(r"^\s*by\s+[A-Z]", text):
                names = _split_names(text)
                if names:
                    return names
    return []


def _avatar_byline(title_node: LexborNode | None) -> list[str]:
    """A small author photo (<img width<=120 alt=...>) beside a short name, in the headline's block."""
    for scope in _ancestors(title_node, 2):
        for img in scope.css("img[alt]")[:10]:
            a = img.attributes
            try:
                size = max(int(a.get("width") or 999), int(a.get("height") or 999))
            except ValueError:
                continue
            parent = img.parent
            if size > 120 or parent is None:
                continue
            text = _node_text(parent)
            if 2 <= len(text.split()) <= 4 and len(text) <= 40:
                names = _split_names(text)
                if names:
                    return names
    return []


def _authors(tree, metas, art, site_names, title_node, ids=None, sources: dict[str, str] | None = None) -> list[str]:
    persons: list[str] = []
    orgs: list[str] = []

    def add(names: list[str], target: list[str]) -> None:
        for n in names:
            if _is_site_label(n, site_names) and target is persons:
                orgs.append(n)
            elif all(fold(n) != fold(x) for x in target):
                target.append(n)

    found: list[str] = []  # where the persons came from (the trace)

    def note(where: str) -> None:
        if persons and not found:
            found.append(where)

    if art:
        for name, is_org in jsonld.people(jsonld.resolve(art.get("author") or art.get("creator"), ids)):
            if is_org:
                orgs.append(_clean_org(name))
            else:
                add(_split_names(name), persons)
    note("JSON-LD author")
    if not persons:
        for key in _AUTHOR_META:
            for v in metas.get(key, ()):
                if not v.startswith(("http://", "https://")):
                    add(_split_names(v), persons)
            if persons:
                note(f"meta {key}")
                break
    if not persons:
        for node in tree.css('[itemprop="author"]:not(meta)')[:3]:
            name_node = node.css_first('[itemprop="name"]')
            v = (name_node.attributes.get("content") or _node_text(name_node)) if name_node else _node_text(node)
            add(_split_names(v or ""), persons)
        note("microdata itemprop=author")
    if not persons:
        add(_visible_bylines(tree, title_node), persons)
        note("visible byline")
    if not persons:
        add(_avatar_byline(title_node), persons)
        note("author photo's caption")
    if persons:
        if sources is not None:
            sources["authors"] = found[0] if found else "byline"
        return persons
    for node in tree.css('link[rel="author"]'):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("http", "/", "mailto:")) and _plausible_name(href):
            orgs.append(href)
    seen: list[str] = []
    for o in orgs:
        o = _clean_org(o)
        if o and _plausible_name(o) and all(fold(o) != fold(s) for s in seen):
            seen.append(o)
    if sources is not None and seen:
        sources["authors"] = "organisation credited (no person)"
    return seen[:1]


def _split_tags(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for t in re.split(r"\s*[,،;؛]\s*", v):
            t = clean_line(t)
            if t and len(t) <= 60 and all(fold(t) != fold(x) for x in out):
                out.append(t)
    return out


def _visible_tags(tree: LexborHTMLParser) -> list[str]:
    for node in tree.css('[class*="tag" i]')[:60]:
        if not _TAG_CONTAINER.search(node.attributes.get("class") or ""):
            continue
        texts = [t for t in (_short_text(a, 50) for a in node.css("a")[:40]) if t]
        if not texts:  # chips whose text sits beside an empty link (<h3><a href=..></a>name</h3>)
            texts = [t for t in (_short_text(n, 50) for n in node.css("h3, h4, h5, li, span")[:40]) if t]
        if 1 <= len(texts) <= 25:
            return _split_tags(texts)
    links = tree.css('a[rel~="tag"]')
    return _split_tags([clean_line(a.text(deep=True)) for a in links[:25]])


def _breadcrumb_section(nodes: list[dict], site_names: list[str]) -> str | None:
    """The last crumb before the article in a JSON-LD BreadcrumbList (home > section > article)."""
    for n in nodes:
        if "breadcrumblist" not in jsonld.types_of(n) or not isinstance(n.get("itemListElement"), list):
            continue
        names = []
        for i in n["itemListElement"]:
            if not isinstance(i, dict):
                continue
            item = i.get("item")
            name = jsonld.first_text(i.get("name")) or (jsonld.first_text(item.get("name"))
                                                         if isinstance(item, dict) else None)
            if name and fold(name) not in _HOME and not _is_site_label(name, site_names):
                names.append(name)
        if len(names) >= 2:
            return names[-2]
        if names:
            return names[0]
    return None


_HOME = frozenset(words("navigation", "breadcrumb.home"))


def _links_below(tree: LexborHTMLParser, boxes: str, limit: int) -> list[LexborNode]:
    """The first `limit` of tree.css(f"{boxes} a"), found box by box: a descendant selector makes lexbor check the
    ancestors of every link on the page, several times slower than finding the boxes and then their links."""
    seen: set[int] = set()
    out: list[LexborNode] = []
    for box in tree.css(boxes):  # document order: a box inside an earlier one adds no new link
        for a in box.css("a"):
            mid = a.mem_id
            if mid != box.mem_id and mid not in seen:  # a box that is a link is not below itself
                seen.add(mid)
                out.append(a)
                if len(out) >= limit:
                    return out
    return out


def _html_breadcrumb_section(tree: LexborHTMLParser, title: str | None, site_names: list[str]) -> str | None:
    nodes = tree.css('[itemtype*="BreadcrumbList" i] [itemprop="name"]') or _links_below(tree, '[class*="crumb" i]', 12)
    names: list[str] = []
    for node in nodes[:12]:
        t = _node_text(node)
        if not t or len(t) > 50 or fold(t) in _HOME or _is_site_label(t, site_names):
            continue
        if title and _similarity(t, title) > 0.6:
            continue
        if all(fold(t) != fold(x) for x in names):
            names.append(t)
    return names[-1] if names else None


_WP_CURRENT = ("li.current-post-ancestor > a, li.current-menu-parent > a, li.current-post-parent > a, "
               "li.current-category-ancestor > a")
_ACTIVE_LINKS = ('a[class*="active" i], a[class*="current" i], a[class*="selected" i], a[class*="nav-on" i], '
                 'li[class*="active" i] > a, li[class*="current" i] > a, li[class*="selected" i] > a')


def _nav_section(tree: LexborHTMLParser, page_url: str, site_names: list[str]) -> str | None:
    """The menu item the page marks as current: WordPress's current-post-ancestor classes, or an "active" menu link
    whose own path is part of the article URL (/middle_east/ for /2013/middle_east/8/3/...)."""
    def usable(text: str) -> bool:
        return bool(text) and len(text) <= 40 and fold(text) not in _HOME and not _is_site_label(text, site_names)

    for node in tree.css(_WP_CURRENT)[:3]:
        text = _short_text(node, 40)
        if usable(text):
            return text
    page_segments = {seg for seg in urlsplit(page_url).path.lower().split("/") if seg}
    if not page_segments:
        return None
    for node in tree.css(_ACTIVE_LINKS)[:40]:
        href_segments = [seg for seg in urlsplit(node.attributes.get("href") or "").path.lower().split("/") if seg]
        if not href_segments or not all(seg in page_segments for seg in href_segments):
            continue
        text = _short_text(node, 40)
        if usable(text):
            return text
    return None


def _abs(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base and not urlsplit(url).scheme:
        return urljoin(base, url)
    return url


def extract_metadata(tree: LexborHTMLParser, url: str, now: datetime) -> Metadata:
    """Fill a Metadata from one parsed page. `url` may be "" (then the canonical URL stands in for it)."""
    metas = _collect_meta(tree)
    all_nodes = jsonld.nodes(tree)
    art = jsonld.article_node(all_nodes)
    ids = jsonld.id_index(all_nodes)
    # no article object: a WebPage node may still carry the dates
    date_node = art or next((n for n in all_nodes if n.get("datePublished")), None)

    site_name = _first(metas, "og:site_name", "application-name", "twitter:app:name:iphone")
    publisher = jsonld.first_text(jsonld.resolve(art.get("publisher"), jsonld.id_index(all_nodes))) if art else None
    website = next((jsonld.first_text(n.get("name")) for n in all_nodes if "website" in jsonld.types_of(n)), None)
    site_names = [s for s in (site_name, publisher, website) if s]
    host = urlsplit(url or "").hostname or ""
    if host:
        site_names.append(host.removeprefix("www.").split(".")[0])

    src: dict[str, str] = {}  # where each value came from, as the trace shows it
    canonical = None
    link = tree.css_first('link[rel="canonical"]')
    if link is not None and link.attributes.get("href"):
        canonical, src["canonical_url"] = link.attributes["href"], '<link rel="canonical">'
    elif (og_url := _first(metas, "og:url")) is not None:
        canonical, src["canonical_url"] = og_url, "meta og:url"
    elif art and (ld_url := jsonld.first_text(art.get("url"))):
        canonical, src["canonical_url"] = ld_url, "JSON-LD url"
    canonical = _abs(canonical, url or None)
    page_url = url or canonical or ""
    if not url and canonical:
        host = urlsplit(canonical).hostname or ""
        if host:
            site_names.append(host.removeprefix("www.").split(".")[0])

    title, title_node = _find_title(tree, metas, art, site_names)
    if title:
        src["title"] = (f"visible <{title_node.tag}> matching the stated headline" if title_node is not None
                        else "stated headline (JSON-LD / og:title / <title>), site name removed")
    published, modified = _dates(tree, metas, date_node, page_url, title_node, now)
    for name, d in (("published", published), ("modified", modified)):
        if d is not None:
            src[name] = src[name + "_raw"] = d.source or "stated date"

    description = None
    if art:
        description = jsonld.first_text(art.get("description"))
        if description:
            src["description"] = "JSON-LD description"
    if not description:
        description = _first(metas, "og:description", "description", "twitter:description", "dc.description")
        src["description"] = "meta description (og:description, description, twitter:description)"

    section = None
    if art:
        section = next(iter(jsonld.texts(art.get("articleSection"))), None)
        src["section"] = "JSON-LD articleSection"
    if not section:
        section, src["section"] = _first(metas, *_SECTION_META), "meta article:section"
    if not section:
        node = tree.css_first('[itemprop="articleSection"]:not(meta)')
        if node is not None:
            section, src["section"] = _node_text(node) or None, "microdata itemprop=articleSection"
    for where, find in (("JSON-LD BreadcrumbList", lambda: _breadcrumb_section(all_nodes, site_names)),
                        ("breadcrumb links", lambda: _html_breadcrumb_section(tree, title, site_names)),
                        ("menu item marked current", lambda: _nav_section(tree, page_url, site_names))):
        if section:
            break
        section, src["section"] = find(), where

    tags: list[str] = []
    for key in _TAG_META:
        if metas.get(key):
            tags, src["tags"] = _split_tags(metas[key]), f"meta {key}"
            break
    if not tags and art:
        tags, src["tags"] = _split_tags(jsonld.texts(art.get("keywords"))), "JSON-LD keywords"
    if not tags:
        # a category chip printed first in the tag list is the section, not a tag
        tags = [t for t in _visible_tags(tree) if not section or fold(t) != fold(section)]
        src["tags"] = "visible tag list"

    image = _first(metas, "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    src["image"] = "meta og:image / twitter:image"
    if not image and art:
        image = jsonld.image_url(jsonld.resolve(art.get("image") or art.get("thumbnailUrl"), ids))
        src["image"] = "JSON-LD image"
    if not image:
        node = tree.css_first('link[rel="image_src"]')
        image = node.attributes.get("href") if node is not None else _first(metas, "image", "thumbnail")
        src["image"] = '<link rel="image_src"> / meta image'
    image = _abs(image, page_url or None)

    art_types = jsonld.types_of(art) if art else set()
    og_type = (_first(metas, "og:type") or "").lower()
    path = urlsplit(page_url).path.lower()
    kind = None
    if "liveblogposting" in art_types or "/liveblog/" in path or "/live-blog/" in path or \
            (_first(metas, "contenttype") or "").lower() == "liveblog":
        kind = "liveblog"
    is_article: bool | None = None
    if art is not None or og_type in ("article", "news", "og:article"):
        is_article = True
    elif og_type in ("website", "profile", "video.other", "music.song", "book", "blog"):
        is_article = False

    body = jsonld.first_text(art.get("articleBody")) if art else None

    return Metadata(
        title=title or None,
        description=clean_line(description) or None,
        published=published.iso() if published else None,
        modified=modified.iso() if modified else None,
        published_raw=published.raw if published else None,
        modified_raw=modified.raw if modified else None,
        authors=_authors(tree, metas, art, site_names, title_node, ids, src),
        section=clean_line(section) or None,
        tags=tags,
        image=image,
        canonical_url=canonical,
        site_name=clean_line(site_name or publisher or website) or None,
        kind=kind,
        is_article=is_article,
        jsonld_body=body,
        sources=src,
    )
