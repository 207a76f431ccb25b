"""The `newsbot` command: a thin dispatcher over extraction, crawling and storage.

Each sub-command lives in its own module exposing `register(subparsers)`; the module sets
`func` on its parser. Listed here so that `newsbot --help` shows them all, and so that a command
imports only its own module (`newsbot extract` need not load Scrapy, the store or the crawl jobs).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from newsbot import __version__

# each sub-command and the module that registers it, in `newsbot --help` order (tests/test_cli_startup.py checks
# that this is what the modules register)
COMMANDS = {
    "extract": "newsbot.cli.extract_cmd",
    "sites": "newsbot.cli.sites_cmd",
    "crawl": "newsbot.cli.crawl_cmds",
    "scrape": "newsbot.cli.crawl_cmds",
    "demo": "newsbot.cli.crawl_cmds",
    "export": "newsbot.cli.store_cmds",
    "stats": "newsbot.cli.store_cmds",
    "reextract": "newsbot.cli.store_cmds",
    "health": "newsbot.cli.jobs_cmd",
    "browse": "newsbot.cli.browse_cmds",
    "show": "newsbot.cli.browse_cmds",
    "ls": "newsbot.cli.browse_cmds",
    "inspect": "newsbot.cli.browse_cmds",
    "archive": "newsbot.cli.archive_cmd",
}
COMMAND_MODULES = list(dict.fromkeys(COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (command given) one whose only sub-commands are that command's module's: parsing
    `newsbot COMMAND ...` gives the same result and messages either way."""
    parser = argparse.ArgumentParser(prog="newsbot", description="Crawl Arabic news sites into clean article records.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _named_command(argv: list[str]) -> str | None:
    """The sub-command argv starts with; None when it starts with an option (--help, --version, a typo), which
    the whole parser answers."""
    return argv[0] if argv and argv[0] in COMMANDS else None


# numpy's BLAS (OpenBLAS) starts a thread per core when numpy is first imported, which costs the process tens of
# milliseconds; newsbot's numpy work (MinHash signatures, py3langid's small products) never uses BLAS threads
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread() -> None:
    """One BLAS thread in this process and the ones it starts (crawl workers), unless the environment says how
    many; too late once numpy is imported, so the command does it first."""
    if "numpy" not in sys.modules:
        for name in BLAS_THREAD_VARIABLES:
            os.environ.setdefault(name, "1")


def main(argv: list[str] | None = None) -> int:
    _one_blas_thread()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_named_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        build_parser().print_help()  # every command's, whichever parser parsed
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
