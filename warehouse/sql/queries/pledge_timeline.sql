-- pledge_timeline: what was said about a deal, in order of publication (one row per canonical claim, earliest first).
-- param pledger = JPN : the pledger (ISO alpha-3 or EU)
-- param recipient = USA : the recipient
with

final as (
    select
        first_published_at,
        speaker_side,
        speaker,
        stance,
        control,
        amount,
        currency,
        timeframe,
        conditions,
        mentions,
        outlets,
        example_sentence,
        example_url
    from canonical_claims
    where pledger = $pledger
        and recipient = $recipient
)

select * from final
order by first_published_at nulls last, speaker_side, speaker
