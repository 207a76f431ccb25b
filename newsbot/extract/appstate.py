"""Structured body sources: JSON-LD articleBody and the app state JavaScript front ends embed in the page
(Next.js `__NEXT_DATA__`, Apollo `window.__APOLLO_STATE__` — plain or base64 JSON — and similar
`window.__X_STATE__ = {...}` assignments).

The app state is searched generically: the article is the object whose HTML/text field (content, body, text,
articleBody, html...) is the longest prose, preferring one whose title matches the page headline.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract import safejson
from newsbot.extract.boilerplate import fold
from newsbot.extract.options import current

_BODY_KEYS = ("content", "body", "articlebody", "text", "html", "bodyhtml", "contenthtml", "articletext", "fulltext",
              "story", "storytext", "richtext", "rendered")
_TITLE_KEYS = ("title", "headline", "name", "seotitle")
_STATE_ASSIGN = re.compile(
    r"window\.(__[A-Z0-9_]*(?:STATE|DATA|PROPS|CONTEXT)[A-Z0-9_]*__)\s*=\s*", re.I)
_STATE_DOT = ".__"  # what every assignment has right after "window": found at C speed, unlike a re.I search
_WINDOW = len("window")
_TAG = re.compile(r"<[^>]+>")


@dataclass
class StructuredBody:
    source: str  # jsonld | appstate
    text: str  # plain text (tags removed), for comparison
    html: str | None  # HTML when the source is HTML (paragraph structure), else None
    title_match: bool = False


def jsonld_bodies(tree: LexborHTMLParser) -> list[str]:
    """articleBody strings of the page's JSON-LD (also inside @graph / lists)."""
    out: list[str] = []
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True) or ""
        try:
            data = safejson.loads(raw)
        except ValueError:
            try:
                data = safejson.loads(raw.strip().rstrip(";"), strict=False)
            except ValueError:
                continue
        _collect_article_body(data, out, 0)
    return out


def _collect_article_body(data, out: list[str], depth: int) -> None:
    if depth > 12:
        return
    if isinstance(data, list):
        for x in data:
            _collect_article_body(x, out, depth + 1)
    elif isinstance(data, dict):
        body = data.get("articleBody") or data.get("text") if _is_article_type(data) else data.get("articleBody")
        if isinstance(body, str) and body.strip():
            out.append(body)
        for k, v in data.items():
            if isinstance(v, (dict, list)) and k != "articleBody":
                _collect_article_body(v, out, depth + 1)


def _is_article_type(d: dict) -> bool:
    t = d.get("@type")
    types = t if isinstance(t, list) else [t]
    return any(isinstance(x, str) and ("Article" in x or "Posting" in x) for x in types)


def _decode_state(raw: str):
    raw = raw.strip().rstrip(";").strip()
    if not raw:
        return None
    if raw[0] in "{[":
        try:
            return safejson.loads(raw)
        except ValueError:
            return None
    if raw[0] in "\"'":
        quote = raw[0]
        end = raw.find(quote, 1)
        inner = raw[1:end] if end > 0 else raw[1:]
        if inner.lstrip().startswith(("{", "[")):
            try:
                return safejson.loads(safejson.loads(raw[: end + 1])) if quote == '"' else safejson.loads(inner)
            except ValueError:
                return None
        try:
            return safejson.loads(base64.b64decode(inner + "=" * (-len(inner) % 4)).decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
    return None


def _state_assignments(text: str) -> Iterator[re.Match]:
    """The matches of _STATE_ASSIGN.finditer(text), found faster: a case-insensitive pattern gets no literal-prefix
    scan in `re` (milliseconds on a large base64 script), so candidates are the ".__" right after "window"."""
    start = 0
    while (dot := text.find(_STATE_DOT, start + _WINDOW)) >= 0:
        m = _STATE_ASSIGN.match(text, dot - _WINDOW)
        if m is None:
            start = dot - _WINDOW + 1
            continue
        yield m
        start = m.end()


def app_states(tree: LexborHTMLParser) -> list:
    """Decoded app-state objects embedded in the page's scripts."""
    return _app_states(tree.css_first("script#__NEXT_DATA__"), tree.css("script"))


def page_app_states(tree: LexborHTMLParser, html: str) -> list:
    """`app_states(tree) if "__NEXT_DATA__" in html or "window.__" in html else []`, for the `html` the tree was parsed
    from, mostly without scanning it: a script that mentions "window.__" settles it (script text is page text), and
    with no such script and no __NEXT_DATA__ script there is no state to find anyway."""
    if "window.__" not in html and "__NEXT_DATA__" not in html:  # one scan in C settles most pages
        return []
    nd = tree.css_first("script#__NEXT_DATA__")
    scripts = tree.css("script")
    if not any("window.__" in (node.text(deep=True) or "") for node in scripts):
        if nd is None or ("__NEXT_DATA__" not in html and "window.__" not in html):
            return []
    return _app_states(nd, scripts)


def _app_states(nd: LexborNode | None, scripts: list[LexborNode]) -> list:
    states = []
    if nd is not None:
        try:
            states.append(safejson.loads(nd.text(deep=True) or ""))
        except ValueError:
            pass
    for node in scripts:
        if node.attributes.get("src") or node.attributes.get("id") == "__NEXT_DATA__":
            continue
        text = node.text(deep=True) or ""
        if "window.__" not in text or len(text) > current().max_app_state:
            continue
        for m in _state_assignments(text):
            obj = _decode_state(text[m.end():])
            if obj is None:
                # `window.X = {...};` followed by more code: cut at the first "};\n" / "</" boundary
                tail = text[m.end():]
                for cut in (tail.find(";\n"), tail.find(";window."), len(tail)):
                    if cut > 0:
                        obj = _decode_state(tail[:cut])
                        if obj is not None:
                            break
            if obj is not None:
                states.append(obj)
    return states


def _plain(s: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", s)).strip() if "<" in s else s.strip()


def _same_title(a: str, b: str) -> bool:
    """Equal, or one inside the other (a site name added to one of them)."""
    return a == b or (min(len(a), len(b)) >= 15 and (a in b or b in a))


def state_bodies(states: list, title: str | None) -> list[StructuredBody]:
    """Candidate article bodies found in app state, best first (title match, then length)."""
    found: list[StructuredBody] = []
    ftitle = fold(title or "")

    def visit(obj, depth: int) -> None:
        if depth > 40:
            return
        if isinstance(obj, dict):
            best = None
            for k, v in obj.items():
                if isinstance(v, str) and len(v) >= 200 and k.lower() in _BODY_KEYS:
                    text = _plain(v)
                    if len(text) >= 200 and (best is None or len(text) > len(best.text)):
                        best = StructuredBody("appstate", text, v if "<" in v else None)
                elif isinstance(v, (dict, list)):
                    visit(v, depth + 1)
            if best is not None:
                for tk in _TITLE_KEYS:
                    tv = obj.get(tk)
                    if isinstance(tv, dict):
                        tv = tv.get("rendered")
                    if isinstance(tv, str) and ftitle and _same_title(fold(_plain(tv)), ftitle):
                        best.title_match = True
                found.append(best)
        elif isinstance(obj, list):
            for x in obj:
                if isinstance(x, (dict, list)):  # visit() does nothing with anything else
                    visit(x, depth + 1)

    for s in states:
        visit(s, 0)
    found.sort(key=lambda b: (b.title_match, len(b.text)), reverse=True)
    return found
