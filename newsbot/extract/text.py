"""Text normalisation for Arabic (and other) text.

Called once per paragraph, so the common case (already clean NFC text) takes a fast path.

What `normalize_text` does, and why:
- NFC, so that decomposed alef-madda (U+0627 U+0653) and precomposed U+0622 compare equal.
- removes tatweel (U+0640, a purely visual stretch), zero-width characters (ZWSP, ZWJ, word joiner, BOM/ZWNBSP,
  soft hyphen, Mongolian vowel separator), bidi controls (LRM, RLM, ALM, LRE..RLO, LRI..PDI) and other control
  characters. ZWNJ (U+200C) is KEPT: Persian and Urdu need it to spell words correctly (می‌شود).
- maps Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFF: glyph variants from old PDFs and legacy encoders) to
  base letters with NFKC applied to those characters only (NFKC on the whole text would also rewrite digits,
  ligatures, superscripts, full-width forms in other scripts...). The lam-alef ligatures become two letters
  (ﻻ -> لا). The word-level honorific ligatures ﷺ ﷻ ﷽ (U+FDFA, U+FDFB, U+FDFD) are KEPT as they are: writers
  insert them as single symbols, and NFKC would turn ﷺ into a four-word phrase.
- keeps diacritics (harakat): they carry meaning (and quotes of the Quran need them).
- collapses runs of spaces (incl. NBSP and other Unicode spaces) to one space, trims each line, drops empty lines.
"""

from __future__ import annotations

import re
import unicodedata

_REMOVED = (
    "\u0640"  # tatweel
    "\u200b\u200d\u2060\ufeff\u00ad\u180e"  # ZWSP, ZWJ, word joiner, BOM/ZWNBSP, soft hyphen, MVS
    "\u200e\u200f\u061c"  # LRM, RLM, ALM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)])
_DELETE = dict.fromkeys(map(ord, _REMOVED + _CONTROLS))
DELETED_CHARS = frozenset(_REMOVED + _CONTROLS)  # what normalize_text drops outright
_NEEDS_DELETE = re.compile("[" + re.escape(_REMOVED + _CONTROLS) + "]")

_KEEP_LIGATURES = {"\ufdfa", "\ufdfb", "\ufdfd"}
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
# Presence tests: `re` scans fast for a pattern that starts with a plain character class, but tries a match at
# every position when it starts with a repeat (`[...]+`), several times slower on Arabic text.
_HAS_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")  # _SPACES but the plain space
_LINE_BREAKS = ("\n", "\u2028", "\u2029")  # the whitespace normalize_text leaves besides single spaces
_ANY_WS = re.compile(r"\s+")
_LINE_EDGES = re.compile(r" *\n[\s]*")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_ASCII_DIGIT = re.compile("[٠-٩۰-۹]")


def _base_letters(m: re.Match) -> str:
    return "".join(c if c in _KEEP_LIGATURES else unicodedata.normalize("NFKC", c) for c in m.group(0))


def normalize_text(text: str | None) -> str:
    """Clean one paragraph (see module docstring). Returns "" for None/blank input."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _NEEDS_DELETE.search(text):
        text = text.translate(_DELETE)
    if _HAS_PRESENTATION.search(text):
        text = _PRESENTATION.sub(_base_letters, text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # the substitution is a no-op (yet costs a match per word gap) unless a run is more than one plain space
    if "  " in text or _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _LINE_EDGES.sub("\n", text)
    return text.strip()


def clean_line(text: str | None) -> str:
    """normalize_text, then fold every whitespace run (newlines too) into one space: for titles, names, tags."""
    text = normalize_text(text)
    # after normalize_text, whitespace other than line breaks only comes as single spaces: nothing to fold
    if text and any(b in text for b in _LINE_BREAKS):
        return _ANY_WS.sub(" ", text)
    return text


def ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits -> ASCII, for date/number parsing (never applied to body text)."""
    # translate() looks every character up in a table: only pay that when there is a digit to change
    return text.translate(_DIGITS) if _NON_ASCII_DIGIT.search(text) else text
