"""The `newsbot browse` web app: Flask, Jinja2 (autoescaped), served by werkzeug's threaded WSGI server.

Read-only by construction: only GET routes, and every read goes through a read-only connection
(newsbot.browse.queries.ReadOnlyStore). Scraped pages are hostile input: their text is escaped by the
templates, and the Content-Security-Policy lets a browser load nothing but this app's stylesheet
(no script, no image, no frame, no font), so a page's script, style, iframe or URL never loads or runs.
Links to originals carry rel=noreferrer and are shown only for http(s) URLs.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Flask, Response, abort, g, render_template, request, url_for
from werkzeug.serving import BaseWSGIServer, make_server

from newsbot.browse import plots, queries
from newsbot.browse.inspector import render_report, style_hash, trace_page
from newsbot.health.policy import DEFECTS
from newsbot.record import ArticleRecord
from newsbot.store.timeutil import bound

# the record page's table: every record field (a new one shows without an edit here), then the store's own
SHOWN_ABOVE = ("title", "body")
RECORD_ORDER = (*(name for name in ArticleRecord.field_names() if name not in SHOWN_ABOVE),
                "published_utc", "first_seen", "last_seen", "updated_at")


def csp() -> str:
    return (f"default-src 'none'; style-src 'self' {style_hash()}; form-action 'self'; base-uri 'none';"
            " frame-ancestors 'none'")


def http_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link, else None (shown as text only: javascript:, data:, ...)."""
    if url and url.strip().lower().startswith(("http://", "https://")) and url == url.strip():
        return url
    return None


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def create_app(store_url: str | None = None, page_size: int = queries.PAGE_SIZE) -> Flask:
    app = Flask(__name__)
    app.config["NEWSBOT_STORE"] = store_url
    with queries.ReadOnlyStore(store_url) as probe:  # fail now, with a reason, not on the first request
        probe.rows("SELECT 1 FROM articles LIMIT 1")
        store_name = probe.describe()
    app.jinja_env.globals.update(pct=pct, store_name=store_name)

    def db() -> queries.ReadOnlyStore:
        if "db" not in g:
            g.db = queries.ReadOnlyStore(store_url)
        return g.db

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = csp()
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.get("/")
    def articles() -> str:
        args = request.args
        form = {k: args.get(k, "").strip() for k in ("site", "since", "until", "section", "min_words", "max_words",
                                                      "q", "after")}
        error = None
        page = queries.Page()
        try:
            query = queries.ArticleQuery(
                site=form["site"] or None,
                since=bound(form["since"]),
                until=bound(form["until"], upper=True),
                section=form["section"] or None,
                min_words=_int(form["min_words"], "words from"),
                max_words=_int(form["max_words"], "words to"),
                text=form["q"] or None,
                after=form["after"] or None,
                limit=page_size,
            )
            page = queries.list_articles(db(), query)
        except ValueError as exc:
            error = str(exc)
        query_args = {k: v for k, v in form.items() if v and k != "after"}
        return render_template("articles.html", page=page, form=form, error=error, query_args=query_args,
                               sites=queries.sites(db()))

    @app.get("/article")
    def article() -> str:
        a = _article()
        fields = [(name, a.get(name)) for name in RECORD_ORDER]
        return render_template("article.html", a=a, fields=fields, safe_url=http_url(a["url"]),
                               paragraphs=[p for p in (a["body"] or "").split("\n\n") if p])

    @app.get("/inspect")
    def inspect_stored() -> Response:
        a = _article()
        raw = queries.raw_page(db(), a["id"])
        if raw is None:
            abort(404, "no raw page stored for this article")
        record, trace = trace_page(raw.body, url=a["url"], headers=raw.headers)
        html = render_report(trace, record, a["url"], back=url_for("article", key=a["key"]))
        return Response(html, mimetype="text/html")

    @app.get("/sites")
    def site_list() -> str:
        return render_template("sites.html", sites=queries.sites(db()), health=queries.latest_health(db()))

    @app.get("/site/<path:site>")
    def site_view(site: str) -> str:
        counts = dict(queries.sites(db()))
        runs = queries.site_health(db(), site)
        if site not in counts and not runs:
            abort(404, f"no article or run of site {site!r} in this store")
        labels = [f"{r['run_id']} ({(r['at'] or '')[:16]})" for r in runs]
        articles_plot = plots.line_plot(
            [plots.Point(lab, r["pages"], r["alarm"]) for lab, r in zip(labels, runs, strict=True)],
            f"{site}: article pages per run")
        health_plot = plots.line_plot(
            [plots.Point(lab, _score(r), r["alarm"]) for lab, r in zip(labels, runs, strict=True)],
            f"{site}: extraction health per run", percent=True, y_max=1.0)
        report = queries.last_report(store_url)
        return render_template("site.html", site=site, count=counts.get(site, 0), runs=runs, defects=DEFECTS,
                               articles_plot=articles_plot, health_plot=health_plot, report=report,
                               site_report=report.site(site) if report else None)

    def _article() -> dict[str, Any]:
        key = request.args.get("key", "")
        found = queries.find_article(db(), key) if key else None
        if found is None:
            abort(404, "no stored article with this URL")
        return found

    return app


def _int(text: str, what: str) -> int:
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"{what}: not a whole number: {text!r}")
    return int(text)


def _score(run: dict[str, Any]) -> float | None:
    if run["score"] is not None:
        return float(run["score"])
    return run["good"] / run["pages"] if run["pages"] else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server(app: Flask, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """werkzeug's threaded WSGI server for `app` (port 0: any free port; see `.server_port`)."""
    return make_server(host, port, app, threaded=True)
