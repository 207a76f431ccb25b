"""Extraction: bytes + URL (+ headers) -> ArticleRecord. Imports no Scrapy; runs offline."""

from newsbot.extract.core import ExtractionError, ParsedPage, extract, extract_parsed, parse_page
from newsbot.extract.options import ExtractOptions

__all__ = ["ExtractOptions", "ExtractionError", "ParsedPage", "extract", "extract_parsed", "parse_page"]
