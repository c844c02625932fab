"""The parsers on real saved pages from ../shared (skipped without it): each suite's expected output is the bar.

Guardian pages: title, byline and publication date equal to the expected JSON, body token F1 >= 0.95
where the suite gives the whole body, trafilatura's `with`/`without` snippets respected; the Content API
responses parsed. Other outlets (`extra/`), read by the generic parser: title and date right on every page
whose suite gives them. Print the table with `python tests/test_spiders_real_pages.py`.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from crawlers.guardian_api import parse_capi_item
from crawlers.parsing import parse_html
from crawlers.urls import normalise_url

PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "pages"
MIN_BODY_F1 = 0.95
SKIP = pytest.mark.skip(reason="../shared is not present")


def token_f1(got: str, expected: str) -> float:
    """Bag-of-words F1 between two texts (lower-cased word tokens), as extraction benchmarks score bodies."""
    a, b = Counter(re.findall(r"\w+", got.lower())), Counter(re.findall(r"\w+", expected.lower()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def manifest() -> list[dict[str, str]]:
    with (PAGES / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] == "article_html"]


def expectations(row: dict[str, str]) -> dict:
    """The suite's expected output in our terms: title, authors, published, body, with, without."""
    page = PAGES.parent.parent / row["file"].removeprefix("shared/")
    data = json.loads(
        page.with_name(page.name.removesuffix(".html") + ".expected.json").read_text(encoding="utf-8")
    )
    key = re.search(r"key (\w+)", row["notes"])
    data = data[key.group(1)] if key else data.get("expected", data)  # Fundus keys by version, goose3 nests
    out: dict = {"with": list(data.get("with", [])), "without": list(data.get("without", []))}
    if "title" in data:
        out["title"] = data["title"]
    if "byline" in data:  # Readability: og:title keeps " | Columnist"; the headline has none
        out["title"] = data["title"].removesuffix(f" | {data['byline']}")
        out["authors"] = [data["byline"]]
    if isinstance(data.get("authors"), list):
        out["authors"] = data["authors"]
    if isinstance(data.get("author"), str):
        out["authors"] = [a.strip() for a in data["author"].split(";")]
    for key_name in ("publishing_date", "publishedTime", "date"):
        if key_name in data:
            out["published"] = data[key_name]
    if isinstance(data.get("body"), dict):  # Fundus: the body's paragraphs (its summary is the standfirst)
        out["body"] = "\n".join(p for s in data["body"]["sections"] for p in s["paragraphs"])
    for key_name in ("articleBody", "cleaned_text"):  # Zyte benchmark, goose3: the whole body
        if len(data.get(key_name, "")) > 500:
            out["body"] = data[key_name]
    return out


def same_time(expected: str, got: str | None) -> bool:
    if got is None:
        return False
    if len(expected) == 10:  # a date without a time: the day the page itself gives
        return got.startswith(expected)
    return datetime.fromisoformat(
        expected.replace(" ", "T").replace("Z", "+00:00")
    ) == datetime.fromisoformat(got)


def evaluate(row: dict[str, str]) -> dict:
    """Parse one saved page and compare it with its expectations; None where the suite says nothing."""
    page = PAGES.parent.parent / row["file"].removeprefix("shared/")
    expected = expectations(row)
    article = parse_html(page.read_bytes(), row["original_url"])
    result = {"page": f"{row['outlet'].split()[0]}/{page.stem}", "parsed": article is not None}
    if article is None:
        return result | dict.fromkeys(("title", "authors", "date", "body_f1", "snippets"), False)
    result["title"] = article.title == expected["title"] if "title" in expected else None
    result["authors"] = article.authors == expected["authors"] if "authors" in expected else None
    result["date"] = (
        same_time(expected["published"], article.published_at) if "published" in expected else None
    )
    result["body_f1"] = round(token_f1(article.body, expected["body"]), 3) if "body" in expected else None
    snippets = [s.strip() in article.body for s in expected["with"]] + [
        s not in article.body for s in expected["without"]
    ]
    result["snippets"] = all(snippets) if snippets else None
    result["got"] = {"title": article.title, "authors": article.authors, "published_at": article.published_at}
    result["expected"] = {k: expected.get(k) for k in ("title", "authors", "published")}
    return result


def cases(outlet: str) -> list:
    if not PAGES.is_dir():
        return [pytest.param(None, marks=SKIP)]
    return [pytest.param(r, id=Path(r["file"]).stem) for r in manifest() if r["outlet"].startswith(outlet)]


@pytest.mark.parametrize("row", cases("theguardian"))
def test_guardian_page_matches_its_suite(row):
    result = evaluate(row)
    assert result["parsed"]
    assert result["title"] in (True, None), result
    assert result["authors"] in (True, None), result
    assert result["date"] in (True, None), result
    assert result["body_f1"] is None or result["body_f1"] >= MIN_BODY_F1, result
    assert result["snippets"] in (True, None), result


@pytest.mark.parametrize(
    "row", [c for c in cases("") if c.values[0] is None or "extra" in c.values[0]["outlet"]]
)
def test_generic_parser_gets_title_and_date_of_other_outlets(row):
    result = evaluate(row)
    assert result["parsed"]
    assert result["title"] in (True, None), result
    assert result["date"] in (True, None), result


def capi_files() -> list:
    if not PAGES.is_dir():
        return [pytest.param(None, marks=SKIP)]
    return [pytest.param(p, id=p.stem) for p in sorted((PAGES / "theguardian").glob("capi_*.json"))]


@pytest.mark.parametrize("path", capi_files())
def test_content_api_responses_are_parsed(path):
    response = json.loads(path.read_text(encoding="utf-8"))["response"]
    items = response.get("results") or [response["content"]]
    for item in items:
        article = parse_capi_item(item)
        fields = item.get("fields") or {}
        assert article.outlet == "The Guardian"
        assert article.title == (fields.get("headline") or item["webTitle"]).strip()
        assert article.canonical_url == normalise_url(item["webUrl"]) and article.canonical_url.startswith(
            "https://"
        )
        assert article.published_at and datetime.fromisoformat(
            article.published_at
        ) <= datetime.fromisoformat(item["webPublicationDate"].replace("Z", "+00:00"))
        if fields.get("byline"):
            assert article.authors and article.authors[0] in fields["byline"]
        if fields.get("body") or (item.get("blocks") or {}).get("body"):
            assert article.body and "<" not in article.body and "\n\n" in article.body
        else:
            assert article.body == ""


def test_token_f1():
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("", "a") == 0.0
    assert token_f1("a b", "a b c d") == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def _table() -> str:
    """The real-markup table: one row per saved page."""
    rows = [evaluate(r) for r in manifest()]
    mark = {True: "ok", False: "WRONG", None: "-"}
    lines = [
        "| page | parsed | title | byline | date | body F1 | snippets |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f1 = "-" if r["body_f1"] is None else f"{r['body_f1']:.3f}"
        cells = [mark[r[k]] for k in ("parsed", "title", "authors", "date")] + [f1, mark[r["snippets"]]]
        lines.append(f"| {r['page']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if "-v" in sys.argv:
        for r in (evaluate(r) for r in manifest()):
            print(r["page"], {k: v for k, v in r.items() if k not in ("page",)})
    print(_table())
