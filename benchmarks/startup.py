"""Start-up: how soon `newsbot extract ONE.html` prints its first record, and its peak memory.

    python benchmarks/startup.py [PAGE] [--runs 7] [--compare OTHER_CHECKOUT]

Each run is a fresh `python -m newsbot extract PAGE` (cwd and PYTHONPATH = the checkout measured): the seconds
until its first line on stdout (the first record), its whole run, and its peak RSS (ru_maxrss from wait4).
Interleaved with it, in the same run: the bare interpreter (`python -c "print()"`, what no change to newsbot can
remove), and with --compare another checkout of newsbot (e.g. `git archive BASE | tar -x -C /tmp/base`), so
that a shared machine's noise hits all alike: the ratios are the figures to report.

Default page: an Arabic article of ../shared/corpus, else the bundled demo site's first article.
"""

from __future__ import annotations

import argparse
import compileall
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_PAGE = ROOT.parent / "shared" / "corpus" / "pages" / "aljazeera.net__iran-liveblog-2026.html"
GOALS = {"first_record_s": 0.12, "peak_rss_mib": 30.0}


def default_page() -> Path:
    if CORPUS_PAGE.exists():
        return CORPUS_PAGE
    pages = sorted((ROOT / "data" / "demo").rglob("*.html"))
    articles = [p for p in pages if p.name == "index.html" and p.parent.name[:1].isdigit()]
    if not articles:
        sys.exit("no page to extract: give one")
    return articles[0]


def run_once(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """One process: seconds to its first stdout line and to its exit, peak RSS in MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    first = None
    fd = proc.stdout.fileno()
    seen = b""
    while True:  # raw reads: a buffered readline could wait for more than the first line
        select.select([fd], [], [])
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        if first is None:
            seen += chunk
            if b"\n" in seen:
                first = time.perf_counter() - start
    _pid, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - start
    proc.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd} (exit {os.waitstatus_to_exitcode(status)})")
    return {"first_record_s": first if first is not None else total, "total_s": total,
            "peak_rss_mib": usage.ru_maxrss / 1024}


def summary(values: list[float]) -> str:
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", nargs="?", type=Path)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--compare", type=Path, metavar="CHECKOUT", help="another newsbot checkout, run interleaved")
    args = ap.parse_args()
    page = (args.page or default_page()).resolve()
    # the environment a user's shell gives: no BLAS setting (the command decides), no inherited PYTHONPATH
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    subjects: dict[str, tuple[list[str], Path, dict[str, str]]] = {
        "bare python": ([sys.executable, "-c", "print()"], ROOT, base_env),
        "newsbot (this checkout)": ([sys.executable, "-m", "newsbot", "extract", str(page)], ROOT,
                                    {**base_env, "PYTHONPATH": str(ROOT)}),
    }
    if args.compare:
        other = args.compare.resolve()
        subjects["newsbot (--compare)"] = ([sys.executable, "-m", "newsbot", "extract", str(page)], other,
                                           {**base_env, "PYTHONPATH": str(other)})
    compile_bytecode([ROOT, *([args.compare.resolve()] if args.compare else [])])
    results: dict[str, list[dict[str, float]]] = {name: [] for name in subjects}
    for cmd, cwd, env in subjects.values():  # warm-up: the page and the modules in the OS page cache
        run_once(cmd, cwd, env)
    for _ in range(args.runs):
        for name, (cmd, cwd, env) in subjects.items():
            results[name].append(run_once(cmd, cwd, env))

    report(results, page, args.runs, bool(args.compare))
    return 0


def compile_bytecode(checkouts: list[Path]) -> None:
    """Bytecode as an installed package has it (pip compiles at install): without it, and with
    PYTHONDONTWRITEBYTECODE set (as in some containers), every run compiles the sources again (~40 ms)."""
    for checkout in set(checkouts):
        for package in ("newsbot", "spiders", "pipelines"):
            if (checkout / package).is_dir():
                compileall.compile_dir(checkout / package, quiet=1)


def report(results: dict[str, list[dict[str, float]]], page: Path, runs: int, compared: bool) -> None:
    print(f"page: {page} ({page.stat().st_size / 1024:.0f} KB), {runs} interleaved runs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'':<26} {'first record s (min/med/max)':>30} {'whole run s':>24} {'peak RSS MiB':>24}")
    for name, rows in results.items():
        print(f"{name:<26} {summary([r['first_record_s'] for r in rows]):>30} "
              f"{summary([r['total_s'] for r in rows]):>24} {summary([r['peak_rss_mib'] for r in rows]):>24}")
    bare = results["bare python"]
    ours = results["newsbot (this checkout)"]
    # paired by run: the processes of one round met the same load
    added = [o["first_record_s"] - b["first_record_s"] for o, b in zip(ours, bare, strict=True)]
    print(f"newsbot's own share of the first record (minus the bare interpreter's start): {summary(added)} s")
    if compared:
        other_rows = results["newsbot (--compare)"]
        ratio = [o["first_record_s"] / c["first_record_s"] for o, c in zip(ours, other_rows, strict=True)]
        rss = [o["peak_rss_mib"] / c["peak_rss_mib"] for o, c in zip(ours, other_rows, strict=True)]
        print(f"this / --compare, first record: {summary(ratio)}; peak RSS: {summary(rss)}")
    for key, goal in GOALS.items():
        best = min(r[key] for r in ours)
        med = statistics.median(r[key] for r in ours)
        print(f"goal {key} <= {goal}: min {best:.3f}, median {med:.3f} ({'met' if med <= goal else 'not met'} "
              "at the median)")


if __name__ == "__main__":
    sys.exit(main())
