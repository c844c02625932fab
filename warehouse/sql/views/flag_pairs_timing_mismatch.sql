-- flag_pairs_timing_mismatch: one row per (US-side, partner-side) pair of canonical claims of one deal where one side
-- says the money comes upfront and the other says it is spread over time (instalments, years, a term in office).
create or replace view flag_pairs_timing_mismatch as
with

us_side as (select * from canonical_claims where speaker_side = 'us' and timing is not null),
partner_side as (select * from canonical_claims where speaker_side = 'partner' and timing is not null),

final as (
    select
        'timing_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.canonical_claim_id as us_canonical_claim_id,
        partner_side.canonical_claim_id as other_canonical_claim_id,
        us_side.example_claim_id as us_claim_id,
        partner_side.example_claim_id as other_claim_id,
        (us_side.amount is not null)::int + (partner_side.amount is not null)::int
            + 0.01 * least(us_side.mentions + partner_side.mentions, 50) as weight,
        printf(
            '%s (US side) says %s''s money comes "%s", while %s (partner side) says "%s".',
            us_side.speaker, us_side.pledger, us_side.timeframe, partner_side.speaker, partner_side.timeframe
        ) as explanation
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
        and us_side.timing <> partner_side.timing
)

select * from final
