"""Crawl benchmark: a generated local news site (tests/support/sitegen.py: N article pages of 100-200 KB
with sitemaps, feeds, paginated sections, URL variants and non-article pages) crawled

  (a) by the bare fetch-only spider (spiders/bare.py: fetch + link walk, no extraction, no store), and
  (b) by the full newsbot crawl (discovery, classification, extraction, pipelines, SQLite store),

reporting pages/s and peak RSS of each crawl process (ru_maxrss from wait4).

    python benchmarks/crawl.py                   # N = 2,000 and 10,000
    python benchmarks/crawl.py --n 500 --runs 1  # a quick run
    python benchmarks/crawl.py --server python   # the Python static server instead of nginx

Targets: full >= 0.67 of bare's pages/s (median of the pairs); the full crawl's peak RSS at the largest N within 20% of the smallest.
The site is served by nginx when installed (`apt-get install nginx-light`), else by newsbot.demo_server; the
server's own throughput is measured first (several client processes) so it is known not to be the bottleneck.
Politeness is off for both crawls (AutoThrottle, delays): it is our own local server.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 0.67  # full crawl pages/s over bare Scrapy's (issue 15)

# same for both crawls: no politeness delays, equal concurrency, no depth cap (long paginations)
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DEPTH_LIMIT": "0",
    "LOG_LEVEL": "WARNING",
    "NEWSBOT_ALLOW_PRIVATE": "1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_in_place(root: Path, base: str) -> None:
    """Substitute {{BASE}} in the generated files (nginx serves them byte for byte)."""
    placeholder, value = b"{{BASE}}", base.encode()
    for path in root.rglob("*"):
        if not path.is_file() or path.name == "manifest.toml":
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            new = gzip.compress(gzip.decompress(data).replace(placeholder, value), mtime=0)
        elif placeholder in data:
            new = data.replace(placeholder, value)
        else:
            continue
        path.write_bytes(new)


NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; application/xml xml; text/plain txt; application/gzip gz; }}
    default_type text/html;
    client_body_temp_path {work}/tmp; proxy_temp_path {work}/tmp; fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp; scgi_temp_path {work}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
        location = /manifest.toml {{ return 404; }}
    }}
}}
"""


class Server:
    def __init__(self, kind: str, root: Path, work: Path):
        self.kind = kind
        self.proc: subprocess.Popen | None = None
        self.demo = None
        if kind == "nginx":
            port = free_port()
            self.base_url = f"http://127.0.0.1:{port}"
            render_in_place(root, self.base_url)
            (work / "tmp").mkdir(exist_ok=True)
            conf = work / "nginx.conf"
            conf.write_text(NGINX_CONF.format(work=work, port=port, root=root))
            self.proc = subprocess.Popen([shutil.which("nginx") or "nginx", "-c", str(conf), "-p", str(work), "-g", "daemon off;"])
            _wait_port(port)
        else:
            from newsbot.demo_server import serve

            self.demo = serve(root)
            self.base_url = self.demo.base_url

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.demo is not None:
            self.demo.stop()


def _wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not start on port {port}")


def _fetch_many(args: tuple[str, list[str]]) -> tuple[int, int]:
    import http.client
    from urllib.parse import urlsplit

    base, paths = args
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)  # host:port
    n = size = 0
    for path in paths:
        conn.request("GET", path)
        resp = conn.getresponse()
        size += len(resp.read())
        n += 1
    conn.close()
    return n, size


def server_rate(base: str, paths: list[str], clients: int = 4) -> float:
    """Requests/s the server sustains with several keep-alive client processes."""
    chunks = [paths[i::clients] for i in range(clients)]
    with ProcessPoolExecutor(clients) as pool:
        t = time.perf_counter()
        n = sum(r[0] for r in pool.map(_fetch_many, [(base, c) for c in chunks]))
        return n / (time.perf_counter() - t)


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> tuple[int, float, int, float]:
    """Run cmd; (returncode, wall seconds, peak RSS in KB, CPU seconds user+system)."""
    t = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def settings_args(extra: dict[str, str] | None = None) -> list[str]:
    out: list[str] = []
    for k, v in {**CRAWL_SETTINGS, **(extra or {})}.items():
        out += ["-s", f"{k}={v}"]
    return out


def crawl_pair(n: int, run: int, base: str, work: Path, urls_file: Path, env: dict[str, str]) -> dict:
    """One bare crawl then one full crawl of the same served site: the ratio is only meaningful within a pair
    (the machine's load changes between pairs)."""
    tag = f"{n}-{run}"
    stats_file = work / f"bare-{tag}.json"
    rc, bare_wall, bare_rss, bare_cpu = run_measured(
        [sys.executable, "-m", "scrapy", "crawl", "bare", "-a", f"url={base}/", "-a", f"urls_file={urls_file}",
         "-a", f"stats_out={stats_file}", *settings_args({"DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter"})],
        env, work / f"bare-{tag}.log",
    )  # fmt: skip
    if rc != 0:
        tail = (work / f"bare-{tag}.log").read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(f"bare crawl failed (exit {rc}); the end of its log:\n" + "\n".join(tail))
    bare = json.loads(stats_file.read_text())
    bare_pages = int(bare.get("downloader/response_count", 0))
    bare_s = float(bare["elapsed_time_seconds"])

    summary_file = work / f"full-{tag}.json"
    store = work / f"store-{tag}.db"
    rc, full_wall, full_rss, full_cpu = run_measured(
        [sys.executable, "-m", "newsbot", "crawl", f"{base}/", "--db", str(store), "--allow-private", "-q",
         "--summary-json", str(summary_file), *settings_args()],
        env, work / f"full-{tag}.log",
    )  # fmt: skip
    if rc != 0:
        tail = (work / f"full-{tag}.log").read_text(errors="replace").splitlines()[-30:]
        raise SystemExit(f"full crawl failed (exit {rc}); the end of its log:\n" + "\n".join(tail))
    for path in store.parent.glob(store.name + "*"):
        path.unlink()  # a 10k-page store is ~1 GB: keep only what later pairs need
    totals = json.loads(summary_file.read_text())["totals"]
    full_pages = int(totals["responses"])
    full_s = float(totals["duration"])
    return {
        "n": n,
        "run": run,
        "bare_pages": bare_pages,
        "bare_s": round(bare_s, 1),
        "bare_pages_s": round(bare_pages / bare_s, 1),
        "bare_rss_mb": round(bare_rss / 1024),
        "full_pages": full_pages,
        "full_articles_new": int(totals.get("new", 0)),
        "full_s": round(full_s, 1),
        "full_pages_s": round(full_pages / full_s, 1),
        "full_rss_mb": round(full_rss / 1024),
        "full_over_bare": round((full_pages / full_s) / (bare_pages / bare_s), 3),
        # CPU seconds of each crawl process (startup included): less sensitive to a busy machine than wall time
        "bare_pages_cpu_s": round(bare_pages / bare_cpu, 1),
        "full_pages_cpu_s": round(full_pages / full_cpu, 1),
        "full_over_bare_cpu": round((full_pages / full_cpu) / (bare_pages / bare_cpu), 3),
        "load_avg": round(os.getloadavg()[0], 1),
    }


class Site:
    """A generated site for N articles, served for the whole run (every pair crawls the same bytes)."""

    def __init__(self, n: int, work: Path, server_kind: str):
        from tests.support.sitegen import generate_site

        self.n = n
        root = work / f"site-{n}"
        t = time.perf_counter()
        spec = generate_site(root, n, seed=0, page_kb=(100, 200))
        self.generate_s = round(time.perf_counter() - t, 1)
        self.site_mb = round(spec.bytes_written / 2**20)
        self.server = Server(server_kind, root, work)
        self.base = self.server.base_url
        self.server_req_s = round(server_rate(self.base, spec.articles[: min(len(spec.articles), 2000)]))
        self.urls_file = work / f"urls-{n}.txt"
        self.urls_file.write_text(
            "".join(f"{self.base}{p}\n" for p in spec.articles + spec.non_articles), encoding="utf-8"
        )


def spread(values: list[float]) -> str:
    """min-median-max, the way the figures are reported."""
    return "-".join(f"{v:.2f}" for v in (min(values), statistics.median(values), max(values)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, nargs="+", default=[2000, 10000], help="article counts (default 2000 10000)")
    p.add_argument("--runs", type=int, default=3, help="bare/full pairs per N, interleaved across N (default 3)")
    p.add_argument("--server", choices=("auto", "nginx", "python"), default="auto")
    p.add_argument("--keep", type=Path, help="work directory to keep (default: a temporary one, removed)")
    args = p.parse_args(argv)
    kind = args.server if args.server != "auto" else ("nginx" if shutil.which("nginx") else "python")
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsbot-bench-crawl-"))
    work.mkdir(parents=True, exist_ok=True)
    # mkdtemp's 0700 hides the site from nginx's unprivileged worker (every page a 404) when run as root
    work.chmod(0o755)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newsbot.settings", "PYTHONPATH": str(ROOT)}
    rows: list[dict] = []
    sites: list[Site] = []
    try:
        for n in args.n:
            sites.append(Site(n, work, kind))
        # interleaved: run 1 of every N, then run 2 of every N, ... so that a slow spell hits all N alike
        for run in range(1, args.runs + 1):
            for site in sites:
                row = crawl_pair(site.n, run, site.base, work, site.urls_file, env)
                row.update(server=kind, server_req_s=site.server_req_s, site_mb=site.site_mb)
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        for site in sites:
            site.server.stop()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{'N':>6} {'run':>3} {'server r/s':>10} {'bare p/s':>9} {'full p/s':>9} {'full/bare':>9} {'(per CPU-s)':>11} "
        f"{'bare RSS':>9} {'full RSS':>9} {'stored':>7} {'load':>5}"
    )
    for r in rows:
        print(
            f"{r['n']:>6} {r['run']:>3} {r['server_req_s']:>10} {r['bare_pages_s']:>9} {r['full_pages_s']:>9} "
            f"{r['full_over_bare']:>9} {r['full_over_bare_cpu']:>11} {r['bare_rss_mb']:>8}M {r['full_rss_mb']:>8}M "
            f"{r['full_articles_new']:>7} {r['load_avg']:>5}"
        )
    print()
    ok = True
    for n in args.n:
        mine = [r for r in rows if r["n"] == n]
        ratios = [r["full_over_bare"] for r in mine]
        ok = ok and statistics.median(ratios) >= TARGET
        print(
            f"N={n}: full/bare pages/s min-median-max {spread(ratios)} "
            f"(per CPU-s {spread([r['full_over_bare_cpu'] for r in mine])}; {len(mine)} runs)"
        )
    print(f"full >= {TARGET:.2f} of bare pages/s (median): {'yes' if ok else 'NO'}")
    if len(args.n) > 1:
        rss = {n: statistics.median([r["full_rss_mb"] for r in rows if r["n"] == n]) for n in args.n}
        growth = rss[args.n[-1]] / rss[args.n[0]]
        print(
            f"full RSS (median) at N={args.n[-1]} / N={args.n[0]}: {growth:.2f} "
            f"({'within' if growth <= 1.2 else 'OVER'} 20%)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
