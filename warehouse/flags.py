"""Read the contradiction flags with their evidence claims, for the CLI and the nightly summary."""

from __future__ import annotations

import duckdb

EVIDENCE_COLUMNS = ["claim_id", "doc", "url", "outlet", "published_at", "sentence", "speaker", "speaker_side",
                    "stance", "control", "amount", "currency", "conditions", "timeframe", "start", "end"]  # fmt: skip

_FLAGS_SQL = """
with evidence as (
    select
        c.claim_id, c.doc, c.article_url as url, a.outlet, a.published_at::varchar as published_at, c.sentence,
        c.speaker, c.speaker_side, c.stance, c.control, c.amount, c.currency, c.conditions, c.timeframe,
        c."start", c."end"
    from claims c
    left join articles a on a.canonical_url = c.article_url
)
select
    f.flag_id, f.kind, f.pledger, f.recipient, f.evidence_pairs, f.explanation,
    us, partner
from flags f
join evidence us on us.claim_id = f.us_claim_id
join evidence partner on partner.claim_id = f.partner_claim_id
order by f.pledger, f.recipient, f.kind
"""


def fetch_flags(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every flag as a dict: kind, pledger, recipient, explanation, and `us`/`partner` evidence dicts."""
    cursor = con.execute(_FLAGS_SQL)
    names = [d[0] for d in cursor.description]
    flags = []
    for row in cursor.fetchall():
        flag = dict(zip(names, row))
        flags.append(flag)
    return flags
