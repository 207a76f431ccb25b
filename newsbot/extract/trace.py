"""What the extractor decided on one page, recorded when asked: the data the inspector shows.

    record, trace = extract_with_trace(data, url=None, headers=None)

The trace says, in reading order, every text block of the page and whether the body finder kept it
and by which rule; the candidate containers it weighed and why one won; every metadata field with
the source it came from; the body strategy and the confidence.

How the extractor records (the hook point). While `extract_with_trace` runs, `active()` returns the
Trace being filled; at any other time it returns None, so the extraction modules pay one context
variable look-up per page when nobody asked:

    from newsbot.extract import trace
    t = trace.active()
    if t is not None:
        t.add_block(index=u.index, text=u.text, kept=False, rule="link density 0.82", container="div.sidebar")
        t.add_candidate(path="body/div#main/article", score=0.91, chosen=True, why="most sentence text, near the title")
        t.add_field("published", "2025-03-01T10:00:00+03:00", source="JSON-LD datePublished")

Wired: body.py records every text unit with the rule that kept or dropped it (_keep/_drop_rule) and the
candidate blocks it weighed (_record_trace); metadata.py notes where each field came from (Metadata.sources) and
core.py adds them as fields. What a path leaves unrecorded (a profile's units, a page with no body) is filled here
from what the extractor returned (`_fill_provisional`), and `Trace.provisional` names those parts so that the
report says so. None of this re-implements a rule of the extractor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any

from newsbot.record import ArticleRecord

PENDING_RULE = "rule not traced yet"
PENDING_SOURCE = "source not traced yet"
KEPT_IN_BODY = "in the record's body"
# the record fields the inspector lists, in this order
FIELD_NAMES = (
    "title", "description", "published", "modified", "published_raw", "authors", "section", "tags", "image",
    "canonical_url", "lang", "kind", "encoding", "warnings",
)


@dataclass
class TraceBlock:
    index: int  # position in reading order
    text: str
    kept: bool
    rule: str  # what decided: "furniture phrase 'اقرأ أيضا'", "class word 'related'", "caption after image", ...
    container: str  # where the block sits, e.g. "body/div.main/article/p"


@dataclass
class TraceCandidate:
    path: str  # the candidate container, e.g. "body/div#content/article"
    score: float
    chosen: bool
    why: str


@dataclass
class TraceField:
    value: Any
    source: str  # "JSON-LD datePublished", "meta og:title", "visible byline at block 4", "dateline", ...


@dataclass
class Trace:
    blocks: list[TraceBlock] = field(default_factory=list)
    candidates: list[TraceCandidate] = field(default_factory=list)
    fields: dict[str, TraceField] = field(default_factory=dict)
    strategy: str | None = None
    confidence: float | None = None
    # which of "blocks", "candidates", "fields" were filled from the record, not recorded by the extractor
    provisional: list[str] = field(default_factory=list)
    error: str | None = None  # the ExtractionError's message when the page gave no record

    # -- the hook: called by the extractor while a trace is active --------------------------------
    def add_block(self, index: int, text: str, kept: bool, rule: str, container: str = "") -> None:
        self.blocks.append(TraceBlock(index, text, kept, rule, container))

    def add_candidate(self, path: str, score: float, chosen: bool, why: str) -> None:
        self.candidates.append(TraceCandidate(path, score, chosen, why))

    def add_field(self, name: str, value: Any, source: str) -> None:
        self.fields[name] = TraceField(value, source)

    # -- reading ----------------------------------------------------------------------------------
    @property
    def kept(self) -> list[TraceBlock]:
        return [b for b in self.blocks if b.kept]

    @property
    def dropped(self) -> list[TraceBlock]:
        return [b for b in self.blocks if not b.kept]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_active: ContextVar[Trace | None] = ContextVar("newsbot_extract_trace", default=None)


def active() -> Trace | None:
    """The trace being recorded for the page under extraction, or None (nobody asked)."""
    return _active.get()


@contextmanager
def recording(trace: Trace) -> Iterator[Trace]:
    token = _active.set(trace)
    try:
        yield trace
    finally:
        _active.reset(token)


def extract_with_trace(
    data: bytes | str, url: str | None = None, headers: Mapping[str, str] | None = None, **kwargs: Any
) -> tuple[ArticleRecord, Trace]:
    """extract() plus the trace of its decisions. On ExtractionError the exception carries `.trace` (the
    page's blocks, none kept) so that a report can still show why nothing came out."""
    from newsbot.extract.core import ExtractionError, extract_parsed, parse_page

    trace = Trace()
    page = parse_page(data, headers, kwargs.pop("encoding", None))
    with recording(trace):
        try:
            record = extract_parsed(page, url=url, **kwargs)
        except ExtractionError as exc:
            trace.error = f"{exc.reason}: {exc}"
            _fill_provisional(trace, page.tree, None)
            # attr-defined: only a traced extraction's error carries a trace (the docstring's contract)
            exc.trace = trace  # type: ignore[attr-defined]
            raise
    if trace.strategy is None:
        trace.strategy = record.strategy
    if trace.confidence is None:
        trace.confidence = record.confidence
    _fill_provisional(trace, page.tree, record)
    return record, trace


# ---- provisional filling (until the extractor records its own decisions) -------------------------------


def _fill_provisional(trace: Trace, tree: Any, record: ArticleRecord | None) -> None:
    if not trace.blocks:
        trace.blocks = _blocks_from_record(tree, record)
        trace.provisional.append("blocks")
    if not trace.candidates and record is not None and record.body:
        trace.candidates = [TraceCandidate(
            path=f"(the body the record holds: strategy {record.strategy})", score=record.confidence, chosen=True,
            why=PENDING_RULE,
        )]
        trace.provisional.append("candidates")
    if not trace.fields and record is not None:
        for name in FIELD_NAMES:
            value = getattr(record, name)
            if value not in (None, "", []):
                trace.fields[name] = TraceField(value, PENDING_SOURCE)
        trace.provisional.append("fields")


def _blocks_from_record(tree: Any, record: ArticleRecord | None) -> list[TraceBlock]:
    from newsbot.extract.dom import walk_units
    from newsbot.extract.text import normalize_text

    root = tree.body or tree.root
    if root is None:
        return []
    units, _ = walk_units(root)
    paragraphs = {p for p in (record.body.split("\n\n") if record else []) if p}
    blocks = []
    for n, unit in enumerate(units):
        text = normalize_text(unit.text)
        if not text:
            continue
        kept = text in paragraphs
        path = "/".join(c.tag for c in unit.chain) or unit.tag
        blocks.append(TraceBlock(n, text, kept, KEPT_IN_BODY if kept else PENDING_RULE, path))
    return blocks


__all__ = ["Trace", "TraceBlock", "TraceCandidate", "TraceField", "active", "extract_with_trace", "recording"]
