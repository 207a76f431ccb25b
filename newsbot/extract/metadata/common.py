"""What the metadata readers share: the page's <meta> table, the site-name test, short node texts and
scoped queries around the headline."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract.text import clean_line
from newsbot.lexicon import folder

fold = folder()  # the MATCH fold, cached (newsbot.lexicon)

_TOKEN = re.compile(r"[^\W_]+")


def collect_meta(tree: LexborHTMLParser) -> dict[str, list[str]]:
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


def first(metas: dict[str, list[str]], *names: str) -> str | None:
    for n in names:
        for v in metas.get(n, ()):
            if v:
                return v
    return None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def similarity(a: str, b: str) -> float:
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / max(len(ta), len(tb))


def is_site_label(part: str, site_names: list[str]) -> bool:
    p = fold(part).replace(" ", "")
    for s in site_names:
        s = fold(s).replace(" ", "")
        if s and (s in p or p in s):
            return True
    return False


def node_text(node: LexborNode) -> str:
    return clean_line(node.text(deep=True, separator=" "))


def short_text(node: LexborNode, limit: int) -> str:
    """The node's cleaned text when it is at most `limit` characters, else "" (cheap check on the raw text first)."""
    return short_raw(node.text(deep=True, separator=" "), limit)


def short_raw(raw: str, limit: int) -> str:
    """short_text of a node whose text is `raw`."""
    if len(raw) > limit * 3 and (len(raw) > 4000 or len(" ".join(raw.split())) > limit * 2):
        return ""  # indentation can make short texts long: only measure after collapsing when that is cheap
    text = clean_line(raw)
    return text if len(text) <= limit else ""


def ancestors(node: LexborNode | None, levels: int) -> list[LexborNode]:
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


def css_nested(scopes: list[LexborNode], selector: str) -> list[list[LexborNode]]:
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


def links_below(tree: LexborHTMLParser, boxes: str, limit: int) -> list[LexborNode]:
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


def absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base and not urlsplit(url).scheme:
        return urljoin(base, url)
    return url
