"""A free local TCP port for the servers the tests and benchmarks start (redis-server, scrapyd, PostgreSQL)."""

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
