"""One lexicon: the folds and word lists that extraction, dates and de-duplication used to keep apart (issue 14).

The first three tests are the disagreements the copies had: each must hold for every reader of the vocabulary.
"""

from __future__ import annotations

import pytest

from newsbot import dedup
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
