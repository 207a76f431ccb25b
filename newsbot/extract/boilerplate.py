"""Boilerplate knowledge for news pages (Arabic first, English, some Persian/Urdu): data plus small matchers.

Two kinds of knowledge live here:
- class/id hints: which container names mean "article text" and which mean page furniture;
- line matchers: text that is furniture wherever it sits, even between two body paragraphs
  ("اقرأ أيضا" boxes, photo credits, share/follow calls, comment headers, copyright lines...).
Matching is done on the folded form (newsbot.lexicon.fold). The words themselves are data in newsbot/lexicon/
(furniture.toml, bylines.toml, months.toml, classnames.toml); this module holds the rules that read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from newsbot.lexicon import folder, month_names, words

fold = folder()  # the MATCH fold, cached (newsbot.lexicon)

__all__ = ["fold", "hint_weight", "is_byline", "is_credit_line", "is_date_line", "is_furniture_line",
           "is_hidden_hint", "is_inline_drop_hint", "is_policy_text", "strip_edges"]

_PUNCT_EDGES = " \t\n\r\u00a0:：.،,;؛!?؟…»«\"'()[]{}-–—|/\\>«<·•*#»"


def strip_edges(text: str) -> str:
    return text.strip(_PUNCT_EDGES)


# --- class / id hints (newsbot/lexicon/classnames.toml) ---------------------------------------------

def _tokens(key: str) -> frozenset[str]:
    return frozenset(words("classnames", key, folded=False))


MODIFIER_PREFIXES = tuple(words("classnames", "modifiers.prefixes", folded=False))
NEVER_BODY_TOKENS = _tokens("never_body.tokens")
NEVER_BODY_PREFIXES = words("classnames", "never_body.prefixes", folded=False)
STRONG_NEG_TOKENS = _tokens("strong.tokens")
STRONG_NEG_PREFIXES = words("classnames", "strong.prefixes", folded=False)
LAYOUT_NEG_TOKENS = _tokens("layout.tokens")
LAYOUT_NEG_PREFIXES = words("classnames", "layout.prefixes", folded=False)
WEAK_NEG_TOKENS = _tokens("weak.tokens")
WEAK_NEG_PREFIXES = words("classnames", "weak.prefixes", folded=False)
INLINE_DROP_TOKENS = _tokens("inline_drop.tokens")
POS_TOKENS = _tokens("article.tokens")
POS_WORDS = words("classnames", "article.words")
NEG_WORDS = words("classnames", "furniture_words.words")

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NONALNUM = re.compile(r"[^0-9a-zA-Z\u0600-\u06ff]+")
# Whole class names that hide an element (on every screen, or on desktop: mobile-only extras).
_HIDDEN_CLASS = re.compile(
    r"^(hidden|hide|invisible|d-none|sr-only|visually-hidden|visuallyhidden|is-hidden|u-hidden|screen-reader-text|"
    r"(hide|hidden)[-_]?(desk|desktop|lg|md)|"
    # Webflow's stylesheet hides a form's status messages until sent, and CMS blocks whose condition fails
    r"w-form-done|w-form-fail|w-condition-invisible)$", re.I)


def hint_tokens(hint: str) -> list[str]:
    """The words of a class/id value, without those of state modifiers ("has-comments": see classnames.toml)."""
    lowered = hint.lower()
    if any(m in lowered for m in MODIFIER_PREFIXES):
        hint = " ".join(w for w in hint.split() if not w.lower().startswith(MODIFIER_PREFIXES))
    return [t for t in _NONALNUM.split(_CAMEL.sub(" ", hint).lower()) if t]


@lru_cache(maxsize=8192)
def hint_weight(hint: str) -> int:
    """-3 never body, -2 furniture, -1 probably furniture (layout or weak tokens), +1 article-ish, 0 unknown/mixed."""
    if not hint or not hint.strip():
        return 0
    toks = hint_tokens(hint)
    if _any_token(toks, NEVER_BODY_TOKENS, NEVER_BODY_PREFIXES):
        return -3
    if _any_token(toks, STRONG_NEG_TOKENS, STRONG_NEG_PREFIXES):
        return -2
    if _any_token(toks, LAYOUT_NEG_TOKENS, LAYOUT_NEG_PREFIXES):
        return -1
    weak = _any_token(toks, WEAK_NEG_TOKENS, WEAK_NEG_PREFIXES)
    pos = any(t in POS_TOKENS for t in toks)
    if not weak and not pos and any("\u0600" <= c <= "\u06ff" for c in hint):
        arabic = _arabic_hint_weight(hint)
        if arabic < 0:
            return arabic
        pos = arabic > 0
    if weak:
        return 0 if pos else -1
    return 1 if pos else 0


def _any_token(toks: Iterable[str], tokens: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return any(t in tokens or t.startswith(prefixes) for t in toks)


def _arabic_hint_weight(hint: str) -> int:
    """Arabic words in a class or id (page builders name blocks in Arabic too): -3 comments, -2 furniture, +1
    article-ish, 0 none of these."""
    f = fold(hint)
    if any(w in f for w in NEG_WORDS):
        return -3 if "تعليق" in f else -2
    return 1 if any(w in f for w in POS_WORDS) else 0


@lru_cache(maxsize=8192)
def is_inline_drop_hint(hint: str) -> bool:
    return any(t in INLINE_DROP_TOKENS for t in hint_tokens(hint))


@lru_cache(maxsize=8192)
def is_hidden_hint(cls: str) -> bool:
    """True when one of the class names hides the element."""
    return any(_HIDDEN_CLASS.match(c) for c in cls.split())


# --- whole-line furniture ----------------------------------------------------------------------------

# Lines that START with one of these are furniture. Distinctive phrases are matched on lines up to 160 chars
# (a "read also" line carries a headline after it); plain words only on short header-like lines.
_DISTINCT_PREFIXES = words("furniture", "read_also.prefixes")
_SHORT_PREFIXES = words("furniture", "short.prefixes")
_PLACEHOLDERS = tuple(words("furniture", "placeholder.prefixes"))
# Lines that are furniture when they are EXACTLY one of these (after trimming punctuation).
_EXACT_LINES = frozenset(strip_edges(w) for w in words("furniture", "exact.lines"))
_COPYRIGHT = words("furniture", "copyright.marks")
# Photo credits and agency tags that are furniture when alone on a line.
_CREDITS = frozenset(strip_edges(w) for w in words("furniture", "photo_credits.names"))


def _alternation(items: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first (so "كانون الثاني" wins over a shorter name)."""
    return "|".join(re.escape(w) for w in sorted(set(items), key=len, reverse=True))


_BYLINE = re.compile(
    rf"^({_alternation(words('bylines', 'credit.words') + words('bylines', 'credit.labels'))})\s*[:：,،]?\s",
    re.IGNORECASE,
)
# matched on folded text: month names of every tradition (newsbot/lexicon/months.toml), weekdays, dateline words
_DATE_WORDS = re.compile(
    rf"\b({_alternation([*month_names(), *words('months', 'dateline.weekdays'), *words('months', 'dateline.words')])})"
    r"\b")
_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_DIGIT_RUNS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")


def _by_first_letter(prefixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The prefixes grouped by their first character: a line can only start with those of its own first character,
    so startswith() gets a handful to try instead of a hundred."""
    groups: dict[str, list[str]] = {}
    for p in prefixes:
        if not p:
            raise ValueError("an empty prefix would match every line")
        groups.setdefault(p[0], []).append(p)
    return {c: tuple(ps) for c, ps in groups.items()}


_DISTINCT_BY_FIRST = _by_first_letter(_DISTINCT_PREFIXES)
_SHORT_BY_FIRST = _by_first_letter(_SHORT_PREFIXES)


def is_furniture_line(text: str) -> bool:
    """A line that is page furniture wherever it appears (read-also, share, comments header, copyright...)."""
    if len(text) > 300:
        return text[:40].lower().lstrip().startswith(_PLACEHOLDERS)  # a template's dummy paragraph
    f = fold(text)  # cached: the same unit is also checked for credits, titles, policy text
    if f.startswith(_PLACEHOLDERS):
        return True
    if not f:
        return True
    core = strip_edges(f)
    if core in _EXACT_LINES or core in _CREDITS:
        return True
    if len(f) <= 160 and f.startswith(_DISTINCT_BY_FIRST.get(f[0], ())):
        return True
    if len(f) <= 50 and f.startswith(_SHORT_BY_FIRST.get(f[0], ())):
        return True
    if len(f) <= 200 and any(m in f for m in _COPYRIGHT):
        return True
    return False


_CREDIT_SPLIT = re.compile(r"[/|,،+]| - ")


def is_credit_line(text: str) -> bool:
    """A photo credit / agency tag alone on its line ("Sputnik", "(أ ف ب)", "رويترز", "Getty Images / AFP")."""
    if len(text) > 80:
        return False
    core = strip_edges(fold(text))
    if not core or len(core) > 40:
        return False
    parts = [strip_edges(p) for p in _CREDIT_SPLIT.split(core)]
    return all(p in _CREDITS for p in parts if p)


def is_byline(text: str) -> bool:
    """"كتب: فلان", "حوار: فلانة", "By Jane Smith" — a short credit line, not a sentence starting with كتب."""
    t = text.strip()
    if len(t) > 80 or len(t.split()) > 6 or t.endswith((".", "؟", "?", "!")):
        return False
    return bool(_BYLINE.match(strip_edges(fold(t)) + " "))


_STAMP_WORDS = re.compile(rf"(?:{_alternation(words('months', 'dateline.stamps'))})\s*(?:on|at|في|يوم)?\s*[:：]?")
_STAMP_SEPARATORS = re.compile(r"[\s,،:/\-–|.()+]+")


def _only_date_words(folded: str) -> bool:
    rest = _DIGITS.sub(" ", _DATE_WORDS.sub(" ", folded))
    return len(_STAMP_SEPARATORS.sub("", rest)) <= 4


def is_date_line(text: str) -> bool:
    """A short line that is only a date/time stamp, possibly behind a stamp word and a place or desk name
    ("Northtown, Example Bureau | Updated : 12 March 2024, 10:05 AM", "نُشر يوم الثلاثاء 11 آذار 2025")."""
    if len(text) > 140 or not _DIGITS.search(text):
        return False
    f = fold(text)  # month names of every tradition in every spelling (newsbot/lexicon/months.toml)
    if len(text) <= 70 and _only_date_words(f):
        return len(_DIGIT_RUNS.findall(f)) >= 2 or _DATE_WORDS.search(f) is not None  # "320" is a figure
    m = _STAMP_WORDS.search(f)
    # the stamp word starts the line or follows a short dateline (a place, a desk); a date follows it
    return m is not None and m.start() <= 60 and _DIGITS.search(f, m.end()) is not None and _only_date_words(f[m.end():])


_POLICY_WORDS = words("furniture", "policy.words")


# A fast pre-filter on the raw text (the policy words' distinctive stems). Only plain-word branches: `re` then skips ahead to their first letters at C speed; a branch that starts with a
# class ([Cc]omment) makes it try a match at every position of every paragraph.
_POLICY_HINT = re.compile(r"تعليق|Comment|comment|خصوصي|Privacy|privacy|Terms|terms|الآراء|الاراء|Cookie|cookie")


def is_policy_text(text: str) -> bool:
    """Comment-policy / terms / cookie notice text (three or more policy phrases)."""
    if len(text) > 1500 or not _POLICY_HINT.search(text):
        return False
    f = fold(text)
    return sum(1 for w in _POLICY_WORDS if w in f) >= 3
