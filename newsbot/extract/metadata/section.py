"""The article's section (JSON-LD, meta, breadcrumbs, the current menu item) and its tags."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import jsonld
from newsbot.extract.metadata.common import first, fold, is_site_label, links_below, node_text, short_text, similarity
from newsbot.extract.text import clean_line
from newsbot.lexicon import words

_SECTION_META = ("article:section", "og:article:section", "parsely-section", "sailthru.section", "section",
                 "cxenseparse:recs:articlesection", "article.section")
_TAG_META = ("article:tag", "og:article:tag", "parsely-tags", "sailthru.tags", "article.tags")
_TAG_CONTAINER = re.compile(r"(?:^|[\s_-])(?:tags?|tagcloud|tag-?list|post-?tags|article-?tags|keywords)(?:$|[\s_-])",
                            re.I)


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
        texts = [t for t in (short_text(a, 50) for a in node.css("a")[:40]) if t]
        if not texts:  # chips whose text sits beside an empty link (<h3><a href=..></a>name</h3>)
            texts = [t for t in (short_text(n, 50) for n in node.css("h3, h4, h5, li, span")[:40]) if t]
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
            if name and fold(name) not in _HOME and not is_site_label(name, site_names):
                names.append(name)
        if len(names) >= 2:
            return names[-2]
        if names:
            return names[0]
    return None


_HOME = frozenset(words("navigation", "breadcrumb.home"))


def _html_breadcrumb_section(tree: LexborHTMLParser, title: str | None, site_names: list[str]) -> str | None:
    nodes = tree.css('[itemtype*="BreadcrumbList" i] [itemprop="name"]') or links_below(tree, '[class*="crumb" i]', 12)
    names: list[str] = []
    for node in nodes[:12]:
        t = node_text(node)
        if not t or len(t) > 50 or fold(t) in _HOME or is_site_label(t, site_names):
            continue
        if title and similarity(t, title) > 0.6:
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
        return bool(text) and len(text) <= 40 and fold(text) not in _HOME and not is_site_label(text, site_names)

    for node in tree.css(_WP_CURRENT)[:3]:
        text = short_text(node, 40)
        if usable(text):
            return text
    page_segments = {seg for seg in urlsplit(page_url).path.lower().split("/") if seg}
    if not page_segments:
        return None
    for node in tree.css(_ACTIVE_LINKS)[:40]:
        href_segments = [seg for seg in urlsplit(node.attributes.get("href") or "").path.lower().split("/") if seg]
        if not href_segments or not all(seg in page_segments for seg in href_segments):
            continue
        text = short_text(node, 40)
        if usable(text):
            return text
    return None


def find_section(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None, all_nodes: list[dict],
                 title: str | None, page_url: str, site_names: list[str], src: dict[str, str]) -> str | None:
    """The article's section: JSON-LD articleSection > meta > microdata > JSON-LD breadcrumbs > breadcrumb links >
    the menu item marked current."""
    section = None
    if art:
        section = next(iter(jsonld.texts(art.get("articleSection"))), None)
        src["section"] = "JSON-LD articleSection"
    if not section:
        section, src["section"] = first(metas, *_SECTION_META), "meta article:section"
    if not section:
        node = tree.css_first('[itemprop="articleSection"]:not(meta)')
        if node is not None:
            section, src["section"] = node_text(node) or None, "microdata itemprop=articleSection"
    for where, find in (("JSON-LD BreadcrumbList", lambda: _breadcrumb_section(all_nodes, site_names)),
                        ("breadcrumb links", lambda: _html_breadcrumb_section(tree, title, site_names)),
                        ("menu item marked current", lambda: _nav_section(tree, page_url, site_names))):
        if section:
            break
        section, src["section"] = find(), where
    return section


def find_tags(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None, section: str | None,
              src: dict[str, str]) -> list[str]:
    """The article's tags: meta tags > JSON-LD keywords > the visible tag list."""
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
    return tags
