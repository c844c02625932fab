"""What every spider shares: article requests (deduplicated, conditional), page outcomes counted, feeds read.

`ArticleSpider` turns a fetched page into an `Article` and counts what happened to it; `OutletFeedSpider`
adds an outlet's feeds (RSS, Atom or sitemaps) as the way in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.exceptions import ResponseDataLossError
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from crawlers.archive import WARC_META
from crawlers.items import Article, KnownPage
from crawlers.outlets import OUTLETS
from crawlers.parsing import normalise_date, parse_article
from crawlers.urls import normalise_url, redact_url

logger = logging.getLogger(__name__)

# One node per feed entry: RSS <item>, Atom <entry>, sitemap <url>; a sitemap index lists more sitemaps.
ENTRY_XPATH = "//*[local-name()='item' or local-name()='entry' or local-name()='url']"
ENTRY_LINK_XPATH = (
    "./*[local-name()='link'][not(@rel) or @rel='alternate']/@href"
    " | ./*[local-name()='link'][not(@href)]/text()"
    " | ./*[local-name()='loc']/text()"
)
ENTRY_DATE_XPATH = (  # RSS pubDate, dc:date, Atom published/updated, news:publication_date, lastmod
    "./*[local-name()='pubDate' or local-name()='date' or local-name()='published'"
    " or local-name()='updated' or local-name()='lastmod']/text()"
    " | ./*[local-name()='news']/*[local-name()='publication_date']/text()"
)
SITEMAP_XPATH = "//*[local-name()='sitemap']"
STAT = "pledgewatch/{}"  # pledgewatch/fetched, .../parsed, .../skipped, .../failed, .../unchanged
KEY_META = "pledgewatch_key"  # request.meta: the normalised URL the request was made for


class ArticleSpider(scrapy.Spider):
    """Base spider: fetches article pages and counts each as fetched, then parsed, skipped, unchanged or failed.

    Spider arguments: `known` maps normalised URLs to `KnownPage`s (sent back as conditional requests, and
    compared by content hash), `since` is a datetime or ISO date before which feed items are ignored.
    Failures are kept as (url, reason) in `self.failures`, unchanged URLs in `self.unchanged`.
    """

    BODY: ClassVar[tuple[str, ...]] = ()  # CSS of the body's paragraphs, alternatives in order
    TITLE: ClassVar[tuple[str, ...]] = ()  # CSS of the headline, when <meta> gets it wrong
    AUTHORS: ClassVar[tuple[str, ...]] = ()  # CSS of byline names, when JSON-LD/<meta> lack them
    label: str = "unknown"

    def __init__(
        self,
        *args: Any,
        known: Mapping[str, KnownPage] | None = None,
        since: datetime | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.known: Mapping[str, KnownPage] = known or {}
        self.since = _as_datetime(since)
        self.failures: list[tuple[str, str]] = []
        self.unchanged: list[str] = []
        self.seen: set[str] = set()

    def article_request(self, url: str, **kwargs: Any) -> scrapy.Request | None:
        """A request for an article page, or None when this run already asked for that page.

        Known pages are asked for conditionally (If-None-Match / If-Modified-Since), so a server that
        supports it answers 304 instead of sending the page again.
        """
        key = normalise_url(url)
        if key in self.seen:
            logger.debug("already requested %s", key)
            return None
        self.seen.add(key)
        headers = {}
        if known := self.known.get(key):
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        meta = {KEY_META: key, "handle_httpstatus_list": [304]}
        # dont_filter: `self.seen` already deduplicates, and Scrapy's filter would silently drop the
        # second visit of a redirect loop, so the failure would never be counted.
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            headers=headers,
            meta=meta,
            dont_filter=True,
            **kwargs,
        )

    def parse_page(self, response: Response) -> Iterator[Article]:
        """Parse one article page, counting the outcome; a bad page is logged and the crawl goes on."""
        self._count("fetched")
        key = _meta(response).get(KEY_META) or normalise_url(response.url)
        if response.status == 304:
            self._unchanged(key, "not modified (304)")
            return
        if not _is_html(response):
            content_type = _header(response, b"Content-Type") or "no content type"
            self._fail(response.url, f"not an HTML page: {content_type}")
            return
        try:
            article = self.parse_article(response)
        except Exception as exc:  # a parser bug on one odd page must not stop the crawl
            self._fail(response.url, f"parser error: {type(exc).__name__}: {exc}")
            return
        if article is None:
            self._count("skipped")
            logger.info("skipped %s: not an article", response.url)
            return
        if finished := self.finish(article, response, key):
            yield finished

    def finish(self, article: Article, response: Response, key: str) -> Article | None:
        """Count a parsed article, or an unchanged one (same content hash as last run), and stamp it."""
        known = self.known.get(key) or self.known.get(article.canonical_url)
        if known is not None and known.content_hash == article.content_hash:
            self._unchanged(key, "same content hash")
            return None
        article.etag = _header(response, b"ETag")
        article.last_modified = _header(response, b"Last-Modified")
        if warc := _meta(response).get(WARC_META):
            article.warc_file, article.warc_record_id = warc
        self._count("parsed")
        return article

    def parse_article(self, response: TextResponse) -> Article | None:
        """The spider's parser: uses only the response, so a saved page tests it directly."""
        return parse_article(
            response, self.label, body_css=self.BODY, title_css=self.TITLE, author_css=self.AUTHORS
        )

    def on_error(self, failure: Failure) -> None:
        """Errback: count an HTTP or network failure with its URL and carry on."""
        if failure.check(HttpError):
            response = failure.value.response
            if response.request.callback == self.parse_page:
                self._count("fetched")
            self._fail(response.url, f"HTTP {response.status}")
        else:
            request = failure.request
            url = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL we asked for
            self._fail(url, _reason(failure))

    def _unchanged(self, key: str, why: str) -> None:
        self._count("unchanged")
        self.unchanged.append(key)
        logger.info("unchanged %s: %s", key, why)

    def _fail(self, url: str, reason: str) -> None:
        url = redact_url(url)  # failures are stored and logged: no API keys in them
        self._count("failed")
        self.failures.append((url, reason))
        # A page that is gone or that robots.txt refuses is the site's choice, not a fault: recorded, and
        # logged below warning level so an unattended run stays quiet about it (a missing feed still
        # counts as a fault in the run's outcome).
        gone = reason in ("HTTP 404", "HTTP 410") or "robots.txt" in reason
        logger.log(logging.INFO if gone else logging.WARNING, "failed %s: %s", url, reason)

    def _count(self, key: str) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None:  # a spider built by hand in a test has no crawler to count in
            crawler.stats.inc_value(STAT.format(key))


class OutletFeedSpider(ArticleSpider):
    """Base outlet spider: subclasses set `name` (a key of `OUTLETS`) and their selectors as class constants.

    Reads the outlet's feeds: the `feeds` spider argument (a list or comma-separated URLs), else the
    PLEDGEWATCH_FEEDS setting ({spider name: [urls]}), else the outlet's registry row.
    """

    def __init__(self, *args: Any, feeds: Iterable[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outlet = OUTLETS[self.name]
        self.label = self.outlet.label
        self.allowed_domains = list(self.outlet.domains)
        self.feeds = _as_list(feeds) or list(self.outlet.feeds)
        self._feeds_given = bool(_as_list(feeds))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OutletFeedSpider:
        """Build the spider, taking feed overrides from the settings."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        override = (crawler.settings.getdict("PLEDGEWATCH_FEEDS") or {}).get(spider.name)
        if override and not spider._feeds_given:
            spider.feeds = _as_list(override)
        # Feeds moved elsewhere (a mirror, a local test server) bring their hosts with them.
        for url in spider.feeds:
            host = urlsplit(url).hostname
            if host and not spider.outlet.owns(url) and host not in spider.allowed_domains:
                spider.allowed_domains.append(host)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per feed of the outlet."""
        for url in self.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        """Treat any URL handed to the spider as a feed."""
        return self.parse_feed(response)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """Follow every item of an RSS/Atom feed or sitemap to its page, skipping items older than `since`."""
        sel = Selector(body=response.body, type="xml")
        for sitemap in sel.xpath(SITEMAP_XPATH):  # a sitemap index: read each recent sitemap
            loc = sitemap.xpath("./*[local-name()='loc']/text()").get("").strip()
            if loc and not self._too_old(sitemap.xpath("./*[local-name()='lastmod']/text()").get()):
                yield response.follow(loc, callback=self.parse_feed, errback=self.on_error)
        entries = sel.xpath(ENTRY_XPATH)
        if not entries and not sel.xpath(SITEMAP_XPATH):
            logger.warning("feed %s lists no items", response.url)
        old = 0
        for entry in entries:
            link = entry.xpath(ENTRY_LINK_XPATH).get("").strip()
            if not link:
                continue
            if self._too_old(entry.xpath(ENTRY_DATE_XPATH).get()):
                old += 1
                continue
            if request := self.article_request(response.urljoin(link)):
                yield request
        if old:
            logger.info(
                "feed %s: %d of %d items published before %s", response.url, old, len(entries), self.since
            )

    def _too_old(self, date: str | None) -> bool:
        if self.since is None or not date:
            return False
        published = _feed_date(date.strip())
        return published is not None and published < self.since


def _reason(failure: Failure) -> str:
    """One line saying why a request failed."""
    if failure.check(ResponseDataLossError) or (
        failure.check(ResponseFailed) and "_DataLoss" in repr(failure.value)
    ):
        return "truncated response: the connection closed before the whole body arrived"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def _is_html(response: Response) -> bool:
    """Whether a response can be an article page: text, and not declared as something else (a PDF)."""
    if not isinstance(response, TextResponse):
        return False
    mime = (_header(response, b"Content-Type") or "").split(";")[0].strip().lower()
    if mime == "application/octet-stream":  # servers that don't know: trust Scrapy's look at the body
        return isinstance(response, HtmlResponse)
    return not mime or mime.startswith("text/") or "html" in mime or "xml" in mime


def _feed_date(value: str) -> datetime | None:
    """RSS (RFC 822) or ISO 8601 feed dates as aware datetimes; naive ones are UTC."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        iso = normalise_date(value)
        parsed = datetime.fromisoformat(iso) if iso else None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _as_list(value: Iterable[str] | str | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _meta(response: Response) -> dict[str, Any]:
    """The request's meta, or {} for a response built by hand (a saved page in a test)."""
    return response.request.meta if response.request is not None else {}


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
