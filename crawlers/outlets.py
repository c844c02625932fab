"""The outlets we follow, declared as data: one row per outlet, its domains, feeds and spider."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.utils.misc import load_object


@dataclass(frozen=True)
class Outlet:
    """One news outlet: `name` is its spider's name, `label` the name stored on each `Article`."""

    name: str
    label: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...]
    spider: str  # dotted path, so this table imports no spider code

    def spider_class(self) -> type:
        """The outlet's spider class (its `parse_article` is the outlet's parser)."""
        return load_object(self.spider)

    def owns(self, url: str) -> bool:
        """Whether `url` is on one of the outlet's domains (subdomains included)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


OUTLETS: dict[str, Outlet] = {
    o.name: o
    for o in [
        Outlet(
            name="pbs",
            label="PBS NewsHour",
            domains=("pbs.org",),
            feeds=(
                "https://www.pbs.org/newshour/feeds/rss/headlines",
                "https://www.pbs.org/newshour/feeds/rss/politics",
                "https://www.pbs.org/newshour/feeds/rss/economy",
            ),
            spider="crawlers.spiders.pbs.PbsSpider",
        ),
        Outlet(
            name="guardian",
            label="The Guardian",
            domains=("theguardian.com", "guardian.co.uk"),
            feeds=("https://www.theguardian.com/us-news/rss", "https://www.theguardian.com/business/rss"),
            spider="crawlers.spiders.guardian.GuardianSpider",
        ),
        Outlet(
            name="warzone",
            label="The War Zone",
            domains=("twz.com",),
            feeds=("https://www.twz.com/feed",),
            spider="crawlers.spiders.warzone.WarzoneSpider",
        ),
    ]
}


def outlet_for_url(url: str) -> Outlet | None:
    """The outlet whose domains include `url`'s host, or None for any other site."""
    return next((o for o in OUTLETS.values() if o.owns(url)), None)
