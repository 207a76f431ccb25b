"""Bytes -> text (newsbot.extract.decode): the encoding traps Arabic news sites set."""

from __future__ import annotations

import codecs
import re

import pytest

from newsbot.extract import extract
from newsbot.extract.decode import decode_html, looks_binary, plausibility, repair_mojibake

SENTENCE = (
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية، وقال وزير الزراعة إن الخطة ستشمل "
    "توزيع البذور والأسمدة مجانا على آلاف الأسر خلال الموسم المقبل."
)
ARABIC_WORD = re.compile("[\u0621-\u064a]{3,}")


def page(charset_meta: str | None = None, text: str = SENTENCE) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>خبر</title></head><body><h1>خطة لدعم المزارعين</h1><p>{text}</p></body></html>"


def test_windows_1256_bytes_with_lying_windows_1252_meta():
    data = page("windows-1252").encode("cp1256")
    text, enc = decode_html(data)
    assert SENTENCE in text
    assert enc == "windows-1256"


def test_http_charset_wins_over_meta():
    data = page("utf-8").encode("cp1256")  # the meta lies; the server header is right
    text, enc = decode_html(data, http_charset="windows-1256")
    assert SENTENCE in text and enc == "windows-1256"


def test_implausible_http_charset_falls_back_to_detection():
    data = page().encode("cp1256")  # a server that says windows-1252 for Arabic bytes
    text, enc = decode_html(data, http_charset="windows-1252")
    assert SENTENCE in text and enc == "windows-1256"


def test_forced_encoding_is_used_as_is():
    data = page().encode("cp1256")
    text, enc = decode_html(data, http_charset="windows-1256", forced=True)
    assert SENTENCE in text and enc == "windows-1256"


@pytest.mark.parametrize("codec", ["iso8859-6", "cp1256"])
def test_undeclared_single_byte_arabic(codec):
    text, enc = decode_html(page(None).encode(codec))
    assert SENTENCE in text
    assert codecs.lookup(enc).name == codecs.lookup(codec).name


def test_double_encoded_utf8_is_repaired():
    mojibake = page("utf-8").encode("utf-8").decode("latin-1").encode("utf-8")
    text, enc = decode_html(mojibake)
    assert SENTENCE in text and enc == "utf-8"


def test_page_mixing_clean_and_double_encoded_text():
    mojibake = SENTENCE.encode("utf-8").decode("latin-1")
    data = f"<html><body><p>{SENTENCE}</p><p>{mojibake}</p><p>{mojibake}</p></body></html>".encode()
    text, _ = decode_html(data)
    assert text.count(SENTENCE) == 3


def test_mojibake_repair_leaves_normal_text_alone():
    latin = "Le café de la gare a fermé ses portes après vingt années d'activité. " * 5
    assert repair_mojibake(latin) == latin
    assert repair_mojibake(SENTENCE) == SENTENCE


def test_bom():
    text, enc = decode_html(codecs.BOM_UTF8 + page().encode("utf-8"))
    assert text.startswith("<html>") and SENTENCE in text and enc == "utf-8"


def test_invalid_utf8_sequences_replaced_not_a_wrong_codepage():
    data = page("utf-8").encode("utf-8")
    broken = data.replace("الزراعة".encode(), b"\xd8\xa7\xff\xfe\xd9") + (" " + SENTENCE).encode() * 3
    text, enc = decode_html(broken)
    assert enc == "utf-8"
    assert "\ufffd" in text
    assert "أعلنت الحكومة اليوم" in text


def test_plausibility_flags_latin_gibberish():
    assert plausibility(SENTENCE) > 0.9
    assert plausibility(SENTENCE.encode("cp1256").decode("cp1252", errors="replace")) < 0.5


def test_looks_binary():
    assert looks_binary(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(256)) * 8)
    assert not looks_binary(page().encode("utf-8"))
    assert not looks_binary(codecs.BOM_UTF16_LE + page().encode("utf-16-le"))


def test_extract_records_the_encoding():
    rec = extract(page("windows-1252", SENTENCE * 2).encode("cp1256"), url="https://example.com/a/1")
    assert rec.encoding == "windows-1256"
    assert "أعلنت الحكومة" in rec.body


# --- real pages (skipped when ../shared/corpus is absent) ---------------------------------------------------------

def _arabic_words(text: str) -> int:
    return len(ARABIC_WORD.findall(text))


def test_corpus_klmty_meta_lies(corpus):
    data = (corpus / "pages" / "klmty.net__bakri-coalition-elections.html").read_bytes()
    text, enc = decode_html(data)
    assert enc == "windows-1256"
    assert "مصطفى بكري" in text
    assert "\ufffd" not in text


@pytest.mark.parametrize("name", ["elbilad-dz__home-2021-mojibake.html", "stadelahly__home-2021-mojibake.html"])
def test_corpus_mojibake_listing_pages(corpus, name):
    text, enc = decode_html((corpus / "listing" / name).read_bytes())
    title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
    assert _arabic_words(title) >= 3
    assert "Ø§Ù" not in text[:50_000]


def test_corpus_invalid_utf8_and_bom(corpus):
    text, enc = decode_html((corpus / "listing" / "sayaara-auto__cars-news-2012.html").read_bytes())
    assert enc == "utf-8" and _arabic_words(text) > 200
    text, enc = decode_html((corpus / "listing" / "sportsnewstodayar__home-2013.html").read_bytes())
    assert enc == "utf-8" and not text.startswith("\ufeff") and _arabic_words(text) > 200


@pytest.mark.parametrize("name,expected", [
    ("chardet__iso-8859-6-no-charset-snippet.html", "iso8859-6"),
    ("chardet__windows-1256-no-charset-snippet.html", "cp1256"),
])
def test_corpus_undeclared_arabic_snippets(corpus, name, expected):
    text, enc = decode_html((corpus / "encoding" / name).read_bytes())
    assert codecs.lookup(enc).name == expected
    assert "قطاع غزة" in text


# --- fast paths: each must give what the plain formulation gives -----------------------------------------------


def test_non_ascii_words_and_counts_match_the_regexes_across_chunks():
    from newsbot.extract.decode import _WORD, _WORD_CHUNK, _count_non_ascii, _non_ascii_words

    # words sitting on every chunk boundary, ASCII markup around them
    text = "".join(f"<p class=x{i}>" + "ب" * (i % 7 + 1) + "é" * (i % 3) + " abc" for i in range(3 * _WORD_CHUNK // 10))
    expected = [w for w in _WORD.findall(text, 0, 200_000) if not w.isascii()]
    assert list(_non_ascii_words(text, 200_000)) == expected
    assert list(_non_ascii_words(text, 5_001)) == [w for w in _WORD.findall(text, 0, 5_001) if not w.isascii()]
    assert _count_non_ascii(text) == len(re.findall("[^\x00-\x7f]", text))


def test_utf8_pages_are_parsed_from_their_own_bytes():
    from newsbot.extract import parse_page

    data = page("utf-8").encode("utf-8")
    parsed = parse_page(data)
    assert parsed.tree.raw_html is data  # no second encoding of the decoded text
    assert parsed.tree.html == parse_page(page("utf-8")).tree.html
    assert parse_page(page("windows-1256").encode("cp1256")).tree.raw_html == page("windows-1256").encode("utf-8")


def test_control_byte_count_matches_the_pattern():
    from newsbot.extract.decode import _CTRL_BYTES, _CTRL_SET

    assert [b for b in range(256) if _CTRL_BYTES.match(bytes([b]))] == list(_CTRL_SET)
