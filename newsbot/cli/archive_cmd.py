"""`newsbot archive FILE.warc.gz ... | DIR`: web-archive files into the store, through the crawl's pipelines."""

from __future__ import annotations

import argparse
import signal
import sys

from newsbot.jobs import exitcodes


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "archive",
        help="read WARC/ARC files (CC-NEWS and others) into the store: Arabic articles by default",
        description="Stream WARC/ARC files (gzipped per record or as a whole), keep the HTML responses that pass "
        "the filters, extract them and store the articles in the languages asked for, through the same "
        "validation, de-duplication and store as a crawl. How far each file was read is kept in the store: a "
        "stopped run resumes, a finished file is not read again. Raw pages point at the archive file.",
    )
    p.add_argument("paths", nargs="+", metavar="FILE|DIR", help="archive files, or directories holding them")
    p.add_argument("--lang", action="append", default=[], metavar="LANG",
                   help="keep articles in this language (repeatable or comma-separated; default ar; 'any' = all)")
    p.add_argument("--host", action="append", default=[], metavar="HOST", help="only URLs on this host or its subdomains")
    p.add_argument("--site", action="append", default=[], metavar="SLUG", help="only URLs of this registry site")
    p.add_argument("--url-pattern", action="append", default=[], metavar="REGEX", help="only URLs matching this regex")
    p.add_argument("--since", metavar="DATE", help="only records archived (WARC-Date) at or after this ISO date/time")
    p.add_argument("--until", metavar="DATE", help="only records archived at or before this ISO date/time")
    p.add_argument("--max-record-mb", type=float, metavar="MB",
                   help="skip payloads larger than this (default: NEWSBOT_PAGE_MAXSIZE, 8 MB)")
    p.add_argument("--keep-raw", action="store_true", help="copy raw pages into the store instead of pointing at the file")
    p.add_argument("--workers", type=int, metavar="N", help="extraction processes (default: one per core; 0 = this one)")
    p.add_argument("--db", metavar="URL", help="store URL (default: $NEWSBOT_DB or data/newsbot.db)")
    p.add_argument("--report", metavar="FILE", help="also write the JSON run report here")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a pipeline setting, e.g. NEWSBOT_COMMIT_EVERY=500 (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line or summary")
    p.set_defaults(func=run)


def _langs(values: list[str]) -> tuple[str, ...]:
    langs = [v.strip().lower() for value in values for v in value.split(",") if v.strip()]
    if not langs:
        return ("ar",)
    return () if "any" in langs else tuple(dict.fromkeys(langs))


def _settings(items: list[str]) -> dict[str, str]:
    settings = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"-s expects NAME=VALUE, got {item!r}")
        settings[name.strip()] = value
    return settings


def run(args: argparse.Namespace) -> int:
    from newsbot.archive.filters import ArchiveOptions
    from newsbot.archive.run import ArchiveRun, archive_inputs
    from newsbot.settings import NEWSBOT_PAGE_MAXSIZE

    try:  # everything is checked before a file is read
        options = ArchiveOptions(
            langs=_langs(args.lang), hosts=tuple(h.lower().strip(".") for h in args.host), sites=tuple(args.site),
            url_patterns=tuple(args.url_pattern), since=args.since, until=args.until,
            max_record_bytes=int(args.max_record_mb * 2**20) if args.max_record_mb else NEWSBOT_PAGE_MAXSIZE,
            keep_raw=args.keep_raw,
        )
        options.check()
        paths = archive_inputs(args.paths)
        settings = _settings(args.set)
        if options.langs:
            settings.setdefault("NEWSBOT_LANGS", ",".join(options.langs))
        if args.workers is not None and args.workers < 0:
            raise ValueError("--workers must be 0 or more")
    except ValueError as exc:
        print(f"newsbot archive: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C: commit, report, resume later
    job = ArchiveRun(paths, options, store=args.db, workers=args.workers, settings=settings,
                     progress=not args.quiet and sys.stderr.isatty(), report_path=args.report)
    report = job.run()
    if not args.quiet:
        report.print_summary(sys.stderr)
    return report.exit_code
