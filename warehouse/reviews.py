"""What the fact-checkers' review page reads and writes: the flag queue, one flag with its evidence, the
archived copy of an article, and the decisions reviewers record.

Decisions are rows of `reviews`, keyed by the flag's stable id; recomputing the flags never touches them, so a
decision survives every re-crawl and re-extraction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from warehouse.db import view_files

DECISIONS = ("confirmed", "dismissed", "needs_info")
# open: the review queue proper (supported by the claims, not settled; needs_info stays in it)
QUEUE_STATUSES = ("open", "needs_info", "confirmed", "dismissed", "closed", "all")
# one flag_pairs_<kind> view per kind of flag
KINDS = tuple(
    sorted(
        name.removeprefix("views/flag_pairs_").removesuffix(".sql")
        for name in view_files()
        if name.startswith("views/flag_pairs_")
    )
)
SORTS = {
    "newest": "evidence_published_at desc nulls last, first_seen_at desc, flag_id",
    "gap": "amount_gap desc nulls last, evidence_published_at desc nulls last, flag_id",
}
MAX_NOTE = 5000
MAX_REVIEWER = 100


class ReviewError(ValueError):
    """Raised by `record_review` for a decision it cannot store: unknown decision, a missing or long name or note."""


class UnknownFlag(ReviewError):
    """Raised by `record_review` for a flag id that is not in the warehouse."""


class EvidenceChanged(ReviewError):
    """Raised by `record_review` when the flag cites other evidence than the reviewer saw (it was recomputed
    in between); nothing is stored."""


@dataclass(frozen=True)
class QueueQuery:
    """Filters, order and page of the queue; None means no filter."""

    status: str = "open"
    kind: str | None = None
    pledger: str | None = None
    recipient: str | None = None
    outlet: str | None = None
    published_from: date | None = None  # evidence published on or after this day
    published_to: date | None = None  # ... on or before this day
    sort: str = "newest"
    page: int = 1
    per_page: int = 25


@dataclass
class QueuePage:
    """One page of the queue, how many flags match in all, and how many flags have each status."""

    rows: list[dict]
    total: int
    counts: dict[str, int]


_STATUS_WHERE = {
    "open": "is_to_review",
    "all": "true",
}


def _rows(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def status_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Flags per queue status (open counts the flags still to review, needs_info included)."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    for status, n in con.execute("select status, count(*) from flag_status group by status").fetchall():
        counts[status] = n
    counts["open"] = con.execute("select count(*) from review_queue where is_to_review").fetchone()[0]
    counts["all"] = con.execute("select count(*) from flags").fetchone()[0]
    return counts


def queue(con: duckdb.DuckDBPyConnection, query: QueueQuery) -> QueuePage:
    """The flags that match `query`, one page of them in its order, with the counts per status."""
    if query.status not in QUEUE_STATUSES:
        raise ValueError(f"unknown status {query.status!r}; choose from {', '.join(QUEUE_STATUSES)}")
    if query.sort not in SORTS:
        raise ValueError(f"unknown sort {query.sort!r}; choose from {', '.join(SORTS)}")
    where = [_STATUS_WHERE.get(query.status, "status = $status")]
    params: dict = {} if query.status in _STATUS_WHERE else {"status": query.status}
    for column in ("kind", "pledger", "recipient"):
        value = getattr(query, column)
        if value is not None:
            where.append(f"{column} = ${column}")
            params[column] = value
    if query.outlet is not None:
        where.append("list_contains(outlets, $outlet)")
        params["outlet"] = query.outlet
    if query.published_from is not None:
        where.append("evidence_published_at >= $published_from")
        params["published_from"] = datetime.combine(query.published_from, datetime.min.time(), UTC)
    if query.published_to is not None:
        where.append("evidence_published_at < $published_to")
        params["published_to"] = datetime.combine(
            query.published_to + timedelta(days=1), datetime.min.time(), UTC
        )
    condition = " and ".join(where)
    total = con.execute(f"select count(*) from review_queue where {condition}", params).fetchone()[0]
    rows = _rows(
        con.execute(
            f"select * from review_queue where {condition} order by {SORTS[query.sort]} limit $limit offset $offset",
            params | {"limit": query.per_page, "offset": (query.page - 1) * query.per_page},
        )
    )
    return QueuePage(rows=rows, total=total, counts=status_counts(con))


def queue_choices(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """What the queue's filters offer: the deals and outlets that have flags, and the kinds of flag."""
    deals = con.execute("select distinct pledger, recipient from flags order by all").fetchall()
    outlets = [
        row[0]
        for row in con.execute(
            "select distinct unnest(outlets) as outlet from review_queue order by outlet"
        ).fetchall()
    ]
    return {"deals": deals, "outlets": outlets, "kinds": list(KINDS)}


_EVIDENCE_SQL = """
select
    claims.*,
    articles.article_id, articles.title, articles.outlet, articles.published_at, articles.authors,
    articles.url as fetched_url, articles.warc_file, articles.warc_record_id
from claims
left join articles on articles.canonical_url = claims.article_url
where claims.claim_id = $claim_id
limit 1
"""

_MENTIONS_SQL = """
with

mentions as (
    select
        claim_mentions.*,
        row_number() over (partition by article_url order by "start") as in_article
    from claim_mentions
    where pledger = $pledger and recipient = $recipient and speaker_side = $speaker_side
        and canonical_claim_id = $canonical_claim_id
)

select
    mentions.claim_id, mentions.article_url, mentions.outlet, mentions.published_at, mentions.sentence,
    articles.article_id, articles.title, articles.warc_file is not null as is_archived
from mentions
left join articles on articles.canonical_url = mentions.article_url
where in_article = 1
order by mentions.published_at nulls last, mentions.article_url
"""


def _evidence(con, claim_id: str | None, canonical_claim_id: str) -> dict | None:
    """A flag's evidence mention with its article; when the mention is gone (re-extracted), the canonical
    claim's current earliest mention; None when the statement is no longer in the claims at all."""
    found = _rows(con.execute(_EVIDENCE_SQL, {"claim_id": claim_id})) if claim_id else []
    if not found:
        example = con.execute(
            "select example_claim_id from canonical_claims where canonical_claim_id = ?", [canonical_claim_id]
        ).fetchall()
        if not example:
            return None
        found = _rows(con.execute(_EVIDENCE_SQL, {"claim_id": example[0][0]}))
        if not found:
            return None
    evidence = found[0]
    evidence["canonical_claim_id"] = canonical_claim_id
    evidence["carried_by"] = _rows(
        con.execute(
            _MENTIONS_SQL,
            {
                "pledger": evidence["pledger"],
                "recipient": evidence["recipient"],
                "speaker_side": evidence["speaker_side"],
                "canonical_claim_id": canonical_claim_id,
            },
        )
    )
    return evidence


def flag_detail(con: duckdb.DuckDBPyConnection, flag_id: str) -> dict | None:
    """One flag with its status, both pieces of evidence (each with the articles that carried the same
    claim), the other pairs that support it, and its decisions newest first; None for an unknown flag."""
    found = _rows(con.execute("select * from flag_status where flag_id = ?", [flag_id]))
    if not found:
        return None
    flag = found[0]
    flag["us"] = _evidence(con, flag["us_claim_id"], flag["us_canonical_claim_id"])
    flag["other"] = _evidence(con, flag["other_claim_id"], flag["other_canonical_claim_id"])
    flag["pairs"] = _rows(
        con.execute(
            """
            select
                us.speaker as us_speaker, us.amount as us_amount, us.currency as us_currency,
                us.stance as us_stance, us.example_sentence as us_sentence,
                other.speaker as other_speaker, other.amount as other_amount, other.currency as other_currency,
                other.stance as other_stance, other.example_sentence as other_sentence
            from flag_evidence e
            join canonical_claims us on us.canonical_claim_id = e.us_canonical_claim_id
            join canonical_claims other on other.canonical_claim_id = e.other_canonical_claim_id
            where e.flag_id = ? and e.is_current
                and not (e.us_canonical_claim_id = ? and e.other_canonical_claim_id = ?)
            order by us.speaker, other.speaker, us.canonical_claim_id, other.canonical_claim_id
            """,
            [flag_id, flag["us_canonical_claim_id"], flag["other_canonical_claim_id"]],
        )
    )
    flag["history"] = reviews_of(con, flag_id)
    return flag


def reviews_of(con: duckdb.DuckDBPyConnection, flag_id: str) -> list[dict]:
    """Every decision recorded on a flag, newest first."""
    return _rows(
        con.execute(
            "select * from reviews where flag_id = ? order by reviewed_at desc, review_id desc", [flag_id]
        )
    )


def record_review(
    con: duckdb.DuckDBPyConnection,
    flag_id: str,
    decision: str,
    note: str | None,
    reviewer: str,
    now: datetime | None = None,
    seen: tuple[str | None, str | None] | None = None,
) -> str:
    """Store a reviewer's decision on a flag, with the evidence the flag cites now; returns its review_id.

    `seen`: the (US-side, other) canonical claim ids the reviewer was shown; when the flag cites another pair
    by now, EvidenceChanged is raised and nothing is stored.
    """
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; choose from {', '.join(DECISIONS)}")
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("give the reviewer's name")
    if len(reviewer) > MAX_REVIEWER:
        raise ReviewError(f"the reviewer's name is longer than {MAX_REVIEWER} characters")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ReviewError(f"the note is longer than {MAX_NOTE} characters")
    found = con.execute(
        "select us_canonical_claim_id, other_canonical_claim_id from flags where flag_id = ?", [flag_id]
    ).fetchall()
    if not found:
        raise UnknownFlag(f"no flag {flag_id!r}")
    if seen is not None and tuple(x or None for x in seen) != tuple(found[0]):
        raise EvidenceChanged(
            "the evidence of this flag changed since the page was shown (the flags were recomputed): "
            "nothing was recorded; read the new evidence and decide again"
        )
    review_id = uuid.uuid4().hex
    con.execute(
        "insert into reviews values (?, ?, ?, ?, ?, ?, ?, ?)",
        [review_id, flag_id, decision, note, reviewer, now or datetime.now(UTC), *found[0]],
    )
    return review_id


def article_record(con: duckdb.DuckDBPyConnection, article_id: str) -> dict | None:
    """Where an article's current version is archived: its URLs, title, outlet, fetch time, WARC file and record."""
    found = _rows(
        con.execute(
            "select article_id, canonical_url, url, title, outlet, published_at, fetched_at, warc_file, "
            "warc_record_id from articles where article_id = ?",
            [article_id],
        )
    )
    return found[0] if found else None


def confirmed_flags(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Flags to publish: the claims still support them and their latest decision is confirmed, taken on the
    evidence they cite now; each with that decision and its two claims (each with every article that carried it).

    Left out: flags the claims no longer support (closed), and flags whose evidence changed since the
    confirmation (flag_status gives those no decision: they are back in the queue).
    """
    flags = _rows(
        con.execute(
            "select flag_id, kind, pledger, recipient, explanation, us_canonical_claim_id, "
            "other_canonical_claim_id, us_claim_id, other_claim_id from flag_status "
            "where status = 'confirmed' and is_open and not evidence_changed "
            "order by reviewed_at, flag_id"
        )
    )
    for flag in flags:
        flag["review"] = reviews_of(con, flag["flag_id"])[0]
        for side in ("us", "other"):
            flag[side] = _evidence(con, flag[f"{side}_claim_id"], flag[f"{side}_canonical_claim_id"])
    return flags
