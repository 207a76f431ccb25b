"""Body finder on the real corpus pages (../shared/corpus), scored with the project-independent scorer."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from newsbot.extract import ExtractionError, extract

# Below the measured numbers (F1 1.000, leak 0.000 on 13 gold pages) so that a regression fails, not noise.
MIN_MACRO_F1 = 0.98
MAX_MACRO_LEAK = 0.02
MIN_PAGE_F1 = 0.93


def _scorer(corpus: Path):
    path = corpus.parent / "eval" / "score.py"
    if not path.exists():
        pytest.skip(f"scorer not found at {path}")
    spec = importlib.util.spec_from_file_location("newsbot_corpus_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_corpus_body_f1_and_leak(corpus):
    score = _scorer(corpus)
    items = score.load_gold(corpus / "gold", corpus / "pages")
    assert len(items) >= 10
    preds = {}
    for g in items:
        rec = extract(Path(g["_page"]).read_bytes())
        preds[g["_page"]] = {"title": rec.title, "body": rec.body, "published": rec.published}
    rows = score.score(items, preds)
    summary = score.summary(rows)
    weak = {r["page"]: round(r["F1"], 3) for r in rows if r["F1"] < MIN_PAGE_F1}
    assert summary["F1"] >= MIN_MACRO_F1, (summary, weak)
    assert summary["leak"] <= MAX_MACRO_LEAK, summary
    assert not weak, weak


def test_corpus_paragraph_structure_matches_gold(corpus):
    """Not only the bag of words: most gold paragraphs come out as paragraphs of their own."""
    score = _scorer(corpus)
    hit = total = 0
    for g in score.load_gold(corpus / "gold", corpus / "pages"):
        rec = extract(Path(g["_page"]).read_bytes())
        got = {" ".join(score.tokens(p)) for p in rec.body.split("\n\n")}
        for p in g["body"]:
            total += 1
            hit += " ".join(score.tokens(p)) in got
    assert hit / total >= 0.95, (hit, total)


def test_corpus_listing_pages_mostly_give_no_article_body(corpus):
    pages = sorted(p for p in (corpus / "listing").glob("*.html"))
    if not pages:
        pytest.skip("no listing pages")
    empty = 0
    for p in pages:
        try:
            rec = extract(p.read_bytes())
        except ExtractionError:
            empty += 1
            continue
        empty += len(rec.body) < 80
    assert empty >= len(pages) // 2, empty


def test_corpus_near_duplicate_copy_gives_the_same_body(corpus):
    a = extract((corpus / "pages" / "arabic.cnn.com__syria-clashes-2013.html").read_bytes())
    b = extract((corpus / "pages" / "arabic.cnn.com__syria-clashes-2013__near-duplicate.html").read_bytes())
    assert a.body == b.body
    assert json.dumps(a.body, ensure_ascii=False).count("CNN") >= 1
