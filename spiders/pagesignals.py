"""Cheap signals about a fetched page for the article/non-article decision.

The page's own claim (og:type, JSON-LD @type) and its link density (listing pages are mostly
links). One selectolax parse; no dates, no body extraction (that is newsbot.extract's job).
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import safejson

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "report", "scholarlyarticle", "techarticle",
}  # fmt: skip
_LISTING_TYPES = {"website", "webpage", "collectionpage", "itemlist", "searchresultspage", "profilepage"}


@dataclass
class PageSignals:
    is_article: bool | None  # True/False when the page says so, None when silent
    kind_hint: str | None  # "liveblog" when the page declares a LiveBlogPosting
    link_density: float | None  # share of the visible text inside <a>


def _jsonld_types(tree: LexborHTMLParser) -> set[str]:
    types: set[str] = set()
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = safejson.loads(node.text() or "")
        except ValueError:  # broken, or nested too deep (a RecursionError would lose the page)
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                t = item.get("@type")
                for value in t if isinstance(t, list) else [t]:
                    if isinstance(value, str):
                        types.add(value.lower())
                if "@graph" in item:
                    stack.append(item["@graph"])
    return types


def page_signals(html: str | LexborHTMLParser) -> PageSignals:
    """Signals of a page: give the tree extraction already parsed (read, never changed) or the HTML text."""
    tree = html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html)
    types = _jsonld_types(tree)
    og = tree.css_first('meta[property="og:type"]')
    og_type = (og.attributes.get("content") or "").strip().lower() if og is not None else ""
    is_article: bool | None = None
    if types & _ARTICLE_TYPES or og_type == "article":
        is_article = True
    elif (types and types <= _LISTING_TYPES | {"organization", "breadcrumblist", "newsmediaorganization"}) or (
        og_type in ("website", "profile")
    ):
        is_article = False
    kind_hint = "liveblog" if "liveblogposting" in types else None
    return PageSignals(is_article, kind_hint, _link_density(tree))


def _link_density(tree: LexborHTMLParser) -> float | None:
    root = tree.body
    if root is None:
        return None
    # the tree is shared with extraction and link discovery: subtract script/style text, don't remove it
    hidden = sum(len("".join(n.text(separator=" ").split())) for n in root.css("script, style, noscript, template, svg"))
    total = len("".join(root.text(separator=" ").split())) - hidden
    if total <= 0:
        return None
    linked = sum(len("".join(a.text(separator=" ").split())) for a in root.css("a"))
    return min(1.0, linked / total)
