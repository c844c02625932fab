"""Turn one fetched page into an `Article`: JSON-LD and <meta> first, then CSS, then trafilatura.

`parse_article(response, outlet)` is the generic parser every outlet spider builds on; `parse_html(html, url)`
picks the outlet parser for a URL (or the generic one) so any saved page can be parsed.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import HtmlResponse, TextResponse

from crawlers.items import Article
from crawlers.outlets import outlet_for_url
from crawlers.urls import normalise_url

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "LiveBlogPosting",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "Report",
}

TITLE_META = ("og:title", "twitter:title", "parsely-title", "citation_title")
DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "parsely-pub-date",
    "citation_publication_date",
    "citation_date",
    "pubdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dcterms.created",
)
AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "citation_author",
    "sailthru.author",
    "dc.creator",
)
SECTION_META = ("article:section", "parsely-section")
CANONICAL_XPATH = '//link[@rel="canonical"]/@href'
AUTHOR_LINKS_CSS = 'a[rel="author"]'
BYLINE_PREFIX = re.compile(r"^\s*(?:by|from)\s*[:\-—–]?\s+", re.IGNORECASE)
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
PLACEHOLDER_AUTHORS = {"no author", "unknown", "unknown author", "n/a", "none", "admin", "anonymous"}
NON_TEXT = "[not(ancestor::script or ancestor::style or ancestor::noscript)]"


def parse_article(
    response: TextResponse,
    outlet: str,
    *,
    body_css: Iterable[str] = (),
    title_css: Iterable[str] = (),
    author_css: Iterable[str] = (),
) -> Article | None:
    """Parse an article page into an `Article`, or None when the page is not an article.

    `body_css` are alternative selectors of the body's paragraphs (the first that matches wins; trafilatura
    reads the page when none does); `title_css` and `author_css` are tried before the metadata when an outlet
    knows its headline or byline better than its <meta> tags do.
    """
    response = usable_encoding(response)
    sel = _selector(response)
    if sel is None:
        return None
    ld = _article_node(sel)
    meta = _meta(sel)
    paragraphs = _paragraphs(sel, body_css)
    is_article = (
        bool(ld) or _first(meta, ["og:type"]) == "article" or bool(paragraphs) or _first(meta, DATE_META)
    )
    title = _without_site_name(
        _clean(
            _css_text(sel, title_css)
            or _as_text(ld.get("headline"))
            or _first(meta, TITLE_META)
            or sel.xpath("string(//h1)").get()
            or sel.xpath("string(//title)").get()
        ),
        _first(meta, ["og:site_name"]),
    )
    if not (is_article and title):
        return None
    body = "\n\n".join(paragraphs) if paragraphs else _trafilatura_body(response)
    body = body.removeprefix(title).lstrip("\n")  # trafilatura sometimes repeats the headline
    if not body:
        return None
    return Article(
        url=response.url,
        canonical_url=_canonical_url(sel, meta, response),
        outlet=outlet,
        title=title,
        authors=_authors(sel, ld, meta, author_css),
        published_at=normalise_date(
            ld.get("datePublished") or _first(meta, DATE_META) or sel.xpath("//time/@datetime").get()
        ),
        section=_clean(_as_text(ld.get("articleSection")) or _first(meta, SECTION_META)) or None,
        body=body,
        language=_language(sel, ld, meta),
        fetched_at=_fetched_at(response),
    )


def parse_html(html: str | bytes, url: str) -> Article | None:
    """Parse a saved page with the parser of the outlet that owns `url` (the generic parser otherwise).

    Example: parse_html(Path("page.html").read_bytes(), "https://www.theguardian.com/us-news/2025/jul/23/x")
    """
    body = html.encode("utf-8") if isinstance(html, str) else html
    response = HtmlResponse(url=url, body=body, encoding="utf-8" if isinstance(html, str) else None)
    outlet = outlet_for_url(url)
    try:
        if outlet is not None:
            return outlet.spider_class()().parse_article(response)
        return parse_article(response, site_name(response))
    except Exception as exc:  # a parser bug on one odd page must not stop a batch
        logger.warning("could not parse %s: %s: %s", url, type(exc).__name__, exc)
        return None


def usable_encoding(response: TextResponse) -> TextResponse:
    """The response, re-read as windows-1252 when it claims UTF-8 but its bytes are not.

    Old CMS templates declare utf-8 and serve windows-1252; decoding those as UTF-8 turns every
    curly quote and accented letter into U+FFFD, which would end up in the stored body.
    """
    try:
        declared = (response.encoding or "").lower().replace("-", "").replace("_", "")
    except Exception:  # noqa: BLE001 - an undecodable body has no encoding to fix
        return response
    if declared != "utf8":
        return response
    try:
        response.body.decode("utf-8")
    except UnicodeDecodeError:
        logger.info("%s declares UTF-8 but is not; reading it as windows-1252", response.url)
        return response.replace(encoding="cp1252")
    return response


def site_name(response: TextResponse) -> str:
    """The name a page gives itself (og:site_name), else its host without "www." ("unknown" for files)."""
    sel = _selector(response)
    name = sel.xpath('//meta[@property="og:site_name"]/@content').get() if sel is not None else None
    return _clean(name) or (urlsplit(response.url).hostname or "").removeprefix("www.") or "unknown"


def normalise_date(value: str | None) -> str | None:
    """ISO 8601 with offset for a date string; naive times are taken as UTC.

    Example: normalise_date("2025-07-23T01:15:00.000Z") == "2025-07-23T01:15:00+00:00"
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_loose_date(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.replace(microsecond=0).isoformat()


def clean_authors(names: Iterable[str]) -> list[str]:
    """Author names without "By ", URLs or repeats, in page order.

    Example: clean_authors(["By Jane Doe and John Roe", "Jane Doe"]) == ["Jane Doe", "John Roe"]
    """
    out: list[str] = []
    for raw in names:
        for name in AUTHOR_SPLIT.split(BYLINE_PREFIX.sub("", _clean(raw))):
            name = BYLINE_PREFIX.sub("", name).strip(" .")
            if (
                name
                and name.lower() not in PLACEHOLDER_AUTHORS
                and "://" not in name
                and not name.startswith("/")
                and name.lower() not in map(str.lower, out)
            ):
                out.append(name)
    return out


def _selector(response: TextResponse) -> Selector | None:
    try:
        return response.selector
    except Exception as exc:  # undecodable or non-HTML bytes
        logger.warning("unreadable page %s: %s", response.url, exc)
        return None


def _json_ld_nodes(sel: Selector) -> Iterator[dict]:
    for raw in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        raw = raw.strip().removeprefix("<![CDATA[").removesuffix("]]>").strip()
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        for node in stack:
            if isinstance(node, dict):
                yield node
                yield from (n for n in node.get("@graph", []) if isinstance(n, dict))


def _article_node(sel: Selector) -> dict:
    """The page's article node from JSON-LD, with @id references (Yoast's authors) resolved."""
    nodes = list(_json_ld_nodes(sel))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        types = node.get("@type")
        if ARTICLE_TYPES & set(types if isinstance(types, list) else [types]):
            author = node.get("author")
            refs = author if isinstance(author, list) else [author]
            return {
                **node,
                "author": [by_id.get(a.get("@id"), a) if isinstance(a, dict) else a for a in refs],
            }
    return {}


def _meta(sel: Selector) -> dict[str, list[str]]:
    """<meta> values by lower-cased property/name/itemprop, in page order (authors often come one per tag)."""
    out: dict[str, list[str]] = {}
    for tag in sel.xpath("//meta[@content]"):
        key = (
            tag.attrib.get("property") or tag.attrib.get("name") or tag.attrib.get("itemprop") or ""
        ).lower()
        if key and (value := tag.attrib["content"].strip()):
            out.setdefault(key, []).append(value)
    return out


def _first(meta: dict[str, list[str]], keys: Iterable[str]) -> str | None:
    return next((meta[k][0] for k in keys if k in meta), None)


def _paragraphs(sel: Selector, body_css: Iterable[str]) -> list[str]:
    for css in body_css:
        paragraphs = [
            text for p in sel.css(css) if (text := _clean("".join(p.xpath(f".//text(){NON_TEXT}").getall())))
        ]
        if paragraphs:
            return paragraphs
    return []


def _trafilatura_body(response: TextResponse) -> str:
    import trafilatura  # imported late: it is slow to import and only the generic path needs it

    try:
        text = trafilatura.extract(
            response.text,
            url=response.url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            output_format="txt",
        )
    except Exception as exc:  # trafilatura raises on some malformed documents
        logger.warning("trafilatura failed on %s: %s", response.url, exc)
        return ""
    return "\n\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def _css_text(sel: Selector, css_list: Iterable[str]) -> str | None:
    for css in css_list:
        if text := _clean(sel.css(css).xpath("string()").get()):
            return text
    return None


def _authors(sel: Selector, ld: dict, meta: dict[str, list[str]], author_css: Iterable[str]) -> list[str]:
    from_css = [t for css in author_css for t in sel.css(css).xpath("string()").getall()]
    from_ld = [a.get("name", "") if isinstance(a, dict) else a for a in ld.get("author", []) if a]
    from_meta = next((meta[k] for k in AUTHOR_META if k in meta), [])
    from_links = sel.css(AUTHOR_LINKS_CSS).xpath("string()").getall()
    for names in (from_css, from_ld, from_meta, from_links):
        if authors := clean_authors(n for n in names if isinstance(n, str)):
            return authors
    return []


def _canonical_url(sel: Selector, meta: dict[str, list[str]], response: TextResponse) -> str:
    href = (sel.xpath(CANONICAL_XPATH).get() or _first(meta, ["og:url"]) or "").strip()
    return normalise_url(response.urljoin(href) if href else response.url)


def _language(sel: Selector, ld: dict, meta: dict[str, list[str]]) -> str | None:
    lang = (
        sel.xpath("/html/@lang").get() or _as_text(ld.get("inLanguage")) or _first(meta, ["og:locale"]) or ""
    )
    return re.split(r"[-_]", lang.strip().lower())[0] or None


def _fetched_at(response: TextResponse) -> str:
    """When the server answered (its Date header, which replays keep), else now."""
    date = response.headers.get(b"Date")
    if date:
        try:
            return parsedate_to_datetime(date.decode("latin-1")).astimezone(UTC).isoformat()
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _parse_loose_date(value: str) -> datetime | None:
    """Free-form dates ("July 23, 2025 10:15 AM EDT") keep their own offset; naive ones stay naive."""
    import dateparser  # slow to import; most pages give ISO dates
    from dateparser.timezone_parser import pop_tz_offset_from_string

    try:
        has_zone = pop_tz_offset_from_string(value)[1] is not None
        return dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": has_zone})
    except Exception:  # dateparser raises assorted errors on junk
        return None


def _without_site_name(title: str, site: str | None) -> str:
    """ "Headline | The Japan Times" -> "Headline"."""
    for sep in (" | ", " - ", " – ", " — "):
        if site and title.lower().endswith((sep + site).lower()):
            return title[: -len(sep + site)].strip()
    return title


def _as_text(value: object) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
