"""A real, private redis-server for the distributed-crawl tests and benchmark (never a mock).

`RedisServer()` starts `redis-server` on a free 127.0.0.1 port with its own temporary directory, no
persistence, and waits until it answers PING; `stop()` ends it. Imports no pytest: the benchmarks use it from a
plain install (the `redis_server` fixture is in redis.py).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.ports import free_port


class RedisUnavailable(RuntimeError):
    pass


class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RedisUnavailable("redis-server not found (Debian package redis-server: run scripts/install.sh)")
        self.dir = Path(tempfile.mkdtemp(prefix="newsbot-redis-"))
        last = ""
        for _ in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            self.proc = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                 "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(self.dir / "redis.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if self._wait():
                self.url = f"redis://127.0.0.1:{self.port}/0"
                return
            self.proc.kill()
            self.proc.wait()
            log = self.dir / "redis.log"
            last = log.read_text(errors="replace")[-500:] if log.exists() else ""
        shutil.rmtree(self.dir, ignore_errors=True)
        raise RedisUnavailable(f"redis-server did not start: {last}")

    def _wait(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
