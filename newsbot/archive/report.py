"""The archive run's report (the crawl's RunReport, one entry per file) and its progress line."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from newsbot.jobs.report import RunReport, SiteReport, _secs


@dataclass
class FileReport(SiteReport):
    """One archive file: `site` is its path, `pages` the WARC records read by this run, `articles` the pages
    extracted in the languages asked for; `skipped` says why every other record was left out."""

    skipped: dict[str, int] = field(default_factory=dict)
    langs: dict[str, int] = field(default_factory=dict)
    bytes: int = 0


@dataclass
class ArchiveReport(RunReport):
    langs: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)

    def skipped(self) -> Counter:
        total: Counter = Counter()
        for f in self.sites:
            total.update(getattr(f, "skipped", {}))
        return total

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["files"] = data.pop("sites")
        data["totals"]["records"] = data["totals"].pop("pages")
        data["totals"]["skipped"] = dict(sorted(self.skipped().items()))
        return data

    def summary(self, table: bool = True) -> str:
        lines = [f"newsbot archive {self.run_id}: {len(self.sites)} file(s) in {_secs(self.duration_s)}"
                 f" -> exit {self.exit_code} ({self.outcome})"]
        lines.append(f"  {'file':<40} {'status':<8} {'records':>8} {'kept':>6} {'new':>6} {'dup':>5} {'inv':>5}")
        for f in self.sites:
            name = f.site if len(f.site) <= 40 else "…" + f.site[-39:]
            kept = f.new + f.updated + f.duplicate
            row = f"  {name:<40} {f.status:<8} {f.pages:>8} {kept:>6} {f.new:>6} {f.duplicate:>5} {f.invalid:>5}"
            lines.append(row + (f"  {f.reason}" if f.reason else ""))
        skipped = self.skipped()
        if skipped:
            top = ", ".join(f"{reason} {n}" for reason, n in skipped.most_common())
            lines.append(f"  skipped {sum(skipped.values())} records: {top}")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.path:
            lines.append(f"  report: {self.path}")
        return "\n".join(lines)


class ProgressLine:
    """records/s, files done, articles kept, ETA (from the bytes left to read), at most once a second."""

    def __init__(self, total_files: int, total_bytes: int, langs: list[str], out: TextIO | None = None,
                 enabled: bool = True):
        self.total_files, self.total_bytes = total_files, max(1, total_bytes)
        self.what = "/".join(langs) + " articles" if langs else "articles"
        self.out = out or sys.stderr
        self.enabled = enabled
        self.t0 = self._last = time.monotonic()
        self.records = self.bytes = self.files_done = self.kept = 0

    def update(self, *, records: int = 0, bytes_read: int = 0, kept: int | None = None, file_done: bool = False,
               force: bool = False) -> None:
        self.records += records
        self.bytes += bytes_read
        self.files_done += int(file_done)
        if kept is not None:
            self.kept = kept
        now = time.monotonic()
        if self.enabled and (force or now - self._last >= 1.0):
            self._last = now
            self.out.write("\r" + self.line(now) + ("\n" if force else ""))
            self.out.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = max(1e-6, (now or time.monotonic()) - self.t0)
        rate = self.records / elapsed
        left = max(0, self.total_bytes - self.bytes)
        eta = _secs(left / (self.bytes / elapsed)) if self.bytes and left else ("-" if left else "0s")
        return (f"archive: {self.records} records ({rate:.0f}/s) | files {self.files_done}/{self.total_files}"
                f" | {self.kept} {self.what} kept | ETA {eta}   ")
