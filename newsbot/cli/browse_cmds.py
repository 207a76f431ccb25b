"""`newsbot browse`, `newsbot show`, `newsbot ls`, `newsbot inspect`: see what the store holds and why.

All of them read the store read-only (newsbot.browse.queries); `inspect` re-runs the current extractor
on a page (a file, a URL, or the raw page stored for an article) and reports its trace.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from newsbot.cli.output import dumps, utf8_stdout

if TYPE_CHECKING:
    from newsbot.browse.queries import ReadOnlyStore

_DB_HELP = "store URL: a path, sqlite:///path or postgresql://... (default: $NEWSBOT_DB or data/newsbot.db)"
DEFAULT_PORT = 8766


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("browse", help="a read-only local web app over the store: articles, sites, health, inspector",
                       description="Serves the store read-only on 127.0.0.1 (another address needs --bind and "
                       "is warned about). Ctrl-C stops it.")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free port)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1; anything else lets others read the store)")
    p.set_defaults(func=run_browse)

    p = sub.add_parser("show", help="one stored article as its record (JSON), by URL")
    p.add_argument("url", metavar="URL", help="the article's URL (any URL the store knows for it)")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--all", action="store_true", help="also the store's bookkeeping (first_seen, last_seen, ...)")
    p.set_defaults(func=run_show)

    p = sub.add_parser("ls", help="list stored articles, newest published first")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("--site", help="only this site")
    p.add_argument("--since", metavar="DATE", help="published on or after (ISO 8601, UTC)")
    p.add_argument("--until", metavar="DATE", help="published on or before (a bare date includes that day)")
    p.add_argument("--section", help="only this section")
    p.add_argument("--min-words", type=int, default=0, metavar="N")
    p.add_argument("--max-words", type=int, default=0, metavar="N")
    p.add_argument("-q", "--query", metavar="TEXT", help="only articles whose title or body contains TEXT")
    p.add_argument("-n", "--limit", type=int, default=50, metavar="N", help="at most N articles (default 50; 0: all)")
    p.add_argument("--format", choices=("text", "jsonl"), default="text")
    p.set_defaults(func=run_ls)

    p = sub.add_parser("inspect", help="an HTML report of what the extractor kept and dropped on one page, and why")
    p.add_argument("page", nargs="?", metavar="PAGE.html|URL", help="a saved page or a URL to fetch")
    p.add_argument("--stored", metavar="URL", help="the raw page stored for this article instead")
    p.add_argument("--url", dest="page_url", metavar="URL", help="the URL a saved PAGE.html came from")
    p.add_argument("--db", help=_DB_HELP)
    p.add_argument("-o", "--output", metavar="REPORT.html", help="write the report here (default: standard output)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--open", action="store_true", help="write the report and open it in the default browser")
    how.add_argument("--serve", action="store_true", help="serve the report on 127.0.0.1 until Ctrl-C")
    p.add_argument("--port", type=int, default=0, help="port for --serve (default: any free port)")
    p.set_defaults(func=run_inspect)


def _fail(command: str, message: str, code: int = 2) -> int:
    print(f"newsbot {command}: {message}", file=sys.stderr)
    return code


def run_browse(args: argparse.Namespace) -> int:
    from newsbot.browse.app import create_app, is_loopback, server
    from newsbot.browse.queries import StoreMissing

    try:
        app = create_app(args.db)
    except StoreMissing as exc:
        return _fail("browse", str(exc))
    except Exception as exc:  # a PostgreSQL server that does not answer, a file that is not a store...
        return _fail("browse", f"cannot read the store: {exc}")
    if not is_loopback(args.bind):
        print(f"newsbot browse: WARNING: listening on {args.bind}: anyone who can reach this machine on port "
              f"{args.port} can read the whole store", file=sys.stderr)
    try:
        srv = server(app, args.bind, args.port)
    except OSError as exc:
        return _fail("browse", f"cannot listen on {args.bind}:{args.port}: {exc.strerror or exc}")
    host = f"[{args.bind}]" if ":" in args.bind else args.bind
    print(f"newsbot browse: {app.jinja_env.globals['store_name']} read-only at http://{host}:{srv.server_port}/"
          " (Ctrl-C stops)", file=sys.stderr, flush=True)
    return _serve_until_interrupted(srv)


def _serve_until_interrupted(srv) -> int:  # a werkzeug BaseWSGIServer
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


def _open_db(command: str, db: str | None) -> ReadOnlyStore | int:
    """The store, read-only; or the exit code after saying why it cannot be read."""
    from newsbot.browse.queries import ReadOnlyStore, StoreMissing

    try:
        store = ReadOnlyStore(db)
    except StoreMissing as exc:
        return _fail(command, str(exc))
    except Exception as exc:  # a PostgreSQL server that does not answer
        return _fail(command, f"cannot read the store: {exc}")
    try:
        store.rows("SELECT 1 FROM articles LIMIT 1")  # a file that is not a store says so now, not mid-way
    except Exception as exc:
        store.close()
        return _fail(command, f"cannot read the store {store.describe()}: {exc}")
    return store


def run_show(args: argparse.Namespace) -> int:
    from newsbot.browse.queries import ARTICLE_EXTRA, find_article

    db = _open_db("show", args.db)
    if isinstance(db, int):
        return db
    with db:
        row = find_article(db, args.url)
    if row is None:
        return _fail("show", f"no stored article for {args.url}", 1)
    has_raw = row.pop("has_raw")
    if not args.all:
        for name in ARTICLE_EXTRA:
            row.pop(name)
    else:
        row["has_raw"] = has_raw
    utf8_stdout().write(dumps(row, indent=2) + "\n")
    return 0


def run_ls(args: argparse.Namespace) -> int:
    from newsbot.browse.queries import MAX_PAGE, ArticleQuery, list_articles
    from newsbot.store.timeutil import bound

    try:
        query = ArticleQuery(site=args.site, since=bound(args.since), until=bound(args.until, upper=True),
                             section=args.section, min_words=max(0, args.min_words), max_words=max(0, args.max_words),
                             text=args.query)
    except ValueError as exc:
        return _fail("ls", str(exc))
    db = _open_db("ls", args.db)
    if isinstance(db, int):
        return db
    out = utf8_stdout()
    left = args.limit if args.limit > 0 else None
    with db:
        while left is None or left > 0:
            query.limit = min(MAX_PAGE, left) if left is not None else MAX_PAGE
            page = list_articles(db, query)
            for a in page.rows:
                if args.format == "jsonl":
                    out.write(dumps({k: a[k] for k in a if k not in ("id", "key")}) + "\n")
                else:
                    out.write(f"{a['published_utc'] or '-':<20}  {a['site'] or '-':<24}  {a['word_count']:>6}  "
                              f"{a['title'] or '-'}  {a['url']}\n")
            if left is not None:
                left -= len(page.rows)
            if not page.next_cursor:
                break
            query.after = page.next_cursor
    out.flush()
    return 0


def _fetch(url: str) -> tuple[bytes, str, dict[str, str]]:
    """One page over HTTP(S): (body, final URL, headers)."""
    from urllib.request import Request, urlopen

    from newsbot import __version__

    req = Request(url, headers={"User-Agent": f"newsbot/{__version__} (inspect)"})
    with urlopen(req, timeout=30) as resp:  # noqa: S310 (the user asked for this URL)
        return resp.read(), resp.geturl(), dict(resp.headers.items())


def run_inspect(args: argparse.Namespace) -> int:
    from newsbot.browse.inspector import render_report, trace_page

    if bool(args.page) == bool(args.stored):
        return _fail("inspect", "give one of PAGE.html, URL or --stored URL")
    headers: dict[str, str] | None = None
    if args.stored:
        from newsbot.browse.queries import find_article, raw_page

        db = _open_db("inspect", args.db)
        if isinstance(db, int):
            return db
        with db:
            row = find_article(db, args.stored)
            raw = raw_page(db, row["id"]) if row else None
        if row is None:
            return _fail("inspect", f"no stored article for {args.stored}", 1)
        if raw is None:
            return _fail("inspect", f"no raw page stored for {args.stored}", 1)
        data, url, headers, source = raw.body, row["url"], raw.headers, f"{row['url']} (stored {raw.fetched_at or ''})"
    elif args.page.startswith(("http://", "https://")):
        try:
            data, url, headers = _fetch(args.page)
        except OSError as exc:
            return _fail("inspect", f"{args.page}: {getattr(exc, 'reason', None) or exc}", 1)
        source = url
    else:
        path = Path(args.page)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _fail("inspect", f"{path}: {exc.strerror or exc}", 1)
        url, source = args.page_url or "", str(path) + (f" ({args.page_url})" if args.page_url else "")
    record, trace = trace_page(data, url=url or None, headers=headers)
    html = render_report(trace, record, source)
    if args.serve:
        return _serve_report(html, args.port)
    output = args.output or ("newsbot-inspect.html" if args.open else None)
    if output is None:
        utf8_stdout().write(html)
        return 0
    Path(output).write_text(html, encoding="utf-8")
    print(f"newsbot inspect: {len(trace.kept)} blocks kept, {len(trace.dropped)} dropped -> {output}", file=sys.stderr)
    if args.open:
        webbrowser.open(Path(output).resolve().as_uri())
    return 0


def _serve_report(html: str, port: int) -> int:
    from flask import Flask, Response

    from newsbot.browse.app import csp, server

    app = Flask(__name__)

    @app.get("/")
    def report() -> Response:
        return Response(html, mimetype="text/html", headers={"Content-Security-Policy": csp(),
                                                             "Referrer-Policy": "no-referrer"})

    srv = server(app, "127.0.0.1", port)
    print(f"newsbot inspect: report at http://127.0.0.1:{srv.server_port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    return _serve_until_interrupted(srv)
