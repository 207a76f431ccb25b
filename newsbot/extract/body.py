"""Main-content finder."""

from __future__ import annotations

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.profiles import Profile
from newsbot.extract.types import BodyResult, Metadata


def extract_body(
    tree: LexborHTMLParser, meta: Metadata, url: str, profile: Profile | None, html: str = ""
) -> BodyResult:
    text = trafilatura.extract(html, url=url or None, include_comments=False) or ""
    paras = [p for p in text.split("\n") if p.strip()]
    return BodyResult(paras, "trafilatura", 0.5)
