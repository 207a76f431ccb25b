"""Argument types the commands share, in a module of their own: `newsbot extract --jobs 2` must not import the
store and the job configuration (newsbot/jobs/config.py) to read a number."""

from __future__ import annotations

import argparse
from typing import Any


def positive(kind: type = int):
    """An argparse type: a number > 0 (limits: 0 or a negative value is refused, never read as "no limit")."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a {'whole ' if kind is int else ''}number > 0, got {text!r}")
        return value

    parse.__name__ = "positive " + kind.__name__
    return parse
