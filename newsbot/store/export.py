"""`newsbot export`: stored records as JSONL (plain, gzip or zstd), streamed, with a dataset card beside it."""

from __future__ import annotations

import dataclasses
import gzip
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, cast

import orjson

from newsbot import __version__
from newsbot.record import ArticleRecord
from newsbot.store.backends import describe
from newsbot.store.core import Filters, Store
from newsbot.store.timeutil import iso_now, utc_text

FIELD_DOCS = ArticleRecord.field_docs()  # each field is described once, where newsbot/record.py declares it


@dataclass
class ExportResult:
    path: Path
    card: Path | None
    records: int = 0
    bytes: int = 0
    by_site_month: Counter = field(default_factory=Counter)
    by_lang: Counter = field(default_factory=Counter)
    by_extractor: Counter = field(default_factory=Counter)
    duplicates: int = 0
    card_error: str | None = None  # the export is complete, but its card could not be written (then card is None)


def _base_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".zst", ".jsonl", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def card_path(path: Path) -> Path:
    return path.with_name(_base_name(path) + ".card.md")


class _Output:
    """The compressed (or not) byte stream a path's suffix asks for; gzip without a timestamp (reproducible)."""

    def __init__(self, path: Path, name: str):
        self.raw = open(path, "wb")
        self._closers: list[IO[bytes]] = []
        if name.endswith(".gz"):
            # cast: typeshed does not count GzipFile (a BufferedIOBase) as an IO[bytes], which it is at run time
            gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0)
            self.stream: IO[bytes] = cast(IO[bytes], gz)
            self._closers.append(self.stream)
        elif name.endswith(".zst"):
            import zstandard

            self.stream = zstandard.ZstdCompressor(level=10).stream_writer(self.raw, closefd=False)
            self._closers.append(self.stream)
        else:
            self.stream = self.raw
        self.buffer = io.BufferedWriter(self.stream, buffer_size=1 << 20) if self.stream is not self.raw else None

    def write(self, data: bytes) -> None:
        (self.buffer or self.stream).write(data)

    def close(self) -> None:
        if self.buffer is not None:
            self.buffer.flush()
        for closer in self._closers:
            closer.close()
        self.raw.close()


def export_jsonl(store: Store, path: str | os.PathLike, filters: Filters | None = None, *, card: bool = True) -> ExportResult:
    """Write the selected records, one JSON object per line (the fields of `ArticleRecord.to_dict()`, in order),
    in canonical-key order.

    Memory stays flat: rows are streamed (server-side cursor on PostgreSQL) and written as they come.
    The file appears complete or not at all (written beside, then renamed).
    """
    filters = filters or Filters()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    result = ExportResult(path=path, card=card_path(path) if card else None)
    out = _Output(part, path.name)
    names = ArticleRecord.field_names()
    try:
        for record in store.iter_records(filters):
            # orjson: UTF-8 bytes, never \u-escaped, several times faster than json.dumps (and no spaces after , :)
            out.write(orjson.dumps({name: getattr(record, name) for name in names}, option=orjson.OPT_APPEND_NEWLINE))
            result.records += 1
            month = (utc_text(record.published) or "unknown")[:7]
            result.by_site_month[(record.site or "unknown", month)] += 1
            result.by_lang[record.lang or "unknown"] += 1
            result.by_extractor[record.extractor_version or "unknown"] += 1
            result.duplicates += record.duplicate_of is not None
        out.close()  # inside: on a full disk the last flush is what fails
    except BaseException:
        try:
            out.close()
        except Exception:  # a full disk again, or closed already: the original error is the one to tell
            pass
        finally:
            part.unlink(missing_ok=True)
        raise
    os.replace(part, path)
    result.bytes = path.stat().st_size
    if result.card is not None:
        try:
            _write_whole(result.card, render_card(store, result, filters))
        except OSError as exc:  # the export itself is complete: kept, and the missing card told
            result.card_error = exc.strerror or str(exc)
            result.card = None
    return result


def _write_whole(path: Path, text: str) -> None:
    """The file appears complete or not at all (a full disk leaves no half card, and no .part)."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _cell(text: object) -> str:
    """Table-cell text: a bare | would start a new column."""
    return str(text).replace("|", "\\|")


def render_card(store: Store, result: ExportResult, filters: Filters) -> str:
    compression = "gzip" if result.path.name.endswith(".gz") else "zstd" if result.path.name.endswith(".zst") else "none"
    # YAML front matter: what the Hugging Face Hub reads from a dataset README
    lines = [
        "---",
        "language:",
        *[f"- {lang}" for lang in sorted(result.by_lang) if lang != "unknown"],
        f"pretty_name: {_base_name(result.path)}",
        "configs:",
        "- config_name: default",
        f"  data_files: {result.path.name}",
        "---",
        "",
        f"# {_base_name(result.path)}",
        "",
        f"Arabic news articles exported by newsbot {__version__} on {iso_now()} from `{describe(store.url)}`.",
        "",
        "## Files",
        "",
        "| file | format | compression | records | bytes |",
        "|---|---|---|---|---|",
        f"| `{result.path.name}` | JSON Lines, UTF-8 (not \\u-escaped) | {compression} | {result.records} | {result.bytes} |",
        "",
        "Order: by canonical URL (deterministic; the same store gives the same file). "
        + ("Near-duplicates included (see `duplicate_of`, `cluster_id`)." if filters.include_duplicates
           else "Near-duplicates excluded: one record per story cluster (`duplicate_of` is null)."),
        "",
        "## Load it",
        "",
        "```python",
        "import pandas as pd",
        f'df = pd.read_json("{result.path.name}", lines=True)',
        "",
        "from datasets import load_dataset",
        f'ds = load_dataset("json", data_files="{result.path.name}", split="train")',
        "```",
        "",
        "## Filters used",
        "",
        "| filter | value |",
        "|---|---|",
    ]
    for name, value in filters.describe().items():
        shown = ", ".join(value) if isinstance(value, list) else ("-" if value is None else value)
        lines.append(f"| {name} | {_cell(shown)} |")
    lines += ["", "## Extractor versions", "", "| extractor_version | records |", "|---|---|"]
    lines += [f"| {v} | {n} |" for v, n in sorted(result.by_extractor.items())]
    lines += ["", "## Languages", "", "| lang | records |", "|---|---|"]
    lines += [f"| {v} | {n} |" for v, n in sorted(result.by_lang.items())]
    sites: Counter[str] = Counter()
    for (site, _month), n in result.by_site_month.items():
        sites[site] += n
    lines += ["", "## Records per site", "", "| site | records |", "|---|---|"]
    lines += [f"| {s} | {n} |" for s, n in sorted(sites.items())]
    lines += ["", "## Records per site and month (publication date, UTC)", "", "| site | month | records |", "|---|---|---|"]
    lines += [f"| {s} | {m} | {n} |" for (s, m), n in sorted(result.by_site_month.items())]
    lines += ["", "## Schema", "", "One JSON object per line with these fields, in this order:", "",
              "| field | type | description |", "|---|---|---|"]
    for f in dataclasses.fields(ArticleRecord):
        if f.metadata.get("export", True):
            lines.append(f"| `{f.name}` | `{_cell(f.type)}` | {_cell(FIELD_DOCS.get(f.name, ''))} |")
    lines += [
        "",
        "## Provenance",
        "",
        "Pages were fetched by the newsbot crawler; the raw responses are kept (as WARC records) in the store,",
        "so records can be re-extracted with a newer extractor (`newsbot reextract`) and re-exported.",
        "The articles remain the property of their publishers; check each site's terms before redistribution.",
        "",
    ]
    return "\n".join(lines)
