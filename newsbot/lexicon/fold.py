"""The one Arabic-aware fold: the comparison form every matcher in newsbot reads.

Extraction (furniture lines, bylines, titles), dates (month names), discovery (next-page links) and URL
classification match text against word lists through `fold(text)` with the MATCH options, so a list written
once in newsbot/lexicon/*.toml matches the text whichever spelling the page uses. De-duplication folds with its
own options (newsbot/dedup.py: compatibility forms, casefold, whitespace kept) through the same function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# harakat, Quranic annotation marks, superscript alef, tatweel
_MARK_CHARS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
# zero-width and bidi format characters (ZWNJ included: it only changes how a word is drawn)
_FORMAT_CHARS = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
MARKS = re.compile(f"[{_MARK_CHARS}{_FORMAT_CHARS}]")  # what MATCH removes, for callers that keep positions

_ALEF = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}
_YEH_TEH = {"ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك"}
_HAMZA_SEATS = {"ئ": "ي", "ؤ": "و"}
_PERSIAN_HEH = {"ۀ": "ه"}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_HAS_DIGIT = re.compile("[٠-٩۰-۹]")


@dataclass(frozen=True)
class FoldOptions:
    """What a fold folds. Letter folds (alef forms, alef maqsura and Farsi yeh to yeh, teh marbuta to heh, keheh
    to kaf) always apply: they are the spelling variants every reader of a word list must see as one."""

    compat: bool = False  # NFKC first: presentation forms, ligatures and full-width letters to base letters
    marks: bool = True  # harakat, Quranic marks, tatweel removed
    format_chars: bool = True  # zero-width and bidi controls removed
    hamza_seats: bool = True  # ئ -> ي, ؤ -> و (مسئول / مسؤول)
    persian_heh: bool = True  # ۀ -> ه
    digits: bool = True  # Arabic-Indic and Persian digits -> ASCII
    casefold: bool = False  # str.casefold() (ß -> ss) instead of str.lower()
    spaces: bool = True  # whitespace runs to one space, ends trimmed


MATCH = FoldOptions()  # matching against word lists: extraction, dates, discovery, classification


def _compile(options: FoldOptions) -> Callable[[str], str]:
    removed = (_MARK_CHARS if options.marks else "") + (_FORMAT_CHARS if options.format_chars else "")
    strip = re.compile(f"[{removed}]") if removed else None
    table = {**_ALEF, **_YEH_TEH}
    if options.hamza_seats:
        table.update(_HAMZA_SEATS)
    if options.persian_heh:
        table.update(_PERSIAN_HEH)
    digits = options.digits
    # no replacement is itself replaced, so applying the pairs in turn == translate(); one C-speed scan per letter
    # beats translate()'s per-character table look-up on the short strings matchers fold
    pairs = tuple(table.items())
    compat, lower, spaces = options.compat, (str.casefold if options.casefold else str.lower), options.spaces

    def fold(text: str) -> str:
        if compat:
            text = unicodedata.normalize("NFKC", text)
        if strip is not None:
            text = strip.sub("", text)
        for a, b in pairs:
            if a in text:
                text = text.replace(a, b)
        if digits and _HAS_DIGIT.search(text):  # one scan for twenty digits; translate() only when there is one
            text = text.translate(_DIGITS)
        text = lower(text)
        return " ".join(text.split()) if spaces else text  # == re.sub(r"\s+", " ", ...).strip(), faster

    return fold


_match = lru_cache(maxsize=8192)(_compile(MATCH))  # matchers fold the same short strings again and again
_folders: dict[FoldOptions, Callable[[str], str]] = {MATCH: _match}


def folder(options: FoldOptions = MATCH) -> Callable[[str], str]:
    """The fold for these options as a one-argument function. Hot callers bind it once: for MATCH it is the
    cached fold itself, whose cache hits cost no Python frame (matchers fold each line several times)."""
    f = _folders.get(options)
    if f is None:
        f = _folders[options] = _compile(options)
    return f


def fold(text: str, options: FoldOptions = MATCH) -> str:
    """`text` in comparison form (see FoldOptions); MATCH unless the caller states its own options."""
    return folder(options)(text)
