"""Scrapy settings for pledgewatch: polite by default (robots.txt, AutoThrottle, two requests per site)."""

import os

BOT_NAME = "pledgewatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Who we are and how to reach us; set PLEDGEWATCH_CONTACT (a URL or e-mail address) for your deployment.
CONTACT = os.environ.get("PLEDGEWATCH_CONTACT", "https://github.com/pledgewatch/pledgewatch")


def user_agent(contact: str) -> str:
    """The User-Agent naming `contact` (a URL or e-mail address); pledgewatch.toml's crawl.contact uses it."""
    return f"pledgewatch/0.1 (news-claim research crawler; +{contact})"


USER_AGENT = user_agent(CONTACT)

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubled for each further one
RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 10

COOKIES_ENABLED = False
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's retry, with a pause before each retry.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.retry.BackoffRetryMiddleware": 550,
    # Last before the network: a replay answers here, and every other middleware (robots.txt, retry,
    # redirects, decompression) still sees the request and the recorded response.
    "crawlers.replay.ReplayMiddleware": 950,
    # Nearest the network, so every response is archived as it arrived (retries, redirects, robots.txt).
    "crawlers.archive.ArchiveMiddleware": 960,
}
# Set to a folder of recorded responses or a .warc(.gz) file (see crawlers/replay.py) to crawl it offline.
PLEDGEWATCH_REPLAY = None
# Set to a .warc.gz path to keep every response of the run (see crawlers/archive.py).
PLEDGEWATCH_ARCHIVE = None
# The Guardian Content API: used instead of its RSS feeds when GUARDIAN_API_KEY is set.
GUARDIAN_API_KEY = os.environ.get("GUARDIAN_API_KEY") or None
GUARDIAN_API_URL = "https://content.guardianapis.com/search"
PLEDGEWATCH_TOPICS = os.environ.get(
    "PLEDGEWATCH_TOPICS", '"investment pledge" AND (Japan OR Korea OR EU OR "European Union")'
)

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
