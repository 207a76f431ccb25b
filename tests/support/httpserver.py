"""A real local HTTP server for tests: routes, recorded requests and injected faults.

    with LocalServer({"/a": Route(body=b"hi"), "/b": Route.sequence(Route(503, retry_after=1), Route(body=b"ok"))}) as srv:
        fetch(srv.url("/a")); ...
        assert srv.hits("/b") == 2

Routes are looked up by the full request target (path + query) first, then by the path alone. A callable
`handler(request) -> Route | None` is asked first (None falls through to the routes). With `root=`, paths
not routed are served as static files from that directory through newsbot.demo_server's rules ({{BASE}}
substitution, index.html for directories), so a generated site can be served with faults on some paths.
HTTP/1.1 with Content-Length; daemon threads; nothing here mocks the network.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from newsbot.demo_server import DemoServer, QuietThreadingHTTPServer, load_manifest

__all__ = ["LocalServer", "Recorded", "Route", "serve_routes"]


@dataclass
class Route:
    """One response, plus how to misbehave while sending it."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before the status line (timeouts, slow servers)
    drip: float = 0.0  # seconds between body chunks (slow drip)
    chunk_size: int = 1024
    reset_after: int | None = None  # send headers + this many body bytes, then reset the connection (RST)
    retry_after: int | str | None = None  # adds a Retry-After header (seconds or HTTP date)
    location: str | None = None  # adds a Location header (use with 301/302/307/308)
    _sequence: list[Route] | None = field(default=None, repr=False)

    @classmethod
    def sequence(cls, *routes: Route) -> Route:
        """Successive hits get successive routes; the last one repeats (e.g. 503, 503, 200)."""
        return cls(_sequence=list(routes))

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Route:
        return cls(status=status, location=location)

    @classmethod
    def html(cls, text: str, status: int = 200, charset: str = "utf-8", **kw: Any) -> Route:
        return cls(status=status, body=text.encode(charset),
                   headers={"Content-Type": f"text/html; charset={charset}", **kw.pop("headers", {})}, **kw)

    @classmethod
    def throttled(cls, then: Route, times: int = 2, status: int = 429, retry_after: int | str = 1) -> Route:
        """`times` refusals with Retry-After, then `then` for good."""
        return cls.sequence(*[cls(status=status, retry_after=retry_after) for _ in range(times)], then)

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # request target: path + query, as sent
    headers: dict[str, str]
    at: float  # time.monotonic()

    def header(self, name: str) -> str | None:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


Handler = Callable[[Recorded], "Route | None"]


class LocalServer:
    """Serve routes (and optionally a static root) on 127.0.0.1 in a background thread until stop()."""

    def __init__(self, routes: Mapping[str, Route | tuple] | None = None, handler: Handler | None = None,
                 root: Path | None = None, host: str = "127.0.0.1", port: int = 0):
        self._lock = threading.Lock()
        self.routes: dict[str, Route] = {}
        for path, route in (routes or {}).items():
            self.add(path, route)
        self.handler = handler
        self.requests: list[Recorded] = []
        self._counts: dict[str, int] = {}
        self._httpd = QuietThreadingHTTPServer((host, port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        # a static root reuses the demo server's file rules; its own listener is never started
        self._static = _StaticFiles(Path(root), self.base_url) if root is not None else None
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"test-http-{self.port}", daemon=True)
        self._thread.start()

    # ---- routes
    def add(self, path: str, route: Route | tuple) -> None:
        """Add or replace a route. A tuple is (status, headers, body)."""
        if isinstance(route, tuple):
            status, headers, body = route
            route = Route(status=status, headers=dict(headers or {}), body=body)
        with self._lock:
            self.routes[path] = route

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # ---- what was asked
    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def hits(self, path: str) -> int:
        """Requests for this path; a path without '?' counts every query variant of it too."""
        with self._lock:
            if "?" in path:
                return sum(1 for r in self.requests if r.path == path)
            return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    def wait_for(self, predicate: Callable[[LocalServer], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        return predicate(self)

    # ---- lifecycle
    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- dispatch (called from handler threads)
    def _route_for(self, req: Recorded) -> Route | None:
        if self.handler is not None:
            found = self.handler(req)
            if found is not None:
                return found
        with self._lock:
            key = req.path if req.path in self.routes else urlsplit(req.path).path
            route = self.routes.get(key)
            if route is None or route._sequence is None:
                return route
            n = self._counts.get(key, 0)
            self._counts[key] = n + 1
            return route._sequence[min(n, len(route._sequence) - 1)]


class _StaticFiles(DemoServer):
    """DemoServer's lookup/render/headers without its own socket."""

    def __init__(self, root: Path, base_url: str):  # deliberately skips DemoServer.__init__ (no socket)
        self.root = root.resolve()
        self.headers = {unquote(k): dict(v) for k, v in load_manifest(self.root).get("headers", {}).items()}
        self.base_url = base_url

    def route(self, path: str) -> Route | None:
        file = self.resolve(path)
        if file is None:
            return None
        return Route(body=self.render(file), headers=self.headers_for(path, file))


_NOT_FOUND = Route(status=404, body=b"not found", headers={"Content-Type": "text/plain; charset=utf-8"})


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "newsbot-test/1"

        def do_GET(self) -> None:  # noqa: N802
            self._serve(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._serve(send_body=True)

        def _serve(self, send_body: bool) -> None:
            req = Recorded(self.command, self.path, dict(self.headers.items()), time.monotonic())
            with server._lock:
                server.requests.append(req)
            route = server._route_for(req)
            if route is None and server._static is not None:
                route = server._static.route(self.path)
            route = route or _NOT_FOUND
            if route.delay:
                time.sleep(route.delay)
            body = route.body_bytes()
            self.send_response(route.status)
            headers = dict(route.headers)
            if route.retry_after is not None:
                headers.setdefault("Retry-After", str(route.retry_after))
            if route.location is not None:
                headers.setdefault("Location", route.location)
            if body and not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "text/html; charset=utf-8"
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not send_body:
                return
            if route.reset_after is not None:
                self.wfile.write(body[: route.reset_after])
                self.wfile.flush()
                _reset(self.connection)
                self.close_connection = True
                return
            if route.drip:
                for i in range(0, len(body), route.chunk_size):
                    self.wfile.write(body[i : i + route.chunk_size])
                    self.wfile.flush()
                    time.sleep(route.drip)
            else:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer sees a TCP RST (connection reset), not a clean EOF."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    except OSError:
        pass


def serve_routes(routes: Mapping[str, Route | tuple] | Iterable[tuple[str, Route]] = (), **kw: Any) -> LocalServer:
    """Shorthand: LocalServer(dict(routes), **kw)."""
    return LocalServer(dict(routes), **kw)
