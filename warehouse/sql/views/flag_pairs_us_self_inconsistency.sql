-- flag_pairs_us_self_inconsistency: pairs of US-side canonical claims of one deal whose amounts, in the same currency,
-- differ by more than 5% (the earlier claim is `other`, the later one `us`): up to three claims per stated amount,
-- with deal_pairs counting every such pair.
create or replace view flag_pairs_us_self_inconsistency as
with

us_side as (
    select
        *,
        row_number() over (
            partition by pledger, recipient, currency, amount order by mentions desc, canonical_claim_id
        ) as group_rank
    from canonical_claims
    where speaker_side = 'us' and amount is not null
),

amounts as (select pledger, recipient, currency, amount, count(*) as n from us_side group by all),

deal_counts as (
    select low.pledger, low.recipient, sum(low.n * high.n) as deal_pairs
    from amounts as low
    inner join amounts as high
        on low.pledger = high.pledger
        and low.recipient = high.recipient
        and low.currency = high.currency
        and high.amount > low.amount * 1.05
    group by all
),

final as (
    select
        'us_self_inconsistency' as kind,
        later.pledger,
        later.recipient,
        later.canonical_claim_id as us_canonical_claim_id,
        earlier.canonical_claim_id as other_canonical_claim_id,
        later.example_claim_id as us_claim_id,
        earlier.example_claim_id as other_claim_id,
        abs(later.amount - earlier.amount) / least(later.amount, earlier.amount)
            + 0.001 * least(later.mentions + earlier.mentions, 50) as weight,
        deal_counts.deal_pairs,
        printf(
            'The US side put %s''s pledge to %s at %s %s (%s) and later at %s %s (%s).',
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
    inner join deal_counts
        on deal_counts.pledger = later.pledger
        and deal_counts.recipient = later.recipient
    where abs(later.amount - earlier.amount) > 0.05 * least(later.amount, earlier.amount)
        and later.group_rank <= 3
        and earlier.group_rank <= 3
)

select * from final
