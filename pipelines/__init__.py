"""Scrapy item pipelines: validate, normalise, de-duplicate, store. They parse no HTML.

Wired by settings.ITEM_PIPELINES; `run_records(records, store)` runs the same chain without a crawler.
"""

from pipelines.run import run_records

__all__ = ["run_records"]
