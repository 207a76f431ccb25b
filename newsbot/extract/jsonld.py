"""JSON-LD (schema.org) blocks of a page, parsed with `json` and a few repairs for what CMSes emit.

Tolerated: CDATA/comment wrappers, several objects in one <script>, top-level arrays and `@graph`, trailing
commas, raw control characters inside strings, HTML entities inside string values (&quot;).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import safejson
from newsbot.extract.options import current
from newsbot.lexicon import words

# the article types of schema.org (NewsArticle and its kin): newsbot/lexicon/pagetypes.toml
ARTICLE_TYPES = frozenset(words("pagetypes", "schema.article", folded=False))
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _loads_all(text: str) -> list[Any]:
    """Every JSON value in `text` (there may be several, back to back)."""
    out: list[Any] = []
    text = safejson.repair(text)
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= n:
            break
        try:
            value, pos = safejson.raw_decode(text, pos)
        except ValueError:  # broken, or nested too deep to decode
            break
        if _too_deep(value):  # decodable, but deeper than the readers below can recurse: skipped
            break
        out.append(value)
    return out


def parse_block(text: str) -> list[Any]:
    """JSON values of one ld+json script body; [] when it cannot be read even after repairs."""
    text = text.strip()
    if not text:
        return []
    # on stripped text _WRAPPERS can only match at the very start or end: skip its scan of the whole block otherwise
    if text.startswith(("<!--", "<![CDATA[", "//")) or text.endswith(("-->", "]]>")):
        text = _WRAPPERS.sub("", text).strip()
    values = _loads_all(text)
    if values:
        return values
    repaired = _TRAILING_COMMA.sub(r"\1", text)
    values = _loads_all(repaired)
    if values:
        return values
    return _loads_all(html.unescape(repaired))


def _too_deep(value: Any) -> bool:
    """Nested deeper than the options' max_json_depth (the readers of a block recurse)."""
    limit = current().max_json_depth
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, (list, dict)):
            if depth >= limit:
                return True
            stack.extend((c, depth + 1) for c in (v.values() if isinstance(v, dict) else v))
    return False


def _unescape(value: Any) -> Any:
    if isinstance(value, str):
        return html.unescape(value) if "&" in value else value
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value


def nodes(tree: LexborHTMLParser) -> list[dict]:
    """All schema.org objects of the page: top-level ones, array members and @graph members (nodes without @type
    but with an @id are kept too: they are the targets of references)."""
    out: list[dict] = []

    def walk(value: Any, depth: int = 0) -> None:
        if depth > 3:
            return
        if isinstance(value, list):
            for v in value:
                walk(v, depth + 1)
        elif isinstance(value, dict):
            if "@graph" in value:
                walk(value["@graph"], depth + 1)
            if "@type" in value or "@id" in value:
                out.append(value)

    for script in tree.css('script[type="application/ld+json"], script[type="application/json+ld"]'):
        for value in parse_block(script.text(deep=True) or ""):
            walk(_unescape(value))
    return out


# the last page read by page_nodes: held (not weakly: lexbor trees take no weak reference) so that its identity
# cannot pass to a new tree; one page's nodes, replaced by the next page's
_last_page: tuple[LexborHTMLParser, list[dict]] | None = None


def page_nodes(tree: LexborHTMLParser) -> list[dict]:
    """nodes(tree), parsed once per page: the metadata and the page's kind (pagekind) read the same parse. Only
    the latest tree is remembered (a page is read through before the next); the nodes are shared, read-only."""
    global _last_page
    last = _last_page
    if last is not None and last[0] is tree:
        return last[1]
    found = nodes(tree)
    _last_page = (tree, found)
    return found


def types_of(node: dict) -> set[str]:
    t = node.get("@type")
    if isinstance(t, str):
        return {t.split("/")[-1].lower()}
    if isinstance(t, list):
        return {x.split("/")[-1].lower() for x in t if isinstance(x, str)}
    return set()


def article_node(all_nodes: list[dict]) -> dict | None:
    """The page's article object: the first article-typed node with a headline, else the first article-typed node,
    else the mainEntity of a WebPage when that is an article."""
    articles = [n for n in all_nodes if types_of(n) & ARTICLE_TYPES]
    for n in articles:
        if first_text(n.get("headline") or n.get("headLine") or n.get("name")):
            return n
    if articles:
        return articles[0]
    for n in all_nodes:
        main = n.get("mainEntity")
        if isinstance(main, dict) and types_of(main) & ARTICLE_TYPES:
            return main
    return None


def first_text(value: Any) -> str | None:
    """A plain string from a str / list / {"name"|"@value"|"text": ...} value."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        for v in value:
            t = first_text(v)
            if t:
                return t
        return None
    if isinstance(value, dict):
        for key in ("@value", "name", "text"):
            if key in value:
                return first_text(value[key])
    return None


def texts(value: Any) -> list[str]:
    """All strings of a str-or-list value (keywords, articleSection)."""
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(texts(v))
        return out
    t = first_text(value)
    return [t] if t else []


def id_index(all_nodes: list[dict]) -> dict[str, dict]:
    """@id -> node, to resolve {"@id": ...} references (Yoast/WordPress graphs point to Person nodes that way)."""
    return {n["@id"]: n for n in all_nodes if isinstance(n.get("@id"), str)}


def resolve(value: Any, ids: dict[str, dict] | None) -> Any:
    """Replace {"@id": x} references (alone or in lists) by the node they name, when known."""
    if not ids:
        return value
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    if isinstance(value, dict) and "@id" in value and len(value) <= 2 and "name" not in value:
        return ids.get(value["@id"], value)
    return value


def people(value: Any) -> Iterator[tuple[str, bool]]:
    """(name, is_organization) for each author/creator entry; Organization names prefer legalName."""
    if isinstance(value, list):
        for v in value:
            yield from people(v)
    elif isinstance(value, str):
        if value.strip() and not value.strip().startswith(("http://", "https://")):
            yield value.strip(), False
    elif isinstance(value, dict):
        is_org = bool(types_of(value) & {"organization", "newsmediaorganization", "corporation"})
        name = first_text(value.get("legalName")) if is_org else None
        name = name or first_text(value.get("name"))
        if name:
            yield name, is_org


def image_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for v in value:
            u = image_url(v)
            if u:
                return u
        return None
    if isinstance(value, dict):
        return image_url(value.get("url") or value.get("contentUrl") or value.get("@id"))
    return None
