"""Distributed crawling throughput: pages/s of 1 and 2 workers crawling the same local site.

    python3 benchmarks/distributed.py [--articles 2000] [--page-kb 40,80] [--store postgresql sqlite]

Generates a synthetic Arabic news site (tests/support/sitegen.py) with one flat sitemap listing every
article, so that discovery is not the bottleneck, serves it on 127.0.0.1, starts a private redis-server
and a private PostgreSQL cluster, and times `newsbot crawl`, storing into each store in turn, as:

    1 process, no Redis      the ordinary crawl
    1 worker on Redis        the shared-scheduler overhead alone
    2 workers on Redis       `--workers 2`

each with page analysis in the crawler process (NEWSBOT_EXTRACT_PROCESSES=0), so that a worker is one
process on one core and the rows show how scrapy-redis shares a crawl among processes; then, for
reference, the ordinary crawl with the default ("auto": one extraction process per spare core), which on a
2-core machine already uses both cores from one crawler process.

pages/s = responses the crawlers got (robots.txt aside) / the crawl's own elapsed time (Scrapy's
elapsed_time_seconds, the longest worker's; process start-up excluded). Politeness delays are off (a
local server): this measures the crawler, not the site. Target on 2 cores: 2 workers >= 1.6x one.
"ms CPU/page" is the crawler processes' CPU time (start-up included) per page: unlike pages/s it does
not depend on what else the machine is running, so it shows the shared scheduler's own cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.support.crawl import FAST, env_for  # noqa: E402
from tests.support.httpserver import LocalServer  # noqa: E402
from tests.support.redisserver import RedisServer  # noqa: E402
from tests.support.sitegen import generate_site  # noqa: E402


def flat_sitemap(root: Path, paths: list[str]) -> None:
    """/sitemap-all.xml with every article, announced in robots.txt."""
    urls = "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>" for p in paths)
    (root / "sitemap-all.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>",
        encoding="utf-8",
    )
    robots = root / "robots.txt"
    robots.write_text(robots.read_text(encoding="utf-8") + "Sitemap: {{BASE}}/sitemap-all.xml\n", encoding="utf-8")


class Site:
    """The generated site served by nginx when installed (its CPU then stays out of the crawlers' way), else by
    the Python test server; `.url(path)`, `.stop()`."""

    def __init__(self, root: Path, work: Path, kind: str):
        self.kind = kind
        if kind == "nginx":
            from crawl import Server  # benchmarks/crawl.py: nginx on a free port, {{BASE}} rendered in place

            self._server: Server | LocalServer = Server("nginx", root, work)
            self.base_url = self._server.base_url
        else:
            local = LocalServer(root=root)
            self._server = local
            self.base_url = local.url("/").rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        self._server.stop()


def crawl_once(site: Site, workdir: Path, store: str, extra: list[str], processes: str) -> dict:
    workdir.mkdir(parents=True)
    summary = workdir / "summary.json"
    env = env_for(workdir, NEWSBOT_DB=store, NEWSBOT_STATE_DIR=str(workdir / "state"),
                  NEWSBOT_EXTRACT_PROCESSES=processes)
    t0 = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "newsbot", "crawl", site.url("/"), "--allow-private", "-q", *FAST,
         "--summary-json", str(summary), *extra],
        cwd=workdir, env=env, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"crawl failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    row = next(iter(json.loads(summary.read_text(encoding="utf-8"))["sites"].values()))
    pages = int(row["responses"])  # every response the crawler got (robots.txt aside), summed over workers
    elapsed = float(row["duration"])
    return {"pages": pages, "articles": row["new"], "elapsed": elapsed, "wall": wall, "rate": pages / elapsed,
            "cpu_ms": 1000 * cpu / pages, "worker_pages": row.get("worker_pages")}


def fresh_store(kind: str, workdir: Path, pg_url: str | None, n: int) -> str:
    if kind == "sqlite":
        return str(workdir / f"store{n}.db")
    from tests.support.pgcluster import fresh_schema

    assert pg_url is not None, "a PostgreSQL store: its server was started"
    return fresh_schema(pg_url)[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--page-kb", default="40,80", help="article page size range in KB (default 40,80)")
    ap.add_argument("--store", choices=("sqlite", "postgresql"), nargs="+", default=["postgresql", "sqlite"],
                    help="stores to run the plans on (default both: PostgreSQL is the multi-worker store; several "
                         "local workers may also share one SQLite file)")
    ap.add_argument("--server", choices=("auto", "nginx", "python"), default="auto",
                    help="nginx when installed (apt-get install nginx-light), else the Python test server")
    args = ap.parse_args()
    kind = args.server if args.server != "auto" else ("nginx" if shutil.which("nginx") else "python")
    lo, hi = (int(x) for x in args.page_kb.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="newsbot-bench-dist-"))
    tmp.chmod(0o755)  # nginx's unprivileged worker must read the site
    spec = generate_site(tmp / "site", args.articles, seed=42, page_kb=(lo, hi))
    flat_sitemap(spec.root, spec.articles)
    pg = None
    pg_url = None
    if "postgresql" in args.store:
        from tests.support.pgcluster import TempCluster

        pg = TempCluster()
        pg_url = pg.start()
    redis = RedisServer()
    site = Site(spec.root, tmp, kind)
    print(f"site: {args.articles} articles of {lo}-{hi} KB served by {kind}; cpus: {os.cpu_count()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        plans = [
            ("1 process, no Redis", [], "0"),
            ("1 worker on Redis", ["--redis-url", redis.url], "0"),
            ("2 workers on Redis", ["--workers", "2", "--redis-url", redis.url], "0"),
            ("1 process, auto pool", [], "auto"),
        ]
        n = 0
        for store_kind in args.store:
            print(f"store: {store_kind}")
            runs = results[store_kind] = {}
            for name, extra, processes in plans:
                n += 1
                store = fresh_store(store_kind, tmp, pg_url, n)
                runs[name] = r = crawl_once(site, tmp / f"run{n}", store, extra, processes)
                share = f"  worker pages {r['worker_pages']}" if r["worker_pages"] else ""
                print(f"  {name:<22} {r['pages']:>5} pages {r['articles']:>5} articles  {r['elapsed']:6.1f}s crawl "
                      f"({r['wall']:5.1f}s wall)  {r['rate']:6.1f} pages/s  {r['cpu_ms']:5.1f} ms CPU/page{share}",
                      flush=True)
    finally:
        site.stop()
        redis.stop()
        if pg is not None:
            pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    for store_kind, runs in results.items():
        base = runs["1 process, no Redis"]["rate"]
        two = runs["2 workers on Redis"]["rate"]
        print(f"{store_kind}: 2 workers / 1 process: {two / base:.2f}x   (2 workers / 1 Redis worker: "
              f"{two / runs['1 worker on Redis']['rate']:.2f}x; target >= 1.6x); for reference, 1 process with its "
              f"default extraction processes / 1 process without: {runs['1 process, auto pool']['rate'] / base:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
