"""Back-off before retries, and the polite settings every crawl starts from."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawlers.retry import BackoffRetryMiddleware, _retry_after
from crawlers.run import crawl_settings


@pytest.fixture
def middleware() -> BackoffRetryMiddleware:
    settings = {"RETRY_BACKOFF_BASE": 2.0, "RETRY_BACKOFF_MAX": 10.0}
    return BackoffRetryMiddleware.from_crawler(get_crawler(settings_dict=settings))


@pytest.mark.parametrize(
    ("attempt", "retry_after", "seconds"),
    [(1, None, 2.0), (2, None, 4.0), (3, None, 8.0), (4, None, 10.0), (1, 5.0, 5.0), (1, 600.0, 10.0)],
)
def test_delay_doubles_and_is_capped(middleware, attempt, retry_after, seconds):
    assert middleware.delay(attempt, retry_after) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"), [(b"30", 30.0), (b"Wed, 21 Oct 2015 07:28:00 GMT", None), (None, None)]
)
def test_retry_after_header(value, seconds):
    from scrapy.http import Response

    headers = {"Retry-After": value} if value else {}
    assert _retry_after(Response("https://example.com", status=503, headers=headers)) == seconds


def test_live_settings_are_polite():
    settings = crawl_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert "+" in settings.get("USER_AGENT") and settings.getint("RETRY_TIMES") >= 1
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert middlewares["crawlers.retry.BackoffRetryMiddleware"] == 550


def test_replays_skip_the_politeness_meant_for_live_servers(tmp_path):
    settings = crawl_settings(replay=tmp_path, archive=tmp_path / "x.warc.gz")
    assert not settings.getbool("AUTOTHROTTLE_ENABLED") and settings.getfloat("RETRY_BACKOFF_BASE") == 0
    assert settings.get("PLEDGEWATCH_REPLAY") == str(tmp_path)
    assert settings.get("PLEDGEWATCH_ARCHIVE") == str(tmp_path / "x.warc.gz")
