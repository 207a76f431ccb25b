"""`newsbot extract PATH...`: offline extraction of saved pages, in one process."""

from __future__ import annotations

import argparse
import codecs
import os
import sys
from pathlib import Path

from newsbot.cli.output import dumps, utf8_stdout
from newsbot.extract import ExtractionError, extract_parsed, parse_page
from newsbot.record import ArticleRecord


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract article records from saved HTML pages (or - for stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="saved page(s); - reads standard input")
    p.add_argument("--url", help="the page's URL (one input only; otherwise its declared canonical URL)")
    p.add_argument("--encoding", help="force this character encoding instead of detecting it")
    p.add_argument("--format", choices=("jsonl", "json", "text"), default="jsonl")
    p.add_argument("--max-bytes", type=_size, metavar="N",
                   help="inputs larger than N bytes are refused (default: NEWSBOT_EXTRACT_MAX_BYTES, 20 MB)")
    p.set_defaults(func=run)


def _size(text: str) -> int:
    from newsbot.jobs.config import positive

    return positive(int)(text)


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
    page = parse_page(data, None, encoding)
    rec = extract_parsed(page, url=url)
    if not url and rec.canonical_url and rec.canonical_url.startswith(("http://", "https://")):
        # a saved page knows its own address: extract again with it (site, profile and links follow from it)
        rec = extract_parsed(page, url=rec.canonical_url)
    if not rec.body.strip():  # an article page with nothing in it (a JavaScript shell) is not a record
        raise ExtractionError("no-body", "no article body found (a page rendered by JavaScript?)")
    return rec


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

    limit = args.max_bytes or NEWSBOT_EXTRACT_MAX_BYTES
    out = utf8_stdout()
    records: list[dict] = []
    failed = 0
    for path in args.paths:
        try:
            data = _read(path, limit)
            rec = _extract(data, args.url, args.encoding)
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
