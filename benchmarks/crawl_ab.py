"""Two checkouts' full crawls of one generated site, interleaved: the crawl's duration and the CPU time of each
of its processes (the crawler, and the extraction worker beside it), to tell which process a change relieved.

    git worktree add /tmp/base <commit>          # the baseline checkout (build its C guard: see below)
    python benchmarks/crawl_ab.py --baseline /tmp/base [--n 2000] [--runs 4]

benchmarks/crawl.py gives the figure to report (full crawl vs bare Scrapy); its per-CPU-second ratio counts
the whole process tree. This one says where the time went: with two cores both processes can be the limit, and
a change that takes CPU off one of them shows here even when the wall-clock figure moves within its noise.
Each checkout runs with its own directory first on PYTHONPATH (an editable install would otherwise import this
checkout's code for both). A baseline without its compiled parse guard (`python setup.py build_ext --inplace`
in it) runs the regex fallback: build it, or the comparison is not of like with like. Linux only (/proc).
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from crawl import CRAWL_SETTINGS, Site, settings_args  # noqa: E402  (benchmarks/crawl.py, after the path is set)

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def crawl_once(checkout: Path, base: str, work: Path) -> dict:
    """One full crawl by `checkout`: duration (the crawl's own summary), CPU of the crawler and of its busiest
    child (the extraction worker), sampled every 0.1 s while they run."""
    db = work / "ab.db"
    for path in work.glob("ab.db*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    summary = work / "ab.json"
    cmd = [sys.executable, "-m", "newsbot", "crawl", f"{base}/", "--db", str(db), "--allow-private", "-q",
           "--summary-json", str(summary), *settings_args()]
    env = {**os.environ, "PYTHONPATH": str(checkout), "SCRAPY_SETTINGS_MODULE": "newsbot.settings"}
    proc = subprocess.Popen(cmd, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen: dict[int, float] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            cpu = _cpu_seconds(pid)
            if cpu is not None:
                seen[pid] = cpu
        time.sleep(0.1)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"crawl by {checkout} failed (exit {proc.returncode}):\n{stderr[-3000:]}")
    crawler = seen.pop(proc.pid, 0.0)
    totals = json.loads(summary.read_text())["totals"]
    return {"duration": float(totals["duration"]), "crawler_cpu": crawler, "worker_cpu": max(seen.values(), default=0.0),
            "new": int(totals.get("new", 0))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline", type=Path, required=True, help="the other checkout (e.g. a git worktree)")
    p.add_argument("--n", type=int, default=2000, help="articles of the generated site (default 2000)")
    p.add_argument("--runs", type=int, default=4, help="crawls per checkout, interleaved (default 4)")
    p.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    args = p.parse_args(argv)
    checkouts = {"baseline": args.baseline.resolve(), "this": ROOT}
    if not (checkouts["baseline"] / "newsbot").is_dir():
        raise SystemExit(f"{checkouts['baseline']} is not a newsbot checkout")
    kind = args.server if args.server != "auto" else ("nginx" if shutil.which("nginx") else "python")
    work = Path(tempfile.mkdtemp(prefix="newsbot-bench-ab-"))
    work.chmod(0o755)  # nginx's unprivileged worker reads the site
    rows: dict[str, list[dict]] = {name: [] for name in checkouts}
    site = Site(args.n, work, kind)
    try:
        for run in range(1, args.runs + 1):
            for name, checkout in checkouts.items():
                row = crawl_once(checkout, site.base, work)
                rows[name].append(row)
                print(f"{name:<8} run {run}: duration {row['duration']:6.2f} s  crawler CPU {row['crawler_cpu']:6.2f} s  "
                      f"worker CPU {row['worker_cpu']:6.2f} s  stored {row['new']}", flush=True)
    finally:
        site.server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nN={args.n}, {args.runs} runs each, {kind} server, settings {CRAWL_SETTINGS}")
    medians = {name: {k: statistics.median(r[k] for r in mine) for k in ("duration", "crawler_cpu", "worker_cpu")}
               for name, mine in rows.items()}
    for key in ("duration", "crawler_cpu", "worker_cpu"):
        b, t = medians["baseline"][key], medians["this"][key]
        print(f"{key:<12} median baseline {b:6.2f} s  this {t:6.2f} s  this/baseline {t / b if b else 0:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
