"""JSON from pages (JSON-LD, __NEXT_DATA__, window.__X_STATE__), read so that a hostile page loses only itself.

- Escaped lone surrogates (`"\\ud800"`) decode to strings no UTF-8 writer accepts: they become U+FFFD before
  decoding (a valid pair is kept).
- JSON nested deeper than the interpreter's recursion limit raises RecursionError in the decoder: reported as
  unreadable JSON (ValueError), like any other broken block.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_DECODER = json.JSONDecoder(strict=False)


class JSONTooDeep(ValueError):
    pass


def repair(text: str) -> str:
    """`text` with escaped lone surrogates replaced by an escaped U+FFFD."""
    if "\\ud" not in text and "\\uD" not in text:
        return text
    return _LONE_SURROGATE.sub(r"\\ufffd", text)


def loads(text: str, *, strict: bool = True) -> Any:
    """json.loads, with lone surrogates repaired; ValueError for anything unreadable, too deep included."""
    try:
        return json.loads(repair(text), strict=strict)
    except RecursionError:
        raise JSONTooDeep("JSON nested too deep") from None


def raw_decode(text: str, pos: int = 0) -> tuple[Any, int]:
    """JSONDecoder(strict=False).raw_decode on text already passed through `repair`."""
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise JSONTooDeep("JSON nested too deep") from None
