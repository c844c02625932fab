"""The generic article parser: metadata before CSS, dates and bylines normalised, bad pages never raise."""

from __future__ import annotations

import csv
import json

import pytest
from scrapy.http import HtmlResponse

from crawlers.outlets import OUTLETS, outlet_for_url
from crawlers.parsing import clean_authors, normalise_date, parse_article, parse_html

PARAGRAPH = "The government said on Tuesday that the fund would be worth $550bn over four years."


def page(head: str = "", body: str = "") -> bytes:
    return f"<html lang='en-GB'><head>{head}</head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-07-23T01:15:00.000Z", "2025-07-23T01:15:00+00:00"),
        ("2025-07-23T10:15:00+09:00", "2025-07-23T10:15:00+09:00"),
        ("2025-07-23T10:15:00", "2025-07-23T10:15:00+00:00"),  # naive: taken as UTC
        ("2025-07-23", "2025-07-23T00:00:00+00:00"),
        ("Wed, 23 Jul 2025 10:15:00 -0400", "2025-07-23T10:15:00-04:00"),
        ("July 23, 2025 10:15 AM EDT", "2025-07-23T10:15:00-04:00"),
        ("", None),
        (None, None),
        ("not a date at all", None),
    ],
)
def test_normalise_date(raw, iso):
    assert normalise_date(raw) == iso


@pytest.mark.parametrize(
    ("names", "authors"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["By Jane Doe and John Roe", "Jane Doe"], ["Jane Doe", "John Roe"]),
        (["Jane Doe, John Roe"], ["Jane Doe", "John Roe"]),
        (["https://www.theguardian.com/profile/janedoe"], []),
        (["  by   JANE DOE ", "Jane Doe"], ["JANE DOE"]),
        ([""], []),
        (["No Author"], []),  # a CMS placeholder (The Japan Times) is nobody
    ],
)
def test_clean_authors(names, authors):
    assert clean_authors(names) == authors


def test_json_ld_graph_with_author_references_is_resolved():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "https://example.com/a", "name": "ignored"},
            {
                "@type": ["Article", "NewsArticle"],
                "headline": "Japan pledge explained",
                "datePublished": "2025-09-08T14:02:00+00:00",
                "author": [{"@id": "#p1"}, {"@id": "#p2"}],
                "articleSection": ["World"],
            },
            {"@type": "Person", "@id": "#p1", "name": "Ann Lee"},
            {"@type": "Person", "@id": "#p2", "name": "Bo Kim"},
        ],
    }
    html = page(
        f'<script type="application/ld+json">{json.dumps(graph)}</script>',
        f"<article><p>{PARAGRAPH}</p></article>",
    )
    article = parse_article(
        HtmlResponse("https://example.com/a", body=html), "Example", body_css=["article p"]
    )
    assert (article.title, article.authors, article.published_at, article.section) == (
        "Japan pledge explained",
        ["Ann Lee", "Bo Kim"],
        "2025-09-08T14:02:00+00:00",
        "World",
    )
    assert article.body == PARAGRAPH
    assert article.language == "en"


def test_meta_tags_when_there_is_no_json_ld():
    head = (
        '<meta property="og:title" content="EU pledge | Example News">'
        '<meta property="og:site_name" content="Example News"><meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2025-07-28T09:00:00Z">'
        '<meta name="author" content="By Ann Lee"><meta name="author" content="Bo Kim">'
        '<link rel="canonical" href="/eu-pledge">'
    )
    article = parse_article(
        HtmlResponse("https://example.com/eu-pledge?ref=rss", body=page(head, f"<p>{PARAGRAPH}</p>")),
        "Example News",
        body_css=["p"],
    )
    assert article.title == "EU pledge"  # the " | Site" suffix of og:title is not part of the headline
    assert article.authors == ["Ann Lee", "Bo Kim"]
    assert article.published_at == "2025-07-28T09:00:00+00:00"
    assert article.canonical_url == "https://example.com/eu-pledge"
    assert article.url == "https://example.com/eu-pledge?ref=rss"


def test_trafilatura_reads_the_body_when_no_selector_matches():
    body = (
        "<nav>Home | World | Business</nav><article><h1>Pledge</h1>"
        + "".join(
            f"<p>{PARAGRAPH} Paragraph {i} adds detail about the loans and guarantees.</p>" for i in range(4)
        )
        + "</article>"
    )
    head = '<meta property="og:type" content="article"><title>Pledge</title>'
    article = parse_article(
        HtmlResponse("https://example.com/p", body=page(head, body)), "Example", body_css=["div.nope p"]
    )
    assert article.body.count("\n\n") == 3 and "Paragraph 3" in article.body
    assert "Home | World" not in article.body


def test_fetched_at_comes_from_the_server_date():
    response = HtmlResponse(
        "https://example.com/p",
        body=page('<meta property="og:type" content="article"><title>T</title>', f"<p>{PARAGRAPH}</p>"),
        headers={"Date": "Fri, 31 Oct 2025 06:00:00 GMT"},
    )
    assert parse_article(response, "Example", body_css=["p"]).fetched_at == "2025-10-31T06:00:00+00:00"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary junk",
        b"<html><head><title>Only a title</title></head><body></body></html>",
        b"<html><body><p>Unclosed <div><p>tags <<<<< &&& </b></i>",
        "<html><head><meta charset='utf-8'><title>Caf\u00e9</title></head><body><p>Caf\u00e9</p>".encode(
            "latin-1"
        ),
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", broken</script></head>',
        b"<?xml version='1.0'?><rss><channel><item><title>x</title></item></channel></rss>",
    ],
    ids=["empty", "binary", "no-body", "malformed", "wrong-charset", "broken-json-ld", "xml"],
)
@pytest.mark.parametrize("url", ["https://www.theguardian.com/world/x", "https://example.com/x"])
def test_bad_pages_give_none_not_an_exception(body, url):
    assert parse_html(body, url) is None


def test_non_article_page_is_not_an_article():
    head = '<meta property="og:type" content="website"><title>Business | Example</title>'
    links = "".join(f"<li><a href='/a{i}'>{PARAGRAPH}</a></li>" for i in range(10))
    assert (
        parse_html(page(head, f"<h1>Business</h1><ul>{links}</ul>"), "https://example.com/business") is None
    )


def test_saved_file_url_uses_the_generic_parser():
    html = page(
        '<meta property="og:type" content="article"><title>Headline</title>', f"<p>{PARAGRAPH}</p>" * 3
    )
    article = parse_html(html, "file:///tmp/saved/page.html")
    assert (article.outlet, article.title, article.url) == (
        "unknown",
        "Headline",
        "file:///tmp/saved/page.html",
    )


def test_parse_html_accepts_text_and_picks_the_outlet_parser():
    html = page(
        '<meta property="og:type" content="article"><title>Headline</title>',
        f'<div class="body-text"><p>{PARAGRAPH}</p></div><p>Footer text that is not the body.</p>',
    )
    article = parse_html(html.decode(), "https://www.pbs.org/newshour/politics/x")
    assert article.outlet == "PBS NewsHour"
    assert article.body == PARAGRAPH


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.pbs.org/newshour/politics/x", "pbs"),
        ("https://www.theguardian.com/us-news/2025/jul/23/x", "guardian"),
        ("http://www.guardian.co.uk/film/2011/nov/18/x", "guardian"),
        ("https://twz.com/sea/x", "warzone"),
        ("https://www.nottheguardian.com/x", None),
        ("https://apnews.com/article/x", None),
    ],
)
def test_outlet_for_url(url, name):
    outlet = outlet_for_url(url)
    assert (outlet.name if outlet else None) == name


def test_registry_spider_names_match():
    assert all(o.spider_class().name == name for name, o in OUTLETS.items())


def _extra_pages(shared_dir):
    base = shared_dir / "fixtures" / "pages"
    with (base / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter="\t")
            if r["kind"] == "article_html" and "extra" in r["outlet"]
        ]
    return [(base.parent.parent / r["file"].removeprefix("shared/"), r["original_url"]) for r in rows]


def test_generic_parser_on_real_pages_of_other_outlets(shared):
    """Every real page of an outlet without a spider parses, with a title, a date or author, and a body."""
    for path, url in _extra_pages(shared):
        article = parse_html(path.read_bytes(), url)
        assert article is not None, path.name
        assert article.title and len(article.body) > 500, path.name
        assert article.published_at or article.authors, path.name
        assert outlet_for_url(url) is None and article.outlet, path.name
