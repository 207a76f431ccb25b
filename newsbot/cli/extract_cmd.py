"""`newsbot extract PATH...`: offline extraction of saved pages (a batch shared among processes, records in
input order)."""

from __future__ import annotations

import argparse
import codecs
import os
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from newsbot.argtypes import positive
from newsbot.cli.output import dumps, utf8_stdout
from newsbot.extract import ExtractionError, extract_parsed, parse_page
from newsbot.record import ArticleRecord


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract article records from saved HTML pages (or - for stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="saved page(s); - reads standard input")
    p.add_argument("--url", help="the page's URL (one input only; otherwise its declared canonical URL)")
    p.add_argument("--encoding", help="force this character encoding instead of detecting it")
    p.add_argument("--format", choices=("jsonl", "json", "text"), default="jsonl")
    p.add_argument("--max-bytes", type=positive(int), metavar="N",
                   help="inputs larger than N bytes are refused (default: NEWSBOT_EXTRACT_MAX_BYTES, 20 MB)")
    p.add_argument("--jobs", type=positive(int), metavar="N",
                   help="processes sharing the inputs (default: NEWSBOT_EXTRACT_JOBS, auto: one per core for 16 "
                        "inputs or more)")
    p.set_defaults(func=run)


def _read(path: str, limit: int) -> bytes:
    """The input, never more than limit + 1 bytes read (a device or a pipe has no size to ask for first)."""
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
    else:
        p = Path(path)
        if p.is_dir():
            raise ExtractionError("not-a-file", f"{path} is a directory")
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size if p.is_file() else 0
            data = b"" if size > limit else fh.read(limit + 1)
        if size > limit:
            raise ExtractionError("too-large", f"{size} bytes, over the {limit}-byte input limit (--max-bytes)")
    if len(data) > limit:
        raise ExtractionError("too-large", f"more than {limit} bytes, the input limit (--max-bytes)")
    return data


def _extract(data: bytes, url: str | None, encoding: str | None) -> ArticleRecord:
    from newsbot.extract.metadata import declared_url

    page = parse_page(data, None, encoding)
    if not url:
        # a saved page knows its own address: extract with it (site, profile and links follow from it)
        declared = declared_url(page.tree)
        if declared and declared.startswith(("http://", "https://")):
            url = declared
    rec = extract_parsed(page, url=url)
    if not rec.body.strip():  # an article page with nothing in it (a JavaScript shell) is not a record
        raise ExtractionError("no-body", "no article body found (a page rendered by JavaScript?)")
    return rec


JOBS_FROM = 16  # inputs from which "auto" shares a batch among the cores (a process pool costs a few ms)


def _jobs(asked: int | None, inputs: list[str]) -> int:
    from newsbot.settings import NEWSBOT_EXTRACT_JOBS

    if "-" in inputs:
        return 1  # standard input is read once, by this process
    value = asked if asked is not None else NEWSBOT_EXTRACT_JOBS
    if value in ("auto", "", None):
        return (os.cpu_count() or 1) if len(inputs) >= JOBS_FROM else 1
    try:
        count = int(value)
    except ValueError:
        raise ValueError(f"NEWSBOT_EXTRACT_JOBS must be 'auto' or a count >= 1, got {value!r}") from None
    if count < 1:
        raise ValueError(f"NEWSBOT_EXTRACT_JOBS must be 'auto' or a count >= 1, got {value!r}")
    return count


def _one(path: str, url: str | None, encoding: str | None, limit: int) -> tuple[dict, str | None]:
    """One input's row, and the line stderr gets for it when it failed."""
    try:
        data = _read(path, limit)
        rec = _extract(data, url, encoding)
        return {"input": path, **rec.to_dict()}, None
    except (OSError, ExtractionError) as exc:
        reason = getattr(exc, "reason", None) or ("not-found" if isinstance(exc, FileNotFoundError) else "io-error")
        msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {"input": path, "error": reason, "message": msg}, f"newsbot extract: {path}: {msg}"
    except Exception as exc:  # one broken page never stops the batch
        return ({"input": path, "error": "internal", "message": repr(exc)},
                f"newsbot extract: {path}: unexpected error: {exc!r}")


def _rows(paths: list[str], jobs: int, work: Callable[[str], tuple[dict, str | None]]
          ) -> Iterator[tuple[dict, str | None]]:
    if jobs <= 1:
        yield from map(work, paths)
        return
    import multiprocessing

    # forked workers start with everything imported; imap keeps the input order, chunks keep the pipes busy
    with multiprocessing.get_context("fork").Pool(min(jobs, len(paths))) as pool:
        yield from pool.imap(work, paths, chunksize=max(1, min(8, len(paths) // (jobs * 4))))


def run(args: argparse.Namespace) -> int:
    if args.url and len(args.paths) > 1:
        print("newsbot extract: --url names one page's address: give a single input with it", file=sys.stderr)
        return 2
    if args.encoding:
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            print(f"newsbot extract: --encoding: unknown encoding {args.encoding!r} (e.g. utf-8, windows-1256, "
                  "iso-8859-6)", file=sys.stderr)
            return 2
    from newsbot.settings import NEWSBOT_EXTRACT_MAX_BYTES

    try:
        jobs = _jobs(args.jobs, args.paths)
    except ValueError as exc:
        print(f"newsbot extract: {exc}", file=sys.stderr)
        return 2
    limit = args.max_bytes or NEWSBOT_EXTRACT_MAX_BYTES
    out = utf8_stdout()
    records: list[dict] = []
    failed = 0
    for row, told in _rows(args.paths, jobs, partial(_one, url=args.url, encoding=args.encoding, limit=limit)):
        if told is not None:
            failed += 1
            print(told, file=sys.stderr)
        if args.format == "jsonl":
            out.write(dumps(row) + "\n")
        elif args.format == "json":
            records.append(row)
        else:
            _write_text(out, row)
    if args.format == "json":
        out.write(dumps(records, indent=2) + "\n")
    out.flush()
    return 1 if failed else 0


def _write_text(out, row: dict) -> None:
    if "error" in row:
        out.write(f"== {row['input']}: ERROR {row['error']}: {row['message']}\n\n")
        return
    out.write(f"== {row['input']}\n{row.get('title') or ''}\n{row.get('published') or ''}\n\n{row['body']}\n\n")
