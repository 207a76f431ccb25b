"""Scrapy item pipelines: validate, normalise, de-duplicate, store. They parse no HTML."""
