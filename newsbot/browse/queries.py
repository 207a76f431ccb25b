"""Read-only reads of a store, shared by `newsbot browse`, `newsbot show` and `newsbot ls`.

Nothing here can change a store: SQLite is opened with the `mode=ro` URI (the file must exist and no
statement may write), PostgreSQL with a read-only session (every transaction is READ ONLY; each read
ends with a rollback). The SQL is the store's own schema (newsbot/store/schema.py, the site_health
table of newsbot/health/store.py), written once with `?` placeholders.

Article lists are keyset-paginated, newest published first: a page is "the next N after this
(published_utc, id)", which the indexes articles_published (published_utc) and articles_site
(site, published_utc) answer directly however deep the page (an OFFSET would read every row before
it). Articles without a date come after all dated ones, newest stored first.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from newsbot.jobs.report import RunReport
from newsbot.record import ArticleRecord, RawPage
from newsbot.state import locate, state_dir
from newsbot.store.backends import BACKENDS, describe, resolve_url
from newsbot.store.core import LIST_FIELDS, RECORD_FIELDS, Filters
from newsbot.store.warc import decode_raw
from newsbot.urls import canonicalize

LIST_COLUMNS = ("id", "key", "url", "site", "title", "section", "published_utc", "word_count", "lang", "duplicate_of")
PAGE_SIZE = 50
MAX_PAGE = 500


class StoreMissing(RuntimeError):
    """The store to read does not exist (a read-only reader never creates one)."""


class ReadOnlyStore:
    """One read-only connection to a store (not shared between threads)."""

    def __init__(self, url: str | None = None):
        self.url = resolve_url(url)
        loc = locate(self.url)
        self.dialect = loc.kind
        self.backend = BACKENDS[loc.kind]
        try:
            self.session = self.backend.read_only(loc.target)
        except FileNotFoundError:
            raise StoreMissing(f"no store at {loc.target} (run `newsbot demo` or `newsbot crawl` first, or "
                               "pass --db)") from None

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        return self.session.rows(sql, params)

    def has_table(self, name: str) -> bool:
        return bool(self.rows(self.backend.table_exists, (name,))[0][0])

    def describe(self) -> str:
        return describe(self.url)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ReadOnlyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- article lists --------------------------------------------------------------------------------------


@dataclass
class ArticleQuery:
    """A filtered list of stored articles; `after` is the cursor of the previous page."""

    site: str | None = None
    since: str | None = None  # UTC text bounds on published_utc (newsbot.store.timeutil.bound)
    until: str | None = None
    section: str | None = None
    min_words: int = 0
    max_words: int = 0
    text: str | None = None  # in the title or the body
    limit: int = PAGE_SIZE
    after: str | None = None

    def where(self, dialect: str) -> tuple[list[str], list[Any]]:
        # the store's own filters (the same meaning as `newsbot export`'s), then the ones only browsing has
        sql, params = Filters(sites=[self.site] if self.site else [], since=self.since, until=self.until,
                              min_words=self.min_words, include_duplicates=True).where()
        clauses = [sql.removeprefix(" WHERE ")] if sql else []
        if self.section:
            clauses.append("section = ?")
            params.append(self.section)
        if self.max_words:
            clauses.append("word_count <= ?")
            params.append(self.max_words)
        if self.text:
            like = BACKENDS[dialect].case_insensitive_like
            pattern = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(f"(title {like} ? ESCAPE '\\' OR body {like} ? ESCAPE '\\')")
            params += [pattern, pattern]
        return clauses, params


@dataclass
class Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def _cursor(kind: str, published: str | None, article_id: int | None) -> str:
    raw = json.dumps([kind, published, article_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(cursor: str) -> tuple[str, str | None, int | None]:
    """('d', published_utc, id) inside the dated articles, ('n', None, id|None) inside the undated ones."""
    try:
        kind, published, article_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if kind not in ("d", "n") or (kind == "d" and not isinstance(published, str)):
            raise ValueError
        if article_id is not None and not isinstance(article_id, int):
            raise ValueError
        return kind, published, article_id
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a page cursor of this list: {cursor[:40]!r}") from exc


def list_sql(query: ArticleQuery, dialect: str) -> list[tuple[str, list[Any], str]]:
    """The one or two statements a page needs: (sql, params, part) with part 'd' (dated) or 'n' (undated)."""
    kind, published, article_id = parse_cursor(query.after) if query.after else ("d", None, None)
    base, params = query.where(dialect)
    cols = ", ".join(LIST_COLUMNS)
    statements = []
    if kind == "d":
        clauses, p = [*base, "published_utc IS NOT NULL"], list(params)
        if published is not None:
            # a range on the index column, then the tie-break: the index answers it without sorting
            clauses.append("published_utc <= ? AND (published_utc < ? OR id < ?)")
            p += [published, published, article_id]
        statements.append((f"SELECT {cols} FROM articles WHERE {' AND '.join(clauses)}"
                           " ORDER BY published_utc DESC, id DESC LIMIT ?", p, "d"))
    clauses, p = [*base, "published_utc IS NULL"], list(params)
    if kind == "n" and article_id is not None:
        clauses.append("id < ?")
        p.append(article_id)
    statements.append((f"SELECT {cols} FROM articles WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT ?", p, "n"))
    return statements


def list_articles(db: ReadOnlyStore, query: ArticleQuery) -> Page:
    """One page of articles, newest published first (undated ones last), and the cursor of the next page."""
    limit = max(1, min(MAX_PAGE, query.limit))
    page = Page()
    for sql, params, part in list_sql(query, db.dialect):
        want = limit - len(page.rows)
        rows = [dict(zip(LIST_COLUMNS, r, strict=True)) for r in db.rows(sql, [*params, want + 1])]
        page.rows += rows[:want]
        if len(rows) > want:  # more of this part after the page
            last = page.rows[-1] if want else None
            if last is None:  # the page ended exactly where this part starts
                page.next_cursor = _cursor(part, None, None) if part == "n" else None
            else:
                page.next_cursor = _cursor(part, last["published_utc"] if part == "d" else None, last["id"])
            return page
    return page


def explain(db: ReadOnlyStore, query: ArticleQuery) -> list[str]:
    """The database's plan for each statement of a page (to check that it reads an index, not the table)."""
    plans = []
    for sql, params, _ in list_sql(query, db.dialect):
        rows = db.rows(f"{db.backend.explain} {sql}", [*params, query.limit + 1])
        plans.append("\n".join(str(r[db.backend.plan_column]) for r in rows))
    return plans


# ---- one article ------------------------------------------------------------------------------------------

ARTICLE_EXTRA = ("id", "key", "published_utc", "first_seen", "last_seen", "updated_at")


def find_article(db: ReadOnlyStore, url_or_key: str) -> dict[str, Any] | None:
    """Every stored field of one article, found by its URL (any URL the store knows for it) or key."""
    cols = (*RECORD_FIELDS, *ARTICLE_EXTRA)
    select = f"SELECT {', '.join('a.' + c for c in cols)}, r.article_id IS NOT NULL FROM articles a" \
             " LEFT JOIN raw_pages r ON r.article_id = a.id"
    candidates = [url_or_key]
    canonical = canonicalize(url_or_key) if "://" in url_or_key else ""
    if canonical and canonical != url_or_key:
        candidates.append(canonical)
    for key in candidates:
        rows = db.rows(f"{select} WHERE a.key = ?", (key,)) or db.rows(
            f"{select} JOIN url_aliases u ON u.article_id = a.id WHERE u.key = ?", (key,))
        if rows:
            data = dict(zip((*cols, "has_raw"), rows[0], strict=True))
            for name in LIST_FIELDS:
                data[name] = json.loads(data[name]) if data[name] else []
            data["has_raw"] = bool(data["has_raw"])
            return data
    return None


def record_of(row: dict[str, Any]) -> ArticleRecord:
    return ArticleRecord.from_dict({k: row[k] for k in RECORD_FIELDS})


def raw_page(db: ReadOnlyStore, article_id: int) -> RawPage | None:
    rows = db.rows("SELECT warc, fetched_at FROM raw_pages WHERE article_id = ?", (article_id,))
    return decode_raw(bytes(rows[0][0]), fetched_at=rows[0][1]) if rows else None


# ---- sites, health, runs ---------------------------------------------------------------------------------


def sites(db: ReadOnlyStore) -> list[tuple[str, int]]:
    rows = db.rows("SELECT site, COUNT(*) FROM articles WHERE site IS NOT NULL GROUP BY site ORDER BY site")
    return [(r[0], int(r[1])) for r in rows]


HEALTH_COLUMNS = ("run_id", "at", "pages", "good", "empty_body", "short_body", "no_title", "no_date",
                  "low_confidence", "extract_error", "score", "baseline", "alarm", "acknowledged")


def site_health(db: ReadOnlyStore, site: str) -> list[dict[str, Any]]:
    """The site's runs, oldest first (none when the store was never crawled with health recording)."""
    if not db.has_table("site_health"):
        return []
    rows = db.rows(f"SELECT {', '.join(HEALTH_COLUMNS)} FROM site_health WHERE site = ? ORDER BY at", (site,))
    return [dict(zip(HEALTH_COLUMNS, r, strict=True)) for r in rows]


def latest_health(db: ReadOnlyStore) -> dict[str, dict[str, Any]]:
    if not db.has_table("site_health"):
        return {}
    rows = db.rows(
        "SELECT h.site, h.run_id, h.at, h.pages, h.score, h.baseline, h.alarm, h.acknowledged FROM site_health h"
        " JOIN (SELECT site, MAX(at) AS at FROM site_health GROUP BY site) m ON m.site = h.site AND m.at = h.at")
    keys = ("site", "run_id", "at", "pages", "score", "baseline", "alarm", "acknowledged")
    return {r[0]: dict(zip(keys, r, strict=True)) for r in rows}


def last_report(url: str | None) -> RunReport | None:
    """The last `newsbot crawl` run report kept beside the store (newsbot.jobs.run), if any."""
    path = state_dir(resolve_url(url)) / "runs" / "last-run.json"
    try:
        return RunReport.read(path) if path.is_file() else None
    except (OSError, ValueError, TypeError):
        return None
