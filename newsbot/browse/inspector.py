"""The inspector report: one page's Trace (newsbot.extract.trace) as a self-contained HTML document.

Self-contained and inert: the stylesheet is inlined and allowed by its hash in the document's own
Content-Security-Policy, which allows nothing else (no script, no image, no frame, no font, no
request at all). Every piece of page text goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from newsbot.extract.trace import Trace
from newsbot.record import ArticleRecord


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return files("newsbot.browse").joinpath("static/browse.css").read_text(encoding="utf-8")


def style_hash() -> str:
    """The CSP source that allows exactly the inlined stylesheet."""
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def report_csp() -> str:
    return f"default-src 'none'; style-src {style_hash()}; base-uri 'none'; form-action 'none'"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("newsbot.browse", "templates"), autoescape=select_autoescape(["html"]))


def render_report(trace: Trace, record: ArticleRecord | None, source: str, *, back: str | None = None) -> str:
    """The report as one HTML document (UTF-8 text)."""
    title = (record.title if record and record.title else None) or source
    return _env().get_template("inspect.html").render(
        trace=trace,
        record=record,
        title=title,
        source=source,
        back=back,
        css=Markup(stylesheet()),  # our own file, allowed by hash: never page text
        csp=report_csp(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def trace_page(data: bytes | str, url: str | None = None,
               headers: dict[str, str] | None = None) -> tuple[ArticleRecord | None, Trace]:
    """The record (None when the page gives none) and the extractor's trace of one page."""
    from newsbot.extract.core import ExtractionError
    from newsbot.extract.trace import extract_with_trace

    try:
        return extract_with_trace(data, url=url, headers=headers)
    except ExtractionError as exc:
        trace = getattr(exc, "trace", None)  # None when the page could not even be parsed
        if trace is None:
            trace = Trace(error=f"{exc.reason}: {exc}")
        return None, trace
