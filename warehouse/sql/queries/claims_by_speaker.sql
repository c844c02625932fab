-- claims_by_speaker: how many claims each speaker made about each deal, by stance (one row per speaker and deal; counts are claim mentions).
-- param side = null : only this speaker side (us, partner, third_party, author)
with

final as (
    select
        speaker,
        speaker_side,
        pledger,
        recipient,
        sum(mentions) as claims,
        coalesce(sum(mentions) filter (where stance = 'asserted'), 0) as asserted,
        coalesce(sum(mentions) filter (where stance = 'hedged'), 0) as hedged,
        coalesce(sum(mentions) filter (where stance = 'disputed'), 0) as disputed,
        max(amount) as largest_amount
    from canonical_claims
    where $side is null or speaker_side = $side
    group by speaker, speaker_side, pledger, recipient
)

select * from final
order by claims desc, speaker
