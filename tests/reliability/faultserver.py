"""Faults tests/support/httpserver.LocalServer cannot make: bodies too big to build in memory.

`StreamingServer` serves, on 127.0.0.1, a page of `size` bytes generated chunk by chunk (never held
whole) and counts the bytes it managed to send before the client hung up, so a test can tell a
download that was refused early from one that was buffered to the end. `content_length=False`
sends no Content-Length (the body ends when the connection closes), so the client cannot refuse
it from the headers and must stop while reading. Every other path is answered by a fallback
LocalServer-style route table (plain bytes).

`floods` paths answer a status line and then header lines that never end (up to `flood_cap` bytes, so a
client that does not stop is not fed forever); `sent` then counts the header bytes written.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any

from newsbot.demo_server import QuietThreadingHTTPServer

_CHUNK = 64 * 1024


def filler_chunk(size: int = _CHUNK) -> bytes:
    """Arabic paragraphs as UTF-8, exactly `size` bytes (ASCII padding keeps characters whole)."""
    para = "<p>قال مسؤولون إن المحادثات ستستأنف الأسبوع المقبل في العاصمة.</p>\n".encode()
    out = para * (size // len(para))
    return out + b" " * (size - len(out))


class StreamingServer:
    def __init__(self, big: Mapping[str, tuple[int, bool]], routes: Mapping[str, tuple[int, dict, bytes]] | None = None,
                 floods: tuple[str, ...] = (), flood_cap: int = 64 * 2**20, stalls: tuple[str, ...] = ()):
        """big: path -> (size in bytes, send Content-Length); routes: path -> (status, headers, body)."""
        self.big = dict(big)
        self.floods = set(floods)
        self.stalls = set(stalls)  # paths that send their headers and a first KB, then nothing for 5 minutes
        self.flood_cap = flood_cap
        self.routes = dict(routes or {})
        self.sent: dict[str, int] = {}  # path -> body bytes written before the client went away
        self.finished: dict[str, bool] = {}  # path -> the whole body was written
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._httpd = QuietThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def wait_done(self, path: str, timeout: float = 10.0) -> None:
        """Wait until the handler for `path` has stopped writing (sent[] is final)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if path in self.finished:
                    return
            time.sleep(0.02)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StreamingServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(server: StreamingServer) -> type[BaseHTTPRequestHandler]:
    chunk = filler_chunk()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            with server._lock:
                server.hits[path] = server.hits.get(path, 0) + 1
            if path in server.big:
                self._stream(path, *server.big[path])
                return
            if path in server.floods:
                self._flood(path)
                return
            if path in server.stalls:
                self._stall()
                return
            status, headers, body = server.routes.get(path, (404, {"Content-Type": "text/plain"}, b"not found"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, path: str, size: int, content_length: bool) -> None:
            head = '<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>صفحة ضخمة</title></head><body>'
            head_b = head.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if content_length:
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            sent = 0
            done = False
            try:
                self.wfile.write(head_b)
                sent = len(head_b)
                while sent < size:
                    part = chunk[: min(len(chunk), size - sent)]
                    self.wfile.write(part)
                    sent += len(part)
                self.wfile.flush()
                done = True
            except OSError:  # the client refused the rest: exactly what the test looks for
                pass
            finally:
                with server._lock:
                    server.sent[path] = sent
                    server.finished[path] = done

        def _stall(self) -> None:
            self.close_connection = True
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(1024 * 1024))
                self.end_headers()
                self.wfile.write(chunk[:1024])
                self.wfile.flush()
                time.sleep(300)
            except OSError:
                pass

        def _flood(self, path: str) -> None:
            self.close_connection = True
            line = b"X-Padding: " + b"a" * 100 + b"\r\n"
            block = b"".join(b"X-H%d: " % i + line for i in range(512))
            sent = 0
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
                while sent < server.flood_cap:
                    self.wfile.write(block)
                    sent += len(block)
                self.wfile.flush()
            except OSError:
                pass
            finally:
                with server._lock:
                    server.sent[path] = max(sent, server.sent.get(path, 0))
                    server.finished[path] = sent >= server.flood_cap

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
