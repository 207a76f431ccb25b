"""URL helpers shared by the discovery parsers."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_STRIP = "\t\n\r\x0b\x0c \u200b\u200e\u200f\ufeff"


def absolute_http(href: str | None, base: str, *, keep_fragment: bool = False) -> str | None:
    """href resolved against base when it is (or resolves to) an http(s) URL; None otherwise."""
    if not href:
        return None
    href = href.strip(_STRIP)
    # browsers drop tabs/newlines anywhere inside a URL
    href = href.replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if not keep_fragment and parts.fragment:
        url = urlunsplit(parts._replace(fragment=""))
    return url


def base_href(tree: HTMLParser, page_url: str) -> str:
    """The page's <base href> resolved against its URL, or the URL itself."""
    node = tree.css_first("base[href]")
    if node is not None:
        href = (node.attributes.get("href") or "").strip(_STRIP)
        if href:
            try:
                resolved = urljoin(page_url, href)
            except ValueError:
                return page_url
            if urlsplit(resolved).scheme.lower() in ("http", "https"):
                return resolved
    return page_url
