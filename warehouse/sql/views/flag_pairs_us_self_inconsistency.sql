-- flag_pairs_us_self_inconsistency: one row per pair of US-side canonical claims of one deal whose amounts, in the
-- same currency, differ by more than 5% (the earlier claim is `other`, the later one `us`).
create or replace view flag_pairs_us_self_inconsistency as
with

us_side as (select * from canonical_claims where speaker_side = 'us' and amount is not null),

final as (
    select
        'us_self_inconsistency' as kind,
        later.pledger,
        later.recipient,
        later.canonical_claim_id as us_canonical_claim_id,
        earlier.canonical_claim_id as other_canonical_claim_id,
        later.example_claim_id as us_claim_id,
        earlier.example_claim_id as other_claim_id,
        abs(later.amount - earlier.amount) / earlier.amount as weight,
        printf(
            'The US side put %s''s pledge to %s at %s %s (%s) and at %s %s (%s).',
            later.pledger, later.recipient, earlier.currency, format_amount(earlier.amount), earlier.speaker,
            later.currency, format_amount(later.amount), later.speaker
        ) as explanation
    from us_side as later
    inner join us_side as earlier
        on later.pledger = earlier.pledger
        and later.recipient = earlier.recipient
        and later.currency = earlier.currency
        and (later.first_published_at, later.canonical_claim_id)
            > (earlier.first_published_at, earlier.canonical_claim_id)
    where abs(later.amount - earlier.amount) > 0.05 * least(later.amount, earlier.amount)
)

select * from final
