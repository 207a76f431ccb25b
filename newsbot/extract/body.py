"""Main-content finder: which paragraphs of the page are the article text.

Main path (selectolax only, on the tree core.py already parsed):
1. walk the <body> into text units inside block containers (dom.py);
2. value each unit (long unlinked prose is good; link lists, furniture lines, units under furniture-named
   containers are bad) and add the values up every container above it; the best-scoring container wins,
   with a bonus for article-ish names (class/id/itemprop/role/tag);
3. keep that container's units minus furniture: read-also lines, credits, captions, bylines, date lines,
   the repeated headline, link-only lines — also when they sit between two body paragraphs;
4. cross-check with structured bodies (JSON-LD articleBody, embedded app state): when the DOM text is much
   shorter than a structured body that agrees with it, the structured one is used; agreement raises confidence.
trafilatura runs only when all of this finds (almost) nothing on a page that says it is an article.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import trace
from newsbot.extract.appstate import StructuredBody, app_states, jsonld_bodies, page_app_states, state_bodies
from newsbot.extract.boilerplate import (
    fold,
    is_byline,
    is_credit_line,
    is_date_line,
    is_furniture_line,
    is_policy_text,
)
from newsbot.extract.confidence import confidence
from newsbot.extract.dom import Container, Unit, walk_units
from newsbot.extract.options import current
from newsbot.extract.profiles import Profile
from newsbot.extract.types import BodyResult, Metadata

# the thresholds weighed here are named and documented once, in newsbot/extract/options.py (current())
_LETTER = re.compile(r"[^\W\d_]")
_TOKEN = re.compile(r"\w+")


def _is_caption(u: Unit) -> bool:
    """Short text next to an image: in the image's own small box, or the first text right after it."""
    n = len(u.text)
    o = current()
    if n > o.caption_max or u.heading:
        return False
    if u.owner.media and u.owner.text_chars <= o.caption_max:
        return True
    return u.after_media and _weighted_len(u.text) < o.caption_after_image_max and \
        not u.text.rstrip().endswith(_SENTENCE_END)


def _value(u: Unit) -> float:
    """How much this unit looks like article prose (negative: furniture)."""
    n = len(u.text)
    o = current()
    if u.junk:
        return -min(n, o.junk_weight_max)
    if is_credit_line(u.text) or _is_caption(u):
        u.junk = True
        return -min(n, o.image_furniture_weight_max)  # dropped from any container: barely weighs on the choice
    if is_furniture_line(u.text) or is_policy_text(u.text):
        u.junk = True
        return -min(n, o.junk_weight_max)
    ld = u.link_density
    if ld > o.link_dense:
        return -n
    if n < o.short_unit:
        return -2.0
    v = n * (1.0 - ld)
    if u.tag == "p":
        v *= o.paragraph_weight
    elif u.list_item or u.tag in ("td", "th", "dt", "dd"):
        v *= o.list_weight
    return v


def _score(units: list[Unit], containers: list[Container]) -> list[float]:
    """Value every unit and add the values up every container above it (score, good/bad chars, units, sentences).

    Every tally goes to the unit's own block and is then handed up the tree once, children before parents
    (`containers` lists every block before the blocks inside it): linear in the page, not units x depth."""
    values = [_value(u) for u in units]
    _raw_tallies(units, values, containers)
    _weigh_names(containers)
    # the deepest furniture-named block of each chain: the blocks down to it count the units below as bad text
    for c in containers:
        c.neg = c.depth if c.hint < 0 else (c.parent.neg if c.parent is not None else -1)
        c.furniture = c.hint <= -2 or (c.parent is not None and c.parent.furniture)
    _tallies(units, values, containers)
    return values


def _raw_tallies(units: list[Unit], values: list[float], containers: list[Container]) -> None:
    """The text and prose below each block, class names aside (what overrules a furniture name)."""
    for u, v in zip(units, values, strict=False):
        u.owner.raw_chars += len(u.text)
        if v > 0:
            u.owner.raw_good += len(u.text)
            u.owner.raw_units += 1
            if _sentence(u):
                u.owner.raw_sentences += 1
    for c in reversed(containers):
        if (p := c.parent) is not None:
            p.raw_good += c.raw_good
            p.raw_units += c.raw_units
            p.raw_chars += c.raw_chars
            p.raw_sentences += c.raw_sentences


def _weigh_names(containers: list[Container]) -> None:
    """Class words are evidence weighed against the prose a block holds: a block named like layout or weak furniture
    ("date_author", "content-sidebar-wrap", "elementor-widget") full of prose is the article after all, and so is
    a block named like furniture ("__next", "related-wrap") that holds most of the page's running prose."""
    page_good = containers[0].raw_good if containers else 0
    # furniture-named blocks are judged with their same-named siblings: an article cut into five
    # "content-nav-section" blocks holds most of the page's prose together, not in any one of them
    groups: dict[tuple[int, str, str], list[Container]] = {}
    for c in containers:
        if c.hint == -2 and c.parent is not None and c.raw_good:
            groups.setdefault((id(c.parent), c.tag, c.name.split("#", 1)[0]), []).append(c)  # (ids differ)
    for group in groups.values():
        if sum(c.raw_units for c in group) >= 3 and sum(c.raw_good for c in group) >= 0.6 * page_good:
            for c in group:
                c.hint = 0
    for c in containers:
        if c.hint == -1 and ((c.raw_good >= 400 and c.raw_units >= 3) or
                             (c.raw_sentences and c.raw_good >= 0.7 * c.raw_chars)):
            c.hint = 0  # (page builders wrap each paragraph of the article in its own "widget")


def _tallies(units: list[Unit], values: list[float], containers: list[Container]) -> None:
    """Score, good and bad chars, units and sentences of every block, furniture names counted."""
    o = current()
    bad_max, short = o.junk_weight_max, o.short_unit
    for u, v in zip(units, values, strict=False):
        n = len(u.text)
        owner = u.owner
        owner.units += 1
        if v > 0:  # its value up to the deepest furniture-named block above it, bad text from there up
            owner.pos += v
            owner.pos_bad -= min(n, bad_max)
            owner.good_chars += n
            if _sentence(u):
                owner.sentences += 1
        else:
            owner.score += v
            if n >= short or u.link_chars or u.junk:  # a short plain line (list item, cell) is neutral, not furniture
                owner.bad_chars += n
    for c in reversed(containers):
        if c.hint < 0:  # all the text below a furniture-named block is bad text from there up
            c.bad_chars += c.good_chars
            c.good_chars = 0
            c.sentences = 0
            c.score += c.pos_bad
            c.pos = c.pos_bad = 0.0
        if (p := c.parent) is not None:
            p.units += c.units
            p.good_chars += c.good_chars
            p.bad_chars += c.bad_chars
            p.sentences += c.sentences
            p.score += c.score
            p.pos += c.pos
            p.pos_bad += c.pos_bad
        c.score += c.pos


def _best_container(containers: list[Container], near_title: set[int] | None = None) -> Container | None:
    best, best_s = None, 0.0
    o = current()
    for c in containers:
        s = c.score
        if s <= 0 or c.furniture:
            continue
        if c.strong:
            s *= o.article_body_bonus
        elif c.hint > 0:
            s *= o.article_name_bonus
        if near_title and (id(c) in near_title or (c.parent is not None and (
                id(c.parent) in near_title or (c.parent.parent is not None and id(c.parent.parent) in near_title)))):
            s *= o.headline_bonus  # the headline sits in or just above it: the article, not a neighbour story
        if s > best_s:
            best, best_s = c, s
    return best


_TITLE_SPLIT = re.compile(r"\s[-|–—:»«]\s|\s::\s")


def _title_keys(tree: LexborHTMLParser, meta: Metadata) -> frozenset[str]:
    """Folded forms of the headline as the page states it (meta title, og:title, <title> parts, first h1)."""
    raw = [meta.title or ""]
    for sel in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
        n = tree.css_first(sel)
        if n is not None:
            raw.append(n.attributes.get("content") or "")
    for sel in ("title", "h1"):
        n = tree.css_first(sel)
        if n is not None:
            raw.append(n.text(separator=" ") or "")
    keys = set()
    for r in raw:
        for part in [r, *_TITLE_SPLIT.split(r)]:
            f = fold(part).strip(" .:-–—|")
            if len(f) >= 12:
                keys.add(f)
    return frozenset(keys)


def _same_as_title(text: str, titles: frozenset[str]) -> bool:
    if not titles or len(text) > 400:
        return False
    f = fold(text).strip(" .:-–—|")
    return f in titles


def _is_island(c: Container, box: Container, units: list[Unit]) -> bool:
    """A sub-block of the chosen container that is mostly furniture (tag chips, promo boxes, prev/next teasers)."""
    if c.units < 2 or c.sentences >= 2 or c.good_chars * 2 >= box.good_chars:
        return False  # two real paragraphs next to a related list stay
    if c.raw_good == 0 and c.first >= 0:
        # nothing but short lines: data when they are list items, cells or lines of one block (<br>), else chips
        inner = units[c.first:c.end]
        return not all(u.tag in _CELL_TAGS or u.owner is inner[0].owner for u in inner)
    return c.bad_chars > 0.3 * (c.bad_chars + c.good_chars)


def _keep(units: list[Unit], values: list[float], box: Container, ftitle: frozenset[str],
          why: dict[int, str] | None = None) -> list[Unit]:
    """The units of `box` that are body text. `why`, when given, receives the rule that dropped each other unit
    (the inspector's trace: the decisions are recorded here, where they are taken)."""
    depth = box.depth
    inside = units[box.first:box.end] if box.first >= 0 else \
        [u for u in units if len(u.chain) > depth and u.chain[depth] is box]
    kept: list[Unit] = []
    for u in inside:
        rule = _drop_rule(u, box, units, ftitle)
        if rule:
            if why is not None:
                why[u.index] = rule
            continue
        kept.append(u)
    # Lines before the first real paragraph: kickers, section names and stamps go, but an opening question, a short
    # list or a body made of short lines (a calendar, results) is the article.
    first = next((i for i, u in enumerate(kept) if values[u.index] > 0 and _sentence(u)), None)
    if first is None:
        first = next((i for i, u in enumerate(kept) if values[u.index] > 0), None)
        if first is None:
            return []
    lead = [u for u in kept[:first] if (u.heading and len(u.text) >= current().short_unit) or _opening_line(u)]
    if why is not None:
        for u in kept[:first]:
            if u not in lead:
                why[u.index] = "kicker or label before the first paragraph"
    return lead + kept[first:]


def _drop_rule(u: Unit, box: Container, units: list[Unit], ftitle: frozenset[str]) -> str:
    """Why a unit of the chosen block is not body text ("" when it is)."""
    below = u.chain[box.depth + 1:]
    named = next((c for c in below if c.hint < 0), None)
    if named is not None:
        return f"inside a furniture-named block ({named.tag}.{named.name[:40]})"
    if any(_is_island(c, box, units) for c in below):
        return "island: a sub-block of mostly furniture or chips"
    text = u.text
    if not _LETTER.search(text) and not (u.tag in _CELL_TAGS and _DIGIT.search(text)):
        return "no letters (ids, separators)"  # a figure in a table cell or list item is data
    if u.junk:
        return "furniture line, credit or caption"
    if u.link_density > current().link_dense:
        return f"link density {u.link_density:.2f}"
    if is_date_line(text) and u.tag not in ("td", "th"):  # a date or a figure in a table cell is data
        return "date line"
    if is_byline(text) and len(text) < 60:
        return "byline"
    if _same_as_title(text, ftitle):
        return "the headline again"
    return ""


_CELL_TAGS = frozenset("td th li dd dt".split())
_DIGIT = re.compile(r"\d")
_SENTENCE_END = (".", "!", "؟", "?", "\u06d4", '"', "»", ":", "：", "。", "！", "？", "…")


def _opening_line(u: Unit) -> bool:
    """A short line before the first paragraph that reads as text: it ends like a sentence, or is a list item or a
    line of four words or more, and carries no link (kickers and section labels are one to three words or linked)."""
    if u.link_chars or u.heading:
        return False
    text = u.text.rstrip()
    return text.endswith(_SENTENCE_END) or u.list_item or len(text.split()) >= 4


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _weighted_len(text: str) -> int:
    """Length for the sentence thresholds: a CJK character carries about a word, so it counts three."""
    n = len(text)
    if _CJK.search(text) is not None:  # (one C-speed scan; most pages have none)
        n += 2 * len(_CJK.findall(text))
    return n


def _is_sentence(text: str) -> bool:
    n = _weighted_len(text)
    o = current()
    return n >= o.sentence_chars or (n >= o.sentence_chars_with_stop and text.rstrip().endswith(_SENTENCE_END))


def _sentence(u: Unit) -> bool:
    """_is_sentence of a unit's text, worked out once (the scorer, the keep rules and the signals all ask)."""
    s = u.sentence
    if s is None:
        s = u.sentence = _is_sentence(u.text)
    return s


def _tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall(fold(text)))


def _overlap(a: str, b: str) -> float:
    """Share of a's tokens found in b."""
    ta, tb = _tokens(a), _tokens(b)
    n = sum(ta.values())
    return sum((ta & tb).values()) / n if n else 0.0


def _structured_paragraphs(sb: StructuredBody, ftitle: frozenset[str]) -> list[str]:
    if sb.html:
        frag = LexborHTMLParser(sb.html)
        root = frag.body or frag.root
        if root is None:
            return []
        units, containers = walk_units(root)
        values = [_value(u) for u in units]
        top = containers[0]
        return [u.text for u in _keep(units, values, top, ftitle)]
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", html_lib.unescape(sb.text)) if p.strip()]
    return [p for p in paras if not is_furniture_line(p) and not _same_as_title(p, ftitle)]


def _structured(tree: LexborHTMLParser, meta: Metadata, html: str | None, with_state: bool) -> list[StructuredBody]:
    """Structured bodies to compare with the DOM. The metadata step already read JSON-LD; the page's JSON-LD and
    app state are parsed here only when the DOM result is thin or doubtful (they can be large)."""
    out: list[StructuredBody] = []
    page_html = html
    if meta.jsonld_body:
        bodies = [meta.jsonld_body]
    elif with_state and (not html or "ld+json" in html):
        bodies = jsonld_bodies(tree)
    else:
        bodies = []
    for b in bodies:
        if b and len(b.strip()) >= 80:
            html = b if "<p" in b or "<br" in b else None
            plain = re.sub(r"<[^>]+>", " ", b) if html else b
            out.append(StructuredBody("jsonld", plain, html))
    # NB the loop above rebinds `html` to the last JSON-LD body (or None): the app-state test then reads that
    if with_state:
        if not html:
            states = app_states(tree)
        elif html is page_html:
            states = page_app_states(tree, html)
        else:
            states = app_states(tree) if "__NEXT_DATA__" in html or "window.__" in html else []
        out.extend(state_bodies(states, meta.title)[:3])
    return out


def _profile_roots(tree: LexborHTMLParser, profile: Profile | None):
    if profile is None or not profile.body:
        return None
    for sel in profile.body:
        nodes = tree.css(sel)
        if nodes:
            return nodes
    return None


def _looks_like_listing(units: list[Unit], values: list[float], box: Container, ftitle: frozenset[str],
                        declared_article: bool | None) -> bool:
    """Teaser lists (home/section pages): linked headlines alternating with short blurbs, many times over.

    A listing verdict throws the page away, so it needs positive evidence that there is no article: a page with a
    run of running prose (three sentences in a row) is an article with inline links (a buying guide, a listicle,
    "check the price" lines), and so is a page whose structured data says article and that has prose at all."""
    depth = box.depth
    seq = []
    run = best_run = sentences = 0
    run_block: Container | None = None
    dense = current().link_dense
    for u in units:
        if len(u.chain) > depth and u.chain[depth] is box and u.owner.neg <= depth:
            if u.link_density > dense and len(u.text) >= 20 and not is_furniture_line(u.text):
                seq.append("L")
                run = 0
            elif values[u.index] > 0:
                seq.append("P")
                if _sentence(u):
                    sentences += 1
                    # running prose: sentences in a row in ONE block (paragraphs of an article are siblings; the
                    # blurbs of a home page sit one per teaser box)
                    block = _paragraph_block(u, depth)
                    run = run + 1 if block is run_block else 1
                    run_block = block
                    best_run = max(best_run, run)
    if best_run >= current().running_prose_run or (declared_article and sentences >= 3):
        return False
    changes = sum(1 for a, b in zip(seq, seq[1:], strict=False) if a != b)
    links = seq.count("L")
    if changes >= 14 and links >= 8:
        return True
    # fewer alternations: an article with a few inline linked headlines looks the same, unless its headline is there
    return changes >= 10 and links >= 5 and not _headline_near(units, box, ftitle)


def _paragraph_block(u: Unit, depth: int) -> Container:
    """The block whose children a prose unit's paragraph is one of: the paragraph's parent, above the wrappers of
    this one paragraph (<div class=paragraph><p>), never above an entry of a list or feed, nor above `depth`."""
    block = u.owner.parent if u.owner.tag in _PARAGRAPH_TAGS and u.owner.parent else u.owner
    while block.end - block.first <= 1 and block.tag not in _ENTRY_TAGS and \
            block.parent is not None and block.parent.depth >= depth:
        block = block.parent
    return block


def _one_of_peer_entries(containers: list[Container], box: Container) -> bool:
    """Is the chosen block one entry of a feed or blog index: two or more sibling blocks of the same tag and name
    that also hold sentences of their own (page-builder wrappers of ONE article are won by their common parent)?"""
    if box.parent is None:
        return False
    for c in (box, box.parent):  # the entry, or the entry's item in a list (<li class=feed><div class=rss-box>)
        parent = c.parent
        if parent is None or parent.depth == 0:
            return False
        peers = [x for x in containers if x.parent is parent and x is not c and x.tag == c.tag and x.name == c.name
                 and x.raw_sentences >= 2]
        if len(peers) >= 2:
            return True
    return False


def _teaser_entries(units: list[Unit], containers: list[Container], box: Container) -> bool:
    """Is the chosen block a list of teasers: many sibling entries of the same tag and name, each a short headline
    line over a longer blurb, none holding much of the block's prose (a section page whose headlines are not links)?
    The paragraphs of an article are one line per wrapper, its sections run longer than a blurb; a listicle of this
    shape that says it is an article is never asked."""
    kids: dict[int, list[Container]] = {}
    for c in containers:
        if c.parent is not None and c.end > c.first and box.first <= c.first and c.end <= box.end:
            kids.setdefault(id(c.parent), []).append(c)
    parent: Container | None = box
    o = current()
    while parent is not None:  # down through the wrappers that hold most of the block's prose
        children = kids.get(id(parent), [])
        widest = max(children, key=lambda c: c.good_chars, default=None)
        here, parent = parent, (widest if widest is not None and widest.good_chars >= 0.6 * parent.good_chars
                                else None)
        if len(children) < o.teaser_entries_min:
            continue
        groups: dict[tuple[str, str], list[Container]] = {}
        for c in children:
            groups.setdefault((c.tag, c.name), []).append(c)
        entries = max(groups.values(), key=len)
        if len(entries) < o.teaser_entries_min:
            continue
        teasers = 0
        for c in entries:
            lines = [u.text for u in units[c.first:c.end] if len(u.text) >= 15]
            if 2 <= len(lines) <= 3 and len(lines[0]) <= 160 and len(lines[0]) < len(lines[-1]) <= o.teaser_blurb_max \
                    and _is_sentence(lines[-1]):
                teasers += 1
        biggest = max(c.good_chars for c in entries)
        if teasers >= o.teaser_entries_min and teasers >= 0.6 * len(entries) and \
                biggest < o.teaser_max_share * max(here.good_chars, 1):
            return True
    return False


_PARAGRAPH_TAGS = frozenset("p blockquote pre h2 h3 h4 h5 h6".split())
_ENTRY_TAGS = frozenset("li dd dt td th tr article".split())  # one entry of a list, a table or a feed: never a wrapper


def _widen(box: Container) -> Container:
    """Climb to the parent when it holds much more prose and only scores lower because of furniture embedded
    between the paragraphs (tweets, ads, paywall prompts): the article is the parent, the furniture is dropped
    by _keep anyway. A parent that scores far lower has page furniture around it: stay."""
    while (p := box.parent) is not None and p.score > 0.25 * box.score and p.good_chars >= 1.4 * box.good_chars:
        box = p
    return box


def _lead_blocks(containers: list[Container], units: list[Unit], box: Container, ftitle: frozenset[str]
                 ) -> list[Container]:
    """Prose blocks printed right before the chosen one under the same parent: a lead paragraph in a block of its own
    just above the articleBody block. Only blocks of running prose, with nothing between them and the body, and
    never the headline's own block."""
    parent = box.parent
    if parent is None or box.first <= 0 or not box.strong:  # (a subtitle field above a plain body block is a dek)
        return []
    siblings = [c for c in containers if c.parent is parent and c.end <= box.first and c.end > c.first]
    out: list[Container] = []
    start = box.first
    for c in reversed(siblings):
        if c.end != start or len(out) >= 2:
            break
        if c.furniture or c.hint < -1 or not c.raw_sentences or c.raw_good < 0.8 * c.raw_chars or \
                any(_same_as_title(u.text, ftitle) for u in units[c.first:c.end]):
            break
        out.append(c)
        start = c.first
    return out[::-1]


def _headline_near(units: list[Unit], box: Container, ftitle: frozenset[str]) -> bool:
    """Is the page headline printed in (or just around) the chosen container?"""
    top = box
    for _ in range(3):
        if top.parent is None:
            break
        top = top.parent
    depth = top.depth
    return any(len(u.chain) > depth and u.chain[depth] is top and _same_as_title(u.text, ftitle) for u in units)


def _dom_result(units: list[Unit], containers: list[Container], ftitle: frozenset[str],
                declared_article: bool | None = None) -> tuple[list[str], float, bool]:
    """(paragraphs, confidence, looks like a listing page)."""
    values = _score(units, containers)
    # the headline's block and three levels above it; containers in or just under those get a bonus
    near_title = {id(c) for u in units if u.heading and _same_as_title(u.text, ftitle) for c in u.chain[-4:]}
    box = _best_container(containers, near_title)
    if box is None:
        return [], 0.0, False
    box = _widen(box)
    if _looks_like_listing(units, values, box, ftitle, declared_article) or \
            (not declared_article and (_one_of_peer_entries(containers, box) or _teaser_entries(units, containers, box))):
        return [], 0.05, True
    t = trace.active()
    why: dict[int, str] | None = {} if t is not None else None
    leads = _lead_blocks(containers, units, box, ftitle)
    kept = [u for lead in leads for u in _keep(units, values, lead, ftitle, why)]
    kept += _keep(units, values, box, ftitle, why)
    paras = [u.text for u in kept]
    if t is not None and why is not None:
        _record_trace(t, units, containers, box, leads, kept, why, near_title)
    total_good = containers[0].good_chars  # prose of the page outside furniture-named blocks
    concentration = box.good_chars / total_good if total_good else 0.0
    o = current()
    if concentration < o.lone_teaser_share and box.good_chars < o.lone_teaser_chars and not declared_article and \
            not _headline_near(units, box, ftitle):
        return [], 0.05, True  # one teaser among many, no headline of its own: a section/home page
    signals = _signals(units, containers, box, kept, values, ftitle, declared_article)
    return paras, _confidence(signals), False


def _path(c: Container) -> str:
    """Where a block sits, outermost first: "body/…/div.article-body/p"."""
    parts = []
    node: Container | None = c
    while node is not None:
        first = node.name.split()[0] if node.name.split() else ""
        parts.append(f"{node.tag}.{first}" if first and node.parent is not None else node.tag)
        node = node.parent
    parts.reverse()
    return "/".join(parts if len(parts) <= 5 else [parts[0], "…", *parts[-4:]])


def _outside_rule(u: Unit) -> str:
    named = next((c for c in reversed(u.chain) if c.hint < 0), None)
    if named is not None:
        return f"outside the chosen block, in a block named as furniture ({named.tag}.{named.name[:40]})".replace(
            ".)", ")")
    if u.junk:
        return "outside the chosen block; a furniture line, credit or caption"
    return "outside the chosen block"


def _record_trace(t: trace.Trace, units: list[Unit], containers: list[Container], box: Container,
                  leads: list[Container], kept: list[Unit], why: dict[int, str], near_title: set[int]) -> None:
    kept_ids = {u.index for u in kept}
    for u in units:
        rule = why.get(u.index) or ("kept" if u.index in kept_ids else _outside_rule(u))
        t.add_block(u.index, u.text, u.index in kept_ids, rule, _path(u.owner))
    for c in sorted((c for c in containers if c.score > 0 and not c.furniture), key=lambda c: -c.score)[:8]:
        bonus = [w for w, on in (("articleBody x1.5", c.strong), ("article-ish name x1.15", c.hint > 0 and not c.strong),
                                 ("near the headline x1.2", id(c) in near_title)) if on]
        t.add_candidate(_path(c), round(c.score, 1), c is box, ", ".join(bonus) or "prose score")
    for lead in leads:
        t.add_candidate(_path(lead), round(lead.score, 1), True, "lead block right before the body")


def _signals(units: list[Unit], containers: list[Container], box: Container, kept: list[Unit], values: list[float],
             ftitle: frozenset[str], declared_article: bool | None) -> dict[str, float]:
    """What the confidence is computed from: how much running prose was kept, how much of the page's prose the
    chosen block holds, how clear its lead over the best block outside it is."""
    chars = sum(len(u.text) for u in kept)
    sentence_chars = sum(len(u.text) for u in kept if _sentence(u))
    page_good = containers[0].raw_good or 1
    rival = 0.0
    for c in containers:  # the best-scoring block that neither holds the chosen one nor sits inside it
        if c.score > rival and not c.furniture and (c.end <= box.first or c.first >= box.end):
            rival = c.score
    return {
        "chars": chars,
        "sentence_share": sentence_chars / chars if chars else 0.0,
        "concentration": box.raw_good / page_good,
        "rival": rival / box.score if box.score > 0 else 1.0,
        "named": 1.0 if box.hint > 0 or box.strong else 0.0,
        "whole_page": 1.0 if box.tag in ("body", "html") or box.depth == 0 else 0.0,
        "headline": 1.0 if _headline_near(units, box, ftitle) else 0.0,
        "declared": 1.0 if declared_article else 0.0,
        "kept_units": len(kept),
        "box_bad": box.bad_chars / max(1, box.bad_chars + box.good_chars),
        "outside_sentences": 1.0 - box.raw_sentences / max(1, containers[0].raw_sentences),
        "heading_share": sum(1 for u in kept if u.heading) / max(1, len(kept)),
        "list_share": sum(len(u.text) for u in kept if u.list_item) / max(1, chars),
        "link_share": sum(u.link_chars for u in kept) / max(1, chars),
        "mean_len": chars / max(1, len(kept)),
        "depth": box.depth,
    }


def _confidence(sig: dict[str, float]) -> float:
    return confidence(sig)


def extract_body(
    tree: LexborHTMLParser, meta: Metadata, url: str, profile: Profile | None, html: str = ""
) -> BodyResult:
    ftitle = _title_keys(tree, meta)
    warnings: list[str] = []
    roots = _profile_roots(tree, profile)
    skip = None
    if profile is not None and profile.drop:
        skip = {n.mem_id for sel in profile.drop for n in tree.css(sel)}
    if roots is not None and profile is not None:
        strategy = f"profile:{profile.slug}"
        units, paras, conf = _profile_body(roots, skip, ftitle)
    else:
        strategy = "dom"
        root = tree.body or tree.root
        units, containers = walk_units(root, skip) if root is not None else ([], [])
        paras, conf, listing = _dom_result(units, containers, ftitle, meta.is_article)
        if listing:
            warnings.append("listing-page")
    paras, strategy, conf = _structured_opinion(tree, meta, html, paras, strategy, conf, ftitle, warnings)

    if "listing-page" in warnings and strategy == "dom":
        return BodyResult([], "dom", 0.05, warnings)
    if meta.is_article is False and strategy == "dom" and conf < 0.7 and not _running_prose(paras):
        # og:type "website" on a page without running prose; many blogs say "website" on every article, so the
        # second opinion is asked first: running prose the DOM choice missed overrules the verdict
        overruled = _not_article_overruled(html, url, conf, units, warnings)
        return overruled or BodyResult([], "dom", round(conf, 3), warnings + ["not-article"])
    if html and strategy == "dom":
        fallback = _trafilatura_opinion(html, url, paras, conf, units, meta.is_article, warnings)
        if isinstance(fallback, BodyResult):
            return fallback
        conf = fallback
    if profile is not None and profile.hook is not None and strategy.startswith("profile:"):
        paras = list(profile.hook(paras, tree))
    return BodyResult(paras, strategy, round(conf, 3), warnings)


def _profile_body(roots: list, skip: set[int] | None, ftitle: frozenset[str]
                  ) -> tuple[list[Unit], list[str], float]:
    """The units, paragraphs and confidence of the blocks a site profile names as the body."""
    units: list[Unit] = []
    for r in roots:
        for x in walk_units(r, skip)[0]:
            x.index = len(units)
            units.append(x)
    values = [_value(u) for u in units]
    paras: list[str] = []
    for r_units in _group_by_top(units):
        top = r_units[0].chain[0]
        paras.extend(u.text for u in _keep(r_units, values, top, ftitle))
    return units, paras, 0.9 if sum(map(len, paras)) >= 200 else 0.4


def _structured_opinion(tree: LexborHTMLParser, meta: Metadata, html: str, paras: list[str], strategy: str,
                        conf: float, ftitle: frozenset[str], warnings: list[str]) -> tuple[list[str], str, float]:
    """The DOM body weighed against the structured bodies (JSON-LD articleBody, app state): the structured one
    replaces a DOM teaser, confirms an agreeing DOM body, and lowers the confidence of one it contradicts."""
    dom_text = "\n".join(paras)
    o = current()
    # App state is only decoded when the DOM text is thin (it can be megabytes of JSON).
    with_state = len(dom_text) < o.structured_check_below or conf < o.second_opinion_below
    for sb in _structured(tree, meta, html, with_state):
        s_paras = _structured_paragraphs(sb, ftitle)
        s_text = "\n".join(s_paras)
        if len(s_text) < o.structured_min_chars:
            continue
        agree = _overlap(dom_text, s_text) if dom_text else 0.0
        if len(s_text) > 1.5 * len(dom_text) + 150 and (sb.title_match or agree >= 0.6 or sb.source == "jsonld"):
            # the DOM shows a teaser / collapsed text; the structured body is the article
            return s_paras, sb.source, 0.75 + (0.15 if agree >= 0.6 else 0.0)
        back = _overlap(s_text, dom_text)
        if agree >= o.agreement and back >= o.agreement:
            return paras, strategy, min(1.0, conf + 0.2)
        if back < 0.3 and sb.source == "jsonld":
            warnings.append("dom-jsonld-disagree")
            conf = max(0.0, conf - 0.15)
    return paras, strategy, conf


def _trafilatura_opinion(html: str, url: str, paras: list[str], conf: float, units: list[Unit],
                         declared_article: bool | None, warnings: list[str]) -> BodyResult | float:
    """A second opinion when the DOM choice is weak: trafilatura's generic extraction. Both agreeing confirms the DOM
    body (its furniture rules are finer): the confidence it earns is returned. Disagreeing, the DOM choice was the
    doubtful one, so trafilatura's body is returned and the strategy says so. Pages whose only candidate is nothing
    ask too, unless they said they are no article (og:type website without prose; a listing verdict returned
    before)."""
    dom_chars = sum(map(len, paras))
    o = current()
    weak, below = o.second_opinion_min_chars, o.second_opinion_below
    # a page the DOM found no candidate on at all (no listing verdict: that returned before) asks too, unless it
    # said it is no article: finding nothing is no evidence that there is nothing
    nothing = not paras and declared_article is not False
    if not ((dom_chars >= weak and conf < below) or (dom_chars < weak and (declared_article is True or nothing))):
        return conf
    fb = _second_opinion(html, url, units)
    fb_text = "\n".join(fb)
    if len(fb_text) < weak:
        return conf
    dom_text = "\n".join(paras)
    agree, back = _overlap(dom_text, fb_text), _overlap(fb_text, dom_text)
    if agree >= o.agreement and back >= o.agreement:
        return max(conf, below)
    if len(fb_text) > 0.5 * dom_chars:
        return BodyResult(fb, "trafilatura", _second_opinion_confidence(conf),
                          warnings + (["dom-empty"] if not paras else ["dom-weak"]))
    return conf


def without_repeated_runs(paras: list[str]) -> list[str]:
    """The body without the later copy of a run of paragraphs printed twice: a carousel's cloned slides, the article
    repeated in a print or app view. A single repeated line may be the article's own refrain and stays."""
    first: dict[str, int] = {}
    for i, p in enumerate(paras):
        first.setdefault(p, i)
    min_chars = current().repeat_min_chars
    drop = set()
    for i, p in enumerate(paras):
        j = first[p]
        if j == i or len(p) < min_chars:
            continue
        # the earlier copy's neighbour is repeated next to this one, in the same order
        if (i + 1 < len(paras) and j + 1 < i and paras[i + 1] == paras[j + 1]) or \
                (j > 0 and i - 1 != j and paras[i - 1] == paras[j - 1]):
            drop.add(i)
    return [p for i, p in enumerate(paras) if i not in drop] if drop else paras


def _without_rejected(fb: list[str], units: list[Unit]) -> list[str]:
    """trafilatura's paragraphs minus those the DOM walk saw and rejected by a rule of its own (a furniture line,
    a credit, an embedded post, a block named as furniture, a link list): its rules are the finer ones."""
    never = [u for u in units if u.owner.furniture and any(c.hint <= -3 for c in u.chain)]
    dense = current().link_dense
    rejected = {" ".join(u.text.split()) for u in units if u.junk or u.link_density > dense} | {u.text for u in never}
    rejected.discard("")
    if not rejected:
        return fb
    never_text = "\n".join(u.text for u in never)  # a never-body block read whole: its lines are parts of it
    out = []
    for p in fb:
        flat = " ".join(p.split())
        if flat in rejected or (len(flat) >= 20 and flat in never_text):
            continue
        out.append(p)
    return out


def _not_article_overruled(html: str, url: str, conf: float, units: list[Unit], warnings: list[str]
                           ) -> BodyResult | None:
    """trafilatura's body of a page said to be no article, when it holds running prose (sentences in a row: what
    a list of teasers or links does not have), at the confidence of a second opinion; else None."""
    if not html:
        return None
    o = current()
    fb = _second_opinion(html, url, units)
    if _sentence_run(fb) < o.running_prose_run or sum(map(len, fb)) < o.second_opinion_min_chars:
        return None
    return BodyResult(fb, "trafilatura", _second_opinion_confidence(conf), warnings + ["not-article-overruled"])


def _second_opinion(html: str, url: str, units: list[Unit]) -> list[str]:
    """trafilatura's paragraphs of the page, minus what the DOM walk rejected by a rule of its own."""
    return _without_rejected(_trafilatura(html, url), units)


def _second_opinion_confidence(conf: float) -> float:
    """The confidence of a body trafilatura gave in place of the DOM's: under the second-opinion threshold."""
    return round(min(conf, current().second_opinion_below) * 0.9, 3)


def _sentence_run(paras: list[str]) -> int:
    """The longest run of consecutive paragraphs that read as sentences."""
    run = best = 0
    for p in paras:
        run = run + 1 if _is_sentence(p) else 0
        best = max(best, run)
    return best


def _running_prose(paras: list[str]) -> bool:
    return sum(1 for p in paras if _is_sentence(p)) >= 3 and sum(map(len, paras)) >= 500


def _group_by_top(units: list[Unit]) -> list[list[Unit]]:
    groups: dict[int, list[Unit]] = {}
    for u in units:
        groups.setdefault(id(u.chain[0]), []).append(u)
    return list(groups.values())


def _trafilatura(html: str, url: str) -> list[str]:
    try:
        import trafilatura
    except ImportError:  # optional at runtime
        return []
    text = trafilatura.extract(html, url=url or None, include_comments=False, include_tables=True) or ""
    return [p.strip() for p in text.split("\n") if p.strip()]
