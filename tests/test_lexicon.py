"""One lexicon: the folds and word lists that extraction, dates and de-duplication used to keep apart (issue 14).

The first three tests are the disagreements the copies had: each must hold for every reader of the vocabulary.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from newsbot import dedup, lexicon
from newsbot.extract import boilerplate, dates, extract

PARAS = [
    "قال رئيس البلدية إن أعمال توسعة الطريق الساحلي ستبدأ الشهر المقبل وتستمر نحو عام كامل بكلفة تقديرية كبيرة جدا.",
    "وأضاف أن البلدية ستوفر طرقا بديلة خلال فترة الأعمال، وأن حركة المرور لن تتوقف بشكل كامل في أي مرحلة من المراحل.",
    "وأشار إلى أن المشروع يشمل إنشاء جسور للمشاة ومواقف للسيارات على طول الطريق، إضافة إلى إنارة حديثة للطريق كله.",
]


def _page(line: str) -> str:
    """An article whose second paragraph is `line` (a byline or a dateline written between two paragraphs)."""
    return ("<html><head><title>توسعة الطريق الساحلي</title></head><body><article><h1>توسعة الطريق الساحلي</h1>"
            f"<p>{PARAS[0]}</p><p>{line}</p><p>{PARAS[1]}</p><p>{PARAS[2]}</p></article></body></html>")


def test_the_three_folds_agree_on_letters_digits_and_hamza_seats():
    text = "أَحْمَد ٣ إلى مكتبة ئ ؤ"
    # harakat gone, alef forms to bare alef, alef maqsura to yeh, teh marbuta to heh, Arabic-Indic digit to ASCII,
    # hamza seats to their letter (yeh, waw): the spelling variants copy-editors change freely
    expected = "احمد 3 الي مكتبه ي و"
    assert boilerplate.fold(text) == expected
    assert dates.fold(text) == expected
    assert dedup.normalise_text(text) == expected


@pytest.mark.parametrize("line", ["بواسطة: أحمد علي", "ترجمة: أحمد علي"])
def test_a_credit_line_between_paragraphs_is_credited_and_left_out_of_the_body(line):
    rec = extract(_page(line), url="https://example.test/news/coastal-road")
    assert rec.authors == ["أحمد علي"]
    assert line not in rec.body
    assert all(p in rec.body for p in PARAS)


@pytest.mark.parametrize("line, published", [
    ("12 سبتمبر 2024 - 10:30", "2024-09-12T10:30:00"),
    ("12 شتنبر 2024 - 10:30", "2024-09-12T10:30:00"),  # Moroccan month name
    ("12 يونيه 2024 - 10:30", "2024-06-12T10:30:00"),  # Egyptian spelling of June
])
def test_a_dateline_in_any_month_tradition_is_parsed_and_left_out_of_the_body(line, published):
    assert dates.parse_date(line).iso() == published
    rec = extract(_page(line), url="https://example.test/news/coastal-road")
    assert rec.published == published
    assert line not in rec.body
    assert all(p in rec.body for p in PARAS)


# --- the lexicon as data -------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# one word of each vocabulary: it must be written in newsbot/lexicon/*.toml and in no string of the code
SENTINELS = {
    "months": ["شتنبر", "يونيه", "حزيران", "جويلية", "ربيع الآخر"],
    "bylines": ["بقلم", "بواسطة", "حاورته"],
    "furniture": ["اقرأ أيضا", "اخترنا لك", "رويترز", "شينخوا", "مواقع التواصل"],
    "navigation": ["الصفحة التالية", "prayer-times", "columnists", "سرورق"],
    # schema.org types and og:type values: the crawler and extraction once kept two disagreeing lists
    "pagetypes": ["reportagenewsarticle", "askpublicnewsarticle", "collectionpage", "searchresultspage", "music.song"],
}


def _code_strings() -> list[tuple[str, str]]:
    """(file, string) for every string constant of the code that is not a docstring."""
    out = []
    for pkg in ("newsbot", "spiders", "pipelines"):
        for path in (ROOT / pkg).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = {id(n.body[0].value) for n in ast.walk(tree)
                    if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
                    and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
            out += [(str(path.relative_to(ROOT)), n.value) for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
    return out


def test_each_vocabulary_is_written_once_in_the_lexicon():
    strings = _code_strings()
    for name, sentinels in SENTINELS.items():
        text = (ROOT / "newsbot" / "lexicon" / f"{name}.toml").read_text(encoding="utf-8")
        for word in sentinels:
            assert word in text, f"{word!r} is not in lexicon/{name}.toml"
            copies = [f for f, s in strings if word in s]
            assert not copies, f"{word!r} is also written in {copies}"


@pytest.mark.parametrize("name", ["months", "bylines", "furniture", "classnames", "navigation", "pagetypes"])
def test_no_list_holds_two_spellings_of_one_entry(name):
    """Every list is folded on loading: an entry that folds like another is a copy to delete."""
    def lists(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from lists(v, f"{key}.{k}" if key else k)
        elif isinstance(node, list):
            yield key, node

    for key, items in lists(lexicon.table(name)):
        folded = [lexicon.fold(w) for w in items]
        twins = sorted({w for w in folded if folded.count(w) > 1})
        assert not twins, f"{name}.toml {key}: entries that fold alike: {twins}"


def test_a_month_name_belongs_to_one_month():
    seen: dict[str, str] = {}
    for calendar in lexicon.CALENDARS:
        for month, names in lexicon.table("months")[calendar].items():
            for n in names:
                key = lexicon.fold(n)
                assert key not in seen, f"{n!r} ({calendar} {month}) is also {seen[key]}"
                seen[key] = f"{calendar} {month}"


def test_dedup_folds_through_the_one_fold_with_its_own_options():
    # presentation forms and ligatures are unfolded, zero-width joiners left for the tokeniser, case folded (ß)
    text = "ﻻ ﺑﺄﺱ STRASSE Straße مي\u200cشود"
    assert dedup.normalise_text(text) == lexicon.fold(text, dedup._FOLD)
    assert dedup.normalise_text(text) == "لا باس strasse strasse مي\u200cشود"
    assert lexicon.fold(text) != dedup.normalise_text(text)  # matching folds neither compat forms nor ß
