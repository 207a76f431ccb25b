"""The headline: the visible heading that matches the stated title best (newsbot.extract.metadata)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsbot.extract import jsonld
from newsbot.extract.metadata.common import first, is_site_label, node_text, short_text, tokens
from newsbot.extract.text import clean_line


def strip_site_name(title: str, site_names: list[str]) -> str:
    """'Headline - Site' / 'Headline | Section | Site' -> 'Headline'."""
    pieces = re.split(r"(\s+(?:\||-|–|—|::|«|»|·|•)\s+)", title)
    parts, seps = pieces[::2], pieces[1::2]
    if len(parts) == 1:
        return title
    longest = max(len(p) for p in parts)

    def droppable(part: str) -> bool:
        # names the site, or a short label beside a much longer headline part
        return is_site_label(part, site_names) or (len(part) * 2 < longest and len(part.split()) <= 4)

    while len(parts) > 1 and droppable(parts[-1]) and len(parts[-1]) < longest:
        parts.pop()
        seps.pop()
    while len(parts) > 1 and is_site_label(parts[0], site_names) and len(parts[0]) < longest:
        parts.pop(0)
        seps.pop(0)
    return "".join(p + (seps[i] if i < len(seps) else "") for i, p in enumerate(parts)).strip()


def find_title(tree: LexborHTMLParser, metas: dict, art: dict | None, site_names: list[str]
                ) -> tuple[str | None, LexborNode | None]:
    candidates = []
    if art:
        candidates.append(jsonld.first_text(art.get("headline") or art.get("headLine") or art.get("name")))
    candidates += [first(metas, "og:title"), first(metas, "twitter:title"), first(metas, "dc.title"),
                   first(metas, "headline"), first(metas, "title")]
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

    ref_tokens = [set(tokens(r)) for r in refs]

    def best_heading(nodes: list[LexborNode], threshold: float) -> tuple[str | None, LexborNode | None]:
        """The heading whose words overlap a reference title most (share of the larger word set)."""
        best_score, best_text, best_node = 0.0, None, None
        for node in nodes:
            text = short_text(node, 400)
            words = set(tokens(text)) if text else set()
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
                text = node_text(node)
                if len(text.split()) >= 3 and not is_site_label(text, site_names):
                    return text, node
        for c in candidates:
            c = clean_line(c)
            if c:
                return clean_line(strip_site_name(c, site_names)), None
    for node in tree.css("h1")[:5]:
        text = node_text(node)
        if len(text.split()) >= 2:
            return text, node
    return None, None
