"""`newsbot health`: extraction health per site (site_health) and the last scheduled run, for monitoring.

Exit code 3 when a site's latest run raised an alarm nobody acknowledged (so a monitoring check can
run it), 0 otherwise; `--ack SITE` accepts a site's new layout as its baseline.
"""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.output import dumps, utf8_stdout


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "health",
        help="extraction health per site and the last scheduled run (exit 3 on an open alarm)",
        description="Shows each site's latest extraction health (share of article pages with a body, title, date "
        "and confident extraction) against its usual level, and the last `newsbot crawl` run report.",
    )
    p.add_argument("--db", metavar="URL", help="store URL (default: $NEWSBOT_DB or data/newsbot.db)")
    p.add_argument("--site", help="only this site, with its run history")
    p.add_argument("--ack", metavar="SITE", help="accept SITE's alarmed runs as its new normal (after a redesign)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=run_health_cmd)


def health_overview(db: str | None = None) -> dict:
    """Latest health per site and the last run report: for `newsbot health` and `newsbot stats`."""
    from newsbot.health.store import HealthStore
    from newsbot.jobs.damage import damage
    from newsbot.jobs.report import RunReport
    from newsbot.state import state_dir

    try:
        with HealthStore(db, create=False) as hs:  # read-only: a store never crawled has no site_health yet
            sites = hs.latest()
    except Exception as exc:
        if damage(exc):  # a damaged file is not a store without health rows
            raise
        sites = []
    last = state_dir(db) / "runs" / "last-run.json"
    run = None
    if last.exists():
        rep = RunReport.read(last)
        run = {"run_id": rep.run_id, "started": rep.started, "exit_code": rep.exit_code, "outcome": rep.outcome,
               "failed": [s.site for s in rep.sites if s.failed], "alarms": [s.site for s in rep.sites if s.alarm],
               "report": str(last)}
    return {"sites": sites, "last_run": run}


def health_lines(view: dict) -> list[str]:
    """A few text lines for `newsbot stats`: the last run and each site's latest health."""
    lines = []
    run = view.get("last_run")
    if run:
        lines.append(f"  last run {run['run_id']}: exit {run['exit_code']} ({run['outcome']})")
    for s in view.get("sites", []):
        alarm = ""
        if s["alarm"]:
            alarm = ("  (alarm acknowledged) " if s["acknowledged"] else "  ALARM: ") + s["alarm"]
        lines.append(f"  {s['site'][:38]:<40} {_pct(s['score']):>5} (usual {_pct(s['baseline'])}){alarm}")
    return lines


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def run_health_cmd(args: argparse.Namespace) -> int:
    from newsbot.cli.store_cmds import STORE_CHECK_SECONDS, damaged_store, existing_store

    given = args.db
    db, code = existing_store("health", given, check_seconds=STORE_CHECK_SECONDS)
    if db is None:
        return code
    args.db = db
    try:
        return _health(args)
    except Exception as exc:
        return damaged_store("health", given, db, exc)


def _health(args: argparse.Namespace) -> int:
    from newsbot.health.store import HealthStore

    if args.ack:
        with HealthStore(args.db) as hs:
            n = hs.acknowledge(args.ack)
        print(f"newsbot health: {n} alarmed run(s) of {args.ack} accepted as its new baseline", file=sys.stderr)
        return 0
    out = utf8_stdout()
    if args.site:
        with HealthStore(args.db) as hs:
            rows = list(hs.rows(args.site))
        if args.json:
            out.write(dumps(rows, indent=2) + "\n")
        else:
            for r in rows:
                flag = "ALARM " + r["alarm"] if r["alarm"] and not r["acknowledged"] else ""
                out.write(f"{r['at'][:19]}  {r['run_id']:<28} pages {r['pages']:>5}  health {_pct(r['score']):>5}  "
                          f"usual {_pct(r['baseline']):>5}  {flag}\n")
        open_alarm = bool(rows) and bool(rows[-1]["alarm"]) and not rows[-1]["acknowledged"]
        return 3 if open_alarm else 0
    view = health_overview(args.db)
    open_alarms = [s["site"] for s in view["sites"] if s["alarm"] and not s["acknowledged"]]
    last_failed = bool(view["last_run"] and view["last_run"]["exit_code"] == 1)
    if args.json:
        out.write(dumps({**view, "open_alarms": open_alarms}, indent=2) + "\n")
    else:
        run = view["last_run"]
        if run:
            out.write(f"last run {run['run_id']} ({run['started']}): exit {run['exit_code']} ({run['outcome']})\n")
        out.write(f"{'site':<28} {'last run':<20} {'pages':>6} {'health':>7} {'usual':>6}  alarm\n")
        for s in view["sites"]:
            alarm = "" if not s["alarm"] else ("(acknowledged) " if s["acknowledged"] else "ALARM: ") + s["alarm"]
            out.write(f"{s['site'][:28]:<28} {s['at'][:19]:<20} {s['pages']:>6} {_pct(s['score']):>7} "
                      f"{_pct(s['baseline']):>6}  {alarm}\n")
    if last_failed:  # monitoring reads the exit code: a last run that failed is not "healthy"
        run = view["last_run"]
        print(f"newsbot health: the last run {run['run_id']} ended with exit {run['exit_code']} ({run['outcome']})"
              + (f"; failed: {', '.join(run['failed'])}" if run["failed"] else ""), file=sys.stderr)
        return 1
    return 3 if open_alarms else 0
