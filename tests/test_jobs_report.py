"""Run reports, exit codes and the time budget (no crawl: stats dicts as Scrapy leaves them)."""

from __future__ import annotations

import json

import pytest

from newsbot.jobs import exitcodes
from newsbot.jobs.budget import TimeBudget
from newsbot.jobs.report import RunReport, SiteReport, counts_from_stats, judge
from newsbot.jobs.run import CrawlJob


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_budget_shrinks_across_sites_and_maps_to_closespider_timeout():
    clock = Clock()
    budget = TimeBudget(600, clock=clock)
    assert budget.scrapy_settings() == {"CLOSESPIDER_TIMEOUT": 600}
    clock.t += 450.6
    assert budget.closespider_timeout() == 149
    clock.t += 149.2
    assert not budget.expired()
    assert budget.closespider_timeout() == 1  # 0 would mean "no limit" to Scrapy
    clock.t += 1
    assert budget.expired()
    assert TimeBudget(None).scrapy_settings() == {}
    with pytest.raises(ValueError):
        TimeBudget(0)


def test_counts_per_site_from_a_multi_site_crawl():
    stats = {
        "newsbot/site/a/pages": 10, "newsbot/site/a/new": 4, "newsbot/site/a/unchanged": 2,
        "newsbot/site/a/near_duplicate": 1, "newsbot/site/a/invalid": 1, "newsbot/site/a/errors": 2,
        "newsbot/site/b/pages": 3, "newsbot/items/new": 99, "newsbot/pages/fetched": 13,
    }
    a = counts_from_stats(stats, "a")
    assert (a["pages"], a["new"], a["duplicate"], a["invalid"], a["errors"]) == (10, 4, 3, 1, 2)
    b = counts_from_stats(stats, "b")
    assert (b["pages"], b["new"]) == (3, 0)  # the global counters belong to all sites: not used


def test_single_site_crawl_falls_back_to_scrapy_counters():
    unreachable = {"downloader/exception_count": 3, "finish_reason": "finished"}
    rep = SiteReport("down.example", **counts_from_stats(unreachable, "down.example", only_site=True))
    rep.finish_reason = "finished"
    assert judge(rep).status == "failed" and "unreachable" in rep.reason


@pytest.mark.parametrize(
    ("reason", "pages", "errors", "status"),
    [
        ("finished", 5, 0, "ok"),
        ("finished", 5, 3, "ok"),  # some pages failed, the site did not
        ("closespider_timeout", 5, 0, "partial"),
        ("shutdown", 5, 0, "interrupted"),  # Ctrl-C: resumable, not failed (issue 12)
        ("finished", 0, 2, "failed"),
    ],
)
def test_site_status(reason, pages, errors, status):
    rep = judge(SiteReport("s", pages=pages, errors=errors, finish_reason=reason))
    assert rep.status == status


def test_exit_code_precedence():
    assert exitcodes.combine(failed=False, alarm=False) == 0
    assert exitcodes.combine(failed=False, alarm=True) == exitcodes.HEALTH_ALARM == 3
    assert exitcodes.combine(failed=True, alarm=True) == exitcodes.SITE_FAILED == 1
    report = RunReport("r", "2026-01-01T00:00:00+00:00", sites=[SiteReport("a", status="skipped")])
    assert report.conclude() == 0  # a site another run holds is not a failure


def test_report_json_is_utf8_and_round_trips(tmp_path):
    report = RunReport("r1", "2026-01-01T00:00:00+00:00", sites=[
        SiteReport("موقع.example", pages=3, new=2, health={"score": 0.5, "alarm": True, "reasons": ["لا عنوان"]}),
    ])
    report.conclude()
    path = report.write(tmp_path / "runs" / "r1.json")
    text = path.read_text(encoding="utf-8")
    assert "موقع.example" in text and "\\u" not in text
    data = json.loads(text)
    assert data["exit_code"] == 3 and data["alarms"] == ["موقع.example"] and data["totals"]["new"] == 2
    back = RunReport.read(path)
    assert back.sites[0].site == "موقع.example" and back.exit_code == 3
    summary = back.summary()
    assert "exit 3" in summary and "HEALTH ALARM" in summary


def test_crawl_job_skips_sites_another_run_holds(tmp_path):
    store = str(tmp_path / "news.db")
    with CrawlJob(store) as first:
        assert first.claim(["a.example", "b.example"]) == ["a.example", "b.example"]
        with CrawlJob(store) as second:
            assert second.claim(["b.example", "c.example"]) == ["c.example"]
            second.site_done("c.example", {"newsbot/site/c.example/pages": 4, "finish_reason": "finished"})
        skipped = second.report.site("b.example")
        assert skipped.status == "skipped" and "locked by pid" in skipped.reason
        assert second.report.exit_code == 0
        first.site_done("a.example", {"newsbot/site/a.example/pages": 1, "finish_reason": "finished"})
        first.site_failed("b.example", "boom")
    assert first.report.exit_code == exitcodes.SITE_FAILED
    assert json.loads((tmp_path / "news.jobs" / "runs" / "last-run.json").read_text())["run_id"] == first.run_id
    # locks were released: a third run gets every site
    with CrawlJob(store) as third:
        assert third.claim(["a.example", "b.example"]) == ["a.example", "b.example"]


def test_crawl_job_budget_marks_sites_not_started(tmp_path):
    with CrawlJob(str(tmp_path / "db.sqlite"), max_runtime=0.01) as job:
        sites = job.claim(["x", "y"])
        import time

        time.sleep(0.02)
        for site in sites:
            assert job.out_of_time()
            job.not_started(site)
    assert [s.status for s in job.report.sites] == ["not_started", "not_started"]
    assert job.report.exit_code == 0


def test_worker_rows_merge_into_one_site_row():
    from newsbot.jobs.workers import merge_rows

    a = {"pages": 10, "new": 7, "errors": 1, "duration": 5.0, "finish_reason": "finished", "ok": True, "responses": 11}
    b = {"pages": 0, "new": 0, "errors": 0, "duration": 9.0, "finish_reason": "shutdown", "ok": False, "responses": 0}
    row = merge_rows([b, a])
    assert (row["pages"], row["new"], row["errors"], row["responses"]) == (10, 7, 1, 11)
    assert row["duration"] == 9.0 and row["finish_reason"] == "finished" and row["ok"]
    assert row["workers"] == 2 and row["worker_pages"] == [0, 10]
