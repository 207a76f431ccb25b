"""Title / date / language / metadata accuracy on the hand-checked gold of ../shared/corpus (skipped without it)."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from newsbot.extract import extract

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _tokens(text: str | None) -> list[str]:
    """Same comparison as the project's scorer: NFKC, no diacritics/tatweel/zero-width, punctuation as spaces."""
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    return "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in text).split()


def _same_day(pred: str | None, gold: str) -> bool:
    if not pred:
        return False
    try:
        p, g = datetime.fromisoformat(pred), datetime.fromisoformat(gold)
    except ValueError:
        return pred[:10] == gold[:10]
    if p.tzinfo is not None and g.tzinfo is not None:
        p = p.astimezone(g.tzinfo)
    return p.date() == g.date()


@pytest.fixture(scope="module")
def results(corpus: Path) -> list[tuple[dict, dict]]:
    out = []
    for gold_file in sorted((corpus / "gold").rglob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        page = corpus / "pages" / gold_file.relative_to(corpus / "gold").with_suffix(".html")
        out.append((gold, extract(page.read_bytes()).to_dict()))  # no URL given: as `newsbot extract` runs
    return out


def _share(results, check) -> float:
    return sum(1 for g, r in results if check(g, r)) / len(results)


def test_title_accuracy(results):
    assert _share(results, lambda g, r: _tokens(r["title"]) == _tokens(g["title"])) >= 0.95


def test_published_day_accuracy(results):
    assert _share(results, lambda g, r: _same_day(r["published"], g["published"])) >= 0.95


def test_language_accuracy(results):
    assert _share(results, lambda g, r: r["lang"] == g["lang"]) == 1.0


def _same_set(a: list[str], b: list[str]) -> bool:
    return sorted(" ".join(_tokens(x)) for x in a) == sorted(" ".join(_tokens(x)) for x in b)


def test_authors_image_and_tags_accuracy(results):
    assert _share(results, lambda g, r: _same_set(r["authors"], g["authors"])) >= 0.85
    assert _share(results, lambda g, r: (r["image"] or "") == (g["image"] or "")) >= 0.9
    assert _share(results, lambda g, r: _same_set(r["tags"], g["tags"])) >= 0.8
    assert _share(results, lambda g, r: _tokens(r["section"]) == _tokens(g["section"])) >= 0.75


def test_klmty_decodes_to_arabic_from_lying_meta(results):
    rec = next(r for g, r in results if g["page"].startswith("klmty.net"))
    assert rec["encoding"] == "windows-1256"
    assert "مصطفى بكري" in rec["title"]
    assert rec["published"] == "2016-01-10T02:18:00"
