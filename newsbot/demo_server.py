"""A small static web server for the bundled demo site (data/demo) and generated test sites.

`newsbot demo` and the tests crawl a real site over real HTTP on 127.0.0.1 without the internet:
files under `root` are served with the `{{BASE}}` placeholder replaced by the server's origin
(http://127.0.0.1:PORT), so the same files work on any free port. `root/manifest.toml`, when present,
gives per-path response headers (e.g. a windows-1256 page's Content-Type). Imports no Scrapy.
"""

from __future__ import annotations

import gzip
import mimetypes
import sys
import threading
import tomllib
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PLACEHOLDER = b"{{BASE}}"
DEMO_ROOT = Path(__file__).resolve().parent.parent / "data" / "demo"

# text types get the {{BASE}} substitution; everything else is served byte for byte
_TEXT_SUFFIXES = {"", ".html", ".htm", ".xml", ".txt", ".json", ".css", ".js", ".rss", ".atom"}
_CONTENT_TYPES = {
    "": "text/html; charset=utf-8",  # extensionless files are pages (/section/news/12345-slug)
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".gz": "application/gzip",
}


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """Threaded, daemon handler threads; a client hanging up mid-response is normal for crawlers, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def load_manifest(root: Path) -> dict[str, Any]:
    """root/manifest.toml as a dict ({} when absent)."""
    path = Path(root) / "manifest.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


class DemoServer:
    """A running server: `.base_url`, `.url(path)`, `.requests` (paths asked, in order), `.stop()`."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0,
                 headers: Mapping[str, Mapping[str, str]] | None = None):
        self.root = Path(root).resolve()
        manifest_headers = load_manifest(self.root).get("headers", {})
        self.headers: dict[str, dict[str, str]] = {unquote(k): dict(v) for k, v in manifest_headers.items()}
        for k, v in (headers or {}).items():
            self.headers.setdefault(unquote(k), {}).update(v)
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd = QuietThreadingHTTPServer((host, port), _handler_for(self))
        # the socket's own address: server_address is typed as maybe bytes, a socket's host is always str
        bound_host, bound_port = self._httpd.socket.getsockname()[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else bound_host
        self.base_url = f"http://{shown}:{bound_port}"
        self.port = bound_port
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"demo-server-{bound_port}", daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def hits(self, path: str) -> int:
        """How many times this exact path (with its query, as requested) was asked for."""
        with self._lock:
            return self.requests.count(path)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- file lookup
    def resolve(self, url_path: str) -> Path | None:
        """The file serving this URL path (query ignored), or None. Directories serve their index.html."""
        path = unquote(urlsplit(url_path).path)
        parts = [p for p in path.split("/") if p]
        if any(p.startswith((".", "_")) or p == ".." for p in parts):  # build sources, dotfiles, traversal
            return None
        if parts == ["manifest.toml"]:  # the test oracle, not part of the site
            return None
        candidate = self.root.joinpath(*parts) if parts else self.root
        if candidate.is_dir():
            candidate = candidate / "index.html"
        try:
            candidate.resolve().relative_to(self.root)
        except ValueError:
            return None
        return candidate if candidate.is_file() else None

    def render(self, file: Path) -> bytes:
        data = file.read_bytes()
        base = self.base_url.encode("ascii")
        if file.suffix in _TEXT_SUFFIXES:
            return data.replace(PLACEHOLDER, base)
        if file.name.endswith(".xml.gz"):
            # a gzipped sitemap: substitute inside, re-compress (mtime=0 keeps it deterministic)
            return gzip.compress(gzip.decompress(data).replace(PLACEHOLDER, base), mtime=0)
        return data

    def headers_for(self, url_path: str, file: Path) -> dict[str, str]:
        path = unquote(urlsplit(url_path).path)
        ctype = _CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        out = {"Content-Type": ctype}
        out.update(self.headers.get(path, {}))
        return out


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
        server_version = "newsbot-demo/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._respond(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            with server._lock:
                server.requests.append(self.path)
            file = server.resolve(self.path)
            if file is None:
                body = b"<!DOCTYPE html><html><body><h1>404</h1></body></html>"
                headers = {"Content-Type": "text/html; charset=utf-8"}
                status = HTTPStatus.NOT_FOUND
            else:
                body = server.render(file)
                headers = server.headers_for(self.path, file)
                status = HTTPStatus.OK
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and `newsbot demo` print their own
            pass

    return Handler


def serve(root: Path = DEMO_ROOT, host: str = "127.0.0.1", port: int = 0) -> DemoServer:
    """Start serving `root` in a background thread (port 0 = a free port). Use as a context manager or call .stop()."""
    return DemoServer(root, host=host, port=port)


def main(argv: list[str] | None = None) -> int:
    """`python -m newsbot.demo_server [ROOT] [--port N]`: serve until Ctrl-C (handy to look at the demo in a browser)."""
    import argparse
    import time

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", nargs="?", type=Path, default=DEMO_ROOT)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    args = p.parse_args(argv)
    with serve(args.root, args.host, args.port) as srv:
        print(f"serving {args.root} at {srv.base_url}/ (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
