-- flag_pairs_condition_mismatch: one row per (US-side, partner-side) pair of canonical claims of one deal where one
-- side states the pledged amount as firm with no conditions and the other attaches conditions to it.
create or replace view flag_pairs_condition_mismatch as
with

us_side as (select * from canonical_claims where speaker_side = 'us' and stance <> 'disputed'),
partner_side as (select * from canonical_claims where speaker_side = 'partner' and stance <> 'disputed'),

pairs as (
    select us_side.*, partner_side.canonical_claim_id as p_id, partner_side.example_claim_id as p_claim_id,
        partner_side.speaker as p_speaker, partner_side.conditions as p_conditions,
        partner_side.is_conditional as p_is_conditional, partner_side.amount as p_amount,
        partner_side.stance as p_stance, partner_side.mentions as p_mentions
    from us_side
    inner join partner_side
        on us_side.pledger = partner_side.pledger
        and us_side.recipient = partner_side.recipient
    -- one side firm and unconditional about an amount, the other conditional
    where (us_side.is_conditional <> partner_side.is_conditional)
        and ((not us_side.is_conditional and us_side.amount is not null and us_side.stance = 'asserted')
             or (not partner_side.is_conditional and partner_side.amount is not null and partner_side.stance = 'asserted'))
),

final as (
    select
        'condition_mismatch' as kind,
        pledger,
        recipient,
        canonical_claim_id as us_canonical_claim_id,
        p_id as other_canonical_claim_id,
        example_claim_id as us_claim_id,
        p_claim_id as other_claim_id,
        (amount is not null)::int + (p_amount is not null)::int + 0.01 * least(mentions + p_mentions, 50) as weight,
        case when is_conditional
            then printf('%s (US side) attaches conditions (%s) that %s (partner side) does not state.',
                        speaker, array_to_string(conditions, '; '), p_speaker)
            else printf('%s (US side) states %s''s pledge without conditions, while %s (partner side) attaches %s.',
                        speaker, pledger, p_speaker, array_to_string(p_conditions, '; '))
        end as explanation
    from pairs
)

select * from final
