-- claims_by_speaker: how many claims each speaker made about each deal, by stance (one row per speaker and deal).
-- param side = null : only this speaker side (us, partner, third_party, author)
with

final as (
    select
        speaker,
        speaker_side,
        pledger,
        recipient,
        count(*) as claims,
        count(*) filter (where stance = 'asserted') as asserted,
        count(*) filter (where stance = 'hedged') as hedged,
        count(*) filter (where stance = 'disputed') as disputed,
        max(amount) as largest_amount
    from claims
    where $side is null or speaker_side = $side
    group by speaker, speaker_side, pledger, recipient
)

select * from final
order by claims desc, speaker
