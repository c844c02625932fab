"""The live canary: does each outlet's newest article still parse? `check_sites()` asks the real sites.

It fetches each outlet's feed, picks the newest item, fetches that page (robots.txt permitting) and runs
the outlet's parser on it. Only `pledgewatch check-sites` calls it; it is never part of the test suite,
which works from saved pages.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from parsel import Selector
from protego import Protego
from scrapy.http import HtmlResponse

from crawlers import settings as defaults
from crawlers.outlets import OUTLETS, Outlet
from crawlers.spiders.feed import ENTRY_DATE_XPATH, ENTRY_LINK_XPATH, ENTRY_XPATH, _feed_date

logger = logging.getLogger(__name__)

MIN_BODY_CHARS = 300  # shorter than any real article: the body selector has probably stopped matching
OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SiteCheck:
    """The canary's verdict on one outlet: the article it tried, and what is wrong when not `ok`."""

    outlet: str
    url: str | None
    ok: bool
    problem: str | None = None


def check_sites(
    outlets: Iterable[str | Outlet] | None = None,
    *,
    timeout: float = 20.0,
    user_agent: str = defaults.USER_AGENT,
) -> list[SiteCheck]:
    """Fetch each outlet's newest article live and check that its parser still reads it.

    `outlets` are names in `OUTLETS` or `Outlet` rows (all outlets by default).
    Example: [c for c in check_sites(["pbs"]) if not c.ok]
    """
    chosen = [OUTLETS[o] if isinstance(o, str) else o for o in (outlets or OUTLETS)]
    fetcher = _Fetcher(timeout, user_agent)
    return [_check(outlet, fetcher) for outlet in chosen]


def _check(outlet: Outlet, fetcher: _Fetcher) -> SiteCheck:
    newest: tuple[datetime, str] | None = None
    problems = []
    for feed in outlet.feeds:
        try:
            status, _, body = fetcher.get(feed)
        except OSError as exc:
            problems.append(f"feed {feed}: {exc}")
            continue
        if status != 200:
            problems.append(f"feed {feed}: HTTP {status}")
            continue
        for entry in Selector(body=body, type="xml").xpath(ENTRY_XPATH):
            link = entry.xpath(ENTRY_LINK_XPATH).get("").strip()
            published = _feed_date(entry.xpath(ENTRY_DATE_XPATH).get("").strip()) or OLDEST
            if link and (newest is None or published > newest[0]):
                newest = (published, link)
        if newest:
            break  # one feed with items is enough
    if newest is None:
        return SiteCheck(outlet.name, None, False, "; ".join(problems) or "no feed lists any item")
    url = newest[1]
    try:
        status, content_type, body = fetcher.get(url)
    except OSError as exc:
        return SiteCheck(outlet.name, url, False, f"could not fetch the article: {exc}")
    if status != 200:
        return SiteCheck(outlet.name, url, False, f"article answered HTTP {status}")
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    spider = outlet.spider_class()()
    try:
        article = spider.parse_article(response)
    except Exception as exc:  # noqa: BLE001 - the canary reports parser bugs rather than dying of them
        return SiteCheck(outlet.name, url, False, f"parser error: {type(exc).__name__}: {exc}")
    ok, problem = _verdict(article)
    if ok and spider.BODY and not any(response.css(css) for css in spider.BODY):
        # The generic extractor still found text, but the outlet's own selectors no longer match:
        # the layout changed, and the body may now carry boilerplate.
        ok, problem = False, f"none of the body selectors matches ({', '.join(spider.BODY)})"
    return SiteCheck(outlet.name, url, ok, problem)


def _verdict(article: object) -> tuple[bool, str | None]:
    if article is None:
        return False, "the parser found no article on the page"
    missing = [
        name
        for name, present in (
            ("title", article.title),
            ("publication date", article.published_at),
            (f"body of {MIN_BODY_CHARS}+ characters", len(article.body) >= MIN_BODY_CHARS),
        )
        if not present
    ]
    return (False, "no " + ", no ".join(missing)) if missing else (True, None)


class _Fetcher:
    """Polite blocking GETs: our User-Agent, a timeout, and robots.txt obeyed per host."""

    def __init__(self, timeout: float, user_agent: str) -> None:
        self.timeout = timeout
        self.user_agent = user_agent
        self.robots: dict[str, Protego | None] = {}

    def get(self, url: str) -> tuple[int, str, bytes]:
        """Status, Content-Type and body of `url`; raises OSError when robots.txt forbids it."""
        if not self._allowed(url):
            raise PermissionError(f"robots.txt forbids {url}")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - http(s) only
                return reply.status, reply.headers.get("Content-Type", ""), reply.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), b""

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise PermissionError(f"not a web URL: {url}")
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = self._robots(origin)
        rules = self.robots[origin]
        return rules is None or rules.can_fetch(url, self.user_agent)

    def _robots(self, origin: str) -> Protego | None:
        request = urllib.request.Request(origin + "/robots.txt", headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                return Protego.parse(reply.read().decode("utf-8", "replace"))
        except (OSError, ValueError):  # no robots.txt (or an unreadable one): everything is allowed
            return None
