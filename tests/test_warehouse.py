"""Warehouse: schema documentation, idempotent loads, flag views on tiny hand-written rows, bound queries."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from crawlers.items import Article
from extract.model import CLAIM_FIELDS, Claim
from warehouse import queries
from warehouse.db import connect, migrate
from warehouse.flags import fetch_flags, recompute_flags
from warehouse.load import load


def _article(n: int, body: str = "Body.") -> Article:
    url = f"https://news.example/{n}"
    return Article(url=url, canonical_url=url, outlet="pbs", title=f"Headline {n}", body=body,
                   published_at="2025-07-27T10:00:00+09:00")  # fmt: skip


def _claim(
    article: Article, side: str, amount=None, stance="asserted", control=None, start=0, pledger="JPN"
) -> Claim:
    return Claim(
        doc=article.canonical_url, sentence=f"{side} sentence {start}", pledger=pledger, recipient="USA",
        amount=amount, currency="USD" if amount else None, speaker="Donald Trump" if side == "us" else "Ryosei Akazawa",
        speaker_side=side, stance=stance, control=control, article_url=article.canonical_url, start=start, end=start + 5,
    )  # fmt: skip


@pytest.fixture()
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def test_claims_table_columns_are_the_claim_fields(con):
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where table_name = 'claims' order by column_index"
        ).fetchall()
    ]
    assert sorted(columns) == sorted(CLAIM_FIELDS)


def test_every_table_and_column_is_documented(con):
    undocumented_tables = con.execute(
        "select table_name from duckdb_tables() where comment is null or comment = ''"
    ).fetchall()
    undocumented_columns = con.execute(
        "select table_name, column_name from duckdb_columns() where internal = false "
        "and table_name in (select table_name from duckdb_tables()) and (comment is null or comment = '')"
    ).fetchall()
    assert undocumented_tables == []
    assert undocumented_columns == []


def test_migrate_twice_is_harmless(con):
    migrate(con)
    migrate(con)
    assert con.execute("select count(*) from articles").fetchone() == (0,)


def test_load_is_idempotent_and_replaces_claims_of_changed_articles(con):
    a, b = _article(1), _article(2)
    claims = [_claim(a, "us", 550e9), _claim(b, "partner", 5.5e9, start=10)]
    first = load(con, [a, b], claims)
    assert (first.articles_new, first.claims_added) == (2, 2)
    second = load(con, [a, b], claims)
    assert (second.articles_new, second.articles_unchanged, second.claims_added) == (0, 2, 0)
    assert con.execute("select count(*) from articles").fetchone() == (2,)
    assert con.execute("select count(*) from claims").fetchone() == (2,)

    changed = dataclasses.replace(a, body="A corrected body.")
    third = load(con, [changed], [_claim(changed, "us", 600e9, start=3)])
    assert (third.articles_changed, third.claims_added, third.claims_removed) == (1, 1, 1)
    assert con.execute("select amount from claims where article_url = ?", [a.canonical_url]).fetchall() == [
        (600e9,)
    ]
    first_seen = con.execute("select first_seen_at <= last_seen_at from articles").fetchall()
    assert first_seen == [(True,), (True,)]


def test_load_rolls_back_on_error(con):
    a = _article(1)
    load(con, [a], [_claim(a, "us", 550e9)])
    bad = _claim(a, "us", 1e9, start=7)
    bad.speaker = None  # violates NOT NULL: the whole batch must be rolled back
    with pytest.raises(duckdb.Error):
        load(con, [_article(1, body="changed"), _article(3)], [bad])
    assert con.execute("select count(*), max(body) from articles").fetchone() == (1, "Body.")
    assert con.execute("select count(*) from claims").fetchone() == (1,)


@pytest.mark.parametrize(
    ("us", "partner", "expected"),
    [
        # given US-side and partner-side claims -> expect the flag kinds raised for the deal
        (dict(amount=550e9), dict(amount=550e9), set()),
        (dict(amount=550e9), dict(amount=530e9), set()),  # within 5%
        (dict(amount=550e9), dict(amount=400e9), {"amount_mismatch"}),
        (dict(amount=550e9), dict(stance="disputed"), {"stance_mismatch"}),
        (dict(stance="hedged"), dict(stance="disputed"), set()),
        (dict(control="us"), dict(control="partner"), {"control_mismatch"}),
        (dict(control="us"), dict(control="us"), set()),
        (
            dict(amount=550e9, control="us"),
            dict(amount=5.5e9, stance="disputed", control="partner"),
            {"amount_mismatch", "stance_mismatch", "control_mismatch"},
        ),
    ],
)
def test_flag_views(con, us, partner, expected):
    a, b = _article(1), _article(2)
    load(con, [a, b], [_claim(a, "us", **us), _claim(b, "partner", start=20, **partner)])
    recompute_flags(con)
    found = fetch_flags(con)
    assert {f["kind"] for f in found} == expected
    for flag in found:
        assert flag["us"]["speaker_side"] == "us" and flag["partner"]["speaker_side"] == "partner"
        assert flag["explanation"].endswith(".")


def test_flags_need_the_same_deal_and_currency(con):
    a, b = _article(1), _article(2)
    load(con, [a, b], [_claim(a, "us", 550e9), _claim(b, "partner", 350e9, start=20, pledger="KOR")])
    recompute_flags(con)
    assert fetch_flags(con) == []


def test_one_flag_per_deal_and_kind_cites_each_sides_most_stated_figure(con):
    a, b = _article(1), _article(2)
    claims = [_claim(a, "us", 550e9), _claim(a, "us", 600e9, start=40), _claim(b, "us", 600e9, start=80),
              _claim(b, "partner", 5.5e9, start=20), _claim(b, "partner", 500e9, start=60),
              _claim(a, "partner", 500e9, start=90)]  # fmt: skip
    load(con, [a, b], claims)
    recompute_flags(con)
    flags = fetch_flags(con)
    (flag,) = [f for f in flags if f["kind"] == "amount_mismatch"]
    assert flag["evidence_pairs"] == 4
    assert (flag["us"]["amount"], flag["partner"]["amount"]) == (600e9, 500e9)


def test_named_queries_open_with_a_comment_and_run(con):
    a, b = _article(1), _article(2)
    load(con, [a, b], [_claim(a, "us", 550e9, control="us"), _claim(b, "partner", 5.5e9, start=20)])
    recompute_flags(con)
    names = queries.list_queries()
    assert {"us_vs_partner", "pledge_timeline", "open_flags", "claims_by_speaker", "amount_history"} <= set(
        names
    )
    for name, description in names.items():
        assert description, f"{name}.sql must open with a comment saying what it answers"
        columns, rows = queries.run(con, queries.query_text(name))
        assert columns and rows, name


def test_query_parameters_are_bound_not_formatted(con):
    a, b = _article(1), _article(2)
    load(con, [a, b], [_claim(a, "us", 550e9), _claim(b, "partner", 5.5e9, start=20)])
    recompute_flags(con)
    sql = queries.query_text("us_vs_partner")
    _, rows = queries.run(con, sql, {"pledger": "JPN"})
    assert len(rows) == 2
    _, rows = queries.run(con, sql, {"pledger": "JPN' or '1'='1"})
    assert rows == []
    _, rows = queries.run(con, sql, {"pledger": "x'); drop table claims; --"})
    assert rows == []
    # the Arrow path binds the same way and gives the same rows
    assert queries.run_arrow(con, sql, {"pledger": "JPN"}).num_rows == 2
    assert queries.run_arrow(con, sql, {"pledger": "JPN' or '1'='1"}).num_rows == 0
    assert con.execute("select count(*) from claims").fetchone() == (2,)


def test_unknown_query_and_parameter_are_clear_errors(con):
    with pytest.raises(queries.QueryError, match="known queries"):
        queries.query_text("nope")
    with pytest.raises(queries.QueryError, match="takes: pledger"):
        queries.run(con, queries.query_text("us_vs_partner"), {"country": "JPN"})


def test_a_locked_warehouse_gives_a_clear_error_after_waiting(tmp_path):
    import subprocess
    import sys

    from warehouse.db import WarehouseBusy

    path = tmp_path / "locked.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        waits = []
        with pytest.raises(WarehouseBusy, match="locked by another process"):
            connect(path, wait_seconds=1.0, on_wait=waits.append)
        assert len(waits) == 1
    finally:
        holder.kill()
        holder.wait()
    connect(path).close()  # free again once the holder is gone


def test_a_changed_article_becomes_a_new_revision(con):
    a = _article(1)
    load(con, [a], [_claim(a, "us", 550e9)])
    load(con, [a], [_claim(a, "us", 550e9)])
    changed = dataclasses.replace(a, body="Updated: the figure was revised.")
    load(con, [changed], [_claim(changed, "us", 650e9)])
    assert con.execute("select revision from articles").fetchall() == [(2,)]
    assert con.execute("select revision, body from article_revisions").fetchall() == [(1, "Body.")]
    assert con.execute("select revision, body, is_current from article_versions order by revision").fetchall() == [
        (1, "Body.", False),
        (2, "Updated: the figure was revised.", True),
    ]
    # a third load of the same text adds no version
    load(con, [changed], [_claim(changed, "us", 650e9)])
    assert con.execute("select count(*) from article_versions").fetchall() == [(2,)]


def test_articles_not_re_extracted_keep_their_claims(con):
    a, b = _article(1), _article(2)
    load(con, [a, b], [_claim(a, "us", 550e9), _claim(b, "partner", 5.5e9, start=20)])
    # b unchanged and not extracted again: only a's claims are replaced
    load(con, [a, b], [_claim(a, "us", 600e9)], extracted={a.canonical_url})
    rows = con.execute("select article_url, amount from claims order by article_url").fetchall()
    assert rows == [(a.canonical_url, 600e9), (b.canonical_url, 5.5e9)]


def test_touch_unchanged_marks_known_articles_seen(con):
    from datetime import UTC, datetime

    from warehouse.load import touch_unchanged

    a = _article(1)
    load(con, [a], [], now=datetime(2025, 1, 1, tzinfo=UTC))
    assert (
        touch_unchanged(
            con, [a.canonical_url, "https://unknown.example/x"], now=datetime(2025, 2, 1, tzinfo=UTC)
        )
        == 1
    )
    (seen,) = con.execute("select last_seen_at from articles").fetchone()
    assert seen.month == 2


def test_an_older_warehouse_is_migrated_on_open(tmp_path):
    from warehouse.db import migration_files

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    # the first released schema of articles, before revisions and web-archive pointers
    old.execute(
        "create table articles (article_id varchar primary key, url varchar not null, canonical_url varchar not null, "
        "outlet varchar, title varchar, authors varchar[], published_at timestamptz, section varchar, body varchar, "
        "language varchar, content_hash varchar not null, fetched_at timestamptz, first_seen_at timestamptz not null, "
        "last_seen_at timestamptz not null)"
    )
    old.execute("insert into articles values ('a1', 'u', 'u', 'pbs', 't', [], null, null, 'b', null, 'h', null, "
                "now(), now())")  # fmt: skip
    # and its claims table, with the primary key it had then, and a view reading it
    fields = ", ".join(
        f'"{name}" {"varchar[]" if name == "conditions" else "varchar"}' for name in CLAIM_FIELDS
    )
    old.execute(f"create table claims ({fields}, primary key (claim_id))")
    old.execute("create view claim_count as select count(*) from claims")
    old.close()
    con = connect(path)
    fresh = connect(tmp_path / "fresh.duckdb")
    describe = (
        "select table_name, column_name, data_type from duckdb_columns() where database_name = current_database() "
        "and table_name in (select table_name from duckdb_tables()) order by all"
    )
    assert con.execute(describe).fetchall() == fresh.execute(describe).fetchall()
    constraints = (
        "select table_name, constraint_type, constraint_column_names from duckdb_constraints() "
        "where database_name = current_database() order by all"
    )
    assert con.execute(constraints).fetchall() == fresh.execute(constraints).fetchall()
    assert con.execute("select article_id, revision from articles").fetchall() == [("a1", 1)]
    # its one version is the current one: no earlier version is kept, the view shows it once
    assert con.execute("select count(*) from article_revisions").fetchall() == [(0,)]
    assert con.execute("select article_id, revision, is_current from article_versions").fetchall() == [("a1", 1, True)]
    versions = [r[0] for r in con.execute("select version from schema_migrations order by 1").fetchall()]
    assert versions == [v for v, _ in migration_files()]
    assert fresh.execute("select count(*) from schema_migrations").fetchone()[0] == len(migration_files())
    con.close()
    fresh.close()


@pytest.mark.parametrize(
    ("us", "partner", "kind"),
    [
        (
            dict(amount=350e9, timeframe="upfront"),
            dict(timeframe="over the next four years"),
            "timing_mismatch",
        ),
        (
            dict(amount=350e9, timeframe="upfront"),
            dict(timeframe="with an annual cap of $20 billion"),
            "timing_mismatch",
        ),
        (dict(amount=550e9), dict(conditions=["loans and loan guarantees"]), "condition_mismatch"),
    ],
)
def test_timing_and_condition_flags(con, us, partner, kind):
    a, b = _article(1), _article(2)
    us_claim = _claim(a, "us", **{k: v for k, v in us.items() if k == "amount"})
    partner_claim = _claim(b, "partner", start=20)
    for claim, fields in ((us_claim, us), (partner_claim, partner)):
        for key, value in fields.items():
            setattr(claim, key, value)
    load(con, [a, b], [us_claim, partner_claim])
    recompute_flags(con)
    kinds = {f["kind"] for f in fetch_flags(con)}
    assert kind in kinds


def test_us_self_inconsistency_cites_two_us_claims(con):
    early, late = _article(1), _article(2)
    early.published_at, late.published_at = "2025-07-23T10:00:00+00:00", "2025-10-29T10:00:00+00:00"
    load(con, [early, late], [_claim(early, "us", 550e9), _claim(late, "us", 650e9, start=30)])
    recompute_flags(con)
    (flag,) = fetch_flags(con)
    assert flag["kind"] == "us_self_inconsistency"
    assert (flag["us_earlier"]["amount"], flag["us"]["amount"]) == (550e9, 650e9)
    assert "550 billion" in flag["explanation"] and "650 billion" in flag["explanation"]


def test_the_same_statement_in_many_outlets_is_one_canonical_claim(con):
    articles = [_article(n) for n in range(3)]
    claims = [_claim(a, "us", 550e9, control="us", start=n * 7) for n, a in enumerate(articles)]
    load(con, articles, claims)
    recompute_flags(con)
    assert con.execute("select count(*) from claims").fetchone() == (3,)
    assert con.execute("select count(*), max(mentions), max(articles) from canonical_claims").fetchone() == (
        1,
        3,
        3,
    )


def test_flags_keep_their_history_and_reviews_across_recomputes(con):
    from datetime import UTC, datetime

    a, b = _article(1), _article(2)
    t1, t2, t3 = (datetime(2025, m, 1, tzinfo=UTC) for m in (8, 9, 10))
    load(con, [a, b], [_claim(a, "us", 550e9), _claim(b, "partner", stance="disputed", start=20)])
    first = recompute_flags(con, now=t1)
    assert (first.opened, first.open_total) == (1, 1)
    (flag_id,) = con.execute("select flag_id from flags").fetchone()
    con.execute(
        "insert into reviews values ('r1', ?, 'confirmed', 'checked the transcript', 'ana', ?, null, null)",
        [flag_id, t1],
    )
    assert fetch_flags(con) == []  # settled: no longer in the queue
    # re-extraction gives the claims new offsets (new claim ids): the flag and its review stay
    load(con, [a, b], [_claim(a, "us", 550e9, start=3), _claim(b, "partner", stance="disputed", start=23)])
    second = recompute_flags(con, now=t2)
    assert (second.opened, second.closed) == (0, 0)
    row = con.execute("select flag_id, first_seen_at, last_seen_at, status from flag_status").fetchone()
    assert row == (flag_id, t1, t2, "confirmed")
    # the partner's claim is corrected away: the flag closes but keeps its review history
    load(con, [b], [_claim(b, "partner", stance="asserted", start=23)])
    third = recompute_flags(con, now=t3)
    assert third.closed == 1
    assert con.execute("select is_open, closed_at, review_count from flag_status").fetchone() == (
        False,
        t3,
        1,
    )
    assert fetch_flags(con, "confirmed")[0]["flag_id"] == flag_id


def test_flag_evidence_is_bounded_but_the_count_is_exact(con):
    articles = [_article(n) for n in range(40)]
    claims = [_claim(a, "us", 550e9 + n * 1e9, start=n) for n, a in enumerate(articles[:20])]
    claims += [_claim(a, "partner", stance="disputed", start=n) for n, a in enumerate(articles[20:])]
    for n, claim in enumerate(claims):
        claim.speaker = f"speaker {n}"  # forty distinct statements
    load(con, articles, claims)
    recompute_flags(con)
    (flag,) = [f for f in fetch_flags(con) if f["kind"] == "stance_mismatch"]
    assert flag["evidence_pairs"] == 20 * 20
    stored = con.execute(
        "select count(*) from flag_evidence where flag_id = ?", [flag["flag_id"]]
    ).fetchone()[0]
    assert stored == 5 * 5


def test_migration_0006_keeps_only_earlier_versions_in_article_revisions(tmp_path):
    path = tmp_path / "w.duckdb"
    con = connect(path)
    a = _article(1)
    load(con, [a], [])
    load(con, [dataclasses.replace(a, body="Second text.")], [])
    # put the file back in its 0005 layout, where article_revisions also held the current version
    con.execute("alter table article_revisions rename column superseded_at to stored_at")
    con.execute("update article_revisions set stored_at = timestamptz '2025-01-01 00:00:00+00'")
    con.execute(
        "insert into article_revisions select article_id, revision, canonical_url, content_hash, title, body, "
        "fetched_at, timestamptz '2025-02-01 00:00:00+00', warc_file, warc_record_id from articles"
    )
    con.execute("delete from schema_migrations where version = 6")
    con.execute("delete from warehouse_meta where key = 'sql_digest'")
    con.close()
    con = connect(path)
    assert con.execute("select revision, body from article_revisions").fetchall() == [(1, "Body.")]
    # the first version was superseded when the second was stored
    (superseded,) = con.execute("select superseded_at from article_revisions").fetchall()[0]
    assert (superseded.year, superseded.month) == (2025, 2)
    assert con.execute("select revision, is_current from article_versions order by 1").fetchall() == [
        (1, False),
        (2, True),
    ]
    con.close()
