-- amount_history: every distinct amount each side has stated for each deal, when it was first and last stated and by whom (one row per deal, side and amount).
-- param pledger = null : only this pledger (ISO alpha-3 or EU)
with

amounts as (
    select claims.*, articles.published_at
    from claims
    left join articles on articles.canonical_url = claims.article_url
    where claims.amount is not null
),

final as (
    select
        pledger,
        recipient,
        speaker_side,
        amount,
        currency,
        format_amount(amount) as amount_text,
        count(*) as mentions,
        count(distinct article_url) as articles,
        list(distinct speaker order by speaker) as speakers,
        min(published_at) as first_stated_at,
        max(published_at) as last_stated_at
    from amounts
    where $pledger is null or pledger = $pledger
    group by pledger, recipient, speaker_side, amount, currency
)

select * from final
order by pledger, recipient, speaker_side, first_stated_at nulls last, amount
