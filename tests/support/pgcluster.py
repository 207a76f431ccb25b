"""A real, private, throwaway PostgreSQL server for the storage tests (and the store benchmark).

`postgres_url()` gives a URL for the server: $NEWSBOT_TEST_PG when set, otherwise a cluster this
process starts with initdb + pg_ctl from /usr/lib/postgresql/*/bin in a temporary directory on a
free port (as root, run as the `postgres` user, which owns the directory). One cluster per
process, so each pytest-xdist worker has its own; stopped at exit. Imports no pytest: the benchmarks use it
from a plain install (the fixtures are in pg.py).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from tests.support.ports import free_port


class ClusterUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ClusterUnavailable("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): run scripts/install.sh")
    return Path(found[-1]).parent


PREFIX = "newsbot-pg-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans() -> None:
    """Stop and delete clusters whose owning process died without stopping them (a killed test run)."""
    for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/owner.pid"):
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        stale = TempCluster.__new__(TempCluster)
        stale.bin, stale.dir, stale.url = _bin_dir(), owner.parent, "stale"
        stale._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        stale.stop()


class TempCluster:
    """initdb + pg_ctl in a temporary directory; `url` once started."""

    def __init__(self, durable: bool = False):
        self.durable = durable  # False: fsync off, fine for a cluster deleted at exit
        self.bin = _bin_dir()
        self.dir: Path | None = None
        self.url: str | None = None
        self._as: list[str] = []

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        reap_orphans()
        self.dir = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.dir / "owner.pid").write_text(str(os.getpid()))
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: the cluster belongs to the postgres user
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root and there is no 'postgres' user to run the server") from None
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        done = self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync")
        if done.returncode:
            raise ClusterUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        opts = f"-c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=40"
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        last = ""
        for _ in range(3):  # a free port can be taken between probing and binding: try another
            port = free_port()
            done = self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"),
                             "-o", f"-p {port} {opts}", "-w", "-t", "60", "start")
            if done.returncode == 0:
                self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
                return self.url
            last = done.stderr.strip() or done.stdout.strip()
        raise ClusterUnavailable(f"pg_ctl start failed: {last[-500:]}")

    def stop(self) -> None:
        if self.dir is None:
            return
        if self.url:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
            self.url = None
        for _ in range(10):  # the server's last files can appear while the tree is being removed
            shutil.rmtree(self.dir, ignore_errors=True)
            if not self.dir.exists():
                break
            time.sleep(0.2)
        self.dir = None


_cluster: TempCluster | None = None
_failure: str | None = None


def stop_cluster() -> None:
    """Stop this process's private cluster now (also done at exit)."""
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def postgres_url() -> str:
    """$NEWSBOT_TEST_PG, or this process's private cluster (started on first use); ClusterUnavailable if neither."""
    global _cluster, _failure
    if os.environ.get("NEWSBOT_TEST_PG"):
        return os.environ["NEWSBOT_TEST_PG"]
    if _failure:
        raise ClusterUnavailable(_failure)
    if _cluster is None:
        cluster = TempCluster()
        atexit.register(cluster.stop)
        try:
            cluster.start()
        except ClusterUnavailable as exc:
            cluster.stop()
            _failure = str(exc)
            raise
        _cluster = cluster
    assert _cluster.url
    return _cluster.url


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def fresh_schema(url: str) -> tuple[str, str]:
    """A new empty schema on the server: (URL that uses it, schema name)."""
    import psycopg

    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return with_search_path(url, schema), schema


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
