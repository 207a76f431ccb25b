"""How many CPUs this process may run on (its affinity mask where the OS has one, e.g. under taskset or a
container's cpuset), for sizing helper process pools."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
