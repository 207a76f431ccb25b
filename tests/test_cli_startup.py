"""A command loads only what it uses: `newsbot extract` on an Arabic page imports no crawler, store, URL
canonicaliser or language model, and starts no BLAS threads; the dispatcher's table is what the modules register.
(How fast that makes start-up is measured by benchmarks/startup.py, not here.)"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from newsbot import cli

FIXTURES = Path(__file__).parent / "fixtures" / "body"
ARABIC_PAGE = FIXTURES / "rt_arabic_lavrov.html"
ENGLISH_PAGE = FIXTURES / "en_news_article.html"
ROOT = Path(__file__).resolve().parent.parent

# what an offline extraction of an Arabic page has no use for
NOT_FOR_EXTRACT = ("scrapy", "twisted", "courlan", "w3lib", "py3langid", "numpy", "datasketch", "scipy", "psycopg",
                   "sqlite3", "flask", "warcio", "trafilatura", "newsbot.store", "newsbot.jobs", "newsbot.dedup",
                   "spiders", "pipelines", "newsbot.cli.crawl_cmds", "newsbot.cli.sites_cmd",
                   # a UTF-8 page needs no charset detection, a page without an RFC 2822 date no email parser
                   # (which pulls in socket and calendar)
                   "charset_normalizer", "email.utils")

# runs `newsbot` in-process, then reports (on stderr, after the records) what got imported and the BLAS settings
_PROBE = """
import json, os, sys
from newsbot.cli import main
rc = main(sys.argv[1:])
sys.stdout.flush()
names = %r
loaded = sorted(n for n in names if n in sys.modules or any(m.startswith(n + ".") for m in sys.modules))
print(json.dumps({"rc": rc, "loaded": loaded, "blas": os.environ.get("OPENBLAS_NUM_THREADS"),
                  "threads": len(os.listdir("/proc/self/task"))}), file=sys.stderr)
"""


def probe(*args: str, blas_threads: str | None = None) -> tuple[list[dict], dict]:
    """(records printed, report); blas_threads: OPENBLAS_NUM_THREADS as the user's environment sets it."""
    env = {k: v for k, v in os.environ.items() if k not in cli.BLAS_THREAD_VARIABLES}
    if blas_threads is not None:
        env["OPENBLAS_NUM_THREADS"] = blas_threads
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-c", _PROBE % (NOT_FOR_EXTRACT,), *args], capture_output=True,
                          timeout=120, env=env, cwd=ROOT)
    report = json.loads(proc.stderr.decode("utf-8").strip().splitlines()[-1])
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()], report


def test_extracting_an_arabic_page_loads_nothing_else():
    rows, report = probe("extract", str(ARABIC_PAGE))
    assert report["rc"] == 0 and rows[0]["lang"] == "ar" and rows[0]["body"]
    assert report["loaded"] == []
    assert report["blas"] == "1"
    assert report["threads"] == 1  # no BLAS (or any other) thread started


def test_extract_options_given_load_nothing_else_either():
    # --jobs / --max-bytes are read by a number type that once lived with the job configuration (store and all)
    rows, report = probe("extract", "--jobs", "1", "--max-bytes", "5000000", str(ARABIC_PAGE))
    assert report["rc"] == 0 and rows[0]["lang"] == "ar" and rows[0]["body"]
    assert report["loaded"] == []


def test_a_page_in_latin_script_still_gets_its_language_detected():
    rows, report = probe("extract", str(ENGLISH_PAGE))
    assert report["rc"] == 0 and rows[0]["lang"] == "en"
    assert "py3langid" in report["loaded"] and "numpy" in report["loaded"]
    assert report["threads"] == 1  # numpy came in after the command asked for one BLAS thread


def test_a_blas_thread_count_given_by_the_environment_is_kept():
    _rows, report = probe("extract", str(ENGLISH_PAGE), blas_threads="2")
    assert report["blas"] == "2"


def _registered(module: str) -> list[str]:
    sub = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module).register(sub)
    return list(sub.choices)


def test_the_command_table_is_what_the_modules_register():
    registered = {name: module for module in cli.COMMAND_MODULES for name in _registered(module)}
    assert registered == cli.COMMANDS
    assert list(registered) == list(cli.COMMANDS)  # the --help order


def test_help_still_lists_every_command(capsys):
    try:
        cli.main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert f"    {name} " in out or f"    {name}\n" in out


def test_one_commands_parser_parses_as_the_whole_one():
    argv = ["crawl", "demo-site", "--max-pages", "5", "--depth", "2"]
    whole = cli.build_parser().parse_args(argv)
    alone = cli.build_parser("crawl").parse_args(argv)
    assert vars(whole) == vars(alone)
