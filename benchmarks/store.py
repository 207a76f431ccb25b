"""Storage benchmark: N synthetic records through the pipelines into SQLite and PostgreSQL, then export
and near-duplicate detection; records/s and peak RSS of each step.

    python benchmarks/store.py                 # 100,000 records, both backends
    python benchmarks/store.py --n 5000        # a quick run
    python benchmarks/store.py --backends sqlite --keep /tmp/bench

Each step runs in its own process, so its peak RSS (ru_maxrss from wait4) is that step's alone.
PostgreSQL: $NEWSBOT_TEST_PG or --pg URL, else a private throwaway cluster (durable settings:
fsync on) like the tests start. 1 in 20 records is a near-duplicate of an earlier one (another site,
a new headline, a few words changed), so de-duplication has real work; the dedup step reports how
many of those planted copies it linked.

SQLite also gets a baseline in the same run: the rows the insert step stored (articles, raw pages, signatures,
band rows, aliases) written again into an empty store by plain `executemany`, one transaction per 5,000
articles like the bulk run's commits, timing only the writes. "insert vs raw executemany" is the raw write's
seconds over the insert step's (1.0 = the store costs no more than writing its rows).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUP_EVERY = 20


def synthetic(n: int, timer: list[float]):
    """The benchmark records, made lazily (constant memory); time spent making them goes to timer[0] (wall)
    and timer[1] (CPU)."""
    from tests.support.records import make_record

    for i in range(n):
        t, c = time.perf_counter(), time.process_time()
        if i % DUP_EVERY == DUP_EVERY - 1:
            # a wire copy of an earlier story on another site, with a few words changed
            src = make_record(i - DUP_EVERY // 2, words=220)
            words = src.body.split(" ")
            rng = random.Random(i)
            for _ in range(4):
                words[rng.randrange(len(words))] = "تعديل"
            rec = make_record(i, site="copy-news.net", words=220, body=" ".join(words))
        else:
            rec = make_record(i, words=220)
        timer[0] += time.perf_counter() - t
        timer[1] += time.process_time() - c
        yield rec


def step_insert(db: str, n: int) -> dict:
    from newsbot import dedup
    from newsbot.store import open_store
    from pipelines import run_records

    dedup.warm()  # draw the MinHash permutations before the clock starts, as a crawler has
    timer = [0.0, 0.0]
    with open_store(db) as store:
        t, c = time.perf_counter(), time.process_time()
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats = run_records(synthetic(n, timer), store)
        total, cpu = time.perf_counter() - t, time.process_time() - c
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        band_mb = round(store.neardup.nbytes / 2**20, 2)
    helpers = (after.ru_utime - kids.ru_utime) + (after.ru_stime - kids.ru_stime)
    # the pipelines' own CPU time (without making the records and the start-up imports) plus that of the
    # processes that prepared records ahead (pipelines/prepare.py)
    return {"records": n, "seconds": total - timer[0], "own_cpu_seconds": round(cpu - timer[1] + helpers, 2),
            "helper_cpu_seconds": round(helpers, 2), "generate_seconds": timer[0],
            "new": stats.get("newsbot/items/new", 0), "linked": stats.get("newsbot/items/near_duplicate", 0),
            "invalid": stats.get("newsbot/items/invalid", 0), "band_index_mb": band_mb}


def _rss_mb() -> float:
    """The process's resident memory now (not its peak): samples of it say whether memory stays flat."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def step_store(db: str, n: int) -> dict:
    """The store's calls alone: each record is prepared (key, packed raw page), normalised and signed off the
    clock (as the helper processes and the pipelines before the store do), then find_duplicate + upsert (and a commit every RAW_CHUNK, as the raw
    baseline's transactions) are timed. Also the near-duplicate band index's memory and the RSS at each commit."""
    from newsbot import dedup
    from newsbot.store import open_store
    from pipelines.normalise import normalise
    from pipelines.prepare import prepare

    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    dedup.warm()
    timer = [0.0, 0.0]
    seconds, rss = 0.0, []
    links = 0
    gc.freeze()  # as run_records does for a bulk run: the collector's full passes skip the start-up heap
    with open_store(db) as store:
        store.begin_batch()
        for i, rec in enumerate(synthetic(n, timer), 1):
            page = prepare(rec)  # what the helper processes and the earlier pipelines do
            rec = normalise(page.record)
            rec.raw = page.stored_raw()  # with its WARC form made ahead, as pipelines/store.py hands it over
            sig = dedup.signature_for(rec, page.signed_ahead)
            t = time.perf_counter()
            match = store.find_duplicate(rec, sig)
            if match is not None:
                rec.duplicate_of, rec.cluster_id = match.key, match.cluster_id
                links += 1
            store.upsert(rec, signature=sig)
            if i % RAW_CHUNK == 0:
                store.commit()
                rss.append(round(_rss_mb(), 1))
            seconds += time.perf_counter() - t
        t = time.perf_counter()
        store.end_batch()
        seconds += time.perf_counter() - t
        index = store.neardup.index
        band_rows, band_mb = (len(index), round(index.nbytes / 2**20, 2)) if index is not None else (0, 0.0)
    return {"records": n, "seconds": seconds, "linked": links, "band_index_rows": band_rows,
            "band_index_mb": band_mb, "rss_mb_at_commits": rss}


def step_export(db: str, out: str) -> dict:
    from newsbot.store import Filters, export_jsonl, open_store

    with open_store(db) as store:
        t = time.perf_counter()
        result = export_jsonl(store, out, Filters(include_duplicates=True))
        seconds = time.perf_counter() - t
    return {"records": result.records, "seconds": seconds, "bytes": result.bytes}


def step_dedup(db: str) -> dict:
    from newsbot.store import open_store

    with open_store(db) as store:
        t = time.perf_counter()
        counts = store.rebuild_dedup()
        seconds = time.perf_counter() - t
    return {"records": counts["articles"], "seconds": seconds, "exact": counts["exact"], "near": counts["near"]}


RAW_TABLES = ("articles", "raw_pages", "minhashes", "url_aliases", "lsh_bands")
RAW_CHUNK = 5000  # articles per transaction, as the bulk run commits (pipelines/run.py BULK_COMMIT_EVERY)


def step_raw(db: str, out: str) -> dict:
    """The insert step's rows, read back a chunk of articles at a time, written by executemany into `out`."""
    import sqlite3

    from newsbot.store import open_store

    for suffix in ("", "-wal", "-shm"):
        Path(out + suffix).unlink(missing_ok=True)
    open_store(out).close()  # the same schema (and indexes) the store writes into
    src = sqlite3.connect(db)
    dst = sqlite3.connect(out, isolation_level=None)
    # the store's own connection settings while it writes a batch (backends.py, Store.WRITE_CACHE_MB)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "temp_store=MEMORY",
                   "cache_size=-98304"):
        dst.execute(f"PRAGMA {pragma}")
    cols = {t: [r[1] for r in src.execute(f"PRAGMA table_info({t})")] for t in RAW_TABLES}
    ids = [r[0] for r in src.execute("SELECT id FROM articles ORDER BY id")]
    seconds, rows_written = 0.0, 0
    for start in range(0, len(ids), RAW_CHUNK):
        lo, hi = ids[start], ids[min(start + RAW_CHUNK, len(ids)) - 1]
        chunk = {}
        for table in RAW_TABLES:
            id_col = "id" if table == "articles" else "article_id"
            order = "bucket, article_id" if table == "lsh_bands" else id_col  # the store also writes bands sorted
            chunk[table] = src.execute(f"SELECT {', '.join(cols[table])} FROM {table} WHERE {id_col} BETWEEN ? AND ?"
                                       f" ORDER BY {order}", (lo, hi)).fetchall()
        t = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        for table in RAW_TABLES:
            if chunk[table]:
                dst.executemany(f"INSERT INTO {table} ({', '.join(cols[table])}) VALUES "
                                f"({', '.join('?' * len(cols[table]))})", chunk[table])
                rows_written += len(chunk[table])
        dst.execute("COMMIT")
        seconds += time.perf_counter() - t
    src.close()
    dst.close()
    return {"records": len(ids), "seconds": seconds, "rows": rows_written}


def run_step(args: list[str]) -> tuple[dict, float]:
    """Run one step in a child process: (its JSON result + its CPU seconds, its peak RSS in MB)."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None  # stdout=PIPE
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"step {args} failed ({proc.returncode})")
    result = json.loads(out)
    # load-independent: the step's CPU time (the whole child: imports, and making the insert step's records too)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    return result, usage.ru_maxrss / 1024  # KiB on Linux


def pg_url(given: str | None) -> tuple[str, Any]:  # Any: tests.support.pgcluster is imported when used
    from tests.support.pgcluster import TempCluster, fresh_schema

    if given or os.environ.get("NEWSBOT_TEST_PG"):
        url, _schema = fresh_schema(given or os.environ["NEWSBOT_TEST_PG"])
        return url, None
    cluster = TempCluster(durable=True)
    url, _schema = fresh_schema(cluster.start())
    return url, cluster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="records to insert (default 100000)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg", help="PostgreSQL server URL (default $NEWSBOT_TEST_PG or a private cluster)")
    parser.add_argument("--steps", default="insert,raw,store,export,dedup",
                        help="which steps to run (default all; raw and store are SQLite only)")
    parser.add_argument("--keep", help="directory for the SQLite store and exports (default: a temporary one)")
    parser.add_argument("--step", choices=("insert", "store", "export", "dedup", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # child process
        result = {"insert": lambda: step_insert(args.db, args.n), "store": lambda: step_store(args.db, args.n),
                  "export": lambda: step_export(args.db, args.out),
                  "dedup": lambda: step_dedup(args.db), "raw": lambda: step_raw(args.db, args.out)}[args.step]()
        print(json.dumps(result))
        return 0

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="newsbot-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        rows += run_backend(backend, args, workdir)
    summarise(rows, args.n)
    return 0


def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> list[tuple]:
    """Each step wanted, in a process of its own, on one backend: (backend, step, result, peak RSS, rate)."""
    cluster = None
    if backend == "sqlite":
        db = str(workdir / "bench.db")
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    else:
        db, cluster = pg_url(args.pg)
    steps = [("insert", ["--n", str(args.n)])]
    if backend == "sqlite":  # before the dedup step rewrites the band rows: the rows the insert step wrote
        steps.append(("raw", ["--out", str(workdir / "raw.db")]))
        steps.append(("store", ["--n", str(args.n), "--db", str(workdir / "store-only.db")]))
    steps += [("export", ["--out", str(workdir / f"export-{backend}.jsonl")]), ("dedup", [])]
    wanted = set(args.steps.split(","))
    rows = []
    try:
        for step, extra in [(step, extra) for step, extra in steps if step in wanted]:
            result, rss = run_step(["--step", step, "--db", db, *extra])
            rate = result["records"] / result["seconds"] if result["seconds"] else 0.0
            rows.append((backend, step, result, rss, rate))
            cpu = result.get("own_cpu_seconds") or result["cpu_seconds"]
            cpu_rate = result["records"] / cpu if cpu else 0.0
            print(f"{backend:<10} {step:<7} {result['records']:>8} records {result['seconds']:8.1f} s "
                  f"{rate:9.0f} records/s ({cpu_rate:.0f}/CPU-s)  peak RSS {rss:6.1f} MB  "
                  + " ".join(f"{k}={round(v, 1) if isinstance(v, float) else v}" for k, v in result.items()
                             if k not in ("records", "seconds")),
                  flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    return rows


def summarise(rows: list[tuple], n: int) -> None:
    planted = n // DUP_EVERY
    # CPU seconds are only comparable between runs on equally fast CPUs: a reference loop says how fast this one
    # is right now (a shared or loaded machine's CPU-seconds are slower too: caches and cores are shared)
    ref_us = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"reference: sum(range(1000)) takes {ref_us:.1f} us here (about 10 us on an idle desktop-class core)")
    print(f"\nplanted near-duplicates: {planted}; targets: export peak RSS < 150 MB, insert >= 2000 records/s (SQLite)")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          "(records/CPU-s is the rate an idle machine would give a single process; for insert it counts the "
          "pipelines' own CPU time and their helper processes', own_cpu_seconds, not making the records or importing)")
    seconds = {(backend, step): result["seconds"] for backend, step, result, _rss, _rate in rows}
    for backend, step, _result, rss, rate in rows:
        if step == "insert" and backend == "sqlite":
            print(f"sqlite insert: {rate:.0f} records/s ({rate / 2000:.2f}x the 2000/s target)")
            if seconds.get(("sqlite", "raw")):
                ratio = seconds[("sqlite", "raw")] / seconds[("sqlite", "insert")]
                print(f"sqlite insert vs raw executemany of the same rows: {ratio:.2f} (goal >= 0.6)")
            if seconds.get(("sqlite", "raw")) and seconds.get(("sqlite", "store")):
                ratio = seconds[("sqlite", "raw")] / seconds[("sqlite", "store")]
                print(f"sqlite store calls alone (find_duplicate + upsert + commit) vs raw executemany: {ratio:.2f}")
        if step == "export":
            print(f"{backend} export peak RSS: {rss:.1f} MB ({rss / 150:.2f}x the 150 MB limit)")

if __name__ == "__main__":
    sys.exit(main())
