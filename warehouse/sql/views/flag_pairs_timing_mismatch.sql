-- flag_pairs_timing_mismatch: pairs of a US-side and a partner-side canonical claim of one deal where one says the
-- money comes upfront and the other that it is spread over time: the five strongest claims per side and timing,
-- with deal_pairs counting every such pair.
create or replace view flag_pairs_timing_mismatch as
with

ranked as (
    select
        *,
        count(*) over (partition by pledger, recipient, speaker_side, timing) as group_claims,
        row_number() over (
            partition by pledger, recipient, speaker_side, timing
            order by (amount is not null) desc, mentions desc, canonical_claim_id
        ) as group_rank
    from canonical_claims
    where speaker_side in ('us', 'partner') and timing is not null
),

groups as (
    select pledger, recipient, speaker_side, timing, max(group_claims) as n from ranked group by all
),

deal_counts as (
    select us_groups.pledger, us_groups.recipient, sum(us_groups.n * partner_groups.n) as deal_pairs
    from groups as us_groups
    inner join groups as partner_groups
        on us_groups.pledger = partner_groups.pledger
        and us_groups.recipient = partner_groups.recipient
        and us_groups.timing <> partner_groups.timing
    where us_groups.speaker_side = 'us' and partner_groups.speaker_side = 'partner'
    group by all
),

-- only the strongest claims of each group are paired, so the join stays small however large the warehouse
us_side as (select * from ranked where speaker_side = 'us' and group_rank <= 5),
partner_side as (select * from ranked where speaker_side = 'partner' and group_rank <= 5),

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
        deal_counts.deal_pairs,
        printf(
            '%s (US side) says %s''s money comes "%s", while %s (partner side) says "%s".',
            us_side.speaker, us_side.pledger, us_side.timeframe, partner_side.speaker, partner_side.timeframe
        ) as explanation
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
        and us_side.timing <> partner_side.timing
    inner join deal_counts
        on deal_counts.pledger = us_side.pledger
        and deal_counts.recipient = us_side.recipient
)

select * from final
