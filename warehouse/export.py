"""Export the warehouse as Parquet (partitioned by publication month, hive layout) or CSV, for other engines."""

from __future__ import annotations

from pathlib import Path

import duckdb

# table -> the query that exports it; claims and articles carry their publication month for partitioning.
EXPORTS = {
    "articles": """
        select *, coalesce(strftime(published_at, '%Y-%m'), 'unknown') as published_month from articles
    """,
    "claims": """
        select claims.*, coalesce(strftime(articles.published_at, '%Y-%m'), 'unknown') as published_month
        from claims left join articles on articles.canonical_url = claims.article_url
    """,
    "article_revisions": "select * from article_revisions",
    "canonical_claims": "select * from canonical_claims",
    "flags": "select * from flag_status",
    "flag_evidence": "select * from flag_evidence",
    "reviews": "select * from reviews",
    "runs": "select * from runs",
    "crawl_stats": "select * from crawl_stats",
    "crawl_failures": "select * from crawl_failures",
}
PARTITIONED = {"articles", "claims"}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(con: duckdb.DuckDBPyConnection, directory: Path, fmt: str = "parquet") -> dict[str, int]:
    """Write every exported table under `directory`; returns rows written per table.

    Parquet: `articles/` and `claims/` as hive partitions `published_month=YYYY-MM/`, the rest one file
    each. CSV: one file per table with a header. Existing output of the same tables is replaced.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"unknown export format {fmt!r}; choose parquet or csv")
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, query in EXPORTS.items():
        (counts[table],) = con.execute(f"select count(*) from ({query})").fetchall()[0]
        if fmt == "parquet" and table in PARTITIONED:
            target = directory / table
            options = "format parquet, partition_by (published_month), overwrite"
        elif fmt == "parquet":
            target = directory / f"{table}.parquet"
            options = "format parquet"
        else:
            target = directory / f"{table}.csv"
            options = "format csv, header"
        con.execute(f"copy ({query}) to {_quote(target)} ({options})")
    return counts
