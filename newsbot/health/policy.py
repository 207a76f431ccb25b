"""Extraction health per site: the share of article pages that came out badly, and the alarm.

A site redesign rarely breaks a crawl: pages still download, the extractor still returns something,
but bodies go short or empty, titles and dates disappear, confidence drops. Each run records per site
how many article pages it saw and how many had each defect; the alarm compares the run with the
site's own history (a site whose pages never carry a date is not alarming; one that stops is).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from newsbot import settings as defaults

# the defects counted per article page (column names of site_health)
DEFECTS = ("empty_body", "short_body", "no_title", "no_date", "low_confidence", "extract_error")


@dataclass
class HealthPolicy:
    """The thresholds (NEWSBOT_HEALTH_* in newsbot/settings.py, where each is explained)."""

    short_words: int = defaults.NEWSBOT_HEALTH_SHORT_WORDS
    low_confidence: float = defaults.NEWSBOT_HEALTH_LOW_CONFIDENCE
    min_pages: int = defaults.NEWSBOT_HEALTH_MIN_PAGES
    history_runs: int = defaults.NEWSBOT_HEALTH_HISTORY_RUNS
    max_drop: float = defaults.NEWSBOT_HEALTH_MAX_DROP
    max_defect_rise: float = defaults.NEWSBOT_HEALTH_MAX_DEFECT_RISE

    @classmethod
    def from_settings(cls, get: Any) -> HealthPolicy:
        """From Scrapy-style settings (`get(name, default)`): NEWSBOT_HEALTH_SHORT_WORDS etc."""
        base = cls()
        return cls(
            short_words=int(get("NEWSBOT_HEALTH_SHORT_WORDS", base.short_words)),
            low_confidence=float(get("NEWSBOT_HEALTH_LOW_CONFIDENCE", base.low_confidence)),
            min_pages=int(get("NEWSBOT_HEALTH_MIN_PAGES", base.min_pages)),
            history_runs=int(get("NEWSBOT_HEALTH_HISTORY_RUNS", base.history_runs)),
            max_drop=float(get("NEWSBOT_HEALTH_MAX_DROP", base.max_drop)),
            max_defect_rise=float(get("NEWSBOT_HEALTH_MAX_DEFECT_RISE", base.max_defect_rise)),
        )


@dataclass
class HealthSample:
    """Counts for one site in one run."""

    site: str
    pages: int = 0  # article pages seen: records handed on by the spider + pages whose extraction failed
    good: int = 0  # article pages with none of the defects
    empty_body: int = 0
    short_body: int = 0  # includes empty bodies
    no_title: int = 0
    no_date: int = 0
    low_confidence: int = 0
    extract_error: int = 0

    def observe(self, record: Mapping[str, Any] | Any, policy: HealthPolicy) -> None:
        """Count one extracted record (an ArticleRecord or a dict with its fields)."""
        get = record.get if isinstance(record, Mapping) else lambda k, d=None: getattr(record, k, d)
        body = get("body") or ""
        words = get("word_count") or len(body.split())
        defects = {
            "empty_body": not body.strip(),
            "short_body": words < policy.short_words,
            "no_title": not (get("title") or "").strip(),
            "no_date": not get("published"),
            "low_confidence": float(get("confidence") or 0.0) < policy.low_confidence,
        }
        self.pages += 1
        for name, bad in defects.items():
            setattr(self, name, getattr(self, name) + int(bad))
        self.good += int(not any(defects.values()))

    def add_extract_errors(self, n: int) -> None:
        """Pages the spider took for articles but could not extract: all bad."""
        self.pages += n
        self.extract_error += n

    def merge(self, other: HealthSample) -> None:
        for name in ("pages", "good", *DEFECTS):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def share(self, name: str) -> float | None:
        return getattr(self, name) / self.pages if self.pages else None

    @property
    def score(self) -> float | None:
        """Share of article pages with no defect (1.0 = all good); None when no article page was seen."""
        return self.share("good")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": None if self.score is None else round(self.score, 3)}


@dataclass
class Verdict:
    site: str
    score: float | None
    baseline: float | None  # median good share of the earlier runs (None: no usable history yet)
    alarm: bool = False
    reasons: list[str] = field(default_factory=list)
    pages: int = 0

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 3)

        return {
            "site": self.site,
            "pages": self.pages,
            "score": r(self.score),
            "baseline": r(self.baseline),
            "alarm": self.alarm,
            "reasons": self.reasons,
        }

    def describe(self) -> str:
        if self.score is None:
            return "no article pages"
        text = f"health {self.score:.0%}"
        if self.baseline is not None:
            text += f" (usual {self.baseline:.0%})"
        if self.alarm:
            text += " ALARM: " + "; ".join(self.reasons)
        return text


def assess(current: HealthSample, history: Iterable[HealthSample], policy: HealthPolicy | None = None) -> Verdict:
    """Compare a run with the site's earlier runs (newest first; runs that alarmed already left out by the caller)."""
    policy = policy or HealthPolicy()
    earlier = [h for h in history if h.pages >= policy.min_pages][: policy.history_runs]
    score = current.score
    if not earlier or current.pages < policy.min_pages or score is None:
        return Verdict(current.site, score, None, pages=current.pages)
    baseline = statistics.median(h.score for h in earlier if h.score is not None)
    verdict = Verdict(current.site, score, baseline, pages=current.pages)
    if baseline - score >= policy.max_drop:
        verdict.reasons.append(f"good pages {score:.0%} against {baseline:.0%} usually")
    for name in DEFECTS:
        now = current.share(name) or 0.0
        usual = statistics.median(h.share(name) or 0.0 for h in earlier)
        if now - usual >= policy.max_defect_rise:
            verdict.reasons.append(f"{name.replace('_', ' ')} {now:.0%} (usually {usual:.0%})")
    verdict.alarm = bool(verdict.reasons)
    return verdict
