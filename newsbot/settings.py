"""Scrapy settings for newsbot (scrapy.cfg points here), and the one place every NEWSBOT_* default is declared.

Components are small and wired here. Code that runs without a crawler (the pipelines over a plain dict, `newsbot
archive`, re-extraction) takes its defaults from this module too (`from newsbot import settings as defaults`).
Imports nothing from spiders/ or pipelines/: components are named by their dotted paths.

Environment variables read where they are used (no default beyond "unset"): NEWSBOT_STATE_DIR (newsbot/jobs/
state.py), NEWSBOT_CACHE_DIR (newsbot/dedup.py), NEWSBOT_WORKER (set per worker process by newsbot/jobs/workers.py).
"""

import os

BOT_NAME = "newsbot"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# politeness
ROBOTSTXT_OBEY = True
# who to contact about the crawler: an e-mail or URL, shown in the User-Agent
NEWSBOT_CONTACT = os.environ.get("NEWSBOT_CONTACT", "").strip()
USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot/newsbot; Arabic news research crawler" + (
    f"; contact: {NEWSBOT_CONTACT})" if NEWSBOT_CONTACT else ")"
)
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# robots.txt Crawl-delay is obeyed up to this many seconds (some sites ask for hours)
NEWSBOT_MAX_CRAWL_DELAY = 30.0
# robots.txt is refused past this size (decompressed; RFC 9309 asks crawlers to read at least 500 KiB) and
# given this many seconds and retries: a site that hangs or floods it is crawled as if it had none, and one whose
# robots.txt keeps answering 5xx is not crawled (RFC 9309), its site line saying so
NEWSBOT_ROBOTS_MAXSIZE = 1 * 2**20
# ... and read up to this many lines (its Sitemap: lines past them still count): every request is matched
# against its rules, and 60,000 of them cost 37 ms a request, 1 s to parse
NEWSBOT_ROBOTS_MAX_LINES = 10_000
NEWSBOT_ROBOTS_TIMEOUT = 15.0
NEWSBOT_ROBOTS_RETRY_TIMES = 1
# a 429/503 asking to come back later than this is not retried
NEWSBOT_RETRY_AFTER_MAX = 600.0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# loopback/private addresses are refused unless allowed (the demo and the tests crawl 127.0.0.1)
NEWSBOT_ALLOW_PRIVATE = os.environ.get("NEWSBOT_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes", "on")

# the HTTP download handler: Scrapy's HTTP/1.1 one, plus the private-address fence at connect time (DNS
# rebinding), bounds on the response header section (DOWNLOAD_MAXSIZE bounds only the body), and nothing sent
# once the spider starts closing
DOWNLOAD_HANDLERS = {
    "http": "spiders.download.NewsbotDownloadHandler",
    "https": "spiders.download.NewsbotDownloadHandler",
}
NEWSBOT_MAX_HEADER_BYTES = 256 * 1024
NEWSBOT_MAX_HEADERS = 500

DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.RedirectFenceMiddleware": 55,
    "spiders.middlewares.PrivateAddressMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.PoliteRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.RetryAfterMiddleware": 550,
    "spiders.middlewares.RedirectLoopMiddleware": 650,  # process_response before RedirectMiddleware (600)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.HeadMetaRefreshMiddleware": 580,  # Scrapy's, without decoding pages that have none
    "spiders.limits.PageBudgetMiddleware": 950,  # last before the network: --max-pages counts real requests
}
EXTENSIONS = {
    "spiders.urltrap.UrlTrapGuard": 500,
    # no listening ports in a crawler
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}
# Scrapy's memory stats without its per-read deprecation wrapping (spiders/stats.py)
STATS_CLASS = "spiders.stats.CrawlStats"
# seen URLs on disk, keyed by canonical URL (Scrapy's in-memory set grows without bound: scrapy#5307)
DUPEFILTER_CLASS = "spiders.dupefilter.DiskDupeFilter"
# a site whose URLs never repeat (the same articles under new URLs) is stopped once this many of a crawl's
# articles are copies of ones it already has, making this share of its articles (0 = never stopped)
NEWSBOT_TRAP_MIN_COPIES = 200
NEWSBOT_TRAP_COPY_SHARE = 0.8
# limits (the CLI maps --max-articles to CLOSESPIDER_ITEMCOUNT)
DEPTH_LIMIT = 6
# sitemap indexes that list sitemap indexes are followed this many levels down (counted apart from DEPTH_LIMIT);
# the sitemaps of a deeper one are not fetched, counted in the site's summary line and named in the log
NEWSBOT_SITEMAP_DEPTH = 6
# what one discovery document may hand the crawl (spiders/discovery/bounds.py): past a bound the rest is not read,
# and the log says so. A sitemap lists at most 50,000 URLs (sitemaps.org) and is read up to this size
# decompressed; a feed up to its size and entries; a robots.txt's Sitemap: lines, a page's advertised feeds and
# its pagination links up to their counts (a hostile robots.txt lists 264,922 sitemaps, a page 40,000 feeds)
NEWSBOT_MAX_SITEMAP_ENTRIES = 50_000
NEWSBOT_SITEMAP_MAXSIZE = 100 * 2**20
NEWSBOT_FEED_MAXSIZE = 50 * 2**20
NEWSBOT_MAX_FEED_ENTRIES = 10_000
NEWSBOT_MAX_ROBOTS_SITEMAPS = 1000
NEWSBOT_MAX_FEED_LINKS = 50
NEWSBOT_MAX_NEXT_PAGES = 20
CLOSESPIDER_PAGECOUNT = 0
CLOSESPIDER_TIMEOUT = 0
CLOSESPIDER_ITEMCOUNT = 0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 2**20  # large sitemaps
DOWNLOAD_WARNSIZE = 16 * 2**20
# pages (everything but sitemaps and feeds) are refused past this size: the download is cancelled as
# soon as Content-Length, or the bytes received, exceed it (the spider sets it per request)
NEWSBOT_PAGE_MAXSIZE = 8 * 2**20
NEWSBOT_PAGE_WARNSIZE = 2 * 2**20
# `newsbot extract` refuses an input larger than this (--max-bytes), reading no more than one byte past it
NEWSBOT_EXTRACT_MAX_BYTES = 20 * 2**20
# `newsbot extract` over many saved pages: processes ("auto": one per core for 16 inputs or more, else 1)
NEWSBOT_EXTRACT_JOBS = os.environ.get("NEWSBOT_EXTRACT_JOBS", "auto")
COOKIES_ENABLED = False
# development option (`--http-cache`): responses cached under .scrapy/httpcache
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_IGNORE_HTTP_CODES = [429, 500, 502, 503, 504]

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
# tracebacks in the log only when asked (`--debug`): a failure is told in one line (the summary says why per site)
NEWSBOT_TRACEBACKS = False
# page analysis (decode, parse, extract, links) in this many worker processes beside the crawler process
# (spiders/analysis_pool.py); "auto" = the cores left free, shared among NEWSBOT_LOCAL_WORKERS crawler
# processes on this machine (up to 4); 0 = in the crawler process
NEWSBOT_EXTRACT_PROCESSES = os.environ.get("NEWSBOT_EXTRACT_PROCESSES", "auto")
NEWSBOT_LOCAL_WORKERS = 1
# seconds of analysis per page in a worker process; past them the page is stopped and reported (0 = no limit)
NEWSBOT_PAGE_TIME_LIMIT = 20.0
# the item pipelines are synchronous: Scrapy's 100 concurrent items per response only add task overhead
CONCURRENT_ITEMS = 16

from newsbot.record import ArticleRecord  # noqa: E402

# `scrapy crawl ... -O x.jsonl` gives the same record shape as `newsbot export`
FEED_EXPORT_FIELDS = ArticleRecord.field_names()

# health -> validate -> normalise -> de-duplicate -> store (pipelines/ package); health comes first because it
# must count the records validation drops (extraction health per site, newsbot/health)
ITEM_PIPELINES = {
    "pipelines.health.HealthPipeline": 50,
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
# store URL: a path, sqlite:///path or postgresql://...; empty = $NEWSBOT_DB or data/newsbot.db
NEWSBOT_DB = ""
# the store pipeline commits every NEWSBOT_COMMIT_EVERY records or NEWSBOT_COMMIT_SECONDS seconds, whichever comes
# first (bulk runs without a crawler and SQLite worker pools use their own named values: pipelines/run.py
# BULK_COMMIT, newsbot/jobs/workers.py SQLITE_WORKER_COMMIT_EVERY)
NEWSBOT_COMMIT_EVERY = 200
NEWSBOT_COMMIT_SECONDS = 2.0
# validation (pipelines/validate.py): a body needs this many words and characters; NEWSBOT_LANGS lists the
# accepted languages (comma or space separated; empty = any); dates this many hours ahead of now are refused
NEWSBOT_MIN_WORDS = 30
NEWSBOT_MIN_CHARS = 150
NEWSBOT_LANGS = ""
NEWSBOT_FUTURE_SLACK_HOURS = 24
# extraction health per site (pipelines/health.py, newsbot/health): on by default; a run id and start time are set
# per run by `newsbot crawl` (empty: the pipeline makes its own); workers of a shared run leave judging to their parent
NEWSBOT_HEALTH_ENABLED = True
NEWSBOT_HEALTH_JUDGE = True
NEWSBOT_RUN_ID = ""
NEWSBOT_RUN_STARTED = ""
NEWSBOT_HEALTH_SHORT_WORDS = 50  # a body under this many words is "short"
NEWSBOT_HEALTH_LOW_CONFIDENCE = 0.5  # extractor confidence under this is "low"
NEWSBOT_HEALTH_MIN_PAGES = 5  # fewer article pages than this in a run (or its history): no verdict
NEWSBOT_HEALTH_HISTORY_RUNS = 10  # how many earlier runs form the baseline
NEWSBOT_HEALTH_MAX_DROP = 0.3  # alarm when the good share falls this much (absolute) under the baseline
NEWSBOT_HEALTH_MAX_DEFECT_RISE = 0.4  # ... or any one defect's share rises this much over its baseline
# SQLite page cache (MB) of the store's writing connection during a crawl: a crawl writes one article at a time,
# and a bigger cache only makes the crawler's memory grow with the store (bulk loads use 96 MB)
NEWSBOT_STORE_CACHE_MB = 16
# seconds the crawl waits for a locked store or a lost database; past them, writes fail at once for as long
# (the crawl goes on, counting store errors, and --max-runtime and signals are honoured whatever the store does)
NEWSBOT_STORE_WAIT_SECONDS = 5.0
# articles the store could not take are kept (without their raw page) in a local file under the store's state
# directory, up to this many MB per crawl, and stored by the site's next crawl (pipelines/spool.py)
NEWSBOT_SPOOL_MAX_MB = 256

# distributed crawling: with $REDIS_URL set, worker processes (on one or several machines) share each site's
# crawl through scrapy-redis's scheduler queue and dupefilter (spiders/redis_support.py, docs/scheduling.md).
# The add-on puts them in place when a crawler starts (Scrapy's add-on API), not when this module is imported.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# the shared crawl's Redis keys are newsbot:<job>:<site>:...
NEWSBOT_REDIS_JOB = os.environ.get("NEWSBOT_REDIS_JOB", "").strip() or "default"
# set by `newsbot crawl` from --max-runtime: epoch seconds when every crawl of the run is closed (None: no budget)
NEWSBOT_DEADLINE = None
ADDONS = {"spiders.redis_addon.RedisAddon": 0}
