"""Export: Parquet partitioned by publication month (hive layout) and CSV, readable as they are."""

from __future__ import annotations

import duckdb
import pytest
from click.testing import CliRunner

import pipeline
from crawlers.items import Article
from extract.model import Claim
from warehouse.db import connect
from warehouse.flags import recompute_flags
from warehouse.load import load


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "w.duckdb"
    con = connect(path)
    articles, claims = [], []
    for n, month in enumerate(["2025-07", "2025-07", "2025-10"]):
        url = f"https://news.example/{n}"
        articles.append(Article(url=url, canonical_url=url, outlet="pbs", title=f"T{n}", body="B",
                                published_at=f"{month}-15T12:00:00+00:00"))  # fmt: skip
        claims.append(Claim(doc=url, sentence="s", pledger="JPN", recipient="USA", amount=550e9 if n else 5e9,
                            currency="USD", speaker="x", speaker_side="us" if n else "partner", stance="asserted",
                            control=None, article_url=url, start=n, end=n + 1))  # fmt: skip
    load(con, articles, claims)
    recompute_flags(con)
    con.close()
    return path


def test_parquet_export_is_partitioned_by_month_and_complete(db, tmp_path):
    out = tmp_path / "export"
    result = CliRunner().invoke(pipeline.cli, ["export", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "claims").iterdir()) == [
        "published_month=2025-07",
        "published_month=2025-10",
    ]
    rows = duckdb.sql(
        f"select published_month, count(*) from read_parquet('{out}/claims/*/*.parquet', hive_partitioning = true) "
        "group by 1 order by 1"
    ).fetchall()
    assert rows == [("2025-07", 2), ("2025-10", 1)]
    assert duckdb.sql(f"select count(*) from '{out}/flags.parquet'").fetchall() == [(1,)]
    # exporting again replaces the output instead of adding to it
    assert CliRunner().invoke(pipeline.cli, ["export", str(out), "--db", str(db)]).exit_code == 0
    again = duckdb.sql(f"select count(*) from read_parquet('{out}/claims/*/*.parquet')").fetchall()
    assert again == [(3,)]


def test_csv_export_has_one_file_per_table(db, tmp_path):
    out = tmp_path / "csv"
    result = CliRunner().invoke(pipeline.cli, ["export", str(out), "--format", "csv", "--db", str(db)])
    assert result.exit_code == 0, result.output
    expected = {"articles", "article_revisions", "claims", "canonical_claims", "flags", "flag_evidence", "reviews",
                "runs", "crawl_stats", "crawl_failures"}  # fmt: skip
    assert {p.name for p in out.iterdir()} == {f"{name}.csv" for name in expected}
    assert duckdb.sql(f"select count(*) from '{out}/claims.csv'").fetchall() == [(3,)]
