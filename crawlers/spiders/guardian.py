"""The Guardian: the Content API when GUARDIAN_API_KEY is set, else section RSS feeds and article pages."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.guardian_api import parse_capi_item, search_url
from crawlers.items import Article
from crawlers.spiders.feed import OutletFeedSpider
from crawlers.urls import normalise_url

logger = logging.getLogger(__name__)


class GuardianSpider(OutletFeedSpider):
    """Guardian articles and live blogs; the <h1> is the headline (og:title appends columnists' names)."""

    name = "guardian"
    TITLE = ('[data-gu-name="headline"] h1', "h1[itemprop=headline]", "h1.content__headline")
    BODY = (
        "div.article-body-commercial-selector > p",  # DCR article
        "#liveblog-body article.block > p, #liveblog-body article.block blockquote p",  # DCR live blog
        "div[itemprop=articleBody] > p",  # 2014-2020 layout
        "#article-body-blocks > p",  # 2011 layout
    )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> GuardianSpider:
        """Build the spider; with an API key, the API's host is one of its domains."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        host = urlsplit(crawler.settings.get("GUARDIAN_API_URL") or "").hostname
        if crawler.settings.get("GUARDIAN_API_KEY") and host:
            spider.allowed_domains.append(host)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """The first page of the API search when there is a key, else one request per feed."""
        key = self.settings.get("GUARDIAN_API_KEY")
        if not key:
            async for request in super().start():
                yield request
            return
        yield scrapy.Request(self._search_url(1), callback=self.parse_api, errback=self.on_error)

    def parse_api(self, response: Response) -> Iterator[Article | scrapy.Request]:
        """Each result of one search page as an article (counted like a page), then the next page."""
        try:
            data = json.loads(response.text)["response"]
            results = data["results"]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._fail(response.url, f"unreadable Content API response: {exc}")
            return
        for item in results:
            article = parse_capi_item(item)
            if self._too_old(article.published_at):  # from-date is a day; `since` may be later that day
                continue
            self._count("fetched")
            if not (article.title and article.body):
                self._count("skipped")
                logger.info("skipped %s: the API gave no body", article.url)
                continue
            article.fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
            if finished := self.finish(article, response, normalise_url(article.url)):
                yield finished
        if data.get("currentPage", 1) < data.get("pages", 1):
            yield scrapy.Request(
                self._search_url(data["currentPage"] + 1), callback=self.parse_api, errback=self.on_error
            )

    def _search_url(self, page: int) -> str:
        since = self.since or datetime.now(UTC) - timedelta(days=1)
        return search_url(
            self.settings.get("GUARDIAN_API_URL"),
            self.settings.get("PLEDGEWATCH_TOPICS"),
            since.date(),
            self.settings.get("GUARDIAN_API_KEY"),
            page,
        )
