"""The Guardian Content API: search requests and `parse_capi_item`, one API result to an `Article`.

Used by the guardian spider instead of its RSS feeds when GUARDIAN_API_KEY is set: one topic search
(`PLEDGEWATCH_TOPICS`) from a date, with the body and byline as fields, 50 results a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from urllib.parse import urlencode

from parsel import Selector

from crawlers.items import Article
from crawlers.parsing import clean_authors, normalise_date
from crawlers.urls import normalise_url

LABEL = "The Guardian"
SHOW_FIELDS = "body,byline,headline,trailText,firstPublicationDate"
PAGE_SIZE = 50
# Body paragraphs of the API's HTML: figures, embeds and pull quotes are not the article's text.
PARAGRAPH_XPATH = "//p[not(ancestor::figure or ancestor::aside or ancestor::blockquote[@class='quoted'])]"


def search_url(base: str, query: str, from_date: date, api_key: str, page: int = 1) -> str:
    """The Content API search URL for one page of results, newest first.

    Example: search_url(GUARDIAN_API_URL, '"investment pledge"', date(2025, 7, 27), "test", 2)
    """
    params = {
        "q": query,
        "from-date": from_date.isoformat(),
        "show-fields": SHOW_FIELDS,
        "show-tags": "contributor",
        "page-size": PAGE_SIZE,
        "page": page,
        "order-by": "newest",
        "api-key": api_key,
    }
    return f"{base}?{urlencode(params)}"


def parse_capi_item(item: dict) -> Article:
    """One Content API result (search, item, tag or section responses) as an `Article`.

    The body comes from `fields.body`, else from the live blog's `blocks`; it is "" when the request
    asked for neither. The headline is `fields.headline` (webTitle adds columnists' names).
    """
    fields = item.get("fields") or {}
    url = item.get("webUrl") or ""
    title = _text(fields.get("headline")) or _text(item.get("webTitle"))
    return Article(
        url=url,
        canonical_url=normalise_url(url) if url else url,
        outlet=LABEL,
        title=title,
        authors=_authors(fields, item.get("tags") or []),
        published_at=_published(fields, item),
        section=item.get("sectionName"),
        body=_body(fields.get("body") or _blocks_html(item.get("blocks") or {})),
        language=fields.get("lang") or "en",
        fetched_at=None,
    )


def _authors(fields: dict, tags: Iterable[dict]) -> list[str]:
    contributors = [t.get("webTitle", "") for t in tags if t.get("type") == "contributor"]
    return clean_authors(contributors) or clean_authors([fields.get("byline") or ""])


def _published(fields: dict, item: dict) -> str | None:
    """The earliest of first and web publication: webPublicationDate moves when a piece is republished."""
    dates = [normalise_date(v) for v in (fields.get("firstPublicationDate"), item.get("webPublicationDate"))]
    known = [d for d in dates if d]
    return min(known, key=datetime.fromisoformat) if known else None


def _blocks_html(blocks: dict) -> str:
    return "".join(block.get("bodyHtml", "") for block in blocks.get("body") or [])


def _body(html: str) -> str:
    if not html.strip():
        return ""
    sel = Selector(text=f"<html><body>{html}</body></html>")
    paragraphs = (_text("".join(p.xpath(".//text()").getall())) for p in sel.xpath(PARAGRAPH_XPATH))
    return "\n\n".join(p for p in paragraphs if p)


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    if "<" in value:  # trailText and some headlines carry inline HTML
        value = "".join(Selector(text=f"<p>{value}</p>").xpath("//text()").getall())
    return re.sub(r"\s+", " ", value).strip()
