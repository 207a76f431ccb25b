"""Links on listing pages: every article candidate, and the pagination to follow (selectolax)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from newsbot import settings as defaults
from newsbot.lexicon import folder, words
from spiders.discovery.urlutil import absolute_http, base_href

fold = folder()  # the MATCH fold, cached (newsbot.lexicon)

# link texts that mean "next page" and pagination class tokens: newsbot/lexicon/navigation.toml
_NEXT_TEXTS = frozenset(words("navigation", "next_page.texts"))
_NEXT_CLASSES = frozenset(words("navigation", "next_page.classes", folded=False))
_NEXT_TEXT_MAX = max(map(len, _NEXT_TEXTS)) + 10  # longer link texts are headlines: not worth folding
_PAGE_PATH = re.compile(r"/page/(\d{1,5})/?$", re.I)
_PAGE_PARAMS = ("page", "paged", "p", "pg", "pageno", "pagenum", "start_page")


def as_tree(html: str | HTMLParser) -> HTMLParser:
    """A parsed page as is (the crawler hands over the tree extraction already built), or parse the text."""
    return html if isinstance(html, HTMLParser) else HTMLParser(html)


def page_links(html: str | HTMLParser, base_url: str) -> list[str]:
    """Absolute http(s) links from <a href>, fragments removed, deduplicated, in document order."""
    tree = as_tree(html)
    base = base_href(tree, base_url)
    seen: set[str] = set()
    out: list[str] = []
    for node in tree.css("a[href], area[href]"):
        url = absolute_http(node.attributes.get("href"), base)
        if url and url not in seen:
            seen.add(url)
            out.append(url)
    return out


def _has_next_class(node) -> bool:
    if node is None:
        return False
    return not _NEXT_CLASSES.isdisjoint((node.attributes.get("class") or "").lower().split())


def _is_next_text(text: str | None) -> bool:
    return text is not None and bool(text) and len(text) <= _NEXT_TEXT_MAX * 3 and fold(text) in _NEXT_TEXTS


def page_number(url: str) -> int | None:
    """The page number a listing URL carries (/page/3, ?page=3), None when it carries none."""
    parts = urlsplit(url)
    m = _PAGE_PATH.search(parts.path)
    if m:
        return int(m.group(1))
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit() and len(value) <= 5:
            return int(value)
    return None


def _listing_key(url: str) -> tuple[str, str]:
    """host + path without the page part: pages of one listing share it."""
    parts = urlsplit(url)
    path = _PAGE_PATH.sub("", parts.path).rstrip("/")
    return (parts.hostname or "", path)


def next_pages(html: str | HTMLParser, base_url: str, limit: int = defaults.NEWSBOT_MAX_NEXT_PAGES) -> list[str]:
    """Pagination links of a listing page, best first: rel=next, "next" link texts/classes, then the
    ?page=N / /page/N link to the page after this one. Only links on the same host; deduplicated; at most
    `limit` (NEWSBOT_MAX_NEXT_PAGES: a hostile page may offer thousands)."""
    tree = as_tree(html)
    base = base_href(tree, base_url)
    host = urlsplit(base_url).hostname
    out: dict[str, None] = {}  # ordered and de-duplicated in linear time (a page may hold 40,000 links)

    def add(href: str | None) -> None:
        url = absolute_http(href, base)
        if url and url not in out and url != base_url and urlsplit(url).hostname == host:
            out[url] = None

    for node in tree.css("link[href], a[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "next" in rel:
            add(node.attributes.get("href"))
            if len(out) >= limit:
                return list(out)
    for node in tree.css("a[href]"):
        if len(out) >= limit:
            return list(out)
        if _is_next_text(node.text(deep=True)) or \
                _is_next_text(node.attributes.get("aria-label") or node.attributes.get("title")) or \
                _has_next_class(node) or _has_next_class(node.parent):
            add(node.attributes.get("href"))
    current = page_number(base_url) or 1
    key = _listing_key(base_url)
    for node in tree.css("a[href]"):
        url = absolute_http(node.attributes.get("href"), base)
        if url and page_number(url) == current + 1 and _listing_key(url) == key:
            add(url)
    return list(out)[:limit]
