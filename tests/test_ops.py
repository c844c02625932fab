"""Running unattended: the run lock across processes, JSON log lines, what failures mean for a run's status,
run records kept while the warehouse is busy, and the deployment examples."""

from __future__ import annotations

import configparser
import io
import json
import logging
import shlex
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import pipeline
from conftest import ROOT
from ops.config import SCHEMA
from ops.logs import JsonFormatter, RunStamp, event, setup_logging
from ops.runlock import RunLock, RunLocked, lock_path, read_holder
from ops.runs import defer_run, outcome, pending_path, read_pending, store_pending
from warehouse.db import connect
from warehouse.load import start_run

HOLD_LOCK = """
import sys, time
from ops.runlock import RunLock
lock = RunLock(sys.argv[1], "run-held-elsewhere").acquire()
lock.note(phase="crawling")
print("held", flush=True)
time.sleep(120)
"""


def test_a_second_run_is_refused_and_a_killed_holder_leaves_no_stale_lock(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked) as refused:
            RunLock(db, "second").acquire()
        message = str(refused.value)
        assert "another nightly run is in progress" in message
        assert f"run run-held-elsewhere, pid {holder.pid}" in message and "crawling" in message
        assert read_holder(db)["run_id"] == "run-held-elsewhere"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        holder.kill()
        holder.wait()
    assert read_holder(db) is None  # its note is left behind, but no live process owns it
    with RunLock(db, "third"):  # the kernel dropped the dead process's lock
        assert json.loads(lock_path(db).read_text())["run_id"] == "third"
    assert lock_path(db).read_text() == ""  # released: the note is emptied, the file stays


def test_json_lines_carry_the_event_its_fields_and_the_run_id():
    stamp = RunStamp()
    stamp.run_id = "20250801T030000Z-abc123"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(stamp)
    logger = logging.getLogger("pledgewatch.test_ops")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        event(
            logger,
            "crawl.done",
            "crawl: %d articles",
            16,
            articles=16,
            msg="not mine",
            spiders={"pbs": {"parsed": 6}},
        )
        try:
            raise ValueError("a bad page")
        except ValueError:
            logger.exception("failed %s", "https://example.org/a\nline two")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]  # one object a line
    assert first["event"] == "crawl.done" and first["run_id"] == "20250801T030000Z-abc123"
    assert first["msg"] == "crawl: 16 articles"  # a field never replaces the base keys
    assert first["articles"] == 16 and first["spiders"] == {"pbs": {"parsed": 6}}
    assert first["level"] == "info" and first["ts"].endswith("Z")
    assert second["event"] == "log" and second["level"] == "error" and "line two" in second["msg"]
    assert "ValueError: a bad page" in second["exc"]


def test_with_a_log_file_stderr_gets_only_warnings(tmp_path):
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers = []  # as in a fresh process, where nothing has set up logging yet
    stream = io.StringIO()
    try:
        stamp = setup_logging(fmt="auto", log_file=tmp_path / "logs" / "nightly.jsonl", stream=stream)
        stamp.run_id = "run-1"
        logging.getLogger("pledgewatch").info("an ordinary step")
        logging.getLogger("scrapy.core.engine").info("library chatter")
        logging.getLogger("pledgewatch").warning("something to look at")
        setup_logging(fmt="text", stream=stream)  # a second set-up replaces ours, adds no more
        assert len(root.handlers) == 1
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers, root.level = saved, level
    lines = [json.loads(line) for line in (tmp_path / "logs" / "nightly.jsonl").read_text().splitlines()]
    assert [line["msg"] for line in lines] == ["an ordinary step", "something to look at"]
    assert all(line["run_id"] == "run-1" for line in lines)
    assert [json.loads(line)["msg"] for line in stream.getvalue().splitlines()] == ["something to look at"]


FEED = "https://www.pbs.org/newshour/feeds/rss/politics"


@pytest.mark.parametrize(
    "failures, brought_in, status",
    [
        ([], True, "ok"),
        ([], False, "ok"),  # nothing new and nothing failed: a quiet night
        ([("https://www.pbs.org/newshour/a", "HTTP 404")], True, "ok"),  # an article taken down
        ([("https://www.pbs.org/newshour/a", "HTTP 410")], True, "ok"),
        ([("https://www.pbs.org/private/a", "IgnoreRequest: Forbidden by robots.txt")], True, "ok"),
        ([(FEED, "HTTP 404")], True, "partial"),  # the outlet's feed moved: a fault
        ([("https://www.pbs.org/newshour/a", "HTTP 503")], True, "partial"),
        ([("https://www.pbs.org/newshour/a", "DownloadTimeoutError: Getting took longer")], True, "partial"),
        ([("https://www.pbs.org/newshour/a", "spider error: RuntimeError: boom")], True, "partial"),
        ([("https://www.pbs.org/newshour/a", "extraction: boom")], True, "partial"),
        ([("/srv/archive", "archive: cannot write the web archive")], True, "partial"),
        ([("https://www.pbs.org/newshour/a", "HTTP 503")], False, "failed"),
        ([("pbs", "spider could not run: KeyError: x")], False, "failed"),
    ],
)
def test_what_failures_mean_for_the_run(failures, brought_in, status):
    verdict = outcome(failures, brought_in=brought_in, feeds=[FEED])
    assert verdict.status == status
    assert verdict.exit_code == (0 if status == "ok" else 1)
    assert len(verdict.faults) + len(verdict.gone) == len(failures)


def test_runs_that_died_are_marked_aborted_by_the_next(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    try:
        start_run(con, "nightly", "run-killed", datetime(2025, 8, 1, 3, tzinfo=UTC))
        assert start_run(
            con, "nightly", "run-next", datetime(2025, 8, 2, 3, tzinfo=UTC), abort_unfinished=True
        ) == ["run-killed"]
        rows = dict(con.execute("select run_id, status from runs").fetchall())
        (error,) = con.execute("select error from runs where run_id = 'run-killed'").fetchone()
    finally:
        con.close()
    assert rows == {"run-killed": "aborted", "run-next": "running"}
    assert "found by run run-next" in error


def test_run_records_wait_beside_a_busy_warehouse_until_the_next_run(tmp_path):
    db = tmp_path / "w.duckdb"
    started = datetime(2025, 8, 1, 3, tzinfo=UTC)
    defer_run(db, {"run_id": "busy-at-start", "command": "nightly", "started_at": started,
                   "finished_at": started, "status": "failed", "error": "warehouse busy"})  # fmt: skip
    defer_run(db, {"run_id": "busy-at-load", "command": "nightly", "started_at": started, "finished_at": started,
                   "status": "failed", "error": "warehouse busy at load time", "articles_fetched": 3,
                   "spider_stats": {"pbs": {"fetched": 4, "parsed": 3}},
                   "failures": [{"url": "https://www.pbs.org/x", "reason": "HTTP 503"}]})  # fmt: skip
    with pending_path(db).open("a") as f:
        f.write('{"run_id": "torn')  # a writer killed mid-line
    assert [r["run_id"] for r in read_pending(db)] == ["busy-at-start", "busy-at-load"]
    con = connect(db)
    try:
        start_run(
            con, "nightly", "busy-at-load", started
        )  # this one got its row before the warehouse went busy
        assert store_pending(con, db) == ["busy-at-start", "busy-at-load"]
        runs = con.execute(
            "select run_id, status, error, articles_fetched, finished_at from runs order by run_id"
        ).fetchall()
        stats = con.execute("select run_id, spider, fetched, parsed from crawl_stats").fetchall()
        failures = con.execute("select run_id, url, reason from crawl_failures").fetchall()
        assert store_pending(con, db) == []  # stored once
    finally:
        con.close()
    assert [(r[0], r[1], r[2], r[3]) for r in runs] == [
        ("busy-at-load", "failed", "warehouse busy at load time", 3),
        ("busy-at-start", "failed", "warehouse busy", None),
    ]
    assert all(r[4] == started for r in runs)
    assert stats == [("busy-at-load", "pbs", 4, 3)]
    assert failures == [("busy-at-load", "https://www.pbs.org/x", "HTTP 503")]
    assert not pending_path(db).exists()


# --- deployment examples and documentation --------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((ROOT / "deploy" / name).read_text(encoding="utf-8"))
    return parser


def test_the_systemd_units_run_nightly_once_a_night_and_catch_up():
    service, timer = _unit("pledgewatch-nightly.service"), _unit("pledgewatch-nightly.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["WorkingDirectory"].startswith("/")
    assert service["Service"]["EnvironmentFile"].endswith("pledgewatch.env")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
    args = shlex.split(service["Service"]["ExecStart"])
    assert args[0].endswith("/pledgewatch") and args[-1] == "nightly"
    # the command line the unit runs is one the CLI accepts
    config = ROOT / "pledgewatch.example.toml"
    args = [str(config) if a.endswith(".toml") else a for a in args[1:]]
    result = CliRunner().invoke(pipeline.cli, [*args, "--help"])
    assert result.exit_code == 0, result.output


def test_the_crontab_line_runs_nightly_at_night_with_the_environment_file():
    lines = [
        line
        for line in (ROOT / "deploy" / "crontab").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    job = next(line for line in lines if "pledgewatch" in line)
    minute, hour, *_ = job.split()[:5]
    assert (minute, hour) == ("0", "3") and job.split()[2:5] == ["*", "*", "*"]
    assert ". /etc/pledgewatch/pledgewatch.env" in job and " nightly > " in job  # the summary is not mailed
    env = (ROOT / "deploy" / "pledgewatch.env.example").read_text()
    assert "GUARDIAN_API_KEY=\n" in env  # the example holds no key


def test_the_readme_documents_every_configuration_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        for key in keys:
            assert f"`{section}.{key}" in readme, f"README does not document {section}.{key}"
    for path in ("deploy/", "pledgewatch.example.toml", "pledgewatch status"):
        assert path in readme


def test_the_readme_documents_every_event_a_run_logs():
    import re

    sources = [ROOT / "pipeline.py", *sorted((ROOT / "ops").glob("*.py"))]
    names = {
        name
        for path in sources
        for name in re.findall(r'event\(\s*\w+,\s*"([a-z_]+\.[a-z_.]+)"', path.read_text())
    }
    assert {"run.start", "crawl.done", "load.done", "run.end", "run.aborted"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not [name for name in sorted(names) if f"`{name}`" not in readme]


def test_a_warehouse_from_before_run_outcomes_gets_their_columns(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    start_run(con, "nightly", "old-run", datetime(2025, 8, 1, 3, tzinfo=UTC))
    # as a warehouse written before migration 0008 was
    con.execute("alter table runs drop column flags_opened; alter table runs drop column error")
    con.execute("delete from schema_migrations where version = 8; delete from warehouse_meta")
    con.close()
    con = connect(db)
    try:
        columns = {row[0] for row in con.execute("describe runs").fetchall()}
        applied = con.execute("select name from schema_migrations where version = 8").fetchall()
        kept = con.execute("select run_id from runs").fetchall()
    finally:
        con.close()
    assert {"flags_opened", "error"} <= columns
    assert applied == [("0008_run_outcomes.sql",)] and kept == [("old-run",)]


def test_a_page_that_is_gone_is_logged_below_warning_and_a_server_error_at_warning(caplog):
    from crawlers.spiders.pbs import PbsSpider

    spider = PbsSpider()
    with caplog.at_level(logging.INFO, logger="crawlers.spiders.feed"):
        spider._fail("https://www.pbs.org/newshour/gone", "HTTP 404")
        spider._fail("https://www.pbs.org/newshour/refused", "Forbidden by robots.txt")
        spider._fail("https://www.pbs.org/newshour/broken", "HTTP 503")
    levels = {r.getMessage().split()[1]: r.levelno for r in caplog.records}
    assert levels["https://www.pbs.org/newshour/gone:"] == logging.INFO
    assert levels["https://www.pbs.org/newshour/refused:"] == logging.INFO
    assert levels["https://www.pbs.org/newshour/broken:"] == logging.WARNING
    assert len(spider.failures) == 3  # all recorded all the same
