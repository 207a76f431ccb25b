"""Extraction: bytes + URL (+ headers) -> ArticleRecord. Imports no Scrapy; runs offline."""

from newsbot.extract.core import ExtractionError, ParsedPage, extract, extract_parsed, parse_page

__all__ = ["ExtractionError", "ParsedPage", "extract", "extract_parsed", "parse_page"]
