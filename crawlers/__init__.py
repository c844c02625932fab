"""Scrapy project: spiders per outlet, the Article item, and the crawl runner."""
