"""`newsbot extract PATH...`: offline extraction of saved pages, in one process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbot.cli.output import dumps, utf8_stdout
from newsbot.extract import ExtractionError, extract


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract article records from saved HTML pages (or - for stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="saved page(s); - reads standard input")
    p.add_argument("--url", help="the page's URL (for a single input; otherwise read from the page)")
    p.add_argument("--encoding", help="force this character encoding instead of detecting it")
    p.add_argument("--format", choices=("jsonl", "json", "text"), default="jsonl")
    p.set_defaults(func=run)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if p.is_dir():
        raise ExtractionError("not-a-file", f"{path} is a directory")
    return p.read_bytes()


def run(args: argparse.Namespace) -> int:
    out = utf8_stdout()
    records: list[dict] = []
    failed = 0
    for path in args.paths:
        try:
            data = _read(path)
            rec = extract(data, url=args.url, encoding=args.encoding)
            row = {"input": path, **rec.to_dict()}
        except (OSError, ExtractionError) as exc:
            failed += 1
            reason = getattr(exc, "reason", None) or ("not-found" if isinstance(exc, FileNotFoundError) else "io-error")
            msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"newsbot extract: {path}: {msg}", file=sys.stderr)
            row = {"input": path, "error": reason, "message": msg}
        except Exception as exc:  # one broken page never stops the batch
            failed += 1
            print(f"newsbot extract: {path}: unexpected error: {exc!r}", file=sys.stderr)
            row = {"input": path, "error": "internal", "message": repr(exc)}
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
