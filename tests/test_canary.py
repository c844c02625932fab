"""The live canary, pointed at a local server: it finds the newest article and says whether it parses."""

from __future__ import annotations

from crawlers.canary import check_sites
from crawlers.localsite import LocalSite, Route
from crawlers.outlets import OUTLETS, Outlet
from test_local_server import ROBOTS, article, feed, text

PBS = OUTLETS["pbs"]


def outlet(name: str, feeds: list[str]) -> Outlet:
    """The PBS outlet row, with its feeds moved to the local server."""
    return Outlet(name=name, label=PBS.label, domains=("127.0.0.1",), feeds=tuple(feeds), spider=PBS.spider)


def test_canary_reports_each_outlet():
    good = article("fresh", "Fresh story", text(8, "the canary"))
    changed = good.replace("class='body-text'", "class='story-text'").replace("<p>", "<div>")  # a redesign
    routes = {
        "/robots.txt": ROBOTS,
        "/fresh": Route(good.encode()),
        "/older": Route(b"gone", status=404),
        "/redesigned": Route(changed.replace("<p", "<span").encode()),
        "/private/newest": Route(good.encode()),
        "/broken-feed.xml": Route(b"", status=500),
    }
    with LocalSite(routes) as site:
        dates = {
            site.url("/fresh"): "Fri, 01 Aug 2025 08:00:00 GMT",
            site.url("/older"): "Thu, 31 Jul 2025 08:00:00 GMT",
        }
        routes["/feed.xml"] = Route(feed([site.url("/older"), site.url("/fresh")], dates))
        routes["/redesign.xml"] = Route(feed([site.url("/redesigned")]))
        routes["/private.xml"] = Route(feed([site.url("/private/newest")]))
        checks = check_sites(
            [
                outlet("ok", [site.url("/broken-feed.xml"), site.url("/feed.xml")]),
                outlet("redesign", [site.url("/redesign.xml")]),
                outlet("robots", [site.url("/private.xml")]),
                outlet("nofeed", [site.url("/broken-feed.xml")]),
            ],
            timeout=5,
        )
    verdicts = {c.outlet: c for c in checks}
    assert verdicts["ok"].ok and verdicts["ok"].url == site.url("/fresh") and verdicts["ok"].problem is None
    assert not verdicts["redesign"].ok and "body" in verdicts["redesign"].problem
    assert not verdicts["robots"].ok and "robots.txt forbids" in verdicts["robots"].problem
    assert not verdicts["nofeed"].ok and "HTTP 500" in verdicts["nofeed"].problem
    assert "/private/newest" not in [h.path for h in site.hits]
