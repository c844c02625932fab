-- flag_pairs_amount_mismatch: one row per (US-side, partner-side) pair of canonical claims of one deal whose amounts,
-- in the same currency, differ by more than 5% of the partner's figure.
create or replace view flag_pairs_amount_mismatch as
with

us_side as (select * from canonical_claims where speaker_side = 'us' and amount is not null),
partner_side as (select * from canonical_claims where speaker_side = 'partner' and amount is not null),

final as (
    select
        'amount_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.canonical_claim_id as us_canonical_claim_id,
        partner_side.canonical_claim_id as other_canonical_claim_id,
        us_side.example_claim_id as us_claim_id,
        partner_side.example_claim_id as other_claim_id,
        abs(us_side.amount - partner_side.amount) / partner_side.amount as weight,
        printf(
            '%s (US side) puts %s''s pledge to %s at %s %s, while %s (partner side) puts it at %s %s.',
            us_side.speaker, us_side.pledger, us_side.recipient, us_side.currency, format_amount(us_side.amount),
            partner_side.speaker, partner_side.currency, format_amount(partner_side.amount)
        ) as explanation
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
        and us_side.currency = partner_side.currency
    where abs(us_side.amount - partner_side.amount) > 0.05 * partner_side.amount
)

select * from final
