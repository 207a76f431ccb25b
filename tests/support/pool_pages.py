"""Page analysers for the extraction-pool tests; module-level so that worker processes can unpickle them."""

from __future__ import annotations

import os

from spiders.pageanalysis import PageOutcome, page_outcome

KILLER = b"<!-- kill the worker -->"


def outcome_or_die(body: bytes, *args, **kwargs) -> PageOutcome:
    """page_outcome, except that a page holding KILLER ends its worker process abruptly (like a parser crash)."""
    if KILLER in body:
        os._exit(3)
    return page_outcome(body, *args, **kwargs)


def archive_chunk_or_die(chunk, options):
    """newsbot.archive.process.extract_chunk, except that a page holding KILLER ends its worker abruptly."""
    from newsbot.archive.process import extract_chunk

    if any(KILLER in (entry.payload or b"") for entry in chunk.entries):
        os._exit(3)
    return extract_chunk(chunk, options)


SLOW_PY = b"<!-- slow in python -->"
SLOW_C = b"<!-- slow in c -->"


def outcome_or_stall(body: bytes, *args, **kwargs) -> PageOutcome:
    """page_outcome, except that a page holding SLOW_PY loops in Python for a minute and one holding SLOW_C
    spends minutes in one C call (lexbor building 300,000 nested <div>s, past the guard: it never looks at
    signals)."""
    if SLOW_PY in body:
        import time

        end = time.monotonic() + 60
        while time.monotonic() < end:
            pass
    if SLOW_C in body:
        from selectolax.lexbor import LexborHTMLParser

        LexborHTMLParser("<div>" * 300_000)
    return page_outcome(body, *args, **kwargs)
