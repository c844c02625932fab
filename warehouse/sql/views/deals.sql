-- deals: one row per deal (pledger -> recipient): how much coverage it has and what each side has said about amounts.
create or replace view deals as
with

final as (
    select
        pledger,
        recipient,
        count(*) as mentions,
        count(distinct canonical_claim_id) as canonical_claims,
        count(distinct article_url) as articles,
        list(distinct amount order by amount) filter (where speaker_side = 'us' and amount is not null) as us_amounts,
        list(distinct amount order by amount) filter (where speaker_side = 'partner' and amount is not null)
            as partner_amounts,
        count(*) filter (where stance = 'disputed') as disputed_mentions,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from claim_mentions
    group by pledger, recipient
)

select * from final
