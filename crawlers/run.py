"""Run outlet spiders in-process and hand back what they found: `run_crawl(["pbs", "guardian"])`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawlers.items import Article, KnownPage
from crawlers.outlets import OUTLETS
from crawlers.replay import open_recording
from crawlers.spiders.feed import STAT
from crawlers.urls import redact_url

__all__ = [
    "COUNTS",
    "SAMPLE_ARCHIVE",
    "SAMPLE_DIR",
    "CrawlResult",
    "KnownPage",
    "crawl_settings",
    "run_crawl",
]

logger = logging.getLogger(__name__)

COUNTS = ("fetched", "parsed", "skipped", "failed", "unchanged")
URL_SPIDER = "url"  # crawls `urls` with the parser of each URL's outlet, or the generic one
# Replayed responses come from disk: politeness delays and back-off would only slow the replay down.
REPLAY_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
}
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_ARCHIVE = SAMPLE_DIR / "sample.warc.gz"  # built from SAMPLE_DIR by `python -m crawlers.archive build`

_reactor_used = False  # Twisted's reactor cannot be restarted, so one crawl per process


@dataclass
class CrawlResult:
    """What a crawl produced.

    `articles`: new or changed articles; `stats`: per spider, the COUNTS; `failures`: (url, reason) for
    each page that failed, or (spider name, reason) for a spider that could not run; `unchanged`: the
    normalised URLs of known articles that had not changed; `archive`: the run's WARC file, if written.
    """

    articles: list[Article] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    archive: Path | None = None


def crawl_settings(
    replay: Path | None = None, overrides: dict[str, Any] | None = None, archive: Path | None = None
) -> Settings:
    """The project's Scrapy settings, switched to replay `replay` and archive to `archive`, then `overrides`."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    if replay is not None:
        settings.setdict({**REPLAY_SETTINGS, "PLEDGEWATCH_REPLAY": str(replay)}, priority="cmdline")
    if archive is not None:
        settings.set("PLEDGEWATCH_ARCHIVE", str(archive), priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawl(
    spiders: Sequence[str],
    *,
    replay: Path | None = None,
    settings: dict[str, Any] | None = None,
    max_articles: int | None = None,
    known: Mapping[str, KnownPage] | None = None,
    archive_dir: Path | None = None,
    urls: Sequence[str] = (),
    since: datetime | None = None,
    replay_dir: Path | None = None,
) -> CrawlResult:
    """Crawl with the named spiders (live, or replaying a recording) and collect the articles.

    `replay`: a sample folder (manifest.json) or a .warc/.warc.gz file to answer requests instead of the
    web (`replay_dir` is its older name). `known`: normalised URL -> `KnownPage` from earlier runs, for
    conditional requests and unchanged detection. `archive_dir`: write every response of the run to
    `archive_dir/pledgewatch-<UTC time>.warc.gz`. `urls`: also crawl exactly these pages (the `url`
    spider). `since`: ignore feed items published before it. `max_articles` stops each spider once it
    has yielded that many articles.

    Runs Scrapy's CrawlerProcess, which starts Twisted's reactor; a reactor cannot be restarted, so call
    this once per process (run it in a subprocess to crawl again).
    Example: run_crawl(["pbs", "guardian", "warzone"], replay=SAMPLE_ARCHIVE, archive_dir=Path("data/warc"))
    """
    global _reactor_used
    replay = replay if replay is not None else replay_dir
    unknown = sorted(set(spiders) - set(OUTLETS))
    if unknown:
        raise ValueError(f"unknown spider(s) {', '.join(unknown)}; choose from {', '.join(OUTLETS)}")
    if replay is not None:
        open_recording(Path(replay))  # a wrong folder or file fails here, in one line, before Scrapy starts
    if _reactor_used:
        raise RuntimeError("run_crawl can run once per process (Twisted's reactor cannot restart)")
    _reactor_used = True
    archive = _archive_path(Path(archive_dir)) if archive_dir is not None else None

    # When the caller has set up logging (the CLI does), Scrapy adds no second root handler and its
    # own loggers follow LOG_LEVEL; run alone, Scrapy logs as it always does.
    caller_logs = bool(logging.getLogger().handlers)
    scrapy_settings = crawl_settings(
        replay, {"LOG_INSTALL_ROOT_HANDLER": not caller_logs, **(settings or {})}, archive
    )
    process = CrawlerProcess(scrapy_settings)
    if caller_logs:
        logging.getLogger("scrapy").setLevel(scrapy_settings.get("LOG_LEVEL"))
    collector = _Collector(max_articles)
    collector.result.archive = archive
    runs: list[tuple[str, dict[str, Any]]] = [(name, {}) for name in dict.fromkeys(spiders)]
    if urls:
        runs.append((URL_SPIDER, {"urls": list(urls)}))
    for name, kwargs in runs:
        crawler = process.create_crawler(name)
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(collector.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(collector.spider_error, signal=signals.spider_error)
        deferred = process.crawl(crawler, known=dict(known or {}), since=since, **kwargs)
        deferred.addErrback(collector.crawl_failed, name)
    process.start()
    if archive is not None and not archive.exists():
        collector.result.archive = None  # nothing was fetched, so nothing was archived
    return collector.result


def _archive_path(folder: Path) -> Path:
    """A new file name for this run's archive in `folder`, named after the UTC start time."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, n = folder / f"pledgewatch-{stamp}.warc.gz", 1
    while path.exists():  # two runs in one second
        n += 1
        path = folder / f"pledgewatch-{stamp}-{n}.warc.gz"
    return path


class _Collector:
    """Signal handlers gathering articles, counts and failures from every crawler of one run."""

    def __init__(self, max_articles: int | None) -> None:
        self.max_articles = max_articles
        self.counts: dict[str, int] = {}
        self.result = CrawlResult()

    def crawl_failed(self, failure: Failure, name: str) -> None:
        """A spider that could not run at all: recorded as a failure, the other spiders' work is kept."""
        reason = f"spider could not run: {failure.type.__name__}: {failure.getErrorMessage()}"
        logger.error("%s %s", name, reason)
        self.result.failures.append((name, reason))
        stats = self.result.stats.setdefault(name, dict.fromkeys(COUNTS, 0))
        stats["failed"] += 1

    def item_scraped(self, item: Any, spider: Any) -> None:
        if not isinstance(item, Article):
            return
        count = self.counts[spider.name] = self.counts.get(spider.name, 0) + 1
        if self.max_articles is None or count <= self.max_articles:
            self.result.articles.append(item)
        if count == self.max_articles:  # later items were already in flight: dropped above
            logger.info("%s reached %d articles, stopping it", spider.name, count)
            deferred_from_coro(spider.crawler.stop_async())

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        """A callback that raised (Scrapy logs it and goes on): the page counts as failed, with its URL."""
        reason = f"spider error: {failure.type.__name__}: {failure.getErrorMessage()}"
        self.result.failures.append((redact_url(response.url), reason))
        spider.crawler.stats.inc_value(STAT.format("failed"))

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = spider.crawler.stats
        self.result.stats[spider.name] = {key: stats.get_value(STAT.format(key), 0) for key in COUNTS}
        self.result.failures.extend(getattr(spider, "failures", []))
        self.result.unchanged.extend(getattr(spider, "unchanged", []))
