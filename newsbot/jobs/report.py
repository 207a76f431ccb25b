"""The run report: what one `newsbot crawl` did, per site, as JSON and as a short terminal summary.

Counts come from the Scrapy stats the spider and pipelines bump (see the brief's key list):
per site `newsbot/site/<site>/{pages,errors,new,updated,unchanged,near_duplicate,invalid,store_error}`; a crawl of a
single site may only have the global `newsbot/items/*` / `newsbot/pages/*` keys, which are used then.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypedDict

from newsbot.jobs import exitcodes

# a spider closed for one of these reasons did its job (a time budget running out included: the next run resumes)
COMPLETED_REASONS = {"finished", "closespider_timeout", "closespider_itemcount", "closespider_pagecount"}


@dataclass
class SiteReport:
    site: str
    # ok | partial (time budget) | failed | interrupted (Ctrl-C; resumable) | skipped (locked) | not_started
    status: str = "ok"
    reason: str | None = None
    pages: int = 0  # pages fetched
    articles: int = 0  # article pages extracted
    new: int = 0
    updated: int = 0
    duplicate: int = 0  # unchanged re-fetches + near-duplicates of stored articles
    invalid: int = 0
    errors: int = 0  # fetch and extraction errors
    store_errors: int = 0  # articles extracted but not stored (a failed write or commit): the site fails
    sitemaps_too_deep: int = 0  # sitemaps an index nested past NEWSBOT_SITEMAP_DEPTH listed: not fetched
    spooled: int = 0  # of the store errors, articles kept in a local spool file for the next crawl to store
    replayed: int = 0  # articles an earlier crawl kept in the spool, stored by this one
    duration_s: float | None = None
    finish_reason: str | None = None
    health: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def alarm(self) -> bool:
        return bool(self.health and self.health.get("alarm"))

    def losses(self) -> list[str]:
        return loss_notes({"sitemaps_too_deep": self.sitemaps_too_deep})


def store_failure(errors: int, spooled: int, spool: str | None = None) -> str:
    """A failed-store site's reason: what could not be stored, and what of it was kept for the next crawl."""
    text = f"the store failed: {errors} articles could not be stored"
    if spooled:
        text += f"; {spooled} kept" + (f" in {spool}" if spool else "") + ", stored by the next crawl"
    return text


def loss_notes(counts: Mapping[str, Any]) -> list[str]:
    """What a bound left out of a crawl that may still have succeeded, in the words of the site's line."""
    notes = []
    if counts.get("sitemaps_too_deep"):
        notes.append(f"{counts['sitemaps_too_deep']} sitemap(s) nested past NEWSBOT_SITEMAP_DEPTH not followed")
    return notes


def _int(stats: dict[str, Any], key: str) -> int:
    value = stats.get(key)
    return int(value) if isinstance(value, (int, float)) else 0


class SiteCounts(TypedDict):
    """The count fields of a SiteReport, by name (so that `SiteReport(site, **counts)` type-checks)."""

    pages: int
    articles: int
    new: int
    updated: int
    duplicate: int
    invalid: int
    errors: int
    store_errors: int
    sitemaps_too_deep: int
    spooled: int
    replayed: int


def counts_from_stats(stats: dict[str, Any], site: str, *, only_site: bool = False) -> SiteCounts:
    """Per-site counts; `only_site` lets global keys stand in when the crawl covered just this site."""
    base = f"newsbot/site/{site}/"

    def pick(site_key: str, *global_keys: str) -> int:
        if base + site_key in stats or not only_site:
            return _int(stats, base + site_key)
        return sum(_int(stats, k) for k in global_keys)

    counts: SiteCounts = {
        "pages": pick("pages", "newsbot/pages/fetched"),
        "articles": pick("article", "newsbot/pages/article"),
        "new": pick("new", "newsbot/items/new"),
        "updated": pick("updated", "newsbot/items/updated"),
        "duplicate": pick("unchanged", "newsbot/items/unchanged") + pick("near_duplicate", "newsbot/items/near_duplicate"),
        "invalid": pick("invalid", "newsbot/items/invalid"),
        "errors": pick("errors", "newsbot/pages/extract_error"),
        "store_errors": pick("store_error", "newsbot/items/store_error"),
        "sitemaps_too_deep": pick("sitemaps_too_deep", "newsbot/sitemaps/too_deep"),
        "spooled": pick("spooled", "newsbot/items/spooled"),
        "replayed": pick("replayed"),
    }
    if only_site:
        # a site that answered nothing at all: Scrapy's own counters say so even when the spider bumped nothing
        counts["pages"] = counts["pages"] or _int(stats, "response_received_count")
        counts["errors"] = max(counts["errors"], _int(stats, "downloader/exception_count"))
    if not counts["articles"]:
        counts["articles"] = counts["new"] + counts["updated"] + counts["duplicate"] + counts["invalid"]
    return counts


def judge(report: SiteReport) -> SiteReport:
    """Status from what the crawl reported, unless it was already decided (skipped, not started, failed)."""
    if report.status != "ok":
        return report
    if report.finish_reason == "shutdown":
        report.status, report.reason = "interrupted", "stopped (Ctrl-C or SIGTERM); run again to resume"
    elif report.finish_reason and report.finish_reason not in COMPLETED_REASONS:
        report.status, report.reason = "failed", f"crawl ended: {report.finish_reason}"
    elif report.store_errors:
        report.status, report.reason = "failed", store_failure(report.store_errors, report.spooled)
    elif report.pages == 0 and report.errors > 0:
        report.status, report.reason = "failed", "unreachable: no page could be fetched"
    elif report.pages == 0 and report.finish_reason is not None:
        report.status, report.reason = "failed", "nothing fetched"
    elif report.finish_reason == "closespider_timeout":
        report.status, report.reason = "partial", "time budget reached; the next run resumes"
    return report


@dataclass
class RunReport:
    run_id: str
    started: str
    finished: str | None = None
    duration_s: float | None = None
    store: str | None = None
    max_runtime: float | None = None
    workers: int = 1
    sites: list[SiteReport] = field(default_factory=list)
    exit_code: int = exitcodes.OK
    outcome: str = exitcodes.MEANING[exitcodes.OK]
    interrupted: bool = False
    error: str | None = None  # the run itself failed (raised) before or while crawling
    notes: list[str] = field(default_factory=list)  # e.g. a worker that died
    path: str | None = None  # where the JSON was written

    def site(self, name: str) -> SiteReport | None:
        return next((s for s in self.sites if s.site == name), None)

    def conclude(self) -> int:
        failed = self.error is not None or any(s.failed for s in self.sites)
        alarm = any(s.alarm for s in self.sites)
        stopped = self.interrupted or any(s.status == "interrupted" for s in self.sites)
        self.exit_code = exitcodes.combine(failed=failed, alarm=alarm, interrupted=stopped)
        self.outcome = exitcodes.MEANING[self.exit_code]
        return self.exit_code

    def totals(self) -> dict[str, int]:
        keys = ("pages", "articles", "new", "updated", "duplicate", "invalid", "errors")
        return {k: sum(getattr(s, k) for s in self.sites) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path")
        data["totals"] = self.totals()
        data["alarms"] = [s.site for s in self.sites if s.alarm]
        data["failed"] = [s.site for s in self.sites if s.failed]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        tmp.replace(path)  # a monitoring script never reads half a report
        return path

    @classmethod
    def read(cls, path: str | Path) -> RunReport:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for extra in ("totals", "alarms", "failed"):
            data.pop(extra, None)
        sites = [SiteReport(**s) for s in data.pop("sites", [])]
        return cls(**data, sites=sites, path=str(path))

    def summary(self, table: bool = True) -> str:
        """The terminal summary: a table of the sites (or, with table=False, only what the crawl's own
        table does not say: lock skips, failures, health, notes) and the exit code."""
        lines = [
            f"newsbot crawl {self.run_id}: {len(self.sites)} site(s) in {_secs(self.duration_s)}"
            f" -> exit {self.exit_code} ({self.outcome})"
        ]
        if table:
            lines.append(
                f"  {'site':<28} {'status':<11} {'pages':>6} {'new':>5} {'upd':>5} {'dup':>5} {'inv':>5} {'err':>5} {'time':>6}"
            )
        for s in self.sites:
            notes = ([s.reason] if s.reason else []) + s.losses()
            if s.health and s.health.get("score") is not None:
                h = s.health
                notes.append(
                    "HEALTH ALARM: " + "; ".join(h.get("reasons") or []) if h.get("alarm") else f"health {h['score']:.0%}"
                )
            if table:
                row = (
                    f"  {s.site[:28]:<28} {s.status:<11} {s.pages:>6} {s.new:>5} {s.updated:>5} {s.duplicate:>5}"
                    f" {s.invalid:>5} {s.errors:>5} {_secs(s.duration_s):>6}"
                )
                lines.append(row + ("  " + " | ".join(notes) if notes else ""))
            elif s.status != "ok" or s.alarm or s.losses():
                lines.append(f"  {s.site}: {s.status}" + (" - " + " | ".join(notes) if notes else ""))
        if self.error:
            lines.append(f"  error: {self.error}")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.path:
            lines.append(f"  report: {self.path}")
        return "\n".join(lines)

    def print_summary(self, file: TextIO, table: bool = True) -> None:
        print(self.summary(table), file=file, flush=True)

    def problems(self) -> list[str]:
        """One line per site that did not simply succeed, and the notes: what `-q` (the cron form) still prints."""
        lines = []
        for s in self.sites:
            if s.status in ("ok", "skipped") and not s.alarm and not s.losses():
                continue
            why = "; ".join(filter(None, [s.reason, *s.losses()]))
            if s.alarm and s.health:  # an alarm comes from the health verdict
                why = "; ".join(filter(None, [why, "HEALTH ALARM: " + "; ".join(s.health.get("reasons") or [])]))
            lines.append(f"newsbot crawl: {s.site}: {s.status}" + (f": {why}" if why else ""))
        if self.error:
            lines.append(f"newsbot crawl: error: {self.error}")
        lines.extend(f"newsbot crawl: note: {note}" for note in self.notes)
        if lines:
            lines.append(f"newsbot crawl: exit {self.exit_code} ({self.outcome})")
        return lines

    def print_problems(self, file: TextIO) -> None:
        for line in self.problems():
            print(line, file=file, flush=True)


def _secs(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}s" if value < 120 else f"{value / 60:.1f}m"
