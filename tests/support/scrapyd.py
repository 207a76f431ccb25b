"""A real scrapyd for the deployment tests: its own config, directories and free port; never a mock.

    with ScrapydServer(tmp_path / "scrapyd") as sd:
        deploy(sd, tmp_path / "build")                       # scrapyd-deploy, as a user would
        job = sd.schedule("news", url=..., setting=[...])    # schedule.json
        sd.wait(job)                                         # listjobs.json until finished

scrapyd reads `scrapyd.conf` from its working directory: each server gets a directory of its own with
eggs_dir, logs_dir, dbs_dir and http_port set there. `deploy` copies the project's sources (not its
data or build artefacts) to a scratch directory, points a `[deploy:test]` target of scrapy.cfg at the
server, and runs `scrapyd-deploy test` there, so the work tree gets no build/ or egg-info litter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
# what the egg is built from (pyproject.toml is the source of truth; setup.py is scrapyd-deploy's shim)
PROJECT_FILES = ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md", "data/sites.toml")
PROJECT_PACKAGES = ("newsbot", "spiders", "pipelines")


class ScrapydUnavailable(RuntimeError):
    pass


class ScrapydServer:
    def __init__(self, workdir: Path, env: dict[str, str] | None = None):
        if not shutil.which("scrapyd"):
            raise ScrapydUnavailable("scrapyd is not installed (pip install scrapyd)")
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        last = ""
        for _ in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            (self.dir / "scrapyd.conf").write_text(
                "[scrapyd]\n"
                f"http_port = {self.port}\n"
                "bind_address = 127.0.0.1\n"
                f"eggs_dir = {self.dir / 'eggs'}\n"
                f"logs_dir = {self.dir / 'logs'}\n"
                f"dbs_dir = {self.dir / 'dbs'}\n"
                "items_dir =\n"
                "poll_interval = 0.5\n"
                "max_proc = 2\n",
                encoding="utf-8",
            )
            self.log = open(self.dir / "scrapyd.out", "ab")  # noqa: SIM115 - closed in stop()
            self.proc = subprocess.Popen(
                [shutil.which("scrapyd") or "scrapyd"], cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
            )
            self.url = f"http://127.0.0.1:{self.port}/"
            if self._wait():
                return
            self._kill()
            last = (self.dir / "scrapyd.out").read_text(errors="replace")[-1500:]
        raise ScrapydUnavailable(f"scrapyd did not start: {last}")

    def _wait(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if self.get("daemonstatus.json").get("status") == "ok":
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    # -- the HTTP API -----------------------------------------------------------------------------
    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        with urllib.request.urlopen(self.url + endpoint + query, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        data = urllib.parse.urlencode(fields).encode("utf-8")
        with urllib.request.urlopen(self.url + endpoint, data=data, timeout=30) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def schedule(self, spider: str, project: str = "newsbot", settings: dict[str, str] | None = None,
                 **spider_args: str) -> str:
        fields = [("project", project), ("spider", spider)]
        fields += [("setting", f"{k}={v}") for k, v in (settings or {}).items()]
        fields += list(spider_args.items())
        answer = self.post("schedule.json", fields)
        assert answer.get("status") == "ok", answer
        return answer["jobid"]

    def wait(self, job: str, project: str = "newsbot", timeout: float = 300.0) -> dict[str, Any]:
        """Poll listjobs.json until `job` is finished; its entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.get("listjobs.json", project=project)
            for entry in jobs.get("finished", []):
                if entry["id"] == job:
                    return entry
            time.sleep(0.5)
        jobs = self.get("listjobs.json", project=project)
        out = (self.dir / "scrapyd.out").read_text(errors="replace")[-2000:]
        raise TimeoutError(f"scrapyd job {job} not finished after {timeout}s; jobs {jobs}\nscrapyd:\n{out}\n"
                           f"job log:\n{self.job_log(job)[-3000:]}")

    def job_log(self, job: str, project: str = "newsbot", spider: str = "news") -> str:
        path = self.dir / "logs" / project / spider / f"{job}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"

    # -- lifecycle ----------------------------------------------------------------------------------
    def _kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def stop(self) -> None:
        self._kill()

    def __enter__(self) -> ScrapydServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """The project's sources (what scrapyd-deploy packs), without data, caches or build artefacts."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        if (root / name).exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for pkg in PROJECT_PACKAGES:
        shutil.copytree(root / pkg, dest / pkg, ignore=ignore)
    return dest


def deploy(server: ScrapydServer, build_dir: Path, project: str = "newsbot", version: str = "1") -> dict[str, Any]:
    """`scrapyd-deploy test -p PROJECT -v VERSION` from a copy of the project, against `server`."""
    src = copy_project(build_dir)
    cfg = (src / "scrapy.cfg").read_text(encoding="utf-8")
    (src / "scrapy.cfg").write_text(cfg + f"\n[deploy:test]\nurl = {server.url}\nproject = {project}\n", encoding="utf-8")
    deployer = shutil.which("scrapyd-deploy")
    if not deployer:
        raise ScrapydUnavailable("scrapyd-deploy is not installed (pip install scrapyd-client)")
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    done = subprocess.run([deployer, "test", "-p", project, "-v", version, "--debug"], cwd=src, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"scrapyd-deploy failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    # scrapyd-deploy prints the server's JSON answer on stdout
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer.get("status") == "ok", answer
    return answer


@pytest.fixture
def scrapyd_server(tmp_path):
    """A scrapyd of this test's own (fails under CI rather than skipping when scrapyd is missing)."""
    try:
        server = ScrapydServer(tmp_path / "scrapyd", env={"PYTHONPATH": ""})
    except ScrapydUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield server
    server.stop()


__all__ = ["ScrapydServer", "copy_project", "deploy", "scrapyd_server"]
