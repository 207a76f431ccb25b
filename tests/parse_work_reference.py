"""The parse guard's work, counted the slow exact way: one regex step per attribute, as HTML5 tokenizes.

newsbot.extract.decode.parse_work reads each tag in one step and bounds its attributes from above; this is the
oracle it is checked against (it must never count less than this)."""

import re

from newsbot.extract.decode import _ATTR, _BLOCK, _FLAT, _FOREIGN, _QUOTE_OPEN
from newsbot.extract.options import DEFAULTS

_RAW = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.I)
        for name in ("script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title")}
_TAG_NAME = re.compile(r"[a-zA-Z][^\t\n\f\r />]*")


def reference_parse_work(html: str, stop_at: int = DEFAULTS.max_parse_work) -> int:
    """An upper estimate of the tree builder's work on `html`, stopping early once it passes `stop_at`."""
    # no fast path: a page of few tags can still hold one with a million attributes (about 3% of extract())
    work = 0
    stack: list[str] = []
    open_count: dict[str, int] = {}
    find = html.find
    n = len(html)
    # inside <svg> or <math>, script, style, title... hold markup, not raw text (see decode._FOREIGN): from the
    # first place a foreign element may open, every element's content is read as markup
    foreign = _FOREIGN.search(html)
    cut = foreign.start() if foreign is not None else n
    i = find("<")
    while 0 <= i < n - 1:
        at = i  # where the token starts
        c = html[i + 1]
        if c == "!":
            if html.startswith("<!--", i):
                if html.startswith("<!-->", i):
                    i = find("<", i + 5)
                    continue
                if html.startswith("<!--->", i):
                    i = find("<", i + 6)
                    continue
                j = find("-->", i + 4)
                i = -1 if j < 0 else find("<", j + 3)
                continue
            j = find(">", i + 2)  # doctype or bogus comment
            i = -1 if j < 0 else find("<", j + 1)
            continue
        if c == "?":
            j = find(">", i + 2)
            i = -1 if j < 0 else find("<", j + 1)
            continue
        end = c == "/"
        m = _TAG_NAME.match(html, i + 2 if end else i + 1)
        if m is None:
            if end:  # "</" not followed by a letter: a bogus comment up to ">"
                j = find(">", i + 2)
                i = -1 if j < 0 else find("<", j + 1)
            else:  # "<" as text
                i = find("<", i + 1)
            continue
        name = m.group().lower()
        pos, attrs = m.end(), 0
        while True:  # attributes, each in one regex step; a quoted value may hold ">"
            a = _ATTR.match(html, pos)
            if a.group(1) is None:
                pos = a.end()
                break
            attrs += 1
            work += attrs  # compared with the tag's earlier attributes
            if work > stop_at:
                return work
            pos = a.end()
            q = _QUOTE_OPEN.match(html, a.start(1) + len(a.group(1)))
            if q is not None and find(q.group(1), q.end()) < 0:
                return work  # an unclosed quote: the rest of the document is inside this tag
        if pos >= n:
            return work  # a tag cut by the end of the document
        if html[pos] != ">":  # "/" or junk: skip to the tag's end
            j = find(">", pos)
            if j < 0:
                return work
            pos = j
        i = pos + 1
        depth = len(stack)
        if end:
            if stack and stack[-1] == name:
                open_count[name] -= 1
                stack.pop()
            elif open_count.get(name):
                while stack:  # an end tag closes the open element of its name and all above it
                    top = stack.pop()
                    open_count[top] -= 1
                    work += 1
                    if top == name:
                        break
            else:  # a stray end tag: the whole stack is searched for it
                work += depth
        else:
            if name in _BLOCK:
                work += depth
            if name == "plaintext" and at < cut:
                return work
            if name not in _FLAT:
                stack.append(name)
                open_count[name] = open_count.get(name, 0) + 1
            raw = _RAW.get(name) if at < cut else None
            if raw is not None:  # raw text up to its own end tag (or the end of the document)
                r = raw.search(html, i)
                if r is None:
                    return work
                i = r.start()
        if work > stop_at:
            return work
        i = find("<", i)
    return work
