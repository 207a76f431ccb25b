"""The archive run beyond one machine: `process_file` mapped over the files on a Dask cluster.

    python3 -m newsbot.archive.dask_job --out DIR [--scheduler tcp://HOST:8786] [--lang ar] FILE|DIR ...

Each file gives DIR/<file name>.jsonl: its records validated and normalised as the local command's pipelines
do, one JSON line each (the `newsbot export` shape, without the store's duplicate links: de-duplication needs
the one store, so load the JSONL files into it afterwards or run `newsbot archive` on the results' machine).
A file whose JSONL is already there is not read again, so a job that was stopped is simply started again.
Without --scheduler the job starts a local cluster (one worker process per core): Dask's local mode.
See docs/archive.md for a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from newsbot.archive.filters import ArchiveOptions
from newsbot.archive.process import process_file


def output_path(out_dir: str, path: str) -> Path:
    name = Path(path).name
    for suffix in (".gz", ".warc", ".arc"):
        name = name.removesuffix(suffix)
    return Path(out_dir) / f"{name}.jsonl"


def file_to_jsonl(path: str, out_dir: str, options: ArchiveOptions) -> dict[str, Any]:
    """One file's records into its JSONL (written aside and renamed: a killed task leaves no half file)."""
    target = output_path(out_dir, path)
    done = target.with_name(target.name + ".counts.json")
    if target.exists() and done.exists():
        return {**json.loads(done.read_text(encoding="utf-8")), "status": "skipped", "reason": "already written"}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        counts = process_file(path, options, out)
    tmp.replace(target)
    done.write_text(json.dumps(counts, ensure_ascii=False) + "\n", encoding="utf-8")
    return counts


def run(paths: list[str], out_dir: str, options: ArchiveOptions, *, scheduler: str | None = None,
        workers: int | None = None) -> list[dict[str, Any]]:
    """Map file_to_jsonl over the files as a Dask bag (one partition per file); the per-file counts."""
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    from newsbot.cpus import usable_cpus

    options.check()
    bag = db.from_sequence(paths, npartitions=max(1, len(paths))).map(file_to_jsonl, out_dir, options)
    if scheduler:
        with Client(scheduler) as client:
            return client.compute(bag).result()
    n = workers or usable_cpus()
    # processes: extraction is pure Python, threads would share one core; no dashboard: no listening web port
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        return client.compute(bag).result()


def main(argv: list[str] | None = None) -> int:
    from newsbot.archive.run import archive_inputs
    from newsbot.cli.archive_cmd import _langs

    p = argparse.ArgumentParser(prog="python3 -m newsbot.archive.dask_job", description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="one JSONL file per archive file here")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler (default: a local cluster)")
    p.add_argument("--workers", type=int, metavar="N", help="local cluster size (default: one per core)")
    p.add_argument("--lang", action="append", default=[], metavar="LANG", help="as `newsbot archive --lang`")
    p.add_argument("--host", action="append", default=[], metavar="HOST")
    p.add_argument("--site", action="append", default=[], metavar="SLUG")
    p.add_argument("--url-pattern", action="append", default=[], metavar="REGEX")
    p.add_argument("--since")
    p.add_argument("--until")
    args = p.parse_args(argv)
    try:
        options = ArchiveOptions(langs=_langs(args.lang), hosts=tuple(args.host), sites=tuple(args.site),
                                 url_patterns=tuple(args.url_pattern), since=args.since, until=args.until)
        paths = archive_inputs(args.paths)
        options.check()
    except ValueError as exc:
        print(f"newsbot.archive.dask_job: {exc}", file=sys.stderr)
        return 2
    results = run(paths, args.out, options, scheduler=args.scheduler, workers=args.workers)
    for counts in results:
        print(json.dumps(counts, ensure_ascii=False))
    return 1 if any(c.get("status") == "failed" for c in results) else 0


if __name__ == "__main__":
    sys.exit(main())
