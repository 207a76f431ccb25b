"""DOM walk for the body finder: the page as a list of text units (one per paragraph-like run) inside a tree of
block containers, with the signals the scorer needs (link text, class/id hints, hidden, headings, list items).

One pass over the lexbor tree in Python; no re-parse, no mutation. A "unit" is a maximal run of inline content
inside one block element: it ends at a block boundary or at a <br>, so `<p>a<br><br>b</p>` gives two units and
bare text runs separated by empty <p> elements are paragraphs of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from newsbot.extract.boilerplate import hint_weight, is_hidden_hint, is_inline_drop_hint
from newsbot.extract.options import current

# Never text: skipped with their whole subtree.
SKIP_TAGS = frozenset(
    """script style noscript template svg math iframe object embed video audio canvas select option button input
    textarea head title meta link img picture source track map area dialog figcaption frame frameset applet
    -comment""".split()
)
BLOCK_TAGS = frozenset(
    """html body div p section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table tbody thead tfoot
    tr td th caption figure header footer nav aside form fieldset legend address center hr details summary menu
    hgroup""".split()
)
PLAIN_INLINE = frozenset("a b strong em i u font sup sub abbr cite q mark bdi bdo code s strike ins del wbr".split())
MEDIA_TAGS = frozenset("img picture svg video iframe object embed canvas".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Structural furniture regardless of class names.
NEG_TAGS = frozenset("nav footer aside header menu form".split())  # a form is a sign-up box, never the article
POS_TAGS = frozenset("article main".split())
_NEG_ROLES = frozenset("navigation complementary contentinfo banner menu menubar search dialog alert".split())
# React's streamed server rendering sends a Suspense boundary's content last, in <div hidden id="S:0">, and a
# script swaps it in for the placeholder <template id="B:0">: hidden in the markup, the page's text on screen
_STREAMED = re.compile(r"S:[0-9a-z]+$")
_PANEL_ROLES = frozenset({"region", "tabpanel"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ARTICLE_SELECTOR = "article, main, h1, [itemprop=articleBody], [role=main]"


@dataclass(eq=False, slots=True)
class Container:
    tag: str
    parent: Container | None
    depth: int
    hint: int  # -2 furniture, -1 probably furniture, 0 unknown, +1 article-ish (class/id/itemprop/role/tag)
    strong: bool = False  # itemprop=articleBody and the like
    media: bool = False  # holds an image/figure/video directly or in inline children
    text_chars: int = 0  # text of the units it owns directly
    score: float = 0.0
    pos: float = 0.0  # prose value below not yet under a furniture-named block, and what it weighs as bad text
    pos_bad: float = 0.0  # (the scorer's running sums, handed up the tree)
    good_chars: int = 0
    sentences: int = 0  # good units below that read as sentences (not headline-like teasers)
    raw_good: int = 0  # good text below, ignoring class hints (to overrule a weak furniture hint)
    raw_units: int = 0
    raw_chars: int = 0  # all text below, prose or not
    raw_sentences: int = 0  # prose units below that read as sentences, ignoring class hints
    bad_chars: int = 0
    units: int = 0
    neg: int = -1  # depth of the deepest furniture-named block in its chain, this one included (set by the scorer)
    furniture: bool = False  # it or a block above it is named as furniture (-2): not a body candidate (scorer)
    name: str = ""  # class and id as written (evidence for the scorer, shown by the inspector)
    first: int = -1  # index of the first and one past the last unit below it (set by the walk)
    end: int = -1


@dataclass(eq=False, slots=True)
class Unit:
    text: str
    link_chars: int
    tag: str  # tag of the owning block
    owner: Container
    index: int
    heading: bool = False
    list_item: bool = False
    after_media: bool = False  # first text after an image, nothing in between: caption/credit position
    junk: bool = False  # furniture line / credit / caption / policy text (set by the scorer)
    chain: tuple[Container, ...] = field(default=())
    sentence: bool | None = None  # reads as a sentence (body.py decides, once, when first asked)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


class _Walker:
    def __init__(self, root, skip: set[int] | None = None) -> None:
        self.root = root
        self.holders: set[int] | None = None  # mem_ids of the nodes that hold an article-ish element (lazy)
        self.total: int | None = None  # characters of text on the whole page (lazy)
        self.skip = skip
        self.units: list[Unit] = []
        self.containers: list[Container] = []
        self.buf: list[str] = []
        self.link_chars = 0
        self.link_depth = 0
        self.after_media: Container | None = None  # the block of an image with no text after it yet
        self.options = current()
        self.max_depth = self.options.max_walk_depth

    def flush(self, owner: Container, chain: tuple[Container, ...]) -> None:
        if not self.buf:
            return
        text = " ".join("".join(self.buf).split())
        links = self.link_chars
        self.buf.clear()  # in place: walk() frames hold it as a local
        self.link_chars = 0
        if not text:
            return
        owner.text_chars += len(text)
        self.units.append(Unit(text, min(links, len(text)), owner.tag, owner, len(self.units),
                               heading=owner.tag in HEADINGS, list_item=owner.tag in ("li", "dd", "dt"),
                               after_media=self.after_media is owner, chain=chain))
        # (a caption shares its image's block: <p><img>text</p>; a line after an image that sat in a block of its
        # own is just the next line of the text)
        self.after_media = None

    def collapse(self, node, box: Container, chain: tuple[Container, ...]) -> bool:
        """A never-body block, or a furniture-named one too small to matter: one junk unit for its whole text.
        Not when it may wrap the article itself (a "content-sidebar-wrap" around <main>). Too small: less text than
        options collapse_below and collapse_share of the page's, so it cannot hold most of the page's prose, which
        is what would overrule its name."""
        if node.mem_id in self.article_holders():
            return False
        # whitespace-only text nodes add nothing once the text is folded: leave them out (less text to fold)
        text = " ".join((node.text(deep=True, separator=" ", skip_empty=True) or "").split())
        o = self.options
        if box.hint > -3 and len(text) >= o.collapse_below and len(text) >= o.collapse_share * self.page_chars():
            return False  # a furniture-named block with text enough to be the article's own wrapper: weigh it
        self.units.append(Unit(text or " ", 0, box.tag, box, len(self.units), chain=chain, junk=True))
        box.text_chars += len(text)
        return True

    def page_chars(self) -> int:
        if self.total is None:
            self.total = len(self.root.text(deep=True, separator=" ", skip_empty=True) or "")
        return self.total

    def article_holders(self) -> set[int]:
        """mem_ids of every node that is or contains an article-ish element: what `node.css_first(_ARTICLE_SELECTOR)
        is not None` tells for one node, for all of them from a single query (a page collapses a dozen blocks)."""
        if self.holders is None:
            holders: set[int] = set()
            root_id = self.root.mem_id
            for n in self.root.css(_ARTICLE_SELECTOR):
                while n is not None and (mid := n.mem_id) not in holders:
                    holders.add(mid)
                    if mid == root_id:
                        break
                    n = n.parent
            self.holders = holders
        return self.holders

    def walk(self, node, owner: Container, chain: tuple[Container, ...], depth: int) -> None:
        buf = self.buf  # the run being collected (flush() empties it in place); `if buf` spares empty flushes
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                if not buf and child.is_empty_text_node:  # leading whitespace of a run carries nothing
                    continue  # (tested in C: no str made for the indentation between tags)
                t = child.text_content
                if t and (buf or not t.isspace()):
                    buf.append(t)
                    if self.link_depth:
                        self.link_chars += len(t.strip())
                continue
            if tag in SKIP_TAGS:
                if tag in MEDIA_TAGS:
                    owner.media = True
                    if not buf:
                        self.after_media = owner
                continue
            if tag == "br":
                if buf:
                    self.flush(owner, chain)
                continue
            if self.skip and child.mem_id in self.skip:
                if tag in BLOCK_TAGS and buf:
                    self.flush(owner, chain)
                continue
            if depth > self.max_depth:  # pathological nesting: keep the text, stop descending
                buf.append(" " + (child.text(separator=" ") or "") + " ")
                continue
            if tag in PLAIN_INLINE:  # no attribute look-up: these are never hidden furniture in practice
                if tag == "a":
                    self.link_depth += 1
                    if buf and not buf[-1].endswith(" "):
                        buf.append(" ")
                    self.walk(child, owner, chain, depth + 1)
                    self.link_depth -= 1
                else:
                    self.walk(child, owner, chain, depth + 1)
                continue
            attrs = child.attributes
            hidden = _hidden(attrs) if attrs else 0
            if hidden == 2 or (hidden and tag not in BLOCK_TAGS):
                continue
            if tag in BLOCK_TAGS:
                if buf:
                    self.flush(owner, chain)
                box = _container(tag, attrs, owner, len(chain))
                if hidden:  # hidden by a class only: scripts reveal such blocks (a whole page in "root hide")
                    box.hint = min(box.hint, -2)
                self.containers.append(box)
                sub = chain + (box,)
                # furniture-named blocks are walked like any other: a class word is evidence, never a veto
                # (page builders put "widget", "sidebar" or "paywall" in the article's own wrappers). Only blocks
                # that can never be the body (navigation, comments, embedded posts) and small furniture blocks
                # are read as one junk unit without descending, unless an article-ish element sits inside them.
                if box.hint <= -2 and self.collapse(child, box, sub):
                    box.first, box.end = len(self.units) - 1, len(self.units)
                    continue
                box.first = len(self.units)
                self.walk(child, box, sub, depth + 1)
                if buf:
                    self.flush(box, sub)
                box.end = len(self.units)
                continue
            if attrs and (cls := attrs.get("class")) and is_inline_drop_hint(cls):
                continue  # caption / credit / stamp span inside a text run
            self.walk(child, owner, chain, depth + 1)


def _hidden(attrs: dict) -> int:
    """2: hidden for sure (the hidden attribute, aria-hidden, an inline style); 1: hidden by a class name, which
    is weighed like a furniture word (a script may reveal it); 0: shown. A collapsed accordion or tab panel
    (WAI-ARIA role=region / tabpanel, or hidden="until-found", which find-in-page opens) is text the reader opens,
    not a hidden extra: shown, and weighed like any block."""
    hidden = attrs.get("hidden", False) is not False and not _STREAMED.match(attrs.get("id") or "")
    style = attrs.get("style")
    if not (hidden or attrs.get("aria-hidden") == "true" or (style and _HIDDEN_STYLE.search(style))):
        cls = attrs.get("class")
        return 1 if cls and is_hidden_hint(cls) else 0
    if attrs.get("role") in _PANEL_ROLES or (hidden and attrs.get("hidden") == "until-found"):
        return 0
    return 2


def _container(tag: str, attrs: dict, parent: Container, depth: int) -> Container:
    if attrs:
        cls, ident = attrs.get("class"), attrs.get("id")
        hint, strong = _hint(tag, cls, ident, attrs.get("role"), attrs.get("itemprop"))
        name = f"{cls or ''}#{ident}" if ident else (cls or "")
        return Container(tag, parent, depth, hint, strong, name=name)
    hint, strong = _hint(tag, None, None, None, None)
    return Container(tag, parent, depth, hint, strong)


@lru_cache(maxsize=16384)
def _hint(tag: str, cls: str | None, ident: str | None, role: str | None, itemprop: str | None) -> tuple[int, bool]:
    """(hint, strong) of a block from its tag and naming attributes (cached: templates repeat them a lot)."""
    hint = 0
    itemprop = (itemprop or "").lower()
    role = (role or "").lower()
    if "articlebody" in itemprop:  # not itemprop=text: that is also schema.org Comment.text
        return 1, True
    if role in _NEG_ROLES:
        hint = -3
    elif cls or ident:
        hint = hint_weight(" ".join(v for v in (cls, ident) if v))
    if hint == 0 and role in ("main", "article"):
        hint = 1
    if hint == 0:
        if tag in NEG_TAGS:
            hint = -3 if tag == "nav" else -2 if tag in ("aside", "footer", "form") else -1
        elif tag in POS_TAGS:
            hint = 1
    if tag in ("body", "html"):
        hint = 0
    return hint, False


def walk_units(root, skip: set[int] | None = None) -> tuple[list[Unit], list[Container]]:
    """Text units of `root` (normally the <body>) in document order, with their block containers.
    `skip`: mem_ids of block elements to leave out (a site profile's drop selectors)."""
    w = _Walker(root, skip)
    top = Container(root.tag or "body", None, 0, 0, first=0)
    w.containers.append(top)
    w.walk(root, top, (top,), 1)
    w.flush(top, (top,))
    top.end = len(w.units)
    return w.units, w.containers


__all__ = ["Container", "Unit", "walk_units"]
