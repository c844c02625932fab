"""What a run's failures mean for its status and exit code, and run records kept while the warehouse is busy.

A run is `ok` when nothing failed that a later run could put right or that points at a fault: pages that
are gone (HTTP 404 or 410 on an article page) or that robots.txt refuses are recorded but are the sites'
state, not faults. Server errors, timeouts, unreadable pages, spider errors, extraction errors, an outlet's
feed failing and a web archive that cannot be written are faults: the run is `partial` when it still
brought something in, `failed` when it brought nothing in. `ok` exits 0, the others 1; a configuration
error exits 2 before a run starts.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.load import finish_run, record_crawl, start_run

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
GONE_STATUSES = ("HTTP 404", "HTTP 410")
ROBOTS_REFUSAL = "Forbidden by robots.txt"


def is_fault(url: str, reason: str, feeds: Iterable[str] = ()) -> bool:
    """Whether a failed page is a fault (see the module's docstring); a missing feed is always one."""
    if ROBOTS_REFUSAL in reason:
        return False
    if reason in GONE_STATUSES and url.startswith(("http://", "https://")):
        return url in set(feeds)
    return True


@dataclass
class Outcome:
    """A run's status, exit code and its failures split into faults and pages that are gone or refused."""

    status: str
    faults: list[tuple[str, str]] = field(default_factory=list)
    gone: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.status == "ok" else EXIT_FAILED


def outcome(failures: Iterable[tuple[str, str]], *, brought_in: bool, feeds: Iterable[str] = ()) -> Outcome:
    """The status of a run that got to its end: ok, partial or failed.

    Example: outcome([("https://x.org/a", "HTTP 503")], brought_in=True).status  # "partial"
    """
    feeds = set(feeds)
    result = Outcome("ok")
    for url, reason in failures:
        (result.faults if is_fault(url, reason, feeds) else result.gone).append((url, reason))
    if result.faults:
        result.status = "partial" if brought_in else "failed"
    return result


# --- run records that wait for the warehouse ---------------------------------------------------------------


def pending_path(db: str | Path) -> Path:
    """The file beside the warehouse holding run records written while the warehouse was busy."""
    db = Path(db).resolve()
    return db.with_name(db.name + ".pending-runs.jsonl")


def defer_run(db: str | Path, record: dict[str, Any]) -> Path | None:
    """Keep a run's record (run_id, command, started_at, finished_at, status, error, counts) until the
    warehouse can take it; the next nightly run stores it. Returns the file, or None if it could not write."""
    path = pending_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as error:
        logger.error("could not keep the run record in %s: %s", path, error)
        return None
    return path


def read_pending(db: str | Path) -> list[dict[str, Any]]:
    """The run records waiting in the pending file (a torn last line from a killed writer is skipped)."""
    try:
        lines = pending_path(db).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


TIMES = ("started_at", "finished_at")
RUN_COLUMNS = (
    "finished_at", "status", "error", "articles_fetched", "articles_new", "articles_changed",
    "articles_unchanged", "claims_added", "flags_open", "flags_opened", "spider_stats", "failures",
)  # fmt: skip


def store_pending(con: duckdb.DuckDBPyConnection, db: str | Path) -> list[str]:
    """Store the waiting run records in the warehouse, in one transaction, then empty the file.

    A record whose run has a row (it started, then found the warehouse busy at the end) completes that row;
    one without (the warehouse was busy from the start) gets a new row. Returns the run ids stored.
    """
    records = read_pending(db)
    if not records:
        return []
    known = {row[0] for row in con.execute("select run_id from runs").fetchall()}
    con.execute("begin transaction")
    try:
        for record in records:
            values = {k: _time(record[k]) if k in TIMES else record[k] for k in RUN_COLUMNS if k in record}
            if record["run_id"] not in known:
                start_run(con, record["command"], record["run_id"], _time(record["started_at"]))
                known.add(record["run_id"])
            finish_run(con, record["run_id"], **values)
            if record.get("spider_stats") or record.get("failures"):
                failures = [(f["url"], f["reason"]) for f in record.get("failures") or []]
                record_crawl(con, record["run_id"], record.get("spider_stats") or {}, failures)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    pending_path(db).unlink(missing_ok=True)
    return [record["run_id"] for record in records]


def _time(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
