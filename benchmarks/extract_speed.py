"""Throughput of newsbot's extraction path vs trafilatura on the same pages, in the same run.

    python benchmarks/extract_speed.py [PAGES_DIR_OR_FILES...] [--rounds 5]

Default pages: ../shared/corpus/pages (recursively). Both extractors get the raw bytes and the URL,
as `newsbot extract` and `trafilatura.bare_extraction(..., with_metadata=True)` would. Rounds are
interleaved so machine noise hits both alike; the ratio is the figure to report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "corpus" / "pages"


def load_pages(args: list[str]) -> list[bytes]:
    paths: list[Path] = []
    for a in args or [str(DEFAULT_PAGES)]:
        p = Path(a)
        paths.extend(sorted(p.rglob("*.htm*")) if p.is_dir() else [p])
    if not paths:
        sys.exit(f"no pages found in {args or DEFAULT_PAGES}")
    return [p.read_bytes() for p in paths]


def run_newsbot(pages: list[bytes]) -> None:
    from newsbot.extract import ExtractionError, extract

    for data in pages:
        try:
            extract(data)
        except ExtractionError:
            pass


def run_trafilatura(pages: list[bytes]) -> None:
    import trafilatura

    for data in pages:
        trafilatura.bare_extraction(data, with_metadata=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pages", nargs="*")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    pages = load_pages(args.pages)
    mb = sum(map(len, pages)) / 1e6
    print(f"{len(pages)} pages, {mb:.1f} MB, {args.rounds} rounds (interleaved)")
    run_newsbot(pages)  # warm-up: imports, regex compilation, model loading
    run_trafilatura(pages)
    # wall-clock pages/s, and pages per CPU-second of this process (immune to other load and CPU steal
    # on a shared machine; both extractors are single-threaded, so the two agree on an idle machine)
    wall: dict[str, list[float]] = {"newsbot": [], "trafilatura": []}
    cpu: dict[str, list[float]] = {"newsbot": [], "trafilatura": []}
    for _ in range(args.rounds):
        for name, fn in (("newsbot", run_newsbot), ("trafilatura", run_trafilatura)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn(pages)
            wall[name].append(len(pages) / (time.perf_counter() - t0))
            cpu[name].append(len(pages) / max(time.process_time() - c0, 1e-9))
    for name in wall:
        w, c = wall[name], cpu[name]
        print(f"{name:12s} median {statistics.median(w):8.1f} pages/s  (min {min(w):.1f}, max {max(w):.1f})"
              f"   {statistics.median(c):8.1f} pages/CPU-s")
    ratio = statistics.median(wall["newsbot"]) / statistics.median(wall["trafilatura"])
    ratio_cpu = statistics.median(cpu["newsbot"]) / statistics.median(cpu["trafilatura"])
    print(f"ratio newsbot / trafilatura: {ratio:.1f}x wall-clock, {ratio_cpu:.1f}x CPU time")


if __name__ == "__main__":
    main()
