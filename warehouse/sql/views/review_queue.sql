-- review_queue: one row per flag as the fact-checkers' queue lists it: its review status, both evidence mentions
-- (speaker, outlet, publication time, amount), the gap between the two amounts and every outlet that carried
-- either claim. A flag whose evidence changed since its latest decision is to be reviewed again (evidence_changed).
create or replace view review_queue as
with

flagged as (select * from flag_status),

evidence_ids as (
    select us_claim_id as claim_id from flagged
    union
    select other_claim_id from flagged
),

evidence as (
    select
        claims.claim_id,
        claims.speaker,
        claims.speaker_side,
        claims.amount,
        claims.currency,
        claims.article_url,
        articles.outlet,
        articles.published_at
    from claims
    left join articles on articles.canonical_url = claims.article_url
    where claims.claim_id in (select claim_id from evidence_ids)
),

final as (
    select
        flagged.flag_id,
        flagged.kind,
        flagged.pledger,
        flagged.recipient,
        flagged.status,
        -- the review queue proper: supported by the claims and not settled (needs_info stays in it); a decision
        -- on evidence the flag no longer cites settles nothing (flag_status.decision is null then)
        flagged.is_open and coalesce(flagged.decision, 'needs_info') = 'needs_info' as is_to_review,
        flagged.is_open,
        flagged.explanation,
        flagged.evidence_pairs,
        flagged.first_seen_at,
        flagged.last_seen_at,
        flagged.decision,
        flagged.latest_decision,
        flagged.evidence_changed,
        flagged.reviewer,
        flagged.reviewed_at,
        flagged.review_count,
        us_evidence.speaker as us_speaker,
        us_evidence.outlet as us_outlet,
        us_evidence.published_at as us_published_at,
        us_evidence.amount as us_amount,
        us_evidence.currency as us_currency,
        other_evidence.speaker as other_speaker,
        other_evidence.speaker_side as other_side,
        other_evidence.outlet as other_outlet,
        other_evidence.published_at as other_published_at,
        other_evidence.amount as other_amount,
        other_evidence.currency as other_currency,
        case
            when us_evidence.currency = other_evidence.currency
                then abs(us_evidence.amount - other_evidence.amount)
        end as amount_gap,
        greatest(us_evidence.published_at, other_evidence.published_at) as evidence_published_at,
        list_sort(list_distinct(list_concat(us_claim.outlets, other_claim.outlets))) as outlets
    from flagged
    left join evidence as us_evidence on us_evidence.claim_id = flagged.us_claim_id
    left join evidence as other_evidence on other_evidence.claim_id = flagged.other_claim_id
    left join canonical_claims as us_claim on us_claim.canonical_claim_id = flagged.us_canonical_claim_id
    left join canonical_claims as other_claim on other_claim.canonical_claim_id = flagged.other_canonical_claim_id
)

select * from final
