"""Output helpers shared by the sub-commands: UTF-8 JSON, never \\u-escaped."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def utf8_stdout() -> TextIO:
    # a pipe or a Windows console may not default to UTF-8; Arabic must come out as is
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    return sys.stdout


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent)
