"""Records/s per core reading a WARC file of generated article pages, against the same pages through
`newsbot extract`, and against news-please's WARC path when it is installed; in the same run.

    python benchmarks/archive.py [--pages 2000] [--rounds 3] [--page-kb 40 80] [--keep DIR]

The pages are tests/support/sitegen.py Arabic articles with a share of other records a real archive holds
(404s, redirects, images, request and metadata records): about one in five records is not a page. Each
measurement runs in a fresh process on one core (taskset when available), rounds interleaved so that machine
noise hits every variant alike; min and median over the rounds, and their ratios, are printed.

    extract       `newsbot extract`'s work on the saved pages: read each file, extract, one JSON line
    archive       the archive's per-file function (newsbot.archive.process.process_file, what a Dask worker
                  runs): stream the WARC, filter, extract, validate, normalise, one JSON line
    archive+store `newsbot archive --workers 0` into a new SQLite store: the above plus de-duplication and
                  the store (raw pages pointing into the WARC)
    news-please   warcio's ArchiveIterator and NewsPlease.from_warc on each response record, as news-please's
                  commoncrawl extractor does (no filtering of its own besides the record type); needs
                  `pip install news-please nltk` (its newspaper4k extractor wants nltk for Arabic text)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(workdir: Path, pages: int, page_kb: tuple[int, int]) -> None:
    from tests.support.sitegen import generate_site
    from tests.support.warcs import BASE, ArchiveBuilder

    spec = generate_site(workdir / "site", pages, seed=11, page_kb=page_kb, variants=False, non_articles=False)
    html = workdir / "html"
    html.mkdir()
    b = ArchiveBuilder(workdir / "pages.warc.gz")
    urls = {}
    for k, path in enumerate(spec.articles):
        f = workdir / "site" / path.lstrip("/")
        f = f if f.is_file() else f / "index.html"
        data = f.read_bytes().replace(b"{{BASE}}", BASE.encode())
        name = f"{k:05d}.html"
        (html / name).write_bytes(data)
        urls[name] = BASE + path
        b.request(BASE + path)
        b.article(BASE + path, data)
        if k % 10 == 0:
            b.not_found(BASE + path + "-old")
            b.image(BASE + f"/img/{k}.png")
        if k % 20 == 0:
            b.redirect(BASE + path + "?amp", BASE + path)
            b.metadata(BASE + path)
    b.write()
    (workdir / "urls.json").write_text(json.dumps(urls), encoding="utf-8")
    shutil.rmtree(workdir / "site")


def one(variant: str, workdir: Path) -> tuple[float, int]:
    """(seconds, records handled) of one variant, timed inside this process."""
    warc = workdir / "pages.warc.gz"
    if variant == "extract":
        from newsbot.cli.output import dumps
        from newsbot.extract import ExtractionError, extract

        urls = json.loads((workdir / "urls.json").read_text(encoding="utf-8"))
        out = io.StringIO()
        t0 = time.perf_counter()
        for name, url in urls.items():
            try:
                rec = extract((workdir / "html" / name).read_bytes(), url=url)
                out.write(dumps({"input": name, **rec.to_dict()}) + "\n")
            except ExtractionError:
                pass
        return time.perf_counter() - t0, len(urls)
    if variant == "archive":
        import pipelines.normalise  # noqa: F401 - imported before the clock starts, as extract's modules are
        import pipelines.validate  # noqa: F401
        from newsbot.archive.filters import ArchiveOptions
        from newsbot.archive.process import process_file

        t0 = time.perf_counter()
        counts = process_file(str(warc), ArchiveOptions(), io.StringIO())
        return time.perf_counter() - t0, counts["kept"]
    if variant == "archive+store":
        db = workdir / f"store-{os.getpid()}.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "newsbot", "archive", str(warc), "--db", str(db), "--workers", "0",
                        "-q"], check=True, env=env)
        elapsed = time.perf_counter() - t0
        import sqlite3

        n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        for p in workdir.glob(f"store-{os.getpid()}*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        return elapsed, n
    if variant == "news-please":
        from newsplease import NewsPlease
        from warcio.archiveiterator import ArchiveIterator

        n = 0
        t0 = time.perf_counter()
        with open(warc, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                try:
                    NewsPlease.from_warc(record, fetch_images=False)
                    n += 1
                except Exception:
                    pass
        return time.perf_counter() - t0, n
    raise SystemExit(f"unknown variant {variant}")


def _available(variant: str) -> str | None:
    if variant == "news-please":
        try:
            import newsplease  # noqa: F401
        except Exception as exc:
            return f"news-please is not installed here ({type(exc).__name__}: {exc})"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--page-kb", type=int, nargs=2, default=(40, 80), metavar=("MIN", "MAX"))
    ap.add_argument("--variants", default="extract,archive,archive+store,news-please")
    ap.add_argument("--keep", metavar="DIR", help="build (or reuse) the pages and WARC here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        secs, n = one(args.one, Path(args.workdir))
        print(json.dumps({"seconds": secs, "records": n}))
        return 0

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="newsbot-archive-bench-"))
    if not (workdir / "pages.warc.gz").exists():
        workdir.mkdir(parents=True, exist_ok=True)
        build(workdir, args.pages, tuple(args.page_kb))
    size = (workdir / "pages.warc.gz").stat().st_size
    variants = []
    for v in args.variants.split(","):
        why = _available(v)
        if why:
            print(f"skipping {v}: {why}")
        else:
            variants.append(v)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    print(f"{args.pages} pages, WARC {size / 2**20:.1f} MB; {args.rounds} interleaved rounds, one core each"
          + (" (taskset -c 0)" if pin else ""))
    times: dict[str, list[float]] = {v: [] for v in variants}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for v in variants:
            out = subprocess.run([*pin, sys.executable, __file__, "--one", v, "--workdir", str(workdir)],
                                 check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            row = json.loads(out.stdout.strip().splitlines()[-1])
            times[v].append(row["seconds"])
            counts[v] = row["records"]
    print(f"{'variant':<14} {'records':>8} {'min s':>8} {'median s':>9} {'rec/s/core':>11} {'vs extract (min, median)':>26}")
    base = times.get("extract")
    for v in variants:
        t = times[v]
        rate = counts[v] / min(t)
        ratio = ""
        if base:
            ratio = f"{min(base) / min(t):.2f}x, {statistics.median(base) / statistics.median(t):.2f}x"
        print(f"{v:<14} {counts[v]:>8} {min(t):>8.2f} {statistics.median(t):>9.2f} {rate:>11.1f} {ratio:>26}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
