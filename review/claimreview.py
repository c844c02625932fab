"""schema.org ClaimReview JSON-LD for the flags reviewers confirmed: the US-side claim is the claim reviewed,
each article that carried it an appearance, and the contradiction the verdict.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.reviews import confirmed_flags

ORGANISATION_ENV = "PLEDGEWATCH_ORGANISATION"

# the textual verdict (reviewRating.alternateName) for each kind of confirmed flag
VERDICTS = {
    "amount_mismatch": "Contradicted: the partner states a different amount",
    "stance_mismatch": "Disputed by the partner",
    "control_mismatch": "Contradicted: the partner says it decides where the money goes",
    "timing_mismatch": "Contradicted: the partner states a different timing",
    "condition_mismatch": "Misleading: the two sides differ on the conditions",
    "us_self_inconsistency": "Inconsistent with earlier US statements",
}


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _is_web(url) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _appearance(mention: dict) -> dict:
    work = {"@type": "CreativeWork", "url": mention["article_url"]}
    if mention.get("title"):
        work["headline"] = mention["title"]
    if mention.get("published_at"):
        work["datePublished"] = _iso(mention["published_at"])
    if mention.get("outlet"):
        work["publisher"] = {"@type": "Organization", "name": mention["outlet"]}
    return work


def claim_review(flag: dict, organisation: str) -> dict | None:
    """One ClaimReview for a confirmed flag (see `warehouse.reviews.confirmed_flags`); None without its claim."""
    claim = flag["us"]
    if claim is None:
        return None
    # only web pages are appearances: an article read from a local file has no public address
    appearances = [_appearance(m) for m in claim["carried_by"] if _is_web(m["article_url"])]
    item: dict = {"@type": "Claim", "author": {"@type": "Person", "name": claim["speaker"]}}
    if appearances:
        item["appearance"] = appearances
        item["firstAppearance"] = appearances[0]
        if appearances[0].get("datePublished"):
            item["datePublished"] = appearances[0]["datePublished"]
    review = flag["review"]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim["sentence"],
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": VERDICTS.get(flag["kind"], "Contradicted"),
        },
        "reviewBody": flag["explanation"],
        "datePublished": review["reviewed_at"].date().isoformat(),
        "author": {"@type": "Organization", "name": organisation},
        "identifier": flag["flag_id"],
    }


def export_claimreviews(con: duckdb.DuckDBPyConnection, path: Path, organisation: str) -> int:
    """Write the confirmed flags as a JSON array of ClaimReview objects to `path`; returns how many."""
    if not organisation or not organisation.strip():
        raise ValueError(f"name the publishing organisation with --organisation or {ORGANISATION_ENV}")
    reviews = [r for r in (claim_review(f, organisation.strip()) for f in confirmed_flags(con)) if r]
    path = Path(path)
    if path.parent != Path("."):
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(reviews)
