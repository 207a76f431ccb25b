"""The `newsbot` command: a thin dispatcher over extraction, crawling and storage.

Each sub-command lives in its own module exposing `register(subparsers)`; the module sets
`func` on its parser. Listed here so that `newsbot --help` shows them all.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from newsbot import __version__

COMMAND_MODULES = [
    "newsbot.cli.extract_cmd",
    "newsbot.cli.sites_cmd",
    "newsbot.cli.crawl_cmds",
    "newsbot.cli.store_cmds",
    "newsbot.cli.jobs_cmd",
    "newsbot.cli.browse_cmds",
    "newsbot.cli.archive_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Crawl Arabic news sites into clean article records.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"newsbot {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `newsbot extract ... | head`: the reader left. Point stdout at devnull so the
        # interpreter's final flush doesn't raise again (recipe from the signal module docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # one line, not a traceback (that is for --debug)
        if getattr(args, "debug", False):
            raise
        text = str(exc).strip().splitlines()
        print(f"newsbot {args.command}: {type(exc).__name__}: {text[0] if text else ''} (details: --debug)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
