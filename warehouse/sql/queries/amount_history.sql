-- amount_history: every distinct amount each side has stated for each deal, when it was first and last stated and by whom (one row per deal, side and amount).
-- param pledger = null : only this pledger (ISO alpha-3 or EU)
with

final as (
    select
        pledger,
        recipient,
        speaker_side,
        amount,
        currency,
        format_amount(amount) as amount_text,
        sum(mentions) as mentions,
        sum(articles) as articles,
        list(distinct speaker order by speaker) as speakers,
        min(first_published_at) as first_stated_at,
        max(last_published_at) as last_stated_at
    from canonical_claims
    where amount is not null
        and ($pledger is null or pledger = $pledger)
    group by pledger, recipient, speaker_side, amount, currency
)

select * from final
order by pledger, recipient, speaker_side, first_stated_at nulls last, amount
