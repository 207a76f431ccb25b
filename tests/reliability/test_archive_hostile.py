"""Damaged and foreign archive files: every bad record is skipped with its reason, the rest of the file comes out."""

from __future__ import annotations

import json
import subprocess
import sys

from newsbot.store import open_store
from tests.support.crawl import env_for
from tests.support.warcs import ArchiveBuilder, arabic_pages, mixed_archive

BROKEN = ("broken-record", "truncated-record", "content-length-mismatch", "too-large")


def _run(tmp_path, *paths: str) -> tuple[subprocess.CompletedProcess, dict]:
    db = tmp_path / "store.db"
    proc = subprocess.run([sys.executable, "-m", "newsbot", "archive", *paths, "--db", str(db), "--max-record-mb",
                           "0.1", "-q"], env=env_for(tmp_path), capture_output=True, text=True, timeout=300)
    report = json.loads((tmp_path / "store.jobs" / "runs" / "last-archive-run.json").read_text("utf-8"))
    return proc, report


def _stored(tmp_path) -> set[str]:
    store = open_store(str(tmp_path / "store.db"))
    try:
        return {r.url for r in store.iter_records()}
    finally:
        store.close()


def test_broken_records_in_a_warc_cost_only_themselves(tmp_path, case):
    case("a WARC with a truncated gzip member, Content-Lengths that lie (more and less), a 250 KB response over a "
         "0.1 MB cap, an image, a redirect, a 404, request/metadata/warcinfo records, among Arabic articles")
    b = mixed_archive(tmp_path / "mixed.warc.gz", arabic_pages(tmp_path / "site", 5, seed=5))
    b.write()
    proc, report = _run(tmp_path, str(b.path))
    assert proc.returncode == 0, proc.stderr
    skipped = report["files"][0]["skipped"]
    case.happened("skipped with reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    assert sum(skipped.get(reason, 0) for reason in BROKEN) == 4  # the three damaged records and the huge one
    assert case.count_lost(set(b.kept), _stored(tmp_path)) == 0


def test_a_file_that_is_not_an_archive_costs_only_itself(tmp_path, case):
    case("a text file and an HTML page named .warc.gz given with a good WARC file")
    good = ArchiveBuilder(tmp_path / "good.warc.gz")
    for url, page in arabic_pages(tmp_path / "site", 4, seed=6):
        good.article(url, page)
    good.write()
    (tmp_path / "notes.warc.gz").write_text("not an archive\n" * 50)
    (tmp_path / "page.warc").write_bytes(b"<html><body>" + "خبر".encode() * 400 + b"</body></html>")
    proc, report = _run(tmp_path, str(tmp_path / "notes.warc.gz"), str(tmp_path / "page.warc"), str(good.path))
    statuses = {f["site"].rsplit("/", 1)[-1]: (f["status"], f["reason"]) for f in report["files"]}
    case.happened(f"exit {proc.returncode}; " + "; ".join(f"{k}: {s} ({r})" for k, (s, r) in statuses.items()))
    assert proc.returncode == 1 and statuses["good.warc.gz"][0] == "ok"
    assert statuses["notes.warc.gz"][0] == statuses["page.warc"][0] == "failed"
    assert case.count_lost(set(good.kept), _stored(tmp_path)) == 0


def test_a_page_that_kills_its_extraction_worker_costs_only_itself(tmp_path, case):
    from newsbot.archive.filters import ArchiveOptions
    from newsbot.archive.run import ArchiveRun
    from tests.support.pool_pages import KILLER, archive_chunk_or_die

    case("an archive page that kills the extraction worker process (like a parser crash), among 40 articles")
    pages = arabic_pages(tmp_path / "site", 41, seed=8)
    b = ArchiveBuilder(tmp_path / "k.warc.gz")
    for k, (url, page) in enumerate(pages):
        if k == 10:
            b.response(url, page.replace(b"</body>", KILLER + b"</body>"))
        else:
            b.article(url, page)
    b.write()
    report = ArchiveRun([str(b.path)], ArchiveOptions(), store=str(tmp_path / "store.db"), workers=1, progress=False,
                        chunk_func=archive_chunk_or_die).run()
    f = report.sites[0]
    case.happened(f"file {f.status}; skipped: {f.skipped}")
    assert f.status == "ok" and f.skipped == {"warcinfo-record": 1, "extract-crashed": 1}
    assert case.count_lost(set(b.kept), _stored(tmp_path)) == 0
