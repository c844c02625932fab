"""The real spiders against a misbehaving web server on 127.0.0.1: failures counted, nothing else lost.

Every page and feed here is written for this test. Each crawl runs `run_crawl` in a subprocess (Twisted's
reactor starts once per process) while the server runs in a thread of the test process.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawlers.archive import iter_records
from crawlers.localsite import LocalSite, Route
from crawlers.spiders.pbs import PbsSpider

ROOT = Path(__file__).resolve().parents[1]
ROBOTS = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain; charset=utf-8")
# Small limits keep the failure cases quick: 1 s timeout, one retry after 0.1 s, three redirects.
FAST = {
    "DOWNLOAD_TIMEOUT": 1,
    "RETRY_TIMES": 1,
    "RETRY_BACKOFF_BASE": 0.1,
    "REDIRECT_MAX_TIMES": 3,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "LOG_LEVEL": "INFO",
}
CRAWL = """
import dataclasses, json, sys
from datetime import datetime
from crawlers.items import KnownPage
from crawlers.run import run_crawl
a = json.loads(sys.argv[1])
result = run_crawl(
    a["spiders"],
    settings=a["settings"],
    known={k: KnownPage(**v) for k, v in a.get("known", {}).items()},
    since=datetime.fromisoformat(a["since"]) if a.get("since") else None,
    urls=a.get("urls", []),
    archive_dir=a.get("archive_dir"),
)
print(json.dumps(dataclasses.asdict(result), default=str))
"""


def article(
    slug: str, title: str, paragraphs: list[str], *, published: str = "2025-08-01T09:00:00-04:00"
) -> str:
    """A page in PBS NewsHour's structure (JSON-LD NewsArticle, div.body-text paragraphs), our own text."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published,
        "author": [{"@type": "Person", "name": "Ada Lovelace"}],
    }
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<!-- written for pledgewatch's tests; not published by any outlet -->"
        f"<title>{title}</title><link rel='canonical' href='/news/{slug}'>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head>"
        f"<body><article><h1>{title}</h1><div class='body-text'>{body}</div></article></body></html>"
    )


def text(n: int, topic: str) -> list[str]:
    return [
        f"Paragraph {i} of the test story about {topic}, which says a fund of $5 billion was agreed."
        for i in range(n)
    ]


def feed(links: list[str], dates: dict[str, str] | None = None) -> bytes:
    """An RSS 2.0 feed listing `links`, with a pubDate for those in `dates`."""
    dates = dates or {}
    items = "".join(
        f"<item><title>item</title><link>{link}</link>"
        + (f"<pubDate>{dates[link]}</pubDate>" if link in dates else "")
        + "</item>"
        for link in links
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>test</title>{items}</channel></rss>".encode()


def crawl(spiders: list[str], settings: dict, **kwargs) -> dict:
    """run_crawl in a fresh interpreter; returns the CrawlResult as JSON plus the log."""
    env = {k: v for k, v in os.environ.items() if k not in ("GUARDIAN_API_KEY", "PLEDGEWATCH_TOPICS")}
    args = json.dumps({"spiders": spiders, "settings": {**FAST, **settings}, **kwargs})
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.splitlines()[-1]), "log": done.stderr}


# --- failures -------------------------------------------------------------------------------------------

GOOD = {f"/news/a{i}": article(f"a{i}", f"Good story {i}", text(4, f"story {i}")) for i in (1, 2, 3)}
TRUNCATED = article("truncated", "Cut-off story", text(6, "a page cut short"))
CP1252 = article(
    "cp1252",
    "Caf\u00e9 owners cheer \u2018fund\u2019",
    ["The caf\u00e9\u2019s owner said the \u20ac5bn fund was \u201cwelcome\u201d."] * 3,
)
FAILURES = {
    "/missing": "HTTP 404",
    "/broken": "HTTP 500",
    "/slow": "DownloadTimeoutError: Getting",
    "/loop": "IgnoreRequest: max redirections reached",
    "/report.pdf": "not an HTML page: application/pdf",
    "/dataloss": "truncated response",
    "/private/secret": "IgnoreRequest: Forbidden by robots.txt",
}


def failure_site() -> dict[str, Route]:
    links = [*GOOD, "/news/a1?utm_source=newsletter#top", "/about", *FAILURES, "/truncated", "/cp1252"]
    return {
        "/robots.txt": ROBOTS,
        "/feed.xml": Route(feed(links), content_type="application/rss+xml; charset=utf-8"),
        **{path: Route(html.encode(), etag=f'"{path}"') for path, html in GOOD.items()},
        "/about": Route(
            b"<html><head><meta property='og:type' content='website'><title>About us</title></head>"
            b"<body><h1>About</h1><ul><li><a href='/news/a1'>a1</a></li></ul></body></html>"
        ),
        "/missing": Route(b"gone", status=404),
        "/broken": Route(b"<h1>Internal error</h1>", status=500),
        "/slow": Route(article("slow", "Slow story", text(3, "a slow server")).encode(), delay=3),
        "/loop": Route(redirect="/loop-b"),
        "/loop-b": Route(redirect="/loop"),
        "/report.pdf": Route(
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf"
        ),
        "/truncated": Route(TRUNCATED.encode()[: TRUNCATED.index("Paragraph 3")]),
        "/dataloss": Route(
            article("dataloss", "Lost story", text(3, "lost data")).encode(), declared_length=50_000
        ),
        "/cp1252": Route(CP1252.encode("cp1252"), content_type="text/html; charset=utf-8"),
        "/private/secret": Route(article("secret", "Secret", text(3, "secrets")).encode()),
    }


@pytest.fixture(scope="module")
def failure_crawl(tmp_path_factory):
    archive_dir = tmp_path_factory.mktemp("warc")
    with LocalSite(failure_site()) as site:
        result = crawl(
            ["pbs"], {"PLEDGEWATCH_FEEDS": {"pbs": [site.url("/feed.xml")]}}, archive_dir=str(archive_dir)
        )
    return site, result


def test_every_good_article_arrives(failure_crawl):
    site, result = failure_crawl
    got = {a["url"]: a for a in result["articles"]}
    assert sorted(got) == sorted(site.url(p) for p in [*GOOD, "/truncated", "/cp1252"])
    for path, html in GOOD.items():
        assert got[site.url(path)]["body"].count("\n\n") == 3
        assert got[site.url(path)]["etag"] == f'"{path}"'
    assert got[site.url("/truncated")]["body"].endswith("was agreed.")  # what arrived is kept
    assert "Paragraph 2 " in got[site.url("/truncated")]["body"]


def test_a_page_in_windows_1252_declared_as_utf8_is_read_right(failure_crawl):
    site, result = failure_crawl
    page = next(a for a in result["articles"] if a["url"] == site.url("/cp1252"))
    assert page["title"] == "Caf\u00e9 owners cheer \u2018fund\u2019"
    assert "The caf\u00e9\u2019s owner said the \u20ac5bn fund was \u201cwelcome\u201d." in page["body"]
    assert "\ufffd" not in page["body"]


def test_each_failure_is_counted_with_its_url(failure_crawl):
    site, result = failure_crawl
    reasons = dict(map(tuple, result["failures"]))
    assert sorted(reasons) == sorted(site.url(p) for p in FAILURES)
    for path, reason in FAILURES.items():
        assert reasons[site.url(path)].startswith(reason), (path, reasons[site.url(path)])
        assert result["log"].count(f"failed {site.url(path)}: ") == 1  # one clear line per bad page


def test_totals_add_up(failure_crawl):
    _, result = failure_crawl
    stats = result["stats"]["pbs"]
    # 13 distinct links (the utm_ copy of a1 is the same page): 5 parsed, 1 skipped, 7 failed
    assert stats == {"fetched": 9, "parsed": 5, "skipped": 1, "failed": 7, "unchanged": 0}
    assert stats["parsed"] + stats["skipped"] + stats["failed"] == 13
    # pages that answered at all: the parsed and skipped ones, the 404, the 500 and the PDF
    assert stats["fetched"] == stats["parsed"] + stats["skipped"] + 3


def test_retries_back_off_and_duplicates_are_fetched_once(failure_crawl):
    site, _ = failure_crawl
    paths = [hit.path for hit in site.hits]
    assert paths.count("/broken") == 2 and paths.count("/slow") == 2  # one retry each
    assert paths.count("/news/a1") == 1 and not [p for p in paths if "utm_source" in p]
    assert "/private/secret" not in paths and paths[0] == "/robots.txt"
    assert all("pledgewatch/" in hit.headers["User-Agent"] for hit in site.hits)


def test_every_response_is_archived_and_articles_point_to_their_record(failure_crawl):
    site, result = failure_crawl
    archive = Path(result["archive"])
    records = list(iter_records(archive))
    responses = {r["record_id"]: r for r in records if r["type"] == "response"}
    requests = [r for r in records if r["type"] == "request"]
    archived = [urlsplit(r["uri"]).path for r in responses.values()]
    # every answer the server gave, retries and redirect hops included; timeouts and cut bodies never arrived
    answered = [h.path for h in site.hits if h.path not in ("/slow", "/dataloss")]
    assert sorted(archived) == sorted(answered)
    assert archived.count("/broken") == 2 and {"/robots.txt", "/feed.xml", "/loop-b", "/missing"} <= set(
        archived
    )
    assert all(r["date"] and r["payload_digest"].startswith("sha1:") for r in responses.values())
    assert sorted(r["concurrent_to"] for r in requests) == sorted(responses)
    assert records[0]["type"] == "warcinfo"
    for a in result["articles"]:
        assert a["warc_file"] == archive.name
        record = responses[a["warc_record_id"]]
        assert record["uri"] == a["url"] and record["status"] == "200"
        assert record["payload"] == site.routes[urlsplit(a["url"]).path].body


# --- incremental crawls ----------------------------------------------------------------------------------

LAST_MODIFIED = "Wed, 30 Jul 2025 08:00:00 GMT"
PAGES = {
    "/news/etag": article("etag", "Story with an ETag", text(3, "validators")),
    "/news/lm": article("lm", "Story with a date", text(3, "dates")),
    "/news/same": article("same", "Story that did not change", text(3, "stability")),
    "/news/changed": article("changed", "Story that changed", text(4, "a correction")),
    "/news/new": article("new", "A new story", text(3, "news")),
    "/news/old": article("old", "An old story", text(3, "history")),
}


def known_hash(site: LocalSite, path: str) -> str:
    """What an earlier run stored for the page: the hash of the article our parser reads from it."""
    return PbsSpider().parse_article(HtmlResponse(site.url(path), body=PAGES[path].encode())).content_hash


@pytest.fixture(scope="module")
def incremental_crawl():
    routes = {
        "/robots.txt": ROBOTS,
        "/news/etag": Route(PAGES["/news/etag"].encode(), etag='"v1"'),
        "/news/lm": Route(PAGES["/news/lm"].encode(), last_modified=LAST_MODIFIED),
        **{p: Route(PAGES[p].encode()) for p in ("/news/same", "/news/changed", "/news/old")},
        "/news/new": Route(PAGES["/news/new"].encode(), etag='"n1"'),
        "/elsewhere/story": Route(
            article("elsewhere", "A story elsewhere", text(3, "the wider web"))
            .replace("<head>", "<head><meta property='og:site_name' content='Somewhere Else News'>")
            .encode()
        ),
    }
    with LocalSite(routes) as site:
        links = [site.url(p) for p in PAGES]
        dates = {
            site.url("/news/old"): "Tue, 01 Jul 2025 08:00:00 GMT",
            site.url("/news/new"): "Fri, 01 Aug 2025 08:00:00 GMT",
        }
        routes["/feed.xml"] = Route(feed(links, dates), content_type="application/rss+xml")
        known = {
            site.url("/news/etag"): {"url": site.url("/news/etag"), "etag": '"v1"', "content_hash": "stale"},
            site.url("/news/lm"): {"url": site.url("/news/lm"), "last_modified": LAST_MODIFIED},
            site.url("/news/same"): {
                "url": site.url("/news/same"),
                "content_hash": known_hash(site, "/news/same"),
            },
            site.url("/news/changed"): {"url": site.url("/news/changed"), "content_hash": "0" * 64},
        }
        result = crawl(
            ["pbs"],
            {"PLEDGEWATCH_FEEDS": {"pbs": [site.url("/feed.xml")]}},
            known=known,
            since="2025-07-15T00:00:00+00:00",
            urls=[site.url("/elsewhere/story?utm_source=x"), site.url("/elsewhere/story"), "not-a-url"],
        )
    return site, result


def test_known_pages_are_asked_for_conditionally_and_304_is_unchanged(incremental_crawl):
    site, result = incremental_crawl
    hits = {h.path: h for h in site.hits}
    assert hits["/news/etag"].headers.get("If-None-Match") == '"v1"' and hits["/news/etag"].status == 304
    assert (
        hits["/news/lm"].headers.get("If-Modified-Since") == LAST_MODIFIED and hits["/news/lm"].status == 304
    )
    assert "If-None-Match" not in hits["/news/new"].headers


def test_unchanged_articles_are_not_returned_and_changed_ones_are(incremental_crawl):
    site, result = incremental_crawl
    assert sorted(result["unchanged"]) == sorted(
        site.url(p) for p in ("/news/etag", "/news/lm", "/news/same")
    )
    pbs = sorted(a["url"] for a in result["articles"] if a["outlet"] == "PBS NewsHour")
    assert pbs == sorted(site.url(p) for p in ("/news/changed", "/news/new"))
    assert result["stats"]["pbs"] == {"fetched": 5, "parsed": 2, "skipped": 0, "failed": 0, "unchanged": 3}
    new = next(a for a in result["articles"] if a["url"] == site.url("/news/new"))
    assert new["etag"] == '"n1"' and new["canonical_url"] == site.url("/news/new")


def test_feed_items_before_since_are_not_fetched(incremental_crawl):
    site, _ = incremental_crawl
    paths = [h.path for h in site.hits]
    assert "/news/old" not in paths and "/news/new" in paths


def test_url_spider_fetches_exactly_the_given_pages_with_the_generic_parser(incremental_crawl):
    site, result = incremental_crawl
    other = [a for a in result["articles"] if a["outlet"] == "Somewhere Else News"]
    assert [a["title"] for a in other] == ["A story elsewhere"]
    # fetched as given, once: the second URL is the same page without the utm_ tag
    assert [h.path for h in site.hits if h.path.startswith("/elsewhere/")] == [
        "/elsewhere/story?utm_source=x"
    ]
    assert result["stats"]["url"] == {"fetched": 1, "parsed": 1, "skipped": 0, "failed": 1, "unchanged": 0}
    assert ["not-a-url", "not a URL"] in [[u, r[:9]] for u, r in result["failures"]]


# --- the Guardian Content API ----------------------------------------------------------------------------


def capi_item(n: int, published: str, body: bool = True) -> dict:
    """One search result in the Content API's shape, our own text."""
    fields = {
        "headline": f"Pledge story {n}",
        "byline": "Ada Lovelace and Alan Turing",
        "firstPublicationDate": published,
    }
    if body:
        fields["body"] = "".join(
            f"<p>Paragraph {i} of API story {n} on a <a href='#'>$5bn</a> pledge.</p>" for i in range(3)
        )
    return {
        "id": f"world/2025/aug/01/story-{n}",
        "webUrl": f"https://www.theguardian.com/world/2025/aug/01/story-{n}",
        "webTitle": f"Pledge story {n} | Ada Lovelace",
        "webPublicationDate": published,
        "sectionName": "World news",
        "fields": fields,
    }


def test_guardian_spider_reads_the_content_api_when_it_has_a_key(tmp_path):
    asked: list[dict] = []
    pages = {
        "1": [capi_item(1, "2025-08-01T10:00:00Z"), capi_item(2, "2025-08-01T09:00:00Z", body=False),
              capi_item(3, "2025-07-31T10:00:00Z"), capi_item(4, "2025-07-20T10:00:00Z")],
        "2": [capi_item(5, "2025-07-30T10:00:00Z")],
    }  # fmt: skip

    def search(path: str) -> Route:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        asked.append(query)
        data = {
            "response": {
                "status": "ok",
                "currentPage": int(query["page"]),
                "pages": 2,
                "results": pages[query["page"]],
            }
        }
        return Route(json.dumps(data).encode(), content_type="application/json")

    with LocalSite({"/robots.txt": ROBOTS, "/search": search}) as site:
        settings = {"GUARDIAN_API_KEY": "secret-test-key", "GUARDIAN_API_URL": site.url("/search"),
                    "PLEDGEWATCH_TOPICS": '"investment pledge" AND Japan'}  # fmt: skip
        result = crawl(["guardian"], settings, since="2025-07-25T00:00:00+00:00", archive_dir=str(tmp_path))
    assert [q["page"] for q in asked] == ["1", "2"]
    assert asked[0] | {"page": "1"} == {
        "q": '"investment pledge" AND Japan', "from-date": "2025-07-25", "page-size": "50", "page": "1",
        "show-fields": "body,byline,headline,trailText,firstPublicationDate", "show-tags": "contributor",
        "order-by": "newest", "api-key": "secret-test-key",
    }  # fmt: skip
    titles = sorted(a["title"] for a in result["articles"])
    assert titles == ["Pledge story 1", "Pledge story 3", "Pledge story 5"]  # 2 has no body, 4 is too old
    assert all(
        a["authors"] == ["Ada Lovelace", "Alan Turing"] and a["outlet"] == "The Guardian"
        for a in result["articles"]
    )
    assert result["stats"]["guardian"] == {
        "fetched": 4,
        "parsed": 3,
        "skipped": 1,
        "failed": 0,
        "unchanged": 0,
    }
    archived = gzip.decompress(Path(result["archive"]).read_bytes())  # every record, headers included
    assert b"secret-test-key" not in archived and b"api-key=REDACTED" in archived
    assert datetime.fromisoformat(result["articles"][0]["fetched_at"])
