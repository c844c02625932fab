"""Recompute the stored flags from the claims, and read them with their evidence.

Flags are keyed by (kind, pledger, recipient) and their evidence by canonical claim identities, so
recomputing after a re-crawl or re-extraction keeps every flag's history and every reviewer's decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb


@dataclass
class FlagStats:
    """What a recompute changed."""

    opened: int = 0  # flags raised for the first time, or raised again after being closed
    closed: int = 0  # flags the claims no longer support
    open_total: int = 0


def recompute_flags(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> FlagStats:
    """Rebuild canonical_claims and bring flags and flag_evidence in line with the claims, in one transaction."""
    now = now or datetime.now(UTC)
    stats = FlagStats()
    con.execute("begin transaction")
    try:
        # Canonical claims are stored once per recompute; every flag view reads the stored table.
        con.execute("delete from canonical_claims")
        con.execute("insert into canonical_claims by name select * from canonical_claims_now")
        con.execute("create or replace temp table current_flags as select * from flag_candidates")
        con.execute("create or replace temp table current_pairs as select * from flag_pairs")
        (stats.opened,) = con.execute(
            "select count(*) from current_flags c left join flags f using (flag_id) where f.flag_id is null "
            "or not f.is_open"
        ).fetchall()[0]
        (stats.closed,) = con.execute(
            "select count(*) from flags where is_open and flag_id not in (select flag_id from current_flags)"
        ).fetchall()[0]
        con.execute(
            """
            insert or replace into flags
            select
                c.flag_id, c.kind, c.pledger, c.recipient, c.us_canonical_claim_id, c.other_canonical_claim_id,
                c.us_claim_id, c.other_claim_id, c.evidence_pairs, c.explanation, true,
                coalesce(f.first_seen_at, $now), $now, null
            from current_flags c
            left join flags f using (flag_id)
            """,
            {"now": now},
        )
        con.execute(
            "update flags set is_open = false, closed_at = $now "
            "where is_open and flag_id not in (select flag_id from current_flags)",
            {"now": now},
        )
        con.execute(
            """
            insert or replace into flag_evidence
            select distinct
                p.flag_id, p.us_canonical_claim_id, p.other_canonical_claim_id,
                coalesce(e.first_seen_at, $now), $now, true
            from current_pairs p
            left join flag_evidence e using (flag_id, us_canonical_claim_id, other_canonical_claim_id)
            """,
            {"now": now},
        )
        con.execute(
            """
            update flag_evidence set is_current = false
            where is_current and (flag_id, us_canonical_claim_id, other_canonical_claim_id) not in (
                select (flag_id, us_canonical_claim_id, other_canonical_claim_id) from current_pairs
            )
            """
        )
        (stats.open_total,) = con.execute("select count(*) from flags where is_open").fetchall()[0]
        con.execute("drop table current_flags")
        con.execute("drop table current_pairs")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return stats


_EVIDENCE = """
    select
        c.claim_id, c.canonical_claim_id, c.doc, c.article_url as url, c.outlet,
        strftime(c.published_at, '%Y-%m-%dT%H:%M:%S%z') as published_at, c.sentence, c.speaker, c.speaker_side,
        c.stance, c.control, c.amount, c.currency, c.conditions, c.timeframe, c."start", c."end", c.mentions, c.outlets
    from (
        select m.*, cc.mentions, cc.outlets, row_number() over (
            partition by m.canonical_claim_id order by m.published_at nulls last, m.article_url, m."start") as rank
        from claim_mentions m join canonical_claims cc using (canonical_claim_id)
    ) c
    where c.rank = 1
"""

STATUSES = ("open", "confirmed", "dismissed", "needs_info", "closed", "all")
# "open" is the review queue: flags the claims support that nobody has settled yet.
_STATUS_WHERE = {
    "open": "f.is_open and coalesce(f.decision, 'needs_info') = 'needs_info'",
    "all": "true",
}

_FLAGS_SQL = f"""
with evidence as ({_EVIDENCE})
select
    f.flag_id, f.kind, f.pledger, f.recipient, f.status, f.evidence_pairs, f.explanation,
    strftime(f.first_seen_at, '%Y-%m-%dT%H:%M:%S%z') as first_seen_at,
    strftime(f.last_seen_at, '%Y-%m-%dT%H:%M:%S%z') as last_seen_at,
    us, other
from flag_status f
left join evidence us on us.canonical_claim_id = f.us_canonical_claim_id
left join evidence other on other.canonical_claim_id = f.other_canonical_claim_id
where {{where}}
order by f.pledger, f.recipient, f.kind
"""


def fetch_flags(con: duckdb.DuckDBPyConnection, status: str = "open") -> list[dict]:
    """Flags as dicts: kind, pledger, recipient, status, explanation, and the `us` and `partner` evidence.

    For `us_self_inconsistency` both pieces of evidence are US-side: `us` (the later claim) and
    `us_earlier`; its `partner` is None. `status`: open (the review queue: raised and not settled), confirmed, dismissed,
    needs_info, closed (no longer supported by the claims), or all.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; choose from {', '.join(STATUSES)}")
    where = _STATUS_WHERE.get(status, "f.status = $status")
    params = {} if status in _STATUS_WHERE else {"status": status}
    cursor = con.execute(_FLAGS_SQL.format(where=where), params)
    names = [d[0] for d in cursor.description]
    flags = []
    for row in cursor.fetchall():
        flag = dict(zip(names, row))
        other = flag.pop("other")
        if flag["kind"] == "us_self_inconsistency":
            flag["partner"], flag["us_earlier"] = None, other
        else:
            flag["partner"] = other
        flags.append(flag)
    return flags
