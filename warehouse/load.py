"""Idempotent bulk loads of articles and their claims, through Arrow tables (never row by row)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from crawlers.items import Article
from extract.model import CLAIM_FIELDS, EXTRACTOR_VERSION, Claim

# Article fields carried into the warehouse, as Arrow columns (timestamps are cast in SQL).
ARTICLE_FIELDS = [
    "article_id", "url", "canonical_url", "outlet", "title", "authors", "published_at", "section", "body",
    "language", "content_hash", "fetched_at", "etag", "last_modified", "warc_file", "warc_record_id",
]  # fmt: skip
ARTICLE_SCHEMA = pa.schema(
    [(name, pa.list_(pa.string()) if name == "authors" else pa.string()) for name in ARTICLE_FIELDS]
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


def articles_table(articles: list[Article]) -> pa.Table:
    """Articles as an Arrow table in the warehouse's load layout, built column by column."""
    columns = {}
    for name in ARTICLE_FIELDS:
        if name == "article_id":
            columns[name] = [article_id(a.canonical_url) for a in articles]
        elif name == "content_hash":
            columns[name] = [a.content_hash for a in articles]
        else:
            columns[name] = [getattr(a, name, None) for a in articles]
    return pa.table(columns, schema=ARTICLE_SCHEMA)


def claims_table(claims: list[Claim]) -> pa.Table:
    """Claims as an Arrow table with exactly the claims table's columns, built column by column."""
    return pa.table({name: [getattr(c, name) for c in claims] for name in CLAIM_FIELDS}, schema=CLAIM_SCHEMA)


def load(
    con: duckdb.DuckDBPyConnection,
    articles: list[Article],
    claims: list[Claim],
    *,
    extracted: set[str] | None = None,
    extractor_version: str = EXTRACTOR_VERSION,
    now: datetime | None = None,
) -> LoadStats:
    """Store articles and the claims extracted from them, in one transaction.

    Idempotent: loading the same articles and claims again changes no row counts. An article whose text
    changed gets a new revision. `extracted` names (by canonical URL) the articles whose claims were
    extracted this time: their stored claims are replaced by those in `claims`; other articles keep
    theirs. By default every article in the batch was extracted.
    """
    # The last version wins when a batch holds the same canonical URL twice.
    unique = list({a.canonical_url: a for a in articles}.values())
    extracted_urls = {a.canonical_url for a in unique} if extracted is None else set(extracted)
    return load_tables(
        con,
        articles_table(unique),
        claims_table([c for c in claims if c.article_url in extracted_urls]),
        extracted=extracted_urls,
        extractor_version=extractor_version,
        now=now,
    )


def load_tables(
    con: duckdb.DuckDBPyConnection,
    arts: pa.Table,
    cl: pa.Table,
    *,
    extracted: set[str],
    extractor_version: str = EXTRACTOR_VERSION,
    now: datetime | None = None,
) -> LoadStats:
    """The bulk path of `load`: Arrow tables in the layouts of `articles_table` and `claims_table`."""
    now = now or datetime.now(UTC)
    stats = LoadStats()
    if arts.num_rows == 0:
        return stats
    if pc.count_distinct(arts.column("article_id")).as_py() < arts.num_rows:
        # the last row wins when a batch holds the same article twice
        last = {article: i for i, article in enumerate(arts.column("article_id").to_pylist())}
        arts = arts.take(sorted(last.values()))
    redo = pa.table({"canonical_url": sorted(extracted)}, schema=pa.schema([("canonical_url", pa.string())]))
    con.execute("begin transaction")
    try:
        con.register("batch_articles", arts)
        con.register("batch_claims", cl)
        con.register("batch_extracted", redo)
        # What the warehouse holds for each article of the batch: a narrow table, the wide columns stay in Arrow.
        con.execute(
            """
            create or replace temp table batch_state as
            select
                b.article_id,
                b.content_hash as new_hash,
                a.content_hash as old_hash,
                a.first_seen_at as old_first_seen_at,
                case when b.canonical_url in (select canonical_url from batch_extracted) then $version
                     else a.extractor_version end as new_extractor_version,
                case
                    when a.article_id is null then 1
                    when a.content_hash <> b.content_hash then coalesce(a.revision, 1) + 1
                    else coalesce(a.revision, 1)
                end as new_revision
            from batch_articles b
            left join articles a using (article_id)
            """,
            {"version": extractor_version},
        )
        stats.articles_new, stats.articles_changed, stats.articles_unchanged = con.execute(
            "select count(*) filter (where old_hash is null), count(*) filter (where old_hash <> new_hash), "
            "count(*) filter (where old_hash = new_hash) from batch_state"
        ).fetchall()[0]
        # Counted before the old claims go: what this load adds and removes.
        (stats.claims_total,) = con.execute(
            "select count(*) from (select distinct claim_id from batch_claims)"
        ).fetchall()[0]
        (old_total,) = con.execute(
            "select count(*) from claims where article_url in (select canonical_url from batch_extracted)"
        ).fetchall()[0]
        if old_total:
            stats.claims_added, stats.claims_removed = con.execute(
                """
                with old as (
                    select claim_id from claims where article_url in (select canonical_url from batch_extracted)
                )
                select
                    (select count(distinct claim_id) from batch_claims anti join old using (claim_id)),
                    (select count(*) from old anti join batch_claims using (claim_id))
                """
            ).fetchall()[0]
        else:
            stats.claims_added = stats.claims_total
        if stats.articles_changed:
            # The version being replaced moves to article_revisions; articles keeps the current one.
            con.execute(
                """
                insert or ignore into article_revisions
                select
                    a.article_id, a.revision, a.canonical_url, a.content_hash, a.title, a.body, a.fetched_at, $now,
                    a.warc_file, a.warc_record_id
                from articles a
                join batch_state s using (article_id)
                where s.old_hash <> s.new_hash
                """,
                {"now": now},
            )
        columns = """
            article_id, url, canonical_url, outlet, title, authors, published_at, section, body, language,
            content_hash, fetched_at, first_seen_at, last_seen_at, revision, etag, last_modified, warc_file,
            warc_record_id, extractor_version
        """
        values = """
            article_id, url, canonical_url, outlet, title, authors, published_at::timestamptz, section, body,
            language, content_hash, coalesce(fetched_at::timestamptz, $now), coalesce(old_first_seen_at, $now),
            $now, new_revision, etag, last_modified, warc_file, warc_record_id, new_extractor_version
        """
        # Known articles are replaced, new ones appended, all in one insert (the loader keeps article_id unique).
        if stats.articles_changed or stats.articles_unchanged:
            con.execute(
                "delete from articles where article_id in "
                "(select article_id from batch_state where old_hash is not null)"
            )
        con.execute(
            f"insert into articles ({columns}) select {values} from batch_articles join batch_state using (article_id)",
            {"now": now},
        )
        # Claims of every re-extracted article are replaced by this extraction's claims.
        if old_total:
            con.execute("delete from claims where article_url in (select canonical_url from batch_extracted)")
        columns = ", ".join(f'"{name}"' for name in CLAIM_FIELDS)
        unique = stats.claims_total == cl.num_rows  # a batch normally holds each claim once
        source = "batch_claims" if unique else "(select distinct on (claim_id) * from batch_claims)"
        if cl.num_rows:
            con.execute(f"insert into claims ({columns}) select {columns} from {source}")
        con.execute("drop table batch_state")
        for name in ("batch_articles", "batch_claims", "batch_extracted"):
            con.unregister(name)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return stats


def touch_unchanged(con: duckdb.DuckDBPyConnection, urls: list[str], now: datetime | None = None) -> int:
    """Mark articles the server reported unchanged (HTTP 304) as seen now; returns how many were known."""
    if not urls:
        return 0
    table = pa.table({"url": urls}, schema=pa.schema([("url", pa.string())]))
    con.register("seen_urls", table)
    try:
        where = "canonical_url in (select url from seen_urls) or url in (select url from seen_urls)"
        (count,) = con.execute(f"select count(*) from articles where {where}").fetchall()[0]
        con.execute(
            f"update articles set last_seen_at = $now where {where}", {"now": now or datetime.now(UTC)}
        )
    finally:
        con.unregister("seen_urls")
    return count


def start_run(
    con: duckdb.DuckDBPyConnection,
    command: str,
    run_id: str,
    started_at: datetime,
    *,
    abort_unfinished: bool = False,
) -> list[str]:
    """Record that a run has started: status 'running', finished_at null until `finish_run`.

    With `abort_unfinished` (for a caller that holds the nightly run lock and the warehouse, so no other run
    can still be going), runs left unfinished by a process that died are first marked 'aborted'; returns
    their ids.
    """
    aborted = []
    if abort_unfinished:
        rows = con.execute(
            "select run_id from runs where finished_at is null and coalesce(status, 'running') = 'running' "
            "order by started_at"
        ).fetchall()
        aborted = [row[0] for row in rows]
        con.execute(
            "update runs set status = 'aborted', error = $why where run_id in (select unnest($ids::varchar[]))",
            {"ids": aborted, "why": f"ended without recording its end (killed or crashed); found by run {run_id}"},
        )
    con.execute(
        "insert into runs (run_id, command, started_at, status) values ($id, $command, $at, 'running')",
        {"id": run_id, "command": command, "at": started_at},
    )
    return aborted


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, **values) -> None:
    """Record a run's end and its counts; dicts and lists are stored as JSON."""
    values.setdefault("finished_at", datetime.now(UTC))
    for key in ("spider_stats", "failures"):
        if key in values:
            values[key] = json.dumps(values[key])
    assignments = ", ".join(f"{key} = ${key}" for key in values)
    con.execute(f"update runs set {assignments} where run_id = $run_id", {**values, "run_id": run_id})


def record_crawl(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    stats: dict[str, dict[str, int]],
    failures: list[tuple[str, str]],
) -> None:
    """Store a run's counts per spider and its failures (idempotent for one run id)."""
    con.execute("delete from crawl_stats where run_id = $id", {"id": run_id})
    con.execute("delete from crawl_failures where run_id = $id", {"id": run_id})
    counts = ("fetched", "parsed", "skipped", "failed", "unchanged")
    rows = [
        [run_id, spider, *(int(values.get(k, 0)) for k in counts)] for spider, values in sorted(stats.items())
    ]
    if rows:
        con.executemany(
            f"insert into crawl_stats (run_id, spider, {', '.join(counts)}) values (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    if failures:
        table = pa.table(
            {
                "run_id": [run_id] * len(failures),
                "url": [u for u, _ in failures],
                "reason": [r for _, r in failures],
            }
        )
        con.register("batch_failures", table)
        con.execute("insert into crawl_failures select * from batch_failures")
        con.unregister("batch_failures")


def extraction_state(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """canonical URL -> (content hash, extractor version) of every stored article."""
    return {
        url: (h, v)
        for url, h, v in con.execute(
            "select canonical_url, content_hash, extractor_version from articles"
        ).fetchall()
    }


def known_pages(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str | None]]:
    """canonical URL -> the validators and hash stored for it, for conditional requests on the next crawl."""
    rows = con.execute(
        "select canonical_url, url, etag, last_modified, content_hash from articles"
    ).fetchall()
    return {r[0]: {"url": r[1], "etag": r[2], "last_modified": r[3], "content_hash": r[4]} for r in rows}
