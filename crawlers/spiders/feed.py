"""What every outlet spider shares: read the outlet's feeds, follow each item to its page, parse it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.items import Article
from crawlers.outlets import OUTLETS
from crawlers.parsing import parse_article

logger = logging.getLogger(__name__)

FEED_LINKS_XPATH = (  # RSS <item><link>, Atom <entry><link rel="alternate" href>
    "//item/link/text()"
    " | //*[local-name()='entry']/*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
)
STAT = "pledgewatch/{}"  # pledgewatch/fetched, .../parsed, .../skipped, .../failed in the crawl stats


class OutletFeedSpider(scrapy.Spider):
    """Base spider: subclasses set `name` (a key of `OUTLETS`) and their selectors as class constants.

    Counts each article page as fetched, then parsed, skipped (not an article) or failed (HTTP error,
    network error or parser exception); failures are also kept as (url, reason) in `self.failures`.
    """

    BODY: ClassVar[tuple[str, ...]] = ()  # CSS of the body's paragraphs, alternatives in order
    TITLE: ClassVar[tuple[str, ...]] = ()  # CSS of the headline, when <meta> gets it wrong
    AUTHORS: ClassVar[tuple[str, ...]] = ()  # CSS of byline names, when JSON-LD/<meta> lack them

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.outlet = OUTLETS[self.name]
        self.allowed_domains = list(self.outlet.domains)
        self.failures: list[tuple[str, str]] = []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per feed of the outlet."""
        for url in self.outlet.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        """Treat any URL handed to the spider as a feed."""
        return self.parse_feed(response)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow every item/entry link of an RSS or Atom feed to its article page."""
        links = Selector(body=response.body, type="xml").xpath(FEED_LINKS_XPATH).getall()
        if not links:
            logger.warning("feed %s lists no items", response.url)
        for link in links:
            yield response.follow(link.strip(), callback=self.parse_page, errback=self.on_error)

    def parse_page(self, response: Response) -> Iterator[Article]:
        """Parse one article page, counting the outcome; a bad page is logged and the crawl goes on."""
        self._count("fetched")
        try:
            article = self.parse_article(response) if isinstance(response, TextResponse) else None
        except Exception as exc:
            self._fail(response.url, f"parser error: {type(exc).__name__}: {exc}")
            return
        if article is None:
            self._count("skipped")
            logger.info("skipped %s: not an article", response.url)
            return
        self._count("parsed")
        yield article

    def parse_article(self, response: TextResponse) -> Article | None:
        """The outlet's parser: uses only the response, so a saved page tests it directly."""
        return parse_article(
            response, self.outlet.label, body_css=self.BODY, title_css=self.TITLE, author_css=self.AUTHORS
        )

    def on_error(self, failure: Failure) -> None:
        """Errback: count an HTTP or network failure with its URL and carry on."""
        if failure.check(HttpError):
            response = failure.value.response
            if response.request.callback == self.parse_page:
                self._count("fetched")
            self._fail(response.url, f"HTTP {response.status}")
        else:
            self._fail(failure.request.url, f"{failure.type.__name__}: {failure.getErrorMessage()}")

    def _fail(self, url: str, reason: str) -> None:
        self._count("failed")
        self.failures.append((url, reason))
        logger.warning("failed %s: %s", url, reason)

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(STAT.format(key))
