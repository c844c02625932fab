"""`pledgewatch status`: given a few hand-written runs, articles and flags, expect the runs, each outlet's
health (last success, failed runs, failed pages, newest article's age) and the counts; a busy or missing
warehouse gets one line and exit status 1."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import pipeline
from crawlers.items import Article
from extract.model import Claim
from ops.status import age, gather, render
from test_concurrency import _hold
from warehouse.db import connect
from warehouse.flags import recompute_flags
from warehouse.load import finish_run, load, record_crawl, start_run

NOW = datetime(2025, 8, 10, 12, 0, tzinfo=UTC)


def _article(slug: str, outlet: str, published: str) -> Article:
    url = f"https://example.org/{slug}"
    return Article(
        url=url, canonical_url=url, outlet=outlet, title=slug, body=f"Body of {slug}.", published_at=published
    )


def _claim(url: str, side: str, speaker: str, amount: float, start: int) -> Claim:
    return Claim(doc=url, article_url=url, sentence=f"{speaker} said {amount}.", pledger="JPN", recipient="USA",
                 amount=amount, currency="USD", speaker=speaker, speaker_side=side, stance="asserted", control=None,
                 start=start, end=start + 10)  # fmt: skip


def _run(con, run_id: str, day: int, status: str | None, stats: dict, failures: list) -> None:
    start_run(con, "nightly", run_id, datetime(2025, 8, day, 3, 0, tzinfo=UTC))
    if status:
        finish_run(con, run_id, status=status, finished_at=datetime(2025, 8, day, 3, 5, tzinfo=UTC),
                   articles_new=1, claims_added=2, flags_opened=1, spider_stats=stats,
                   failures=[{"url": u, "reason": r} for u, r in failures])  # fmt: skip
        record_crawl(con, run_id, stats, failures)


@pytest.fixture
def warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    pbs_new = _article("pbs-new", "PBS NewsHour", "2025-08-09T12:00:00+00:00")
    articles = [pbs_new, _article("pbs-old", "PBS NewsHour", "2025-07-01T00:00:00+00:00"),
                _article("twz", "The War Zone", "2025-08-01T00:00:00+00:00"),
                _article("doc", "file", None)]  # fmt: skip
    claims = [
        _claim(pbs_new.url, "us", "Donald Trump", 550e9, 0),
        _claim(pbs_new.url, "partner", "Ryosei Akazawa", 5e9, 20),
    ]
    load(con, articles, claims)
    recompute_flags(con)  # the two amounts disagree: one open flag
    ok = {"pbs": {"fetched": 3, "parsed": 2, "skipped": 0, "failed": 0, "unchanged": 0},
          "warzone": {"fetched": 1, "parsed": 1, "skipped": 0, "failed": 0, "unchanged": 0}}  # fmt: skip
    bad = {"pbs": {"fetched": 0, "parsed": 0, "skipped": 0, "failed": 3, "unchanged": 0},
           "warzone": {"fetched": 1, "parsed": 0, "skipped": 0, "failed": 0, "unchanged": 1}}  # fmt: skip
    _run(con, "r1", 8, "ok", ok, [])
    _run(con, "r2", 9, "partial", bad, [(f"https://www.pbs.org/{i}", "HTTP 503") for i in range(3)])
    _run(con, "r3", 10, None, {}, [])  # killed: still 'running'
    con.close()
    return db


def test_status_gives_runs_outlet_health_and_counts(warehouse):
    con = connect(warehouse, read_only=True)
    try:
        status = gather(con, warehouse, runs=2, window=10, now=NOW)
    finally:
        con.close()
    assert status.totals == {"articles": 4, "claims": 2}
    assert status.flags == {"open": 1, "needs_info": 0, "confirmed": 0, "dismissed": 0, "closed": 0}
    assert [(r["run_id"], r["status"]) for r in status.runs] == [("r3", "running"), ("r2", "partial")]
    assert status.runs[1]["failures"] == 3 and status.runs[1]["duration_s"] == 300
    outlets = {o["outlet"]: o for o in status.outlets}
    assert list(outlets) == ["pbs", "guardian", "warzone", "file"]  # the registry's outlets, then the others
    pbs = outlets["pbs"]
    assert pbs["last_success_at"] == datetime(2025, 8, 8, 3, tzinfo=UTC)  # r2 brought nothing in
    assert (pbs["recent_runs"], pbs["recent_failed_runs"]) == (2, 1)  # r3 is still 'running': not counted
    assert (pbs["recent_pages_failed"], pbs["recent_pages"], pbs["page_failure_rate"]) == (3, 5, 0.6)
    assert (pbs["articles"], pbs["newest_age_s"]) == (2, 86400)
    warzone = outlets["warzone"]
    assert warzone["last_success_at"] == datetime(2025, 8, 9, 3, tzinfo=UTC)  # unchanged counts as a success
    assert warzone["recent_failed_runs"] == 0 and warzone["newest_age_s"] == 9 * 86400 + 12 * 3600
    guardian = outlets["guardian"]
    assert guardian["recent_runs"] == 0 and guardian["last_success_at"] is None and guardian["articles"] == 0
    assert outlets["file"]["articles"] == 1 and outlets["file"]["newest_age_s"] is None

    text = render(status)
    assert text.splitlines()[0] == (
        f"warehouse {warehouse}: 4 articles, 2 claims; flags: 1 open, 0 needs_info, 0 confirmed, 0 dismissed, 0 closed"
    )
    pbs_line = next(line for line in text.splitlines() if line.startswith("pbs "))
    assert pbs_line.split() == ["pbs", "2025-08-08", "03:00", "(2d", "ago)", "1/2", "3/5", "(60%)", "2", "1d"]


@pytest.mark.parametrize("seconds, shown", [(None, "-"), (5, "5s"), (125, "2m"), (7200, "2h"), (90000, "1d")])
def test_ages_are_shown_in_their_largest_unit(seconds, shown):
    assert age(seconds) == shown


def test_status_json_for_scripts(warehouse):
    result = CliRunner().invoke(
        pipeline.cli, ["status", "--db", str(warehouse), "--format", "json", "--runs", "3"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["run_id"] for r in data["runs"]] == ["r3", "r2", "r1"]
    assert data["runs"][2]["started_at"] == "2025-08-08T03:00:00Z" and data["running"] is None
    assert {o["outlet"] for o in data["outlets"]} >= {"pbs", "guardian", "warzone"}


def test_a_missing_or_busy_warehouse_is_one_line_and_exit_1(warehouse, tmp_path):
    missing = CliRunner().invoke(pipeline.cli, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no warehouse here yet" in missing.output
    holder = _hold(warehouse, 60)
    try:
        busy = CliRunner().invoke(pipeline.cli, ["--lock-wait", "0", "status", "--db", str(warehouse)])
    finally:
        holder.kill()
        holder.wait()
    assert busy.exit_code == 1
    assert busy.output.strip().splitlines() == [
        f"Error: {warehouse} is busy: another process is writing to it and DuckDB lets no reader in meanwhile; "
        "try again shortly"
    ]
