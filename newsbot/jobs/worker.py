"""One worker of `newsbot crawl --workers N` (started by newsbot.jobs.workers, not by hand):

    python -m newsbot.jobs.worker SPEC.json RESULT.json

SPEC holds the targets and run_crawl's keyword arguments (with the shared-scheduler settings);
RESULT gets the crawl summary. A fresh process per worker: the Twisted reactor cannot restart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    spec_path, result_path = (argv if argv is not None else sys.argv[1:])[:2]
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    from spiders.runner import run_crawl

    summary = run_crawl(spec["targets"], **spec["kwargs"])
    tmp = Path(result_path + ".tmp")
    tmp.write_text(json.dumps(summary.to_dict(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(result_path)
    return summary.exit_status


if __name__ == "__main__":
    sys.exit(main())
