"""A site profile's title and date selectors: they override what the generic metadata rules found."""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.dates import parse_date
from newsbot.extract.profiles.base import Profile
from newsbot.extract.text import clean_line
from newsbot.extract.types import Metadata


def apply_fields(tree: LexborHTMLParser, profile: Profile, meta: Metadata, now: datetime) -> None:
    """Set meta.title / meta.published from the first of the profile's selectors that gives a value."""
    for sel in profile.title:
        node = tree.css_first(sel)
        title = clean_line(node.text(separator=" ")) if node is not None else ""
        if title:
            meta.title = title
            meta.sources["title"] = f"site profile {profile.slug} ({sel})"
            break
    for sel in profile.date:
        node = tree.css_first(sel)
        if node is None:
            continue
        attrs = node.attributes
        raw = attrs.get("datetime") or attrs.get("content") or node.text(separator=" ") or ""
        parsed = parse_date(raw, now)
        if parsed is not None:
            meta.published, meta.published_raw = parsed.iso(), parsed.raw
            meta.sources["published"] = f"site profile {profile.slug} ({sel})"
            break
