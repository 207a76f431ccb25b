"""Text normalisation for Arabic (and other) text."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[ \t\u00a0]+")


def normalize_text(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u0640", "")
    return _WS.sub(" ", text).strip()
