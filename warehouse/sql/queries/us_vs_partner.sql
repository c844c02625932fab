-- us_vs_partner: for each deal, what the US side and the partner side say, side by side (one row per deal and side; counts are claim mentions).
-- param pledger = null : only this pledger (ISO alpha-3 or EU)
with

statements as (
    select *
    from canonical_claims
    where speaker_side in ('us', 'partner')
        and ($pledger is null or pledger = $pledger)
),

final as (
    select
        pledger,
        recipient,
        speaker_side,
        sum(mentions) as claims,
        list(distinct amount order by amount) filter (where amount is not null) as amounts,
        sum(mentions) filter (where stance = 'asserted') as asserted,
        sum(mentions) filter (where stance = 'hedged') as hedged,
        sum(mentions) filter (where stance = 'disputed') as disputed,
        sum(mentions) filter (where control = 'us') as control_us,
        sum(mentions) filter (where control = 'partner') as control_partner,
        list(distinct speaker order by speaker) as speakers,
        min(first_published_at) as first_published_at,
        max(last_published_at) as last_published_at
    from statements
    group by pledger, recipient, speaker_side
)

select * from final
order by pledger, recipient, speaker_side desc
