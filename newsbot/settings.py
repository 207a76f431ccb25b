"""Scrapy settings for newsbot (scrapy.cfg points here). Components are small and wired here."""

BOT_NAME = "newsbot"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# politeness
ROBOTSTXT_OBEY = True
USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot/newsbot; Arabic news research crawler)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

from newsbot.record import ArticleRecord  # noqa: E402

# `scrapy crawl ... -O x.jsonl` gives the same record shape as `newsbot export`
FEED_EXPORT_FIELDS = ArticleRecord.field_names()

# validate -> normalise -> de-duplicate -> store (pipelines/ package)
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.normalise.NormalisePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
# store URL: a path, sqlite:///path or postgresql://...; empty = $NEWSBOT_DB or data/newsbot.db
NEWSBOT_DB = ""
