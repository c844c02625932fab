"""Any URL: `pledgewatch crawl --url URL` fetches exactly the given pages with the parser for each one's site."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import TextResponse

from crawlers.items import Article
from crawlers.outlets import outlet_for_url
from crawlers.parsing import parse_article, site_name
from crawlers.spiders.feed import ArticleSpider, _as_list


class UrlSpider(ArticleSpider):
    """Fetches the `urls` spider argument (a list or comma-separated URLs) and parses each page.

    A page on one of our outlets gets that outlet's parser; any other page the generic parser, named
    after the site (og:site_name, else its host).
    """

    name = "url"

    def __init__(self, *args: Any, urls: Iterable[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.urls = _as_list(urls)
        self._outlet_spiders: dict[str, ArticleSpider] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per given URL (repeats and tracking variants asked once)."""
        for url in self.urls:
            try:
                request = self.article_request(url)
            except ValueError as exc:  # "example.com/x" without a scheme: say so, crawl the rest
                self._fail(url, f"not a URL: {exc}")
                continue
            if request:
                yield request

    def parse_article(self, response: TextResponse) -> Article | None:
        """The parser of the outlet owning the page's URL, else the generic parser."""
        outlet = outlet_for_url(response.url)
        if outlet is None:
            return parse_article(response, site_name(response))
        if outlet.name not in self._outlet_spiders:
            self._outlet_spiders[outlet.name] = outlet.spider_class()()
        return self._outlet_spiders[outlet.name].parse_article(response)
