"""Feeds in every shape the outlets use (RSS, Atom, news sitemaps, sitemap indexes), `since`, and requests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Response, XmlResponse

from crawlers.items import KnownPage
from crawlers.spiders.feed import KEY_META
from crawlers.spiders.guardian import GuardianSpider
from crawlers.spiders.warzone import WarzoneSpider

SINCE = datetime(2025, 7, 15, tzinfo=UTC)
RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<item><link>https://www.twz.com/news/new</link><pubDate>Fri, 01 Aug 2025 08:00:00 -0400</pubDate></item>
<item><link>https://www.twz.com/news/old</link><pubDate>Tue, 01 Jul 2025 08:00:00 -0400</pubDate></item>
<item><link>https://www.twz.com/news/dc</link><dc:date>2025-07-20T10:00:00Z</dc:date></item>
<item><link>https://www.twz.com/news/undated</link></item>
<item><link>https://www.twz.com/news/new?utm_source=rss#top</link></item>
</channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><link rel="alternate" href="https://www.twz.com/a"/><published>2025-08-01T00:00:00Z</published></entry>
<entry><link href="https://www.twz.com/b"/><updated>2025-07-01T00:00:00Z</updated></entry></feed>"""
NEWS_SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.theguardian.com/world/2025/aug/01/new</loc>
 <news:news><news:publication_date>2025-08-01T09:00:00Z</news:publication_date></news:news></url>
<url><loc>https://www.theguardian.com/world/2025/jul/01/old</loc><lastmod>2025-07-01T09:00:00Z</lastmod></url>
</urlset>"""
SITEMAP_INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.theguardian.com/sitemaps/2025-08.xml</loc><lastmod>2025-08-01</lastmod></sitemap>
<sitemap><loc>https://www.theguardian.com/sitemaps/2025-06.xml</loc><lastmod>2025-06-30</lastmod></sitemap>
</sitemapindex>"""


def urls(spider, url: str, body: bytes) -> list[str]:
    return [r.url for r in spider.parse_feed(XmlResponse(url, body=body))]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (None, ["new", "old", "dc", "undated"]),  # the utm_ copy of "new" is the same page
        (SINCE, ["new", "dc", "undated"]),  # undated items are kept: we cannot tell
        ("2025-07-25T00:00:00+00:00", ["new", "undated"]),  # as a spider argument (-a since=...)
    ],
)
def test_rss_items_before_since_are_not_followed(since, expected):
    got = urls(WarzoneSpider(since=since), "https://www.twz.com/feed", RSS)
    assert got == [f"https://www.twz.com/news/{slug}" for slug in expected]


def test_atom_published_and_updated_dates():
    assert urls(WarzoneSpider(since=SINCE), "https://www.twz.com/feed", ATOM) == ["https://www.twz.com/a"]


def test_news_sitemap_and_sitemap_index():
    spider = GuardianSpider(since=SINCE)
    assert urls(spider, "https://www.theguardian.com/sitemaps/news.xml", NEWS_SITEMAP) == [
        "https://www.theguardian.com/world/2025/aug/01/new"
    ]
    requests = list(
        spider.parse_feed(XmlResponse("https://www.theguardian.com/sitemaps/index.xml", body=SITEMAP_INDEX))
    )
    assert [(r.url, r.callback) for r in requests] == [
        ("https://www.theguardian.com/sitemaps/2025-08.xml", spider.parse_feed)
    ]


def test_known_pages_are_requested_conditionally():
    url = "https://www.twz.com/news/new"
    known = {
        url: KnownPage(url, etag='W/"abc"', last_modified="Fri, 01 Aug 2025 12:00:00 GMT", content_hash="h")
    }
    request = WarzoneSpider(known=known).article_request(url + "?utm_medium=rss")
    assert request.headers["If-None-Match"] == b'W/"abc"'
    assert request.headers["If-Modified-Since"] == b"Fri, 01 Aug 2025 12:00:00 GMT"
    assert request.meta[KEY_META] == url and 304 in request.meta["handle_httpstatus_list"]
    assert b"If-None-Match" not in WarzoneSpider().article_request(url).headers


def test_a_304_is_unchanged_not_parsed_nor_failed():
    spider = WarzoneSpider()
    url = "https://www.twz.com/news/new"
    response = HtmlResponse(url, status=304, body=b"", request=spider.article_request(url))
    assert list(spider.parse_page(response)) == []
    assert spider.unchanged == [url] and spider.failures == []


def test_a_non_html_page_is_a_failure_with_its_content_type():
    spider = WarzoneSpider()
    url = "https://www.twz.com/files/report.pdf"
    response = Response(url, body=b"%PDF-1.7\x00\x01", headers={"Content-Type": "application/pdf"})
    assert list(spider.parse_page(response)) == []
    assert spider.failures == [(url, "not an HTML page: application/pdf")]
