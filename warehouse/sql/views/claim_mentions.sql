-- claim_mentions: one row per claim mention (a row of claims), with its canonical claim id, outlet and publication time.
create or replace view claim_mentions as
with

final as (
    select
        claims.*,
        canonical_claim_key(
            claims.pledger, claims.recipient, claims.speaker_side, claims.speaker, claims.stance, claims.control,
            claims.amount, claims.currency, claims.timeframe, claims.conditions
        ) as canonical_claim_id,
        timing_class(claims.timeframe) as timing,
        len(coalesce(claims.conditions, []::varchar[])) > 0 as is_conditional,
        articles.outlet,
        articles.published_at
    from claims
    left join articles on articles.canonical_url = claims.article_url
)

select * from final
