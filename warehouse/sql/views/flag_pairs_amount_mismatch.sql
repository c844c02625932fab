-- flag_pairs_amount_mismatch: pairs of a US-side and a partner-side canonical claim of one deal whose amounts, in the
-- same currency, differ by more than 5% of the partner's figure: up to three claims per stated amount on each side,
-- with deal_pairs counting every such pair. The figures each side states most often make the strongest evidence
-- (a side's headline figure, not a component of it that one sentence mentions).
create or replace view flag_pairs_amount_mismatch as
with

us_side as (
    select
        *,
        row_number() over (
            partition by pledger, recipient, currency, amount order by mentions desc, canonical_claim_id
        ) as group_rank,
        sum(mentions) over (partition by pledger, recipient, currency, amount) as amount_mentions
    from canonical_claims
    where speaker_side = 'us' and amount is not null
),

partner_side as (
    select
        *,
        row_number() over (
            partition by pledger, recipient, currency, amount order by mentions desc, canonical_claim_id
        ) as group_rank,
        sum(mentions) over (partition by pledger, recipient, currency, amount) as amount_mentions
    from canonical_claims
    where speaker_side = 'partner' and amount is not null
),

us_amounts as (select pledger, recipient, currency, amount, count(*) as n from us_side group by all),
partner_amounts as (select pledger, recipient, currency, amount, count(*) as n from partner_side group by all),

deal_counts as (
    select us_amounts.pledger, us_amounts.recipient, sum(us_amounts.n * partner_amounts.n) as deal_pairs
    from us_amounts
    inner join partner_amounts
        on us_amounts.pledger = partner_amounts.pledger
        and us_amounts.recipient = partner_amounts.recipient
        and us_amounts.currency = partner_amounts.currency
    where abs(us_amounts.amount - partner_amounts.amount) > 0.05 * partner_amounts.amount
    group by all
),

final as (
    select
        'amount_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.canonical_claim_id as us_canonical_claim_id,
        partner_side.canonical_claim_id as other_canonical_claim_id,
        us_side.example_claim_id as us_claim_id,
        partner_side.example_claim_id as other_claim_id,
        least(us_side.amount_mentions, 100) + least(partner_side.amount_mentions, 100)
            + 0.01 * least(abs(us_side.amount - partner_side.amount) / partner_side.amount, 10)
            + 0.0001 * least(us_side.mentions + partner_side.mentions, 50) as weight,
        deal_counts.deal_pairs,
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
    inner join deal_counts
        on deal_counts.pledger = us_side.pledger
        and deal_counts.recipient = us_side.recipient
    where abs(us_side.amount - partner_side.amount) > 0.05 * partner_side.amount
        and us_side.group_rank <= 3
        and partner_side.group_rank <= 3
)

select * from final
