-- flags: one row per (kind, pledger, recipient): a contradiction between the US side and the partner side of a deal,
-- citing the strongest pair of evidence claims and counting all pairs that support it.
create or replace view flags as
with

pairs as (
    select * from flag_pairs_amount_mismatch
    union all by name
    select * from flag_pairs_stance_mismatch
    union all by name
    select * from flag_pairs_control_mismatch
),

ranked as (
    select
        pairs.*,
        count(*) over (partition by kind, pledger, recipient) as evidence_pairs,
        row_number() over (
            partition by kind, pledger, recipient
            order by gap desc, us_claim_id, partner_claim_id
        ) as evidence_rank
    from pairs
),

final as (
    select
        md5(kind || '|' || pledger || '|' || recipient)[:16] as flag_id,
        kind,
        pledger,
        recipient,
        us_claim_id,
        partner_claim_id,
        evidence_pairs,
        explanation
    from ranked
    where evidence_rank = 1
)

select * from final
