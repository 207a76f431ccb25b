"""`newsbot archive`: WARC files (built here with warcio) into the store, through the crawl's pipelines."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from newsbot.archive.filters import ArchiveOptions
from newsbot.archive.process import process_file
from newsbot.archive.report import ProgressLine
from newsbot.store import open_store
from tests.support.pg import pg_server, pg_url  # noqa: F401 - fixtures
from tests.support.warcs import BASE_EN, ArchiveBuilder, arabic_pages, english_page, mixed_archive, write_arc

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {"extracted_at", "duplicate_of", "cluster_id"}  # run-dependent, or set by the store's de-duplication


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[tuple[str, bytes]]:
    return arabic_pages(tmp_path_factory.mktemp("site"), 24, seed=7)


def archive(*args: str, db: Path | str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "newsbot", "archive", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def last_report(db: Path) -> dict:
    return json.loads((db.with_name(db.stem + ".jobs") / "runs" / "last-archive-run.json").read_text("utf-8"))


def stored(db: Path) -> dict[str, dict]:
    store = open_store(str(db))
    try:
        return {r.url: {k: v for k, v in r.to_dict().items() if k not in IGNORED} for r in store.iter_records()}
    finally:
        store.close()




def test_mixed_archive_keeps_the_arabic_articles_and_says_what_it_skipped(tmp_path, pages):
    b = mixed_archive(tmp_path / "mixed.warc.gz", pages)
    b.write()
    db = tmp_path / "s.db"
    proc = archive(str(b.path), "--max-record-mb", "0.1", db=db)
    assert sorted(stored(db)) == sorted(b.kept)
    report = last_report(db)
    f = report["files"][0]
    assert f["status"] == "ok" and f["new"] == len(b.kept)
    skipped = f["skipped"]
    assert skipped["warcinfo-record"] == 1 and skipped["request-record"] == 1 and skipped["metadata-record"] == 1
    assert skipped["redirect"] == 1 and skipped["http-404"] == 1 and skipped["not-html"] == 1
    assert skipped["too-large"] == 1
    assert skipped["no-arabic-script"] == 1  # the English article: not even extracted
    # the cut member reads as garbage or as a record cut short (as zlib takes the bytes after it); either way only it
    assert skipped.get("broken-record", 0) + skipped.get("truncated-record", 0) + skipped["content-length-mismatch"] == 3
    assert report["totals"]["records"] == len(b.kept) + sum(skipped.values())  # every record accounted for
    assert "skipped" in proc.stderr and "broken-record 1" in proc.stderr  # the summary says what it skipped


def test_raw_pages_point_into_the_archive_file_unless_asked_to_copy(tmp_path, pages):
    b = ArchiveBuilder(tmp_path / "a.warc.gz")
    for url, page in pages[:3]:
        b.article(url, page)
    b.write()
    for keep_raw, db in ((False, tmp_path / "point.db"), (True, tmp_path / "copy.db")):
        archive(str(b.path), *(["--keep-raw"] if keep_raw else []), db=db)
        rows = sqlite3.connect(db).execute("SELECT length(warc), archive_path, raw_size FROM raw_pages").fetchall()
        assert len(rows) == 3
        for blob_len, path, _size in rows:
            assert (blob_len > 0) == keep_raw and (path == str(b.path)) == (not keep_raw)
        assert sorted(r[2] for r in rows) == sorted(len(page) for _url, page in pages[:3])
        store = open_store(str(db))
        try:
            raws = {store.raw_page(i)[2].url: store.raw_page(i)[2].body for i in store.raw_ids()}
        finally:
            store.close()
        assert raws == dict(pages[:3])  # the same bytes back, from the file or from the copy
    # re-extraction reads the pages back from the archive file; once the file is gone it says so
    from pipelines.reextract import reextract

    store = open_store(str(tmp_path / "point.db"))
    try:
        assert reextract(store)["newsbot/reextract/pages"] == 3
        b.path.rename(tmp_path / "moved.warc.gz")
        stats = reextract(store)
        assert stats["newsbot/reextract/raw_missing"] == 3 and "newsbot/reextract/pages" not in stats
    finally:
        store.close()


def test_a_finished_file_is_not_read_again_and_other_formats_give_the_same_records(tmp_path, pages):
    files = {}
    for name, gz, whole in (("member.warc.gz", True, False), ("plain.warc", False, False),
                            ("whole.warc.gz", False, True)):
        b = ArchiveBuilder(tmp_path / name, gzip=gz)
        for url, page in pages[:6]:
            b.article(url, page)
        b.not_found(BASE_EN + "/x")
        files[name] = b.write(whole_file_gzip=whole)
    results = {}
    for name, path in files.items():
        db = tmp_path / f"{name}.db"
        archive(str(path), db=db)
        results[name] = stored(db)
        assert len(results[name]) == 6
        again = archive(str(path), db=db)
        assert last_report(db)["files"][0]["status"] == "skipped", again.stderr
        assert last_report(db)["totals"]["records"] == 0
    assert results["member.warc.gz"] == results["plain.warc"] == results["whole.warc.gz"]


def test_arc_files_give_the_same_records_as_warc(tmp_path, pages):
    b = ArchiveBuilder(tmp_path / "w.warc.gz")
    for url, page in pages[:4]:
        b.article(url, page)
    b.write()
    arc = write_arc(tmp_path / "old.arc.gz", pages[:4])
    archive(str(b.path), db=tmp_path / "w.db")
    archive(str(arc), db=tmp_path / "a.db")
    arc_records = stored(tmp_path / "a.db")
    assert len(arc_records) == 4 and arc_records == stored(tmp_path / "w.db")


def test_a_file_that_is_not_an_archive_fails_alone(tmp_path, pages):
    good = ArchiveBuilder(tmp_path / "good.warc.gz")
    good.article(*pages[0])
    good.write()
    bad = tmp_path / "notes.warc.gz"
    bad.write_text("these are my notes, not a WARC file\n" * 20)
    db = tmp_path / "s.db"
    proc = archive(str(bad), str(good.path), db=db, check=False)
    assert proc.returncode == 1
    report = last_report(db)
    assert [f["status"] for f in report["files"]] == ["failed", "ok"]
    assert "not a WARC" in report["files"][0]["reason"] and report["failed"] == [str(bad)]
    assert list(stored(db)) == [pages[0][0]]


def test_configuration_is_checked_before_reading(tmp_path):
    db = tmp_path / "s.db"
    for args, message in ((["missing.warc.gz"], "no such file"), ([str(tmp_path), "--since", "yesterday"], "ISO"),
                          ([str(tmp_path), "--url-pattern", "("], "url-pattern")):
        proc = archive(*args, db=db, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists()


def test_filters_before_extraction(tmp_path, pages):
    b = ArchiveBuilder(tmp_path / "f.warc.gz")
    for k, (url, page) in enumerate(pages[:8]):
        host_url = url.replace("news.example", "a.news.example" if k % 2 else "b.example")
        b.article(host_url, page, date=f"2024-0{1 + k % 4}-15T10:00:00Z")
    b.write()

    def kept(**kw) -> list[str]:
        out = io.StringIO()
        counts = process_file(str(b.path), ArchiveOptions(**kw), out)
        assert counts["status"] == "ok"
        return [json.loads(line)["url"] for line in out.getvalue().splitlines()]

    everything = kept()
    assert len(everything) == 8
    assert kept(hosts=("news.example",)) == [u for u in everything if "a.news.example" in u]
    assert kept(url_patterns=(r"^https://b\.example/",)) == [u for u in everything if "//b.example" in u]
    assert len(kept(since="2024-02-01", until="2024-03-31")) == 4  # months 2 and 3 of 1..4
    assert len(kept(until="2024-01-15")) == 2  # a date alone covers its whole day
    assert len(kept(until="2024-01-15T09:59:59Z")) == 0 and len(kept(since="2024-04-15T10:00:00Z")) == 2
    assert kept(langs=("fa",)) == []  # no Persian in the file


def test_registry_site_filter_and_slug(tmp_path, pages):
    registry = tmp_path / "sites.toml"
    registry.write_text(
        '[[site]]\nslug = "example-news"\nname = "مثال"\nhomepage = "https://news.example/"\n'
        'allowed_domains = ["news.example"]\ncountry = "xx"\nregion = "unknown"\n', encoding="utf-8")
    b = ArchiveBuilder(tmp_path / "r.warc.gz")
    b.article(*pages[0])
    b.article(pages[1][0].replace("news.example", "elsewhere.example"), pages[1][1])
    b.write()
    out = io.StringIO()
    process_file(str(b.path), ArchiveOptions(sites=("example-news",), registry=str(registry)), out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["url"], r["site"]) for r in rows] == [(pages[0][0], "example-news")]
    with pytest.raises(ValueError, match="not in the registry"):
        ArchiveOptions(sites=("nope",), registry=str(registry)).check()


def test_several_languages(tmp_path, pages):
    b = ArchiveBuilder(tmp_path / "l.warc.gz")
    b.article(*pages[0])
    b.response(BASE_EN + "/council", english_page("Council budget"))
    b.write()
    db = tmp_path / "s.db"
    archive(str(b.path), "--lang", "ar,en", db=db)
    assert sorted(r["lang"] for r in stored(db).values()) == ["ar", "en"]


def test_progress_line_says_rate_files_kept_and_eta():
    out = io.StringIO()
    line = ProgressLine(4, 1000, ["ar"], out=out)
    line.update(records=50, bytes_read=250, kept=7, file_done=True, force=True)
    text = out.getvalue()
    assert "50 records (" in text and "/s)" in text and "files 1/4" in text and "7 ar articles kept" in text
    assert "ETA" in text and "ETA -" not in text


def test_dask_job_in_local_mode_gives_the_same_records_as_the_local_command(tmp_path, pages):
    pytest.importorskip("dask.distributed", reason="the archive extra (dask[distributed]) is not installed")
    from newsbot.archive import dask_job

    paths = []
    for n, part in enumerate((pages[:10], pages[10:20])):
        b = mixed_archive(tmp_path / f"part-{n}.warc.gz", part)
        paths.append(str(b.write()))
    db = tmp_path / "s.db"
    archive(*paths, "--max-record-mb", "0.1", db=db)
    local = stored(db)
    results = dask_job.run(paths, str(tmp_path / "out"), ArchiveOptions(max_record_bytes=int(0.1 * 2**20)), workers=2)
    assert [r["status"] for r in results] == ["ok", "ok"]
    distributed = {}
    for path in paths:
        for line in dask_job.output_path(str(tmp_path / "out"), path).read_text("utf-8").splitlines():
            row = json.loads(line)
            distributed[row["url"]] = {k: v for k, v in row.items() if k not in IGNORED}
    assert len(local) == 8 and distributed == local
    assert [f["new"] for f in last_report(db)["files"]] == [4, 4]
    # the counts the job returns match the local run's report
    local_skipped = Counter()
    for f in last_report(db)["files"]:
        local_skipped.update(f["skipped"])
    assert sum((Counter(r["skipped"]) for r in results), Counter()) == local_skipped


@pytest.mark.postgres
def test_archive_into_postgresql(tmp_path, pages, pg_url):  # noqa: F811
    b = ArchiveBuilder(tmp_path / "p.warc.gz")
    for url, page in pages[:3]:
        b.article(url, page)
    b.not_found(BASE_EN + "/gone")
    b.write()
    report = tmp_path / "report.json"
    archive(str(b.path), "--report", str(report), db=pg_url)
    first = json.loads(report.read_text("utf-8"))["files"][0]
    assert (first["status"], first["new"], first["skipped"]) == ("ok", 3, {"warcinfo-record": 1, "http-404": 1})
    archive(str(b.path), "--report", str(report), db=pg_url)
    assert json.loads(report.read_text("utf-8"))["files"][0]["status"] == "skipped"
    store = open_store(pg_url)
    try:
        assert store.count() == 3
        assert sorted(store.raw_page(i)[2].body for i in store.raw_ids()) == sorted(p for _u, p in pages[:3])
    finally:
        store.close()


@pytest.mark.corpus
def test_corpus_pages_come_out_of_an_archive_as_extract_gives_them(tmp_path, corpus):
    """Real pages, decoded with the charset of the record's HTTP headers (the klmty page's own meta lies)."""
    from newsbot.extract import ExtractionError, extract
    from tests.support.warcs import _uri

    rows = [line.split("\t") for line in (corpus / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]]
    b = ArchiveBuilder(tmp_path / "corpus.warc.gz")
    direct = {}
    for file, _site, url, _source, encoding in (r[:5] for r in rows):
        if not file.startswith("pages/") or not url.startswith("http") or "near-duplicate" in file:
            continue
        data = (corpus / file).read_bytes()
        ctype = "text/html" if "undeclared" in encoding else (
            "text/html; charset=windows-1256" if encoding.startswith("windows-1256") else "text/html; charset=utf-8")
        b.response(url, data, ctype=ctype)
        try:
            rec = extract(data, url=_uri(url), headers={"Content-Type": ctype})
        except ExtractionError:
            continue
        if rec.lang == "ar":
            direct[rec.url] = rec
    b.write()
    db = tmp_path / "s.db"
    archive(str(b.path), db=db)
    got = stored(db)
    assert len(direct) >= 8 and set(got) == set(direct)
    for url, rec in direct.items():
        assert got[url]["title"] == rec.title and got[url]["body"].split() == rec.body.split(), url
