"""Language of the body text (never trust <html lang>)."""

from __future__ import annotations

import py3langid


def detect_lang(text: str) -> str | None:
    if not text.strip():
        return None
    lang, _ = py3langid.classify(text[:5000])
    return lang
