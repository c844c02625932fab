-- flag_pairs_stance_mismatch: one row per (US-side, partner-side) pair of canonical claims of one deal where the US
-- side asserts the pledge and the partner side disputes it.
create or replace view flag_pairs_stance_mismatch as
with

us_side as (select * from canonical_claims where speaker_side = 'us' and stance = 'asserted'),
partner_side as (select * from canonical_claims where speaker_side = 'partner' and stance = 'disputed'),

final as (
    select
        'stance_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.canonical_claim_id as us_canonical_claim_id,
        partner_side.canonical_claim_id as other_canonical_claim_id,
        us_side.example_claim_id as us_claim_id,
        partner_side.example_claim_id as other_claim_id,
        -- evidence that states amounts and is widely reported ranks first
        (us_side.amount is not null)::int + (partner_side.amount is not null)::int
            + 0.01 * least(us_side.mentions + partner_side.mentions, 50) as weight,
        printf(
            '%s (US side) presents %s''s pledge to %s as firm, while %s (partner side) disputes or downplays it.',
            us_side.speaker, us_side.pledger, us_side.recipient, partner_side.speaker
        ) as explanation
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
)

select * from final
