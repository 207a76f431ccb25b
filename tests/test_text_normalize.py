"""Text normalisation (newsbot.extract.text) and language detection (newsbot.extract.lang)."""

from __future__ import annotations

import re

import pytest

from newsbot.extract import extract
from newsbot.extract.lang import detect_lang
from newsbot.extract.text import ascii_digits, clean_line, normalize_text


def test_tatweel_removed():
    assert normalize_text("الســـــلام عليـــكم") == "السلام عليكم"


def test_zero_width_and_bidi_controls_removed():
    dirty = "\u200fمرحبا\u200b بكم\u200e في\u202b الموقع\u202c\u2066 الجديد\u2069\ufeff\u00ad\u2060\u200d\u061c"
    assert normalize_text(dirty) == "مرحبا بكم في الموقع الجديد"


def test_zwnj_kept_for_persian_and_urdu():
    word = "می\u200cشود"
    assert normalize_text(f"  این کار {word}  ") == f"این کار {word}"


def test_presentation_forms_become_base_letters():
    # "مرحبا" written with Arabic Presentation Forms-B glyphs, and the lam-alef ligature
    assert normalize_text("\ufee3\ufeae\ufea3\ufe92\ufe8e") == "مرحبا"
    assert normalize_text("\ufefb\ufef5") == "لالآ"


def test_honorific_ligature_kept():
    assert normalize_text("النبي \ufdfa") == "النبي \ufdfa"


def test_diacritics_kept():
    text = "مُحَمَّدٌ رَسُولُ اللَّهِ"
    assert normalize_text(text) == text


def test_nfc_composes_alef_madda():
    assert normalize_text("\u0627\u0653خر") == "\u0622خر"


def test_spaces_collapsed_and_controls_removed():
    assert normalize_text("  كلمة\u00a0\u00a0 أخرى\t\tثالثة\x07\x1b  ") == "كلمة أخرى ثالثة"
    assert normalize_text("سطر أول  \n\n   سطر ثان") == "سطر أول\nسطر ثان"
    assert normalize_text(None) == ""
    assert clean_line("عنوان\n  على سطرين") == "عنوان على سطرين"


def test_latin_text_untouched():
    text = "Café ﬁnal résumé – 2024"  # the fi ligature is not Arabic: no NFKC outside Arabic presentation forms
    assert normalize_text(text) == text


def test_ascii_digits_for_dates_only():
    assert ascii_digits("٢٠ مايو ٢٠٢٤ - ۱۳۹۹/۰۲/۲۱") == "20 مايو 2024 - 1399/02/21"
    assert normalize_text("٢٠٢٤") == "٢٠٢٤"  # body text keeps its digits


ARABIC = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في العاصمة، وقالت إن المستشفى سيقدم خدماته لآلاف المواطنين "
    "في المنطقة الشمالية، كما سيضم أقساما متخصصة في علاج أمراض القلب والأطفال."
)
PERSIAN = (
    "وزارت بهداشت امروز از افتتاح یک بیمارستان جدید در پایتخت خبر داد و گفت که این بیمارستان به هزاران نفر "
    "از شهروندان در منطقه شمالی خدمات می‌دهد و بخش‌های ویژه‌ای برای درمان بیماری‌های قلبی و کودکان دارد."
)
URDU = (
    "وزارت صحت نے آج دارالحکومت میں ایک نئے ہسپتال کے افتتاح کا اعلان کیا اور کہا کہ یہ ہسپتال شمالی علاقے کے "
    "ہزاروں شہریوں کو خدمات فراہم کرے گا اور اس میں دل اور بچوں کی بیماریوں کے علاج کے لیے خصوصی شعبے ہوں گے۔"
)
ENGLISH = (
    "The health ministry announced today the opening of a new hospital in the capital, saying it would serve "
    "thousands of residents of the northern region and include departments for heart disease and children."
)


def test_detect_lang_arabic_persian_urdu_english():
    assert detect_lang(ARABIC) == "ar"
    assert detect_lang(PERSIAN) == "fa"
    assert detect_lang(URDU) == "ur"
    assert detect_lang(ENGLISH) == "en"
    assert detect_lang("   ") is None


def test_lang_comes_from_body_not_html_lang():
    page = f"""<html lang="en-US"><head><meta charset="utf-8"><title>خبر</title>
    <meta property="og:locale" content="en_US"></head>
    <body><article><h1>افتتاح مستشفى جديد في العاصمة</h1><p>{ARABIC}</p><p>{ARABIC}</p></article></body></html>"""
    rec = extract(page.encode("utf-8"), url="https://example.com/news/1")
    assert rec.lang == "ar"


# --- fast paths: each must give what the plain formulation gives -----------------------------------------------

WHITESPACE_CASES = [
    "", "  ", "a  b", "a\tb", "a\u00a0\u2003b", " a \n  b ", "a\u200b b", "\u200b", "a\r\nb", "a\u2028b\u2029c",
    "a \x0c b", "x\x85y", "\ufe70\ufefb ب", "e\u0301 ", "ab" * 50 + "  " + "cd",
]


@pytest.mark.parametrize("text", WHITESPACE_CASES)
def test_clean_line_equals_folding_every_whitespace_run(text):
    assert clean_line(text) == re.sub(r"\s+", " ", normalize_text(text))


@pytest.mark.parametrize("text", ["٢٠٢٤/٠٥/١٢", "۱۳۹۹ و 2020", "no digits", ""])
def test_ascii_digits_matches_the_translation_table(text):
    assert ascii_digits(text) == text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789"))


@pytest.mark.parametrize("text", [
    "نص عربي ﻻ", "English and عربي", "ṡome Ḷatin ǅ ɏ", "اُردو ٹ ڈ ڑ", "\U0001f600 ب", "\ud800 lone surrogate ك",
])
def test_script_counts_equal_regex_counts(text):
    import re

    from newsbot.extract.lang import _script_counts

    # the letters counted: Arabic letters (incl. Persian/Urdu ones), and Latin letters with their accented forms
    arabic, latin = re.compile("[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]"), re.compile("[A-Za-z\u00c0-\u024f]")
    assert _script_counts(text) == (len(arabic.findall(text)), len(latin.findall(text)))


_LATIN_SAMPLES = {
    "en": "The minister said on Tuesday that the talks would go on until an agreement was reached.",
    "fr": "Le ministre a déclaré mardi que les discussions se poursuivraient jusqu'à un accord.",
    "de": "Der Minister sagte am Dienstag, dass die Gespräche bis zu einer Einigung weitergehen würden.",
    "es": "El ministro dijo el martes que las conversaciones continuarían hasta llegar a un acuerdo.",
}


def test_the_cached_language_model_answers_as_py3langid_does(tmp_path):
    import json
    import os
    import subprocess
    import sys

    import py3langid

    # a fresh cache: the first process unpacks the model and keeps it, the second reads it from there
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    probe = ("import json, sys; from newsbot.extract.lang import detect_lang; "
             "print(json.dumps([detect_lang(t) for t in json.loads(sys.argv[1])]))")
    texts = list(_LATIN_SAMPLES.values())
    runs = [subprocess.run([sys.executable, "-c", probe, json.dumps(texts)], env=env,
                           capture_output=True, text=True, timeout=120, check=True) for _ in range(2)]
    kept = list((tmp_path / "newsbot").glob("py3langid-*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_size > 1_000_000
    expected = [py3langid.classify(t)[0] for t in texts]
    assert [json.loads(r.stdout) for r in runs] == [expected, expected] == [list(_LATIN_SAMPLES)] * 2


def test_a_damaged_language_model_cache_is_made_again(tmp_path, monkeypatch):
    from newsbot.extract import lang

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = lang._cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    lang.identifier.cache_clear()
    try:
        assert lang.identifier().classify(_LATIN_SAMPLES["en"])[0] == "en"
        assert path.stat().st_size > 1_000_000  # rewritten whole
    finally:
        lang.identifier.cache_clear()
