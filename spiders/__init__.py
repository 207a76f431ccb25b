"""Scrapy spiders (discovery and fetching). They hand responses to newsbot.extract."""
