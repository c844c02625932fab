"""DuckDB admits one writing process: the nightly job waits for a warehouse another process holds, says so,
and loses or duplicates nothing; when the wait runs out it stops with one clear line and the stored rows intact."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from conftest import run_cli

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
    "time.sleep(float(sys.argv[2])); c.close()"
)


def _hold(db, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def _counts(db) -> tuple[int, int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(
            con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "claims", "runs")
        )
    finally:
        con.close()


def test_nightly_waits_for_a_busy_warehouse_and_loses_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    first = run_cli("nightly", "--sample", "--db", str(db))
    assert first.returncode == 0, first.stderr[-2000:]
    articles, claims, runs = _counts(db)

    holder = _hold(db, 4)  # a reviewer's process holds the file for a few seconds
    try:
        second = run_cli("--lock-wait", "120", "nightly", "--sample", "--db", str(db))
    finally:
        holder.wait(timeout=60)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "is locked by another process; waiting up to 120s" in second.stderr
    assert _counts(db) == (articles, claims, runs + 1)


def test_nightly_gives_up_with_one_line_and_keeps_what_was_stored(tmp_path):
    db = tmp_path / "w.duckdb"
    assert run_cli("nightly", "--sample", "--db", str(db)).returncode == 0
    before = _counts(db)
    holder = _hold(db, 120)
    try:
        result = run_cli("--lock-wait", "1", "nightly", "--sample", "--db", str(db))
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "locked by another process" in last and "Retry" in last
    assert "Traceback" not in result.stderr
    assert _counts(db) == before
