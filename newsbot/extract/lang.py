"""Language of the body text (never trust <html lang>: beirutobserver.com says en-US on Arabic pages).

Text in Arabic script is told apart by letters: Urdu has retroflex letters and barree yeh (ٹ ڈ ڑ ں ے ھ), Persian
uses keheh/farsi yeh and پ چ ژ گ where Arabic uses ك/ي/ة. py3langid (n-gram model shipped in the package) decides
for every other script and breaks ties. It is imported only then: it loads numpy (~40 ms), and its model takes
~0.6 s to unpack (LZMA, then npz), which the pages of Arabic sites never need. The unpacked model is kept in the
user's cache ($XDG_CACHE_HOME/newsbot, keyed by py3langid's version and model file), so later processes load it in
a fraction of that; a cache that cannot be read or written is only slower.
"""

from __future__ import annotations

import os
import pickle
import re
from functools import cache
from pathlib import Path
from typing import Any

from newsbot.extract.options import current

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
    # py3langid reads its input byte by byte in Python (about 1 ms per 1000 characters): 2000 characters of
    # running text tell a language as surely as 5000 (the same answer on all 709 wcxb-dev bodies)
    lang, _ = identifier().classify(sample[:current().langid_sample])
    return _DIALECTS.get(lang, lang)


def _cache_file() -> Path:
    from importlib.metadata import version

    from py3langid.langid import MODEL_DIR, MODEL_FILE

    model = MODEL_DIR / MODEL_FILE
    stat = model.stat()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsbot"
    return base / f"py3langid-{version('py3langid')}-{stat.st_size}-{int(stat.st_mtime)}.pickle"


@cache
def identifier() -> Any:
    """py3langid's identifier (its default model), from the user's cache when a process has unpacked it before."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # here: see the module docstring

    path = _cache_file()
    try:
        with open(path, "rb") as fh:
            found = pickle.load(fh)  # (a file this module wrote, in the user's own cache)
        if isinstance(found, LanguageIdentifier):
            return found
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        pass
    made = LanguageIdentifier.from_model_file(MODEL_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        with open(part, "wb") as fh:
            pickle.dump(made, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, path)  # whole or not at all: a concurrent reader never sees half a file
    except OSError:
        pass
    return made
