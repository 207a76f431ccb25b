"""Language of the body text (never trust <html lang>: beirutobserver.com says en-US on Arabic pages).

Text in Arabic script is told apart by letters: Urdu has retroflex letters and barree yeh (ٹ ڈ ڑ ں ے ھ), Persian
uses keheh/farsi yeh and پ چ ژ گ where Arabic uses ك/ي/ة. py3langid (n-gram model shipped in the package) decides
for every other script and breaks ties.
"""

from __future__ import annotations

import re

import py3langid

_ARABIC_LETTER = re.compile("[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_URDU = re.compile("[\u0679\u0688\u0691\u06ba\u06d2\u06be\u06c1\u06d3]")  # ٹ ڈ ڑ ں ے ھ ہ ۓ
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")  # پ چ ژ گ ک ی
_ARABIC_ONLY = re.compile("[\u0629\u064a\u0643\u0649]")  # ة ي ك ى
_URLS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_DIALECTS = {"ary": "ar", "arz": "ar", "apc": "ar", "acm": "ar", "ajp": "ar", "aeb": "ar", "afb": "ar", "ars": "ar",
             "pes": "fa", "prs": "fa", "urd": "ur", "ara": "ar", "fas": "fa", "per": "fa", "eng": "en"}


def arabic_script_lang(text: str) -> str | None:
    """ar / fa / ur for text in Arabic script, None when the text is not mainly Arabic script."""
    arabic = len(_ARABIC_LETTER.findall(text))
    if arabic < 20 or arabic < len(_LATIN_LETTER.findall(text)):
        return None
    urdu = len(_URDU.findall(text))
    persian = len(_PERSIAN.findall(text))
    arabic_only = len(_ARABIC_ONLY.findall(text))
    if urdu >= max(3, arabic * 0.01) and urdu + persian > arabic_only:
        return "ur"
    if persian > arabic_only:
        return "fa"
    if arabic_only >= persian:
        return "ar"
    return None


def detect_lang(text: str) -> str | None:
    """ISO 639-1 code of the text's language, None when there is too little text to tell."""
    if not text or not text.strip():
        return None
    sample = _URLS.sub(" ", text[:5000])  # links and e-mail addresses are Latin whatever the language
    script_lang = arabic_script_lang(sample)
    if script_lang:
        return script_lang
    lang, _ = py3langid.classify(sample)
    return _DIALECTS.get(lang, lang)
