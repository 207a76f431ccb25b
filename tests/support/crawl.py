"""Helpers for crawl tests: run `newsbot` / `scrapy` in a subprocess (the Twisted reactor cannot be
restarted inside one pytest process) against a real local server, with a tmp store and job dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent

# our own local servers: no politeness delays (robots.txt Crawl-delay is still obeyed)
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    records: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None

    def check(self) -> Run:
        assert self.returncode == 0, f"exit {self.returncode}\n--- stderr:\n{self.stderr[-6000:]}"
        return self


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NEWSBOT_ALLOW_PRIVATE", None)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env["NEWSBOT_DB"] = str(tmp_path / "store.db")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def newsbot(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> Run:
    """`python -m newsbot ARGS` with cwd=tmp_path and NEWSBOT_DB=tmp_path/store.db."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsbot", *args],
        cwd=tmp_path,
        env=env or env_for(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def crawl(tmp_path: Path, *targets: str, extra: tuple[str, ...] = (), name: str = "out", **kw: Any) -> Run:
    """`newsbot crawl TARGETS --allow-private -o tmp/NAME.jsonl` with fast settings; records and summary parsed."""
    out = tmp_path / f"{name}.jsonl"
    summary = tmp_path / f"{name}.summary.json"
    run = newsbot(
        tmp_path, "crawl", *targets, "--allow-private", "-o", str(out), "--summary-json", str(summary),
        *FAST, *extra, **kw,
    )  # fmt: skip
    run.records = read_jsonl(out) if out.exists() else []
    run.summary = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else None
    return run


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def article_html(title: str, paragraphs: int = 6, *, canonical: str | None = None, links: Sequence[str] = (),
                 published: str | None = "2026-03-01T10:00:00+03:00", og_type: str = "article") -> str:
    """A plain Arabic news article page (enough running text to be an article)."""
    para = (
        "قال مسؤولون في الحكومة اليوم إن المحادثات بين الأطراف المعنية ستستأنف الأسبوع المقبل في العاصمة، "
        "وأضافوا أن جدول الأعمال يشمل ملفات الاقتصاد والطاقة والمياه والتعاون الإقليمي بين دول المنطقة. "
        "وأوضح المتحدث باسم الوزارة أن الوفود ستبحث أيضا آليات تنفيذ الاتفاقات السابقة وسبل تمويل المشاريع."
    )
    body = "\n".join(f"<p>{para} ({title} - فقرة {i + 1})</p>" for i in range(paragraphs))
    head = [f"<title>{title}</title>", f'<meta property="og:type" content="{og_type}">']
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    related = "".join(f'<li><a href="{u}">رابط {i}</a></li>' for i, u in enumerate(links))
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">' + "".join(head) + "</head><body>"
        '<header><nav><a href="/">الرئيسية</a></nav></header>'
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        f"<aside><ul>{related}</ul></aside><footer>حقوق النشر محفوظة</footer></body></html>"
    )


def listing_html(title: str, links: list[str], *, extra_head: str = "", next_url: str | None = None) -> str:
    """A section/home page: a list of headline links (and a next-page link)."""
    items = "".join(f'<li><a href="{u}">عنوان خبر رقم {i} في هذا القسم</a></li>' for i, u in enumerate(links))
    nxt = f'<a rel="next" class="next" href="{next_url}">التالي</a>' if next_url else ""
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="website">{extra_head}</head>'
        f"<body><h1>{title}</h1><ul>{items}</ul>{nxt}</body></html>"
    )


def urlset(urls: list[str], lastmods: dict[str, str] | None = None, news: dict[str, tuple[str, str]] | None = None) -> str:
    """A sitemap <urlset>; `news` maps URL -> (publication_date, title) for Google News entries."""
    rows = []
    for u in urls:
        parts = [f"<loc>{u}</loc>"]
        if lastmods and u in lastmods:
            parts.append(f"<lastmod>{lastmods[u]}</lastmod>")
        if news and u in news:
            date, title = news[u]
            parts.append(
                "<news:news><news:publication><news:name>Test</news:name><news:language>ar</news:language>"
                f"</news:publication><news:publication_date>{date}</news:publication_date>"
                f"<news:title>{title}</news:title></news:news>"
            )
        rows.append("<url>" + "".join(parts) + "</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>"
    )


def sitemapindex(urls: list[str], lastmods: dict[str, str] | None = None) -> str:
    rows = "".join(
        f"<sitemap><loc>{u}</loc>" + (f"<lastmod>{lastmods[u]}</lastmod>" if lastmods and u in lastmods else "")
        + "</sitemap>"
        for u in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + rows + "</sitemapindex>"
    )  # fmt: skip


def xml_route(text: str):
    from tests.support.httpserver import Route

    return Route(body=text.encode("utf-8"), headers={"Content-Type": "application/xml; charset=utf-8"})


def html_route(text: str):
    from tests.support.httpserver import Route

    return Route.html(text)


def text_route(text: str):
    from tests.support.httpserver import Route

    return Route(body=text.encode("utf-8"), headers={"Content-Type": "text/plain; charset=utf-8"})
