"""Metadata from JSON-LD, meta tags and the visible page."""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.types import Metadata


def _meta(tree: LexborHTMLParser, *names: str) -> str | None:
    for name in names:
        node = tree.css_first(f'meta[property="{name}"], meta[name="{name}"]')
        if node is not None and node.attributes.get("content"):
            return node.attributes["content"].strip()
    return None


def extract_metadata(tree: LexborHTMLParser, url: str, now: datetime) -> Metadata:
    h1 = tree.css_first("h1")
    title = h1.text(strip=True) if h1 is not None else _meta(tree, "og:title")
    return Metadata(
        title=title,
        description=_meta(tree, "og:description", "description"),
        published=_meta(tree, "article:published_time"),
        modified=_meta(tree, "article:modified_time"),
        image=_meta(tree, "og:image"),
        canonical_url=_meta(tree, "og:url"),
    )
