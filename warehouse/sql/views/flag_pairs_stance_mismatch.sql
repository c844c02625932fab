-- flag_pairs_stance_mismatch: one row per (US-side claim, partner-side claim) pair of one deal where the US side
-- asserts the pledge and the partner side disputes it.
create or replace view flag_pairs_stance_mismatch as
with

us_side as (select * from claims where speaker_side = 'us' and stance = 'asserted'),
partner_side as (select * from claims where speaker_side = 'partner' and stance = 'disputed'),

final as (
    select
        'stance_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.claim_id as us_claim_id,
        partner_side.claim_id as partner_claim_id,
        -- rank evidence that states amounts above evidence that does not
        (us_side.amount is not null)::int + (partner_side.amount is not null)::int as gap,
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
