"""A wall-clock budget shared by the sites of one run (`newsbot crawl --max-runtime`).

A run started every 15 minutes must end before the next one is due: sites crawled one after the
other each get what the previous ones left, and Scrapy's CLOSESPIDER_TIMEOUT enforces it inside a
crawl (the spider closes with reason `closespider_timeout`; the next run picks up from there).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TimeBudget:
    def __init__(self, max_runtime: float | None, clock: Callable[[], float] = time.monotonic):
        if max_runtime is not None and max_runtime <= 0:
            raise ValueError("max_runtime must be positive")
        self.max_runtime = max_runtime
        self._clock = clock
        self._start = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def remaining(self) -> float | None:
        """Seconds left; None when unlimited."""
        if self.max_runtime is None:
            return None
        return max(0.0, self.max_runtime - self.elapsed)

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def closespider_timeout(self, floor: int = 1) -> int | None:
        """CLOSESPIDER_TIMEOUT for a crawl started now (whole seconds, at least `floor`); None = no limit.

        Scrapy treats 0 as "no timeout", hence the floor: a crawl started with 0.4 s left gets 1 s.
        """
        left = self.remaining()
        if left is None:
            return None
        return max(floor, math.floor(left))

    def scrapy_settings(self) -> dict[str, int]:
        timeout = self.closespider_timeout()
        return {} if timeout is None else {"CLOSESPIDER_TIMEOUT": timeout}
