"""`newsbot export`, `newsbot stats`, `newsbot reextract`: the store as datasets, summaries, new extractions."""

from __future__ import annotations

import argparse
import json
import sys

from newsbot import EXTRACTOR_VERSION
from newsbot.cli.output import dumps, utf8_stdout
from newsbot.store import Filters, export_jsonl, open_store, summarise
from newsbot.store.timeutil import bound

# `stats` and `health` read a part of the store: PRAGMA quick_check for this long looks at the rest
STORE_CHECK_SECONDS = 3.0
_DB_HELP = "store URL: a path, sqlite:///path or postgresql://... (default: $NEWSBOT_DB or data/newsbot.db)"


def _multi(values: list[str] | None) -> list[str]:
    """--site a --site b, or --site a,b."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export stored articles as JSONL (.jsonl, .jsonl.gz, .jsonl.zst) + dataset card")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.jsonl, FILE.jsonl.gz or FILE.jsonl.zst")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--site", action="append", metavar="SITE", help="only these sites (repeat or comma-separate)")
    p.add_argument("--lang", action="append", metavar="LANG", help="only these languages (ISO 639-1)")
    p.add_argument("--since", metavar="DATE", help="published on or after (ISO 8601 date or date-time, UTC)")
    p.add_argument("--until", metavar="DATE", help="published on or before (a bare date includes that day)")
    p.add_argument("--min-words", type=int, default=0, metavar="N", help="only bodies of at least N words")
    p.add_argument("--include-duplicates", action="store_true",
                   help="also export records linked to an earlier copy (duplicate_of set)")
    p.add_argument("--no-card", action="store_true", help="do not write FILE.card.md beside the export")
    p.set_defaults(func=run_export)

    p = sub.add_parser("stats", help="summarise the store: counts per site, language, month; duplicates; invalid")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_stats)

    p = sub.add_parser("reextract", help="re-run the current extractor over stored raw pages (no re-crawl)")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--site", action="append", metavar="SITE", help="only these sites (repeat or comma-separate)")
    p.add_argument("--since", metavar="DATE", help="only pages fetched on or after this date (ISO 8601)")
    p.set_defaults(func=run_reextract)


def _fail(command: str, message: str) -> int:
    print(f"newsbot {command}: {message}", file=sys.stderr)
    return 2


def existing_store(command: str, db: str | None, check_seconds: float = 0.0) -> tuple[str | None, int]:
    """(store URL, 0) for a store that exists and answers; (None, exit code) after one line on stderr.

    Read-only commands never create a store: a mistyped path is an error (2), not an empty database;
    a store server that is down is a failure (1), never an empty result."""
    from newsbot.jobs.config import ConfigError, Unavailable, check_store, ping_store
    from newsbot.jobs.damage import check_readable

    try:
        url = check_store(db, must_exist=True)
        ping_store(url)
        check_readable(url, db, check_seconds=check_seconds)  # damaged: a failure, never an empty or healthy store
    except ConfigError as exc:
        return None, _fail(command, str(exc))
    except Unavailable as exc:
        print(f"newsbot {command}: {exc}", file=sys.stderr)
        return None, 1
    return url, 0


def damaged_store(command: str, given: str | None, url: str, exc: Exception) -> int:
    """Exit 1 after one line when `exc` is the store file's damage met while reading it; re-raise otherwise."""
    from newsbot.jobs.damage import damage, unreadable
    from newsbot.state import locate

    why = damage(exc)
    if why is None:
        raise exc
    print(f"newsbot {command}: {unreadable(given, locate(url).target, why)}", file=sys.stderr)
    return 1


def run_export(args: argparse.Namespace) -> int:
    try:
        filters = Filters(
            sites=_multi(args.site),
            langs=[v.lower() for v in _multi(args.lang)],
            since=bound(args.since),
            until=bound(args.until, upper=True),
            min_words=max(0, args.min_words),
            include_duplicates=args.include_duplicates,
        )
    except ValueError as exc:
        return _fail("export", str(exc))
    if not args.output.endswith((".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".json.zst")):
        return _fail("export", f"{args.output}: the file name must end in .jsonl, .jsonl.gz or .jsonl.zst")
    db, code = existing_store("export", args.db)
    if db is None:
        return code
    with open_store(db) as store:
        try:
            result = export_jsonl(store, args.output, filters, card=not args.no_card)
        except OSError as exc:  # a full disk, a read-only directory: export_jsonl removed its partial file
            print(f"newsbot export: {args.output}: {exc.strerror or exc}; nothing exported (the partial "
                  f"{args.output}.part was removed)", file=sys.stderr)
            return 1
    card = f", card {result.card}" if result.card else ""
    print(f"newsbot export: {result.records} records to {result.path} ({result.bytes} bytes){card}", file=sys.stderr)
    if result.card_error:
        print(f"newsbot export: the dataset card beside {result.path} could not be written: {result.card_error}",
              file=sys.stderr)
        return 1
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from newsbot.cli.jobs_cmd import health_lines, health_overview

    db, code = existing_store("stats", args.db, check_seconds=STORE_CHECK_SECONDS)
    if db is None:
        return code
    try:
        with open_store(db) as store:
            summary = summarise(store)
        summary["health"] = health_overview(db)  # extraction health per site and the last scheduled run
    except Exception as exc:
        return damaged_store("stats", args.db, db, exc)
    out = utf8_stdout()
    if args.format == "json":
        out.write(dumps(summary, indent=2) + "\n")
        return 0
    out.write(f"store           {summary['store']} ({summary['backend']}, schema v{summary['schema_version']})\n")
    for name in ("articles", "duplicates", "duplicate_clusters", "invalid", "raw_pages"):
        out.write(f"{name:<15} {summary[name]}\n")
    if summary["raw_bytes"]:
        ratio = summary["raw_bytes"] / max(1, summary["raw_bytes_compressed"])
        out.write(f"raw size        {summary['raw_bytes']} bytes, {summary['raw_bytes_compressed']} stored ({ratio:.1f}x)\n")
    out.write(f"seen            {summary['first_seen'] or '-'} .. {summary['last_seen'] or '-'}\n")
    if not summary["dedup_params_current"]:
        out.write("dedup           stored signatures use other parameters: run Store.rebuild_dedup()\n")
    for title, key in (("per site", "by_site"), ("per language", "by_lang"), ("per month (published, UTC)", "by_month"),
                       ("per extractor version", "by_extractor_version"), ("invalid per reason", "invalid_by_reason")):
        if summary[key]:
            out.write(f"\n{title}:\n")
            for name, count in summary[key].items():
                out.write(f"  {name:<40} {count}\n")
    if lines := health_lines(summary["health"]):
        out.write("\nextraction health (latest run per site; `newsbot health` for more):\n" + "\n".join(lines) + "\n")
    out.flush()
    return 0


def run_reextract(args: argparse.Namespace) -> int:
    from pipelines.reextract import reextract

    try:
        since = bound(args.since)
    except ValueError as exc:
        return _fail("reextract", str(exc))
    db, code = existing_store("reextract", args.db)
    if db is None:
        return code
    with open_store(db) as store:
        stats = reextract(store, sites=_multi(args.site), since=since)
    keys = ("pages", "updated", "unchanged", "new", "invalid", "near_duplicate", "extract_error")
    counts = {k: stats.get(f"newsbot/reextract/{k}", stats.get(f"newsbot/items/{k}", 0)) for k in keys}
    print(json.dumps({"extractor_version": EXTRACTOR_VERSION, **counts}, ensure_ascii=False), file=sys.stderr)
    return 0
