"""Browse pagination benchmark: time to read one page of the article list at growing depths, in a store of
N articles (default 100,000), with keyset pagination (newsbot.browse.queries) against OFFSET as the baseline.

    python benchmarks/browse_pages.py                 # N = 100,000 on SQLite
    python benchmarks/browse_pages.py --n 20000

Reports milliseconds per page (median of 5) and, per depth, the ratio to the first page: keyset pages stay
flat (the index walk starts at the cursor), OFFSET pages grow with the depth. Figures are ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbot.browse.queries import LIST_COLUMNS, ArticleQuery, ReadOnlyStore, list_articles  # noqa: E402
from tests.support.browse import fill_many  # noqa: E402

PAGE = 50


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--site", default=None, help="filter on one site (s3.test) as well")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsbot-browse-bench-") as tmp:
        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        fill_many(path, args.n)
        print(f"store: {args.n} articles in {time.perf_counter() - t0:.1f}s")
        with ReadOnlyStore(str(path)) as db:
            depths = [d for d in (0, 10, 100, 1000, args.n // PAGE - 2) if d * PAGE < args.n]
            # cursors at each depth, by walking the keyset pages once
            cursors: dict[int, str | None] = {0: None}
            query, depth = ArticleQuery(limit=PAGE, site=args.site), 0
            while depth < max(depths):
                page = list_articles(db, query)
                if not page.next_cursor:
                    break
                depth += 1
                query.after = page.next_cursor
                cursors[depth] = page.next_cursor
            where = " AND site = ?" if args.site else ""
            params = [args.site] if args.site else []
            cols = ", ".join(LIST_COLUMNS)
            print(f"{'page':>6} {'keyset ms':>10} {'x first':>8} {'OFFSET ms':>10} {'x first':>8}")
            first_k = first_o = 0.0  # set by the first page's timings
            for d in depths:
                if d not in cursors:
                    continue
                q = ArticleQuery(limit=PAGE, site=args.site, after=cursors[d])
                k = _median_ms(lambda q=q: list_articles(db, q))
                sql = (f"SELECT {cols} FROM articles WHERE published_utc IS NOT NULL{where}"
                       f" ORDER BY published_utc DESC, id DESC LIMIT {PAGE} OFFSET {d * PAGE}")
                o = _median_ms(lambda sql=sql: db.rows(sql, params))
                first_k, first_o = first_k or k, first_o or o
                print(f"{d + 1:>6} {k:>10.2f} {k / first_k:>8.1f} {o:>10.2f} {o / first_o:>8.1f}")
            # text search has no index: a common word fills a page early, a rare one reads the whole table
            for word, what in (("عنوان", "common"), ("no-such-word", "absent")):
                q = ArticleQuery(limit=PAGE, site=args.site, text=word)
                ms = _median_ms(lambda q=q: list_articles(db, q), repeat=3)
                print(f"text search, {what} word: {ms:.1f} ms per page ({ms / first_k:.0f}x the first list page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
