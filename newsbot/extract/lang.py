"""Language of the body text (never trust <html lang>: beirutobserver.com says en-US on Arabic pages).

Text in Arabic script is told apart by letters: Urdu has retroflex letters and barree yeh (ٹ ڈ ڑ ں ے ھ), Persian
uses keheh/farsi yeh and پ چ ژ گ where Arabic uses ك/ي/ة. py3langid (n-gram model shipped in the package) decides
for every other script and breaks ties. It is imported only then: it loads numpy (~40 ms), and its first answer loads
its model (~0.4 s, 100 MB), which the pages of Arabic sites never need.
"""

from __future__ import annotations

import re

_URDU_CHARS = "\u0679\u0688\u0691\u06ba\u06d2\u06be\u06c1\u06d3"  # ٹ ڈ ڑ ں ے ھ ہ ۓ
_PERSIAN_CHARS = "\u067e\u0686\u0698\u06af\u06a9\u06cc"  # پ چ ژ گ ک ی
_ARABIC_ONLY_CHARS = "\u0629\u064a\u0643\u0649"  # ة ي ك ى
_URLS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
# the same without the e-mail branch, whose leading \S+ makes `re` try a match at every position (slow)
_WEB_URLS = re.compile(r"(?:https?://|www\.)\S+")
_DIALECTS = {"ary": "ar", "arz": "ar", "apc": "ar", "acm": "ar", "ajp": "ar", "aeb": "ar", "afb": "ar", "ars": "ar",
             "pes": "fa", "prs": "fa", "urd": "ur", "ara": "ar", "fas": "fa", "per": "fa", "eng": "en"}


# everything but the letters counted, in runs: removing those leaves the letters, counted without a findall's
# list of one-letter strings
_NOT_ARABIC_LETTER = re.compile("[^\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]+")
_NOT_LATIN_LETTER = re.compile("[^A-Za-z\u00c0-\u024f]+")


def _script_counts(text: str) -> tuple[int, int]:
    """How many Arabic-script letters and how many Latin letters the text holds."""
    return len(_NOT_ARABIC_LETTER.sub("", text)), len(_NOT_LATIN_LETTER.sub("", text))


def _count_chars(text: str, chars: str) -> int:
    return sum(text.count(c) for c in chars)


def arabic_script_lang(text: str) -> str | None:
    """ar / fa / ur for text in Arabic script, None when the text is not mainly Arabic script."""
    arabic, latin = _script_counts(text)
    if arabic < 20 or arabic < latin:
        return None
    urdu = _count_chars(text, _URDU_CHARS)
    persian = _count_chars(text, _PERSIAN_CHARS)
    arabic_only = _count_chars(text, _ARABIC_ONLY_CHARS)
    if urdu >= max(3, arabic * 0.01) and urdu + persian > arabic_only:
        return "ur"
    if persian > arabic_only:
        return "fa"
    if arabic_only >= persian:
        return "ar"
    return None


def _strip_links(text: str) -> str:
    """_URLS.sub(" ", text), skipping the branches that cannot match (the e-mail one is costly to try)."""
    if "@" in text:
        return _URLS.sub(" ", text)
    if "http" in text or "www." in text:
        return _WEB_URLS.sub(" ", text)
    return text


def detect_lang(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None when there is too little text to tell."""
    if not text or not text.strip():
        return None
    sample = _strip_links(text[:5000])  # links and e-mail addresses are Latin whatever the language
    script_lang = arabic_script_lang(sample)
    if script_lang:
        return script_lang
    import py3langid  # here: see the module docstring

    lang, _ = py3langid.classify(sample)
    return _DIALECTS.get(lang, lang)
