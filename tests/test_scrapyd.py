"""The scrapyd way: deploy the project with scrapyd-deploy to a real scrapyd, schedule the news spider
over the HTTP API against a local site, and find the articles in the store it was told to use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.jobs.site import write_site
from tests.support.httpserver import LocalServer
from tests.support.scrapyd import deploy, scrapyd_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
# the egg needs three hooks in files of other areas (see the scheduled-jobs report); until they are in, this
# test is an expected failure rather than a red herring
_HOOKS_MISSING = not (
    "[project.entry-points.scrapy]" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    and "_load_zipped" in (ROOT / "spiders" / "registry.py").read_text(encoding="utf-8")
    and "pipelines.health.HealthPipeline" in (ROOT / "newsbot" / "settings.py").read_text(encoding="utf-8")
)


@pytest.mark.xfail(_HOOKS_MISSING, reason="scrapy entry point / zipped registry / health pipeline hooks not applied yet")
def test_deploy_schedule_and_store(tmp_path, scrapyd_server):  # noqa: F811
    paths = write_site(tmp_path / "site", {i: "a" for i in range(6)})
    store = tmp_path / "scrapyd-store.db"
    with LocalServer(root=tmp_path / "site") as site:
        answer = deploy(scrapyd_server, tmp_path / "build")
        assert answer["project"] == "newsbot" and answer["spiders"] >= 1
        spiders = scrapyd_server.get("listspiders.json", project="newsbot")["spiders"]
        assert "news" in spiders
        job = scrapyd_server.schedule(
            "news",
            settings={
                "NEWSBOT_DB": str(store),
                "NEWSBOT_ALLOW_PRIVATE": "1",
                "AUTOTHROTTLE_ENABLED": "0",
                "DOWNLOAD_DELAY": "0",
            },
            url=site.url("/"),
        )
        entry = scrapyd_server.wait(job)
        log = scrapyd_server.job_log(job)
    assert entry["spider"] == "news"
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    with sqlite3.connect(store) as db:
        urls = {row[0] for row in db.execute("SELECT url FROM articles")}
        sites = {row[0] for row in db.execute("SELECT DISTINCT site FROM articles")}
    assert urls == {site.url(p) for p in paths}
    assert sites == {f"127.0.0.1_{site.port}"}
    # the deployed settings are the project's: the health pipeline filed the run in the same store
    with sqlite3.connect(store) as db:
        health = db.execute("SELECT site, pages, good FROM site_health").fetchall()
    assert health == [(f"127.0.0.1_{site.port}", 6, 6)]
