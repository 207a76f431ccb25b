"""What newsbot knows about words: one fold, and every word list as data.

    fold(text)                          the comparison form (fold.py; options in FoldOptions, MATCH by default)
    folder(options)                     the same as a one-argument function, for hot loops (cached for MATCH)
    words("furniture", "exact.lines")   a list from newsbot/lexicon/furniture.toml, folded, duplicates dropped
    words("navigation", "url_segments.tag", folded=False)   as written (lower case)
    month_names()                       folded month name -> (calendar, month) for every tradition

The lists live in the .toml files beside this module, one topic each:
    months.toml       month names (Gregorian in every Arabic tradition, Hijri, Jalali), weekdays, dateline words
    bylines.toml      words that open a credit line ("كتب"، "بقلم"، "By")
    furniture.toml    "read also" phrases, share/comment headers, exact furniture lines, photo credits, policy words
    classnames.toml   class/id words of furniture and of article text
    navigation.toml   next-page link texts, breadcrumb home labels, URL path words
    pagetypes.toml    schema.org types and og:type values that say what a page is (extract/pagekind.py)
Each file is read once per process (importlib.resources: works from a zipped egg too).
"""

from __future__ import annotations

import tomllib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from newsbot.lexicon.fold import MARKS, MATCH, FoldOptions, fold, folder

_HERE = Path(__file__).resolve().parent

__all__ = ["MARKS", "MATCH", "FoldOptions", "fold", "folder", "month_names", "table", "words"]

CALENDARS = {"gregorian": "g", "hijri": "h", "jalali": "j"}


@cache
def table(name: str) -> dict[str, Any]:
    """The parsed newsbot/lexicon/<name>.toml."""
    text = (_HERE / f"{name}.toml").read_text(encoding="utf-8")  # (package data beside this module)
    return tomllib.loads(text)


@cache
def words(name: str, key: str, *, folded: bool = True) -> tuple[str, ...]:
    """The list at dotted `key` of <name>.toml, folded (or lower-cased), in file order, duplicates dropped."""
    node: Any = table(name)
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, list) or not all(isinstance(w, str) and w.strip() for w in node):
        raise ValueError(f"lexicon {name}.toml: {key} must be a list of non-empty strings")
    out = (fold(w) if folded else w.lower() for w in node)
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def month_names() -> dict[str, tuple[str, int]]:
    """Folded month name -> (calendar code "g"/"h"/"j", month 1-12). A later calendar wins a shared name."""
    names: dict[str, tuple[str, int]] = {}
    for calendar, code in CALENDARS.items():
        for month, _ in table("months")[calendar].items():
            for name in words("months", f"{calendar}.{month}"):
                names[name] = (code, int(month))
    return names
