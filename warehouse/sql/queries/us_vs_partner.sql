-- us_vs_partner: for each deal, what the US side and the partner side say, side by side (one row per deal and side).
-- param pledger = null : only this pledger (ISO alpha-3 or EU)
with

claims_with_dates as (
    select claims.*, articles.published_at, articles.outlet
    from claims
    left join articles on articles.canonical_url = claims.article_url
    where speaker_side in ('us', 'partner')
        and ($pledger is null or pledger = $pledger)
),

final as (
    select
        pledger,
        recipient,
        speaker_side,
        count(*) as claims,
        list(distinct amount order by amount) filter (where amount is not null) as amounts,
        count(*) filter (where stance = 'asserted') as asserted,
        count(*) filter (where stance = 'hedged') as hedged,
        count(*) filter (where stance = 'disputed') as disputed,
        count(*) filter (where control = 'us') as control_us,
        count(*) filter (where control = 'partner') as control_partner,
        list(distinct speaker order by speaker) as speakers,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from claims_with_dates
    group by pledger, recipient, speaker_side
)

select * from final
order by pledger, recipient, speaker_side desc
