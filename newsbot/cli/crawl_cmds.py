"""`newsbot crawl`, `newsbot scrape` and `newsbot demo`: crawls run in this process (spiders/runner.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbot.argtypes import positive
from newsbot.cli.output import dumps, utf8_stdout
from newsbot.jobs.config import ConfigError, check_env, check_scrapy_settings, check_store

DEMO_PORT = 8765


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "crawl",
        help="crawl news sites (registry slugs or homepage URLs) into the store",
        description="Crawl sites into the store (NEWSBOT_DB, default data/newsbot.db). A homepage URL of a site "
        "not in the registry is crawled by discovery alone. Articles already stored are not fetched again.",
    )
    p.add_argument("targets", nargs="*", metavar="SLUG|URL", help="registry slugs or homepage URLs")
    p.add_argument("--all", action="store_true", help="every site in the registry")
    p.add_argument("--since", help="only articles published since then: 2d, 12h, 30m, 1w or an ISO date (by the "
                   "article's own date; sitemap/feed entries older than that are not fetched; undated articles "
                   "are kept and counted)")
    p.add_argument("--max-articles", type=positive(int), metavar="N", help="store at most N articles per site")
    p.add_argument("--max-pages", type=positive(int), metavar="N", help="fetch at most N pages per site")
    p.add_argument("--timeout", type=positive(float), metavar="SECONDS", help="stop a site after this long")
    p.add_argument("--depth", type=_depth, metavar="N", help="link depth limit (default: DEPTH_LIMIT setting)")
    p.add_argument("-o", "--output", metavar="FILE", help="also write the crawled records as JSONL (- = stdout)")
    p.add_argument("--db", metavar="URL", help="store URL (default: $NEWSBOT_DB or data/newsbot.db)")
    p.add_argument("--full", action="store_true", help="fetch stored articles again (not incremental)")
    p.add_argument("--jobdir", metavar="DIR", help="keep crawl state in DIR/<site> to pause (Ctrl-C) and resume")
    p.add_argument("--http-cache", action="store_true", help="cache responses on disk (development)")
    p.add_argument("--allow-private", action="store_true", help="allow loopback/private addresses (local servers)")
    p.add_argument("--summary-json", metavar="FILE", help="write the run summary as JSON")
    _log_options(p)
    from newsbot.jobs.crawl import add_job_arguments

    add_job_arguments(p)  # --max-runtime, --report, --workers, --redis-url, --no-lock
    p.set_defaults(func=run_crawl_cmd)

    s = sub.add_parser(
        "scrape",
        help="fetch and extract given URLs (no store), print JSONL",
        description="Fetch each URL with the crawler's politeness (robots.txt, User-Agent, delays), extract it "
        "and print one JSON line per URL. Works for any URL; nothing is stored.",
    )
    s.add_argument("urls", nargs="+", metavar="URL")
    s.add_argument("--allow-private", action="store_true", help="allow loopback/private addresses (local servers)")
    s.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    _log_options(s)
    s.set_defaults(func=run_scrape_cmd)

    d = sub.add_parser(
        "demo",
        help="serve the bundled Arabic demo site locally, crawl it into the store and export it",
        description="Serves data/demo on 127.0.0.1, crawls it into the store (NEWSBOT_DB or data/newsbot.db), "
        "writes a JSONL export and prints the crawl summary. Needs no network.",
    )
    d.add_argument("--port", type=int, default=DEMO_PORT,
                   help=f"port to serve the demo site on (default {DEMO_PORT}: the same site, and so the same store "
                        "keys, from one run to the next; 0 = any free port)")
    d.add_argument("-o", "--output", default="data/demo-export.jsonl", metavar="FILE", help="JSONL export path")
    d.add_argument("--db", metavar="URL", help="store URL (default: $NEWSBOT_DB or data/newsbot.db)")
    _log_options(d)
    d.set_defaults(func=run_demo_cmd)


def _log_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting (repeatable)"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log")
    g.add_argument("-q", "--quiet", action="store_true", help="errors only, no progress line")
    p.add_argument("--debug", action="store_true", help="show tracebacks and Scrapy's DEBUG log")


def _depth(text: str) -> int:
    import argparse

    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _log_settings(args: argparse.Namespace) -> dict:
    settings: dict = {}
    if getattr(args, "debug", False):
        settings["LOG_LEVEL"] = "DEBUG"
        settings["NEWSBOT_TRACEBACKS"] = True
    elif getattr(args, "verbose", False):
        settings["LOG_LEVEL"] = "INFO"
    elif getattr(args, "quiet", False):
        settings["LOG_LEVEL"] = "ERROR"
    for item in getattr(args, "set", []):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"-s: expected NAME=VALUE, got {item!r}")
        settings[name.strip()] = value
    check_scrapy_settings(settings)
    return settings


def _fail(command: str, message: str) -> int:
    print(f"newsbot {command}: {message}", file=sys.stderr)
    return 2


def run_crawl_cmd(args: argparse.Namespace) -> int:
    from spiders.registry import RegistryError, load_registry

    targets = list(args.targets)
    try:
        if args.all:
            targets += [slug for slug in load_registry() if slug not in targets]
    except (OSError, RegistryError) as exc:
        return _fail("crawl", f"cannot read the site registry: {exc}")
    if not targets:
        return _fail("crawl", "give site slugs, homepage URLs or --all")
    try:  # configuration first: nothing is created or started with a setting that cannot work
        check_env()
        settings = _log_settings(args)
        check_store(args.db)
        from newsbot.jobs.crawl import check_job_arguments

        check_job_arguments(args)
    except ConfigError as exc:
        return _fail("crawl", str(exc))
    if args.max_pages:
        settings["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.timeout:
        settings["CLOSESPIDER_TIMEOUT"] = args.timeout
    if args.depth is not None:
        settings["DEPTH_LIMIT"] = args.depth
    from newsbot.jobs.crawl import run_job

    crawl_kwargs = dict(
        since=args.since,
        max_articles=args.max_articles,
        output=args.output,
        store_url=args.db,
        allow_private=args.allow_private,
        settings=settings,
        jobdir=args.jobdir,
        http_cache=args.http_cache,
        incremental=not args.full,
        progress=False if args.quiet else None,
    )
    try:
        # per-site locks, time budget, health verdicts, run report and exit code (newsbot/jobs/)
        report, summary = run_job(targets, args, crawl_kwargs)
    except ValueError as exc:
        return _fail("crawl", str(exc))
    if not args.quiet:
        if hasattr(summary, "format"):  # one worker: the runner's table, then what the job adds
            print(summary.format(), file=sys.stderr)
        report.print_summary(sys.stderr, table=not hasattr(summary, "format"))
    else:  # the cron form: silent when all is well, one line per site that was not
        report.print_problems(sys.stderr)
    if args.summary_json:
        data = summary.to_dict() if hasattr(summary, "to_dict") else {"sites": summary or {}}
        Path(args.summary_json).write_text(dumps(data, indent=2) + "\n", encoding="utf-8")
    return report.exit_code


def run_scrape_cmd(args: argparse.Namespace) -> int:
    from spiders.runner import run_scrape

    bad = [u for u in args.urls if not u.startswith(("http://", "https://"))]
    if bad:
        return _fail("scrape", f"not an http(s) URL: {bad[0]}")
    try:
        check_env()
        settings = _log_settings(args)
    except ConfigError as exc:
        return _fail("scrape", str(exc))
    rows = run_scrape(args.urls, allow_private=args.allow_private, settings=settings)
    out = utf8_stdout()
    if args.format == "json":
        out.write(dumps(rows, indent=2) + "\n")
    else:
        for row in rows:
            out.write(dumps(row) + "\n")
    out.flush()
    for row in rows:
        if "error" in row:
            told = row["error"] if " " in row["error"] else f"{row['error']}: {row['message']}"
            print(f"newsbot scrape: {row['url']}: {told}", file=sys.stderr)
    return 1 if any("error" in row for row in rows) else 0


def run_demo_cmd(args: argparse.Namespace) -> int:
    from newsbot.demo_server import serve
    from spiders.registry import adhoc_site
    from spiders.runner import run_crawl

    output = Path(args.output)
    try:
        check_env()
        settings = _log_settings(args)
        check_store(args.db)
    except ConfigError as exc:
        return _fail("demo", str(exc))
    try:
        server = serve(port=args.port)
    except OSError as exc:  # the usual port is taken: any port will do, but the site's URLs change with it
        print(f"newsbot demo: port {args.port} unavailable ({exc.strerror}); using a free port, so this run's "
              "articles are stored as another site", file=sys.stderr)
        server = serve(port=0)
    with server:
        home = server.base_url.rstrip("/") + "/"
        print(f"newsbot demo: serving the demo site at {home}", file=sys.stderr)
        summary = run_crawl(
            [home],
            store_url=args.db,
            allow_private=True,
            settings=settings,
            progress=False if args.quiet else None,
            output=None,
        )
    slug = adhoc_site(home).slug
    print(summary.format(), file=sys.stderr)
    count = _export(args.db, slug, output)
    if not count:  # an empty export never replaces an earlier one
        print(f"newsbot demo: no stored articles of {slug}; {output} left as it was", file=sys.stderr)
        return summary.exit_status or 1
    print(f"newsbot demo: {count} articles of {slug} exported to {output}", file=sys.stderr)
    db = f" --db {args.db}" if args.db else ""
    print(f"newsbot demo: browse what it stored with `newsbot browse{db}` (read-only, http://127.0.0.1:8766/)",
          file=sys.stderr)
    return summary.exit_status


def _export(store_url: str | None, slug: str, output: Path) -> int:
    """The demo site's stored records as JSONL (the store's export: the same lines as `newsbot export`).

    Duplicates included: a demo served on another port is another site whose articles are copies of an
    earlier demo run's, marked `duplicate_of` them; they are still this run's articles. Nothing is written
    when there is nothing to export (an earlier export stays)."""
    from newsbot.store import Filters, export_jsonl, open_store

    filters = Filters(sites=[slug], include_duplicates=True)
    store = open_store(store_url)
    try:
        if not store.count(filters):
            return 0
        return export_jsonl(store, output, filters, card=False).records
    finally:
        store.close()
