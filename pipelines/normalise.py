"""Normalisation: one Unicode form, tidy whitespace, ISO dates, de-duplicated lists, derived fields recomputed.

The extractor already cleans its text; this is the safety net for every record that reaches the
store, whoever produced it. It keeps ZWNJ (meaningful in Persian) and right-to-left text as is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from newsbot.record import ArticleRecord
from newsbot.store.timeutil import parse_iso
from newsbot.urls import site_of
from pipelines.common import as_page, in_form_of

# zero-width space, BOM, soft hyphen: never meaningful in stored text (looked for with `in`: a character search,
# 50 times the speed of a regular expression over a body)
_INVISIBLE_CHARS = ("\u200b", "\ufeff", "\u00ad")
_INVISIBLE = re.compile(f"[{''.join(_INVISIBLE_CHARS)}]")
_BLANKS = re.compile(r"\n[^\S\n]*\n\s*")
_ODD_SPACE = re.compile(r"[^\S \n]")  # any whitespace but a space or a newline (tabs, CR, NBSP, ...)


def _nfc(text: str) -> str:
    if text.isascii():  # ASCII is always NFC and holds none of the invisibles
        return text
    text = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub("", text) if any(ch in text for ch in _INVISIBLE_CHARS) else text


def clean_line(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(_nfc(str(text)).split()) or None


def _is_clean_body(text: str) -> bool:
    """True when clean_body would return the (NFC) text unchanged: single spaces, lines without edge spaces,
    paragraphs apart by exactly one blank line, nothing around. The extractor's output usually is."""
    if text[:1].isspace() or text[-1:].isspace():
        return False
    # searched in the text itself: its UTF-8 bytes (the same answer) cost an encoding and searched no faster
    if "  " in text or " \n" in text or "\n " in text or "\n\n\n" in text:
        return False
    # whitespace other than " " is never printable: one quick scan settles the usual text without any
    return text.replace("\n", "").isprintable() or not _ODD_SPACE.search(text)


def clean_body(text: str | None) -> str:
    text = _nfc(text or "")
    if _is_clean_body(text):  # the costly rebuild only for text that needs it
        return text
    return rebuild_body(text)


def rebuild_body(text: str) -> str:
    """Single spaces, lines without edge spaces, paragraphs one blank line apart (of NFC text)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = ("\n".join(" ".join(line.split()) for line in p.split("\n")).strip("\n") for p in _BLANKS.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_list(values: Any) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out, seen = [], set()
    for value in values or []:
        text = clean_line(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def normalise(record: ArticleRecord) -> ArticleRecord:
    record.url = (record.url or "").strip()
    record.canonical_url = clean_line(record.canonical_url)
    record.site = clean_line(record.site) or site_of(record.url) or None
    record.kind = (clean_line(record.kind) or "article").lower()
    record.lang = (clean_line(record.lang) or "").lower() or None
    for name in ("title", "description", "section", "published_raw", "image", "encoding", "strategy"):
        setattr(record, name, clean_line(getattr(record, name)))
    record.body = clean_body(record.body)
    record.authors = clean_list(record.authors)
    record.tags = clean_list(record.tags)
    record.warnings = list(dict.fromkeys(record.warnings or []))
    record.confidence = float(record.confidence or 0.0)
    for name in ("published", "modified"):
        value = clean_line(getattr(record, name))
        if value and parse_iso(value) is None:
            # not ISO 8601: keep the text where readers of raw dates look, and say so
            if name == "published" and not record.published_raw:
                record.published_raw = value
            record.warnings.append(f"{name}-not-iso")
            value = None
        setattr(record, name, value)
    return record.finalise(clean=True)  # the body is clean_body's


class NormalisePipeline:
    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalisePipeline:
        return cls()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        page = as_page(item)
        normalise(page.record)
        return in_form_of(item, page)
