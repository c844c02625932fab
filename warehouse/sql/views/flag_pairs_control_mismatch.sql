-- flag_pairs_control_mismatch: pairs of a US-side canonical claim saying the US decides where a deal's money goes and
-- a partner-side one saying the pledger does: the five strongest claims of each side, with deal_pairs counting all.
create or replace view flag_pairs_control_mismatch as
with

us_side as (
    select
        *,
        count(*) over (partition by pledger, recipient) as side_claims,
        row_number() over (
            partition by pledger, recipient order by (amount is not null) desc, mentions desc, canonical_claim_id
        ) as side_rank
    from canonical_claims
    where speaker_side = 'us' and control = 'us'
),

partner_side as (
    select
        *,
        count(*) over (partition by pledger, recipient) as side_claims,
        row_number() over (
            partition by pledger, recipient order by (amount is not null) desc, mentions desc, canonical_claim_id
        ) as side_rank
    from canonical_claims
    where speaker_side = 'partner' and control = 'partner'
),

final as (
    select
        'control_mismatch' as kind,
        us_side.pledger,
        us_side.recipient,
        us_side.canonical_claim_id as us_canonical_claim_id,
        partner_side.canonical_claim_id as other_canonical_claim_id,
        us_side.example_claim_id as us_claim_id,
        partner_side.example_claim_id as other_claim_id,
        -- evidence that states amounts and is widely reported ranks first
        (us_side.amount is not null)::int + (partner_side.amount is not null)::int
            + 0.01 * least(us_side.mentions + partner_side.mentions, 50) as weight,
        us_side.side_claims * partner_side.side_claims as deal_pairs,
        printf(
            '%s (US side) says the US decides where %s''s money goes, while %s (partner side) says %s does.',
            us_side.speaker, us_side.pledger, partner_side.speaker, partner_side.pledger
        ) as explanation
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
    where us_side.side_rank <= 5
        and partner_side.side_rank <= 5
)

select * from final
