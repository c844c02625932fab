-- canonical_claims_now: one row per distinct pledge statement as the claims stand now; recompute_flags() stores it
-- in the canonical_claims table, which the flag views read.
create or replace view canonical_claims_now as
with

ranked as (
    select
        *,
        row_number() over (
            partition by canonical_claim_id order by published_at nulls last, article_url, "start"
        ) as mention_rank
    from claim_mentions
),

counts as (
    select
        canonical_claim_id,
        count(*) as mentions,
        count(distinct article_url) as articles,
        list(distinct outlet order by outlet) filter (where outlet is not null) as outlets,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from claim_mentions
    group by canonical_claim_id
),

final as (
    select
        ranked.canonical_claim_id,
        ranked.pledger,
        ranked.recipient,
        ranked.speaker,
        ranked.speaker_side,
        ranked.stance,
        ranked.control,
        ranked.amount,
        ranked.amount_high,
        ranked.currency,
        ranked.timeframe,
        ranked.timing,
        ranked.conditions,
        ranked.is_conditional,
        ranked.claim_id as example_claim_id,
        ranked.sentence as example_sentence,
        ranked.article_url as example_url,
        counts.mentions,
        counts.articles,
        counts.outlets,
        counts.first_published_at,
        counts.last_published_at
    from ranked
    inner join counts using (canonical_claim_id)
    where ranked.mention_rank = 1
)

select * from final
