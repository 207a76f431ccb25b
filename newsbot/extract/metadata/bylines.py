"""Who wrote the article: JSON-LD, meta tags, microdata, the visible byline, an author photo's caption;
organisations only when no person is credited."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract import jsonld
from newsbot.extract.boilerplate import is_byline
from newsbot.extract.metadata.common import ancestors, css_nested, fold, is_site_label, node_text, short_raw, short_text
from newsbot.extract.text import DELETED_CHARS, clean_line
from newsbot.lexicon import table, words

_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
                "byl", "cxenseparse:author", "og:article:author")
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


def _may_start_byline(raw: str) -> bool | None:
    """Can clean_line(raw) begin with a byline word (_BYLINE_PREFIX, "by Name")? Cleaning drops whitespace and
    DELETED_CHARS before the first letter; NFC may compose that letter with the marks after it, which keeps the first
    letter of its decomposition; presentation forms are unfolded by cleaning, so they are not judged here.
    None: `raw` has nothing but such characters (what follows it decides)."""
    for ch in (raw.lstrip() if raw[:1].isspace() else raw):
        if ch in DELETED_CHARS or ch.isspace():
            continue
        if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":
            return True
        return unicodedata.normalize("NFD", ch)[0] in _BYLINE_FIRST
    return None


def _may_open_byline(node: LexborNode) -> bool:
    """_may_start_byline of the node's whole text, read from its first text child when that decides: most nodes
    asked are body paragraphs, whose text need not be put together to see that they open with no byline word."""
    first = node.child
    if first is not None and first.tag == "-text":
        decided = _may_start_byline(first.text_content or "")
        if decided is not None:
            return decided
    return bool(_may_start_byline(node.text(deep=True, separator=" ")))


def _visible_bylines(tree: LexborHTMLParser, title_node: LexborNode | None) -> list[str]:
    scopes = ancestors(title_node, 6) if title_node is not None else []
    body = tree.body
    # the headline's blocks share one query; the whole <body> (costly on big pages) only when they give nothing
    box_nodes = css_nested(scopes, _BYLINE_NODES)
    if body is not None and all(s.mem_id != body.mem_id for s in scopes):  # body as an ancestor: searched already
        scopes.append(body)
    seen: set[int] = set()
    for i, scope in enumerate(scopes):
        for node in (box_nodes[i] if i < len(box_nodes) else scope.css(_BYLINE_NODES))[:20]:
            text = short_text(node, 80)
            # without a "كتب"/"بقلم" prefix, a one-word text in an author box is a label (a section, "Author")
            if 2 < len(text) <= 80 and (_BYLINE_PREFIX.match(text) or len(text.split()) >= 2):
                names = _split_names(text)
                if names:
                    return names
        for node in scope.css("p, span, strong, b, h5, h6")[:400]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if not _may_open_byline(node):
                continue  # most of these are body paragraphs: no need to clean their text to see that
            raw = node.text(deep=True, separator=" ")
            text = short_raw(raw, 60)
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
    for scope in ancestors(title_node, 2):
        for img in scope.css("img[alt]")[:10]:
            a = img.attributes
            try:
                size = max(int(a.get("width") or 999), int(a.get("height") or 999))
            except ValueError:
                continue
            parent = img.parent
            if size > 120 or parent is None:
                continue
            text = node_text(parent)
            if 2 <= len(text.split()) <= 4 and len(text) <= 40:
                names = _split_names(text)
                if names:
                    return names
    return []


class _Credits:
    """The people credited so far, and the organisations (or the site itself) met on the way."""

    def __init__(self, site_names: list[str]) -> None:
        self.site_names = site_names
        self.persons: list[str] = []
        self.orgs: list[str] = []

    def add(self, names: list[str], where: str = "") -> str:
        """Credit `names` (a name that is the site's goes to the organisations); returns `where`, for the trace."""
        for n in names:
            if is_site_label(n, self.site_names):
                self.orgs.append(n)
            elif all(fold(n) != fold(x) for x in self.persons):
                self.persons.append(n)
        return where


def find_authors(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None, site_names: list[str],
                 title_node: LexborNode | None, ids: dict[str, dict] | None = None,
                 sources: dict[str, str] | None = None) -> list[str]:
    """The article's authors: the first source naming a person wins; else the one organisation credited."""
    credits = _Credits(site_names)
    steps: tuple[Callable[[], str], ...] = (
        lambda: _jsonld_authors(credits, art, ids),
        lambda: _meta_authors(credits, metas),
        lambda: _microdata_authors(credits, tree),
        lambda: credits.add(_visible_bylines(tree, title_node), "visible byline"),
        lambda: credits.add(_avatar_byline(title_node), "author photo's caption"),
    )
    for step in steps:
        where = step()
        if credits.persons:
            if sources is not None:
                sources["authors"] = where
            return credits.persons
    org = _organisation(tree, credits.orgs)
    if sources is not None and org:
        sources["authors"] = "organisation credited (no person)"
    return org


def _jsonld_authors(credits: _Credits, art: dict | None, ids: dict[str, dict] | None) -> str:
    if art:
        for name, is_org in jsonld.people(jsonld.resolve(art.get("author") or art.get("creator"), ids)):
            if is_org:
                credits.orgs.append(_clean_org(name))
            else:
                credits.add(_split_names(name))
    return "JSON-LD author"


def _meta_authors(credits: _Credits, metas: dict[str, list[str]]) -> str:
    for key in _AUTHOR_META:
        for v in metas.get(key, ()):
            if not v.startswith(("http://", "https://")):
                credits.add(_split_names(v))
        if credits.persons:
            return f"meta {key}"
    return "meta author"


def _microdata_authors(credits: _Credits, tree: LexborHTMLParser) -> str:
    for node in tree.css('[itemprop="author"]:not(meta)')[:3]:
        name_node = node.css_first('[itemprop="name"]')
        v = (name_node.attributes.get("content") or node_text(name_node)) if name_node else node_text(node)
        credits.add(_split_names(v or ""))
    return "microdata itemprop=author"


def _organisation(tree: LexborHTMLParser, orgs: list[str]) -> list[str]:
    """[the first plausible organisation credited] (JSON-LD, a site-named byline, <link rel=author>), or []."""
    for node in tree.css('link[rel="author"]'):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("http", "/", "mailto:")) and _plausible_name(href):
            orgs.append(href)
    seen: list[str] = []
    for o in orgs:
        o = _clean_org(o)
        if o and _plausible_name(o) and all(fold(o) != fold(s) for s in seen):
            seen.append(o)
    return seen[:1]
