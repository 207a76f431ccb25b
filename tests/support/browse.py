"""A store to browse: real extractions of the demo site's pages, a hostile page, synthetic records, health runs.

`fill_store(url)` writes it through the store's own API (Store.upsert, HealthStore, RunReport) and
returns what it wrote, so that tests compare what the app shows with what went in.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from newsbot.demo_server import DEMO_ROOT
from newsbot.extract import extract
from newsbot.health.policy import HealthSample, Verdict
from newsbot.health.store import HealthStore
from newsbot.jobs.report import RunReport, SiteReport
from newsbot.record import ArticleRecord, RawPage
from newsbot.state import state_dir
from newsbot.store import open_store
from tests.support.crawl import env_for
from tests.support.records import make_record

DEMO_SITE = "demo-news.test"
SYNTH_SITE = "example-news.com"
DEMO_PAGES = (
    "economy/2025/10/30/port-expansion-container-terminal.html",
    "politics/2026/03/04/arab-foreign-ministers-cairo.html",
)
HOSTILE_URL = f"https://{DEMO_SITE}/hostile/2026/01/02/page.html"
# a page that tries every way to run or load something; its body text also carries markup-looking text
HOSTILE_HTML = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>صفحة عدائية &lt;script&gt;window.__pwned='title'&lt;/script&gt;</title>
<script>window.__pwned = 'head'; fetch('{canary}/script');</script>
<link rel="stylesheet" href="{canary}/sheet.css">
<style>article p {{ display: none }} body {{ background: url({canary}/bg.png) }}</style>
<meta property="og:image" content="{canary}/og.png">
<link rel="canonical" href="javascript:window.__pwned='canonical'">
<base href="{canary}/">
</head><body><article>
<h1>صفحة عدائية &lt;img src=x onerror="window.__pwned='h1'"&gt;</h1>
<p>يختبر هذا المقال أن المتصفح لا يشغل أي شيء من الصفحة المخزنة، فالنص يعرض كما هو دون تنفيذ.
<img src="{canary}/inline.png" onerror="window.__pwned='img'; fetch('{canary}/onerror')"> ويستمر النص بعد الصورة.</p>
<p>نص يشبه الوسوم &lt;script&gt;window.__pwned='text'&lt;/script&gt; و &lt;img src=x onerror=alert(1)&gt; يجب أن يظهر حرفيا.</p>
<p><a href="javascript:window.__pwned='link'">رابط جافاسكربت</a> ثم فقرة أخرى طويلة بما يكفي ليعدها المستخرج جزءا من المقال.</p>
<iframe src="{canary}/frame.html"></iframe>
<p>فقرة أخيرة تذكر أن الإطار المضمن والصور والأنماط كلها محظورة في المتصفح المحلي لنيوزبوت.</p>
</article></body></html>
"""


@dataclass
class Filled:
    url: str
    records: list[ArticleRecord] = field(default_factory=list)
    demo: list[ArticleRecord] = field(default_factory=list)
    hostile: ArticleRecord | None = None
    runs: list[str] = field(default_factory=list)  # run ids of SYNTH_SITE's health rows, oldest first
    alarmed_run: str = ""


def _page_record(html: bytes, url: str) -> ArticleRecord:
    rec = extract(html, url=url, headers={"Content-Type": "text/html; charset=utf-8"})
    rec.raw = RawPage(url=url, body=html, headers={"Content-Type": "text/html; charset=utf-8"}, status=200,
                      fetched_at="2026-03-05T09:00:00+00:00")
    return rec


def fill_store(url: str, canary: str = "http://127.0.0.1:9") -> Filled:
    """`canary`: where the hostile page's resources point (a local server that counts any request)."""
    filled = Filled(url)
    records = []
    for n, rel in enumerate(DEMO_PAGES):
        html = (DEMO_ROOT / rel).read_bytes().replace(b"{{BASE}}", f"https://{DEMO_SITE}".encode())
        rec = _page_record(html, f"https://{DEMO_SITE}/{rel}")
        rec.site = DEMO_SITE
        filled.demo.append(rec)
        records.append(rec)
        assert rec.lang == "ar", n
    hostile = _page_record(HOSTILE_HTML.format(canary=canary).encode("utf-8"), HOSTILE_URL)
    hostile.site = DEMO_SITE
    filled.hostile = hostile
    records.append(hostile)
    sections = ("سياسة", "اقتصاد", "رياضة")
    for i in range(12):
        rec = make_record(i, site=SYNTH_SITE, words=60 + 40 * i, raw=False)
        rec.section = sections[i % 3]
        records.append(rec.finalise())
    undated = make_record(99, site="other.net", words=120, raw=False)
    undated.published = None
    records.append(undated.finalise())
    with open_store(url) as store:
        for rec in records:
            store.upsert(rec)
    filled.records = records
    with HealthStore(url) as hs:
        for n, (pages, good) in enumerate(((20, 19), (22, 21), (25, 24), (24, 6))):
            run_id = f"run-2026-03-0{n + 1}"
            hs.add(run_id, HealthSample(SYNTH_SITE, pages=pages, good=good, short_body=pages - good),
                   at=f"2026-03-0{n + 1}T03:00:00+00:00")
            alarm = ["good share 25% against a usual 95%"] if n == 3 else []
            hs.save_verdict(run_id, Verdict(SYNTH_SITE, good / pages, 0.95 if n else None, bool(alarm), alarm))
            filled.runs.append(run_id)
        filled.alarmed_run = filled.runs[-1]
    report = RunReport(run_id=filled.alarmed_run, started="2026-03-04T03:00:00+00:00", store=url,
                       sites=[SiteReport(SYNTH_SITE, pages=24, articles=24, new=3, updated=1, duplicate=20,
                                         health={"score": 0.25, "alarm": True, "reasons": ["good share"]})])
    report.conclude()
    report.write(state_dir(url) / "runs" / "last-run.json")
    return filled


def fill_many(path: Path, n: int, sites: int = 20) -> None:
    """`n` articles straight into a SQLite store's table (the store's schema; bulk rows, not extractions):
    for query-plan checks at a size where the plan matters."""
    open_store(str(path)).close()  # the schema
    conn = sqlite3.connect(path)
    rows = []
    for i in range(n):
        day = f"2025-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}T{(i % 24):02d}:00:00Z"
        rows.append((f"https://s{i % sites}.test/a/{i}", f"https://s{i % sites}.test/a/{i}", f"s{i % sites}.test",
                     "article", "ar", f"عنوان {i}", "نص " * 5, day if i % 50 else None, 100 + i % 900,
                     "[]", "[]", "[]", 0.9, f"fp{i}", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                     "2026-01-01T00:00:00Z"))
    with conn:
        conn.executemany(
            "INSERT INTO articles (key, url, site, kind, lang, title, body, published_utc, word_count, authors, tags,"
            " warnings, confidence, fingerprint, first_seen, last_seen, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("ANALYZE")
    conn.close()


@contextmanager
def browse_server(tmp_path: Path, db: str, *args: str) -> Iterator[tuple[str, list[str]]]:
    """`newsbot browse --db DB --port 0 ARGS` in a subprocess (the real server): (base URL, its stderr lines)."""
    proc = subprocess.Popen([sys.executable, "-m", "newsbot", "browse", "--db", db, "--port", "0", *args],
                            cwd=tmp_path, env=env_for(tmp_path), stderr=subprocess.PIPE, text=True, encoding="utf-8")
    lines: list[str] = []
    assert proc.stderr is not None  # stderr=PIPE
    stderr = proc.stderr
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = stderr.readline()
            if not line:
                raise RuntimeError(f"newsbot browse exited {proc.wait()}: {''.join(lines)}")
            lines.append(line)
            found = re.search(r"read-only at (http://\S+/)", line)
            if found:
                # keep reading: the server logs each request to stderr, and a full pipe would stall it
                threading.Thread(target=lambda: lines.extend(stderr), daemon=True).start()
                yield found.group(1), lines
                return
        raise RuntimeError("newsbot browse did not say where it listens: " + "".join(lines))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        stderr.close()
