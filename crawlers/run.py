"""Run outlet spiders in-process and hand back what they found: `run_crawl(["pbs", "guardian"])`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawlers.items import Article
from crawlers.outlets import OUTLETS
from crawlers.replay import open_recording
from crawlers.spiders.feed import STAT

logger = logging.getLogger(__name__)

COUNTS = ("fetched", "parsed", "skipped", "failed")
# Replayed responses come from disk: politeness delays would only slow the replay down.
REPLAY_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

_reactor_used = False  # Twisted's reactor cannot be restarted, so one crawl per process


@dataclass
class CrawlResult:
    """What a crawl produced: the articles, counts per spider, and each failure as (url, reason)."""

    articles: list[Article] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)


def crawl_settings(replay_dir: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings, switched to replay `replay_dir` when given, then `overrides`."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    if replay_dir is not None:
        settings.setdict({**REPLAY_SETTINGS, "PLEDGEWATCH_REPLAY_DIR": str(replay_dir)}, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawl(
    spiders: list[str],
    *,
    replay_dir: Path | None = None,
    settings: dict[str, Any] | None = None,
    max_articles: int | None = None,
) -> CrawlResult:
    """Crawl with the named spiders (live, or from a recording in `replay_dir`) and collect the articles.

    Runs Scrapy's CrawlerProcess, which starts Twisted's reactor; a reactor cannot be restarted, so call
    this once per process (run it in a subprocess to crawl again). `max_articles` stops each spider once
    it has yielded that many articles.
    Example: run_crawl(["pbs", "guardian", "warzone"], replay_dir=SAMPLE_DIR)
    """
    global _reactor_used
    unknown = sorted(set(spiders) - set(OUTLETS))
    if unknown:
        raise ValueError(f"unknown spider(s) {', '.join(unknown)}; choose from {', '.join(OUTLETS)}")
    if replay_dir is not None:
        open_recording(replay_dir)  # a wrong folder fails here, in one line, before Scrapy starts
    if _reactor_used:
        raise RuntimeError("run_crawl can run once per process (Twisted's reactor cannot restart)")
    _reactor_used = True

    # When the caller has set up logging (the CLI does), Scrapy adds no second root handler and its
    # own loggers follow LOG_LEVEL; run alone, Scrapy logs as it always does.
    caller_logs = bool(logging.getLogger().handlers)
    scrapy_settings = crawl_settings(replay_dir, {"LOG_INSTALL_ROOT_HANDLER": not caller_logs, **(settings or {})})
    process = CrawlerProcess(scrapy_settings)
    if caller_logs:
        logging.getLogger("scrapy").setLevel(scrapy_settings.get("LOG_LEVEL"))
    collector = _Collector(max_articles)
    for name in spiders:
        crawler = process.create_crawler(name)
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(collector.spider_closed, signal=signals.spider_closed)
        process.crawl(crawler).addErrback(collector.crawl_failed, name)
    process.start()
    if collector.errors:
        raise RuntimeError("; ".join(collector.errors))
    return collector.result


class _Collector:
    """Signal handlers gathering articles, counts and failures from every crawler of one run."""

    def __init__(self, max_articles: int | None) -> None:
        self.max_articles = max_articles
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []  # spiders that could not run at all (bad settings, bad recording)
        self.result = CrawlResult()

    def crawl_failed(self, failure: Failure, name: str) -> None:
        self.errors.append(f"spider {name} could not run: {failure.getErrorMessage()}")

    def item_scraped(self, item: Any, spider: Any) -> None:
        if not isinstance(item, Article):
            return
        count = self.counts[spider.name] = self.counts.get(spider.name, 0) + 1
        if self.max_articles is None or count <= self.max_articles:
            self.result.articles.append(item)
        if count == self.max_articles:  # later items were already in flight: dropped above
            logger.info("%s reached %d articles, stopping it", spider.name, count)
            deferred_from_coro(spider.crawler.stop_async())

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = spider.crawler.stats
        self.result.stats[spider.name] = {key: stats.get_value(STAT.format(key), 0) for key in COUNTS}
        self.result.failures.extend(getattr(spider, "failures", []))
