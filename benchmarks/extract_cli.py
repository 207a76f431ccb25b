"""What a user waits for: `newsbot extract PAGES...` as a whole process, against an in-process trafilatura loop.

    python benchmarks/extract_cli.py [--sizes 52 200 1000] [--rounds 3] [--jobs auto]

The pages are those of ../shared/corpus and then ../shared/wcxb-dev (unpacked to a temporary folder), taken in
order and again from the start until there are N of them. Each round, for each N: one fresh `python -m newsbot
extract` over the N files (start-up, reading, every record written to /dev/null; with the default processes, or
--jobs), and trafilatura's `bare_extraction(..., with_metadata=True)` over the same N pages in this process
(imports already done: the loop a user of the library writes). The two alternate within a round, so a shared
machine's load hits both alike; the ratio is the figure to report, with the min / median / max over rounds.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOALS = {52: 12.0, 200: 15.0, 1000: 18.0}  # issue [5 of 7]


def page_pool() -> list[tuple[str, bytes]]:
    found = sorted((SHARED / "corpus").rglob("*.htm*")) + sorted((SHARED / "wcxb-dev" / "pages").glob("*.html*"))
    pool = []
    for p in found:
        data = p.read_bytes()
        pool.append((p.name.removesuffix(".gz"), gzip.decompress(data) if p.suffix == ".gz" else data))
    if not pool:
        sys.exit(f"no pages under {SHARED}/corpus or {SHARED}/wcxb-dev (third-party pages are read from ../shared)")
    return pool


def newsbot_seconds(files: list[str], jobs: str | None) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "newsbot", "extract", *(["--jobs", jobs] if jobs else []), *files]
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t0


def trafilatura_seconds(pages: list[bytes]) -> float:
    import trafilatura

    t0 = time.perf_counter()
    for data in pages:
        trafilatura.bare_extraction(data, with_metadata=True)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=sorted(GOALS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", help="newsbot extract --jobs (default: its own, NEWSBOT_EXTRACT_JOBS)")
    args = ap.parse_args()
    pool = page_pool()
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, (name, data) in enumerate(pool):
            path = Path(tmp) / f"{i:04d}-{name}"
            path.write_bytes(data)
            names.append(str(path))
        trafilatura_seconds([data for _, data in pool[:5]])  # imports and first-call set-up, outside the timing
        ratios: dict[int, list[float]] = {n: [] for n in args.sizes}
        for _ in range(args.rounds):
            for n in args.sizes:
                idx = [i % len(pool) for i in range(n)]
                nb = newsbot_seconds([names[i] for i in idx], args.jobs)
                tr = trafilatura_seconds([pool[i][1] for i in idx])
                ratios[n].append(tr / nb)
        print(f"{len(pool)} distinct pages, {args.rounds} rounds, newsbot --jobs {args.jobs or 'default'}, "
              f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for n, r in ratios.items():
            goal = GOALS.get(n)
            met = "" if goal is None else f"   goal >= {goal:.0f}x: {'met' if statistics.median(r) >= goal else 'not met'}"
            print(f"{n:5d} pages  trafilatura loop / newsbot extract process: min {min(r):.1f}x  median "
                  f"{statistics.median(r):.1f}x  max {max(r):.1f}x{met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
