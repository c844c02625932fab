"""Health at a glance, for `pledgewatch status`: the last runs, each outlet's health, the warehouse's counts.

Reads a read-only connection; works on a warehouse of an older version (missing run columns read as null).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from crawlers.outlets import OUTLETS
from ops.runlock import read_holder
from ops.runs import read_pending

# One row per spider of nightly runs: when it last brought something in, and how its recent runs went.
OUTLET_HEALTH_SQL = """
with

nightly_runs as (
    select
        run_id,
        started_at,
        row_number() over (order by started_at desc) as recency
    from runs
    where command like 'nightly%' and status <> 'running'
),

spider_runs as (
    select crawl_stats.*, nightly_runs.started_at, nightly_runs.recency
    from crawl_stats
    inner join nightly_runs using (run_id)
),

final as (
    select
        spider,
        max(started_at) as last_run_at,
        max(started_at) filter (where parsed + unchanged > 0 or (fetched > 0 and failed = 0)) as last_success_at,
        count(*) filter (where recency <= $window) as recent_runs,
        count(*) filter (where recency <= $window and failed > 0 and parsed + unchanged = 0) as recent_failed_runs,
        coalesce(sum(failed) filter (where recency <= $window), 0) as recent_pages_failed,
        coalesce(sum(parsed + skipped + failed + unchanged) filter (where recency <= $window), 0) as recent_pages
    from spider_runs
    group by spider
)

select * from final
"""

# One row per outlet label: how many articles, the newest publication and when one was last seen.
ARTICLES_SQL = """
select outlet, count(*) as articles, max(published_at) as newest_published_at, max(last_seen_at) as last_seen_at
from articles
group by outlet
"""

RUN_KEYS = (
    "run_id", "command", "started_at", "finished_at", "status", "articles_fetched", "articles_new",
    "articles_changed", "claims_added", "flags_opened", "flags_open", "failures", "error",
)  # fmt: skip
FLAG_STATUSES = ("open", "needs_info", "confirmed", "dismissed", "closed")


@dataclass
class Status:
    """What `pledgewatch status` shows."""

    warehouse: str
    now: datetime
    running: dict[str, Any] | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    outlets: list[dict[str, Any]] = field(default_factory=list)
    window: int = 10

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 strings, ages in seconds."""
        return _jsonable(
            {
                "warehouse": self.warehouse,
                "now": self.now,
                "running": self.running,
                "pending_runs": self.pending,
                "totals": self.totals,
                "flags": self.flags,
                "runs": self.runs,
                "outlets": self.outlets,
                "window": self.window,
            }
        )


def gather(
    con: duckdb.DuckDBPyConnection,
    db: str | Path,
    *,
    runs: int = 5,
    window: int = 10,
    now: datetime | None = None,
) -> Status:
    """Read the warehouse's health: the last `runs` runs, outlets over the last `window` nightly runs."""
    now = now or datetime.now(UTC)
    status = Status(
        warehouse=str(db), now=now, running=read_holder(db), pending=read_pending(db), window=window
    )
    status.totals = {
        "articles": con.execute("select count(*) from articles").fetchall()[0][0],
        "claims": con.execute("select count(*) from claims").fetchall()[0][0],
    }
    counts = dict(con.execute("select status, count(*) from flag_status group by status").fetchall())
    status.flags = {name: counts.get(name, 0) for name in FLAG_STATUSES}
    status.runs = _last_runs(con, runs)
    status.outlets = _outlets(con, window, now)
    return status


def _last_runs(con: duckdb.DuckDBPyConnection, limit: int) -> list[dict[str, Any]]:
    cursor = con.execute("select * from runs order by started_at desc limit $limit", {"limit": limit})
    names = [d[0] for d in cursor.description]
    found = []
    for row in cursor.fetchall():
        run = dict(zip(names, row))
        run = {key: run.get(key) for key in RUN_KEYS}
        run["failures"] = len(_json_list(run["failures"]))
        if run["finished_at"] and run["started_at"]:
            run["duration_s"] = round((run["finished_at"] - run["started_at"]).total_seconds(), 1)
        found.append(run)
    return found


def _outlets(con: duckdb.DuckDBPyConnection, window: int, now: datetime) -> list[dict[str, Any]]:
    health = _rows(con, OUTLET_HEALTH_SQL, {"window": window})
    by_spider = {row["spider"]: row for row in health}
    articles = {row["outlet"]: row for row in _rows(con, ARTICLES_SQL)}
    rows = []
    names = list(OUTLETS) + sorted(set(by_spider) - set(OUTLETS))
    labels = {OUTLETS[name].label: name for name in OUTLETS}
    names += sorted(label for label in articles if label not in labels)  # ingested files and other sites
    for name in names:
        outlet = OUTLETS.get(name)
        stored = articles.get(outlet.label if outlet else name) or {}
        run = by_spider.get(name) or {}
        pages, failed = run.get("recent_pages") or 0, run.get("recent_pages_failed") or 0
        newest = stored.get("newest_published_at")
        rows.append(
            {
                "outlet": name,
                "label": outlet.label if outlet else name,
                "last_run_at": run.get("last_run_at"),
                "last_success_at": run.get("last_success_at"),
                "recent_runs": run.get("recent_runs") or 0,
                "recent_failed_runs": run.get("recent_failed_runs") or 0,
                "recent_pages": pages,
                "recent_pages_failed": failed,
                "page_failure_rate": round(failed / pages, 3) if pages else None,
                "articles": stored.get("articles") or 0,
                "newest_published_at": newest,
                "newest_age_s": round((now - newest).total_seconds()) if newest else None,
            }
        )
    return rows


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _json_list(value: Any) -> list:
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value


def age(seconds: float | None) -> str:
    """A duration in the largest whole unit: '45s', '12m', '5h', '3d'."""
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def when(moment: datetime | None, now: datetime) -> str:
    """'2025-08-01 03:00 (5h ago)' in UTC, or '-'."""
    if moment is None:
        return "-"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} ({age((now - moment).total_seconds())} ago)"


def render(status: Status) -> str:
    """The status as text: a headline, the last runs and the outlets, each as a small table."""
    now = status.now
    flags = ", ".join(f"{status.flags[name]} {name}" for name in FLAG_STATUSES)
    lines = [
        f"warehouse {status.warehouse}: {status.totals['articles']} articles, {status.totals['claims']} claims; "
        f"flags: {flags}"
    ]
    if status.running:
        r = status.running
        lines.append(
            f"running now: nightly run {r.get('run_id')} (pid {r.get('pid')}, started {r.get('started_at')}"
            + (f", {r['phase']}" if r.get("phase") else "")
            + ")"
        )
    if status.pending:
        lines.append(
            f"waiting to be stored: {len(status.pending)} run record(s) written while the warehouse was busy "
            f"({', '.join(p['run_id'] + ' ' + str(p.get('status')) for p in status.pending)})"
        )
    lines += ["", "last runs"]
    run_rows = [
        [r["run_id"], r["command"], when(r["started_at"], now),
         age(r.get("duration_s")) if r.get("duration_s") is not None else "-", r["status"] or "-",
         _n(r["articles_new"]), _n(r["articles_changed"]), _n(r["claims_added"]), _n(r["flags_opened"]),
         str(r["failures"]), (r["error"] or "")[:70]]
        for r in status.runs
    ]  # fmt: skip
    lines += _table(
        [
            "run",
            "command",
            "started",
            "took",
            "status",
            "new",
            "changed",
            "claims+",
            "flags+",
            "failures",
            "error",
        ],
        run_rows,
    )
    lines += ["", f"outlets (health over the last {status.window} nightly runs)"]
    outlet_rows = [
        [o["outlet"], when(o["last_success_at"], now), f"{o['recent_failed_runs']}/{o['recent_runs']}",
         f"{o['recent_pages_failed']}/{o['recent_pages']}" + (f" ({o['page_failure_rate']:.0%})" if o["recent_pages"] else ""),
         str(o["articles"]), age(o["newest_age_s"])]
        for o in status.outlets
    ]  # fmt: skip
    lines += _table(
        ["outlet", "last success", "failed runs", "pages failed", "articles", "newest article"], outlet_rows
    )
    return "\n".join(lines)


def _n(value: Any) -> str:
    return "-" if value is None else str(value)


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["(none yet)"]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    return out
