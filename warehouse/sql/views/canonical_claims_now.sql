-- canonical_claims_now: one row per distinct pledge statement as the claims stand now, with the fields of its earliest
-- mention; recompute_flags() stores it in the canonical_claims table, which the flag views and queries read.
create or replace view canonical_claims_now as
with

keyed as (
    select
        claims.*,
        articles.outlet,
        articles.published_at,
        -- a fast grouping key over the same fields as canonical_claim_key (which is computed once per group)
        hash(
            claims.pledger, claims.recipient, claims.speaker_side, lower(trim(claims.speaker)), claims.stance,
            claims.control, claims.amount, claims.currency, timing_class(claims.timeframe),
            len(coalesce(claims.conditions, []::varchar[])) > 0
        ) as group_key
    from claims
    left join articles on articles.canonical_url = claims.article_url
),

grouped as (
    select
        group_key,
        min_by(
            keyed,
            (coalesce(published_at, 'infinity'::timestamptz), article_url, "start")
        ) as first,
        count(*) as mentions,
        count(distinct article_url) as articles,
        list(distinct outlet order by outlet) filter (where outlet is not null) as outlets,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from keyed
    group by group_key
),

final as (
    select
        canonical_claim_key(
            first.pledger, first.recipient, first.speaker_side, first.speaker, first.stance, first.control,
            first.amount, first.currency, first.timeframe, first.conditions
        ) as canonical_claim_id,
        first.pledger,
        first.recipient,
        first.speaker,
        first.speaker_side,
        first.stance,
        first.control,
        first.amount,
        first.amount_high,
        first.currency,
        first.timeframe,
        timing_class(first.timeframe) as timing,
        first.conditions,
        len(coalesce(first.conditions, []::varchar[])) > 0 as is_conditional,
        first.claim_id as example_claim_id,
        first.sentence as example_sentence,
        first.article_url as example_url,
        mentions,
        articles,
        outlets,
        first_published_at,
        last_published_at
    from grouped
)

select * from final
