"""Idempotent bulk loads of articles and their claims, through Arrow tables (never row by row)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from crawlers.items import Article
from extract.model import CLAIM_FIELDS, Claim

ARTICLE_COLUMNS = [
    "article_id", "url", "canonical_url", "outlet", "title", "authors", "published_at", "section", "body",
    "language", "content_hash", "fetched_at", "first_seen_at", "last_seen_at",
]  # fmt: skip

ARTICLE_SCHEMA = pa.schema(
    [("authors", pa.list_(pa.string()))]
    + [(name, pa.string()) for name in ARTICLE_COLUMNS if name not in ("authors", "first_seen_at", "last_seen_at")]
)

CLAIM_TYPES = {
    "amount": pa.float64(),
    "amount_high": pa.float64(),
    "confidence": pa.float64(),
    "start": pa.int32(),
    "end": pa.int32(),
    "conditions": pa.list_(pa.string()),
}
CLAIM_SCHEMA = pa.schema([(name, CLAIM_TYPES.get(name, pa.string())) for name in CLAIM_FIELDS])


def article_id(canonical_url: str) -> str:
    """Stable article identity from its canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def new_run_id(now: datetime | None = None) -> str:
    """A sortable run id: UTC start time plus a random suffix."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class LoadStats:
    """What one load changed in the warehouse."""

    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    claims_added: int = 0
    claims_removed: int = 0
    claims_total: int = 0
    new_claim_ids: list[str] = field(default_factory=list)


def _articles_table(articles: list[Article]) -> pa.Table:
    rows = {name: [] for name in ARTICLE_SCHEMA.names}
    for article in articles:
        row = article.to_dict()
        row["article_id"] = article_id(article.canonical_url)
        row["content_hash"] = article.content_hash
        for name in ARTICLE_SCHEMA.names:
            rows[name].append(row.get(name))
    return pa.table(rows, schema=ARTICLE_SCHEMA)


def _claims_table(claims: list[Claim]) -> pa.Table:
    rows = {name: [] for name in CLAIM_FIELDS}
    for claim in claims:
        for name, value in claim.to_dict().items():
            rows[name].append(value)
    return pa.table(rows, schema=CLAIM_SCHEMA)


def load(
    con: duckdb.DuckDBPyConnection,
    articles: list[Article],
    claims: list[Claim],
    *,
    now: datetime | None = None,
) -> LoadStats:
    """Store articles and the claims extracted from them, in one transaction.

    Idempotent: loading the same articles and claims again changes no row counts. An article whose
    content changed replaces its row, and its claims replace the claims stored for it before.
    Every claim's `article_url` must be the canonical URL of one of `articles`.
    """
    now = now or datetime.now(UTC)
    stats = LoadStats()
    # The last version wins when a batch holds the same canonical URL twice.
    unique = list({a.canonical_url: a for a in articles}.values())
    if not unique:
        return stats
    arts = _articles_table(unique)
    cl = _claims_table(claims)
    con.execute("begin transaction")
    try:
        con.register("batch_articles", arts)
        con.register("batch_claims", cl)
        before = dict(
            con.execute(
                "select a.article_id, a.content_hash from articles a join batch_articles b using (article_id)"
            ).fetchall()
        )
        for row_id, content_hash in zip(arts.column("article_id").to_pylist(), arts.column("content_hash").to_pylist()):
            if row_id not in before:
                stats.articles_new += 1
            elif before[row_id] != content_hash:
                stats.articles_changed += 1
            else:
                stats.articles_unchanged += 1
        old_ids = {
            r[0]
            for r in con.execute(
                "select claim_id from claims where article_url in (select canonical_url from batch_articles)"
            ).fetchall()
        }
        con.execute(
            """
            insert or replace into articles
            select
                b.article_id, b.url, b.canonical_url, b.outlet, b.title, b.authors,
                b.published_at::timestamptz, b.section, b.body, b.language, b.content_hash,
                coalesce(b.fetched_at::timestamptz, $now),
                coalesce(a.first_seen_at, $now),
                $now
            from batch_articles b
            left join articles a using (article_id)
            """,
            {"now": now},
        )
        # Claims of every article in the batch are replaced by this extraction's claims.
        con.execute("delete from claims where article_url in (select canonical_url from batch_articles)")
        columns = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)
        con.execute(
            f"insert or replace into claims ({columns}) "
            f"select {columns} from (select distinct on (claim_id) * from batch_claims)"
        )
        new_ids = set(cl.column("claim_id").to_pylist())
        stats.new_claim_ids = sorted(new_ids - old_ids)
        stats.claims_added = len(stats.new_claim_ids)
        stats.claims_removed = len(old_ids - new_ids)
        stats.claims_total = len(new_ids)
        con.unregister("batch_articles")
        con.unregister("batch_claims")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return stats


def start_run(con: duckdb.DuckDBPyConnection, command: str, run_id: str, started_at: datetime) -> None:
    """Record that a run has started (finished_at stays null until `finish_run`)."""
    con.execute(
        "insert into runs (run_id, command, started_at) values ($id, $command, $at)",
        {"id": run_id, "command": command, "at": started_at},
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, **values) -> None:
    """Record a run's end and its counts; dicts and lists are stored as JSON."""
    values.setdefault("finished_at", datetime.now(UTC))
    for key in ("spider_stats", "failures"):
        if key in values:
            values[key] = json.dumps(values[key])
    assignments = ", ".join(f"{key} = ${key}" for key in values)
    con.execute(f"update runs set {assignments} where run_id = $run_id", {**values, "run_id": run_id})
