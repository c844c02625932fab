-- flag_candidates: one row per (kind, pledger, recipient) the claims call for now, citing the strongest pair of
-- canonical claims; recompute_flags() stores these in the flags table.
create or replace view flag_candidates as
with

pairs as (select * from flag_pairs),

ranked as (
    select
        pairs.*,
        max(deal_pairs) over (partition by kind, pledger, recipient) as evidence_pairs,
        row_number() over (
            partition by kind, pledger, recipient
            order by weight desc, us_canonical_claim_id, other_canonical_claim_id
        ) as evidence_rank
    from pairs
),

final as (
    select
        flag_id,
        kind,
        pledger,
        recipient,
        us_canonical_claim_id,
        other_canonical_claim_id,
        us_claim_id,
        other_claim_id,
        evidence_pairs,
        explanation
    from ranked
    where evidence_rank = 1
)

select * from final
