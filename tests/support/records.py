"""Synthetic Arabic records and corpus pages as records, for the storage tests and the benchmarks (no pytest:
benchmarks/ run from a plain install)."""

from __future__ import annotations

import copy
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from newsbot.record import ArticleRecord, RawPage

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوية"
_COMMON = (
    "في من على إلى أن قال الذي التي عن مع بعد قبل هذا هذه كان وزير الحكومة الرئيس مصر سوريا لبنان العراق "
    "المملكة اليوم أمس العام الماضي خلال أكد أعلن مصدر رسمي المجلس الوطني الشعب الأمن الاقتصاد مليون"
).split()


def vocabulary(size: int = 6000, seed: int = 7) -> list[str]:
    """Pseudo-Arabic words (real letters, made-up words) plus common function words, Zipf-ish when sampled."""
    rng = random.Random(seed)
    words = {"".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 8))) for _ in range(size)}
    return _COMMON + sorted(words)


_VOCAB: list[str] | None = None


def arabic_text(rng: random.Random, words: int) -> str:
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = vocabulary()
    n = len(_VOCAB)
    # skewed choice: function words recur, content words mostly do not (like news text)
    picked = [_VOCAB[min(int(rng.paretovariate(0.6)) - 1, n - 1) if rng.random() < 0.3 else rng.randrange(n)]
              for _ in range(words)]
    paragraphs = [" ".join(picked[i : i + 40]) + "." for i in range(0, words, 40)]
    return "\n\n".join(paragraphs)


def make_record(i: int, *, site: str = "example-news.com", words: int = 180, seed: int = 0, raw: bool = True,
                body: str | None = None, month: int | None = None) -> ArticleRecord:
    """A realistic synthetic record (and raw page) with a unique URL and body for each i."""
    rng = random.Random(f"{seed}:{i}")
    body = body if body is not None else arabic_text(rng, words)
    month = month or (i % 12) + 1
    url = f"https://www.{site}/news/2025/{month:02d}/{i}-story.html"
    title = " ".join(body.split()[:8])
    rec = ArticleRecord(
        url=url,
        canonical_url=url,
        site=site,
        lang="ar",
        title=title,
        description=" ".join(body.split()[8:30]),
        body=body,
        published=f"2025-{month:02d}-{(i % 27) + 1:02d}T{(i % 24):02d}:15:00+03:00",
        authors=["مراسل الموقع"],
        section="سياسة",
        tags=["أخبار", "عربي"],
        extracted_at="2026-01-01T00:00:00+00:00",
        extractor_version="newsbot-extract/test",
        strategy="dom",
        confidence=0.9,
        encoding="utf-8",
    ).finalise()
    if raw:
        html = f"<html lang=ar dir=rtl><head><title>{title}</title></head><body><article>"
        html += "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</article></body></html>"
        rec.raw = RawPage(url=url, body=html.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"},
                          status=200, fetched_at="2026-01-01T00:00:00+00:00")
    return rec


def corpus_pages(corpus: Path) -> Iterator[tuple[Path, str]]:
    """(page, URL from MANIFEST.tsv) for every article page of the corpus."""
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    for page in sorted((corpus / "pages").rglob("*.html")):
        row = manifest.get(str(page.relative_to(corpus)))
        if row and row["url"].startswith("http"):
            yield page, row["url"]


_extracted: dict[tuple[Path, str], ArticleRecord] = {}


def corpus_record(page: Path, url: str, *, as_url: str | None = None) -> ArticleRecord:
    """Extract a corpus page as the crawler would have (record + raw response), optionally under another URL."""
    url = as_url or url
    if (page, url) not in _extracted:  # extraction is the slow part: once per page per test process
        _extracted[(page, url)] = _extract(page, url)
    return copy.deepcopy(_extracted[(page, url)])


def _extract(page: Path, url: str) -> ArticleRecord:
    from newsbot.extract import extract

    data = page.read_bytes()
    record = extract(data, url=url)
    record.raw = RawPage(url=url, body=data, headers={"Content-Type": "text/html; charset=utf-8"},
                         fetched_at="2026-01-02T03:04:05+00:00")
    return record
