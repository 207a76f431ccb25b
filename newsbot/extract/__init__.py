"""Extraction: bytes + URL (+ headers) -> ArticleRecord. Imports no Scrapy; runs offline."""

from newsbot.extract.core import ExtractionError, extract

__all__ = ["ExtractionError", "extract"]
