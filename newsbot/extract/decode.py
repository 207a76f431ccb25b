"""Bytes -> text. Order: HTTP charset > BOM > a <meta> charset that decodes > detection."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


def looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return head.count(b"\x00") > 8


def decode_html(data: bytes, http_charset: str | None = None, forced: bool = False) -> tuple[str, str]:
    if http_charset:
        try:
            codecs.lookup(http_charset)
            return data.decode(http_charset, errors="replace"), http_charset
        except LookupError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            return data.decode("utf-8", errors="replace"), "utf-8"
        return str(best), best.encoding
