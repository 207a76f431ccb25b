"""`scrapy crawl news -a url=... -O x.jsonl` keeps working and gives the same records as `newsbot crawl -o`."""

from __future__ import annotations

import subprocess
import sys

from newsbot.record import ArticleRecord
from tests.support.crawl import FAST, ROOT, article_html, crawl, env_for, html_route, listing_html, read_jsonl
from tests.support.httpserver import LocalServer

ARTS = [f"/news/2026/03/0{i}/scrapy-command-story-number-{i}" for i in range(1, 4)]


def test_scrapy_crawl_gives_the_same_records_as_newsbot_crawl(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", ARTS)))
        for i, p in enumerate(ARTS):
            srv.add(p, html_route(article_html(f"خبر رقم {i}")))
        ours = crawl(tmp_path / "a", srv.url("/")).check().records

        out = tmp_path / "b" / "x.jsonl"
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={srv.url('/')}", "-O", str(out),
             "-s", "NEWSBOT_ALLOW_PRIVATE=1", *FAST],
            cwd=ROOT, env=env_for(tmp_path / "b"), capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-4000:]
    theirs = read_jsonl(out)
    assert len(ours) == len(theirs) == len(ARTS)
    fields = ArticleRecord.field_names()
    assert all(list(r) == fields for r in theirs)  # FEED_EXPORT_FIELDS: the record shape, in order
    # extraction time, and which of the test's near-identical articles counts as the original (fetch order)
    volatile = {"extracted_at", "duplicate_of", "cluster_id"}
    key = lambda r: r["url"]  # noqa: E731
    for a, b in zip(sorted(ours, key=key), sorted(theirs, key=key), strict=True):
        assert {k: v for k, v in a.items() if k not in volatile} == {k: v for k, v in b.items() if k not in volatile}
    assert (tmp_path / "b" / "store.db").exists()  # the scrapy command stores too (same pipelines)
