-- flag_status: one row per flag with its review status: the decision in force (confirmed, dismissed, needs_info),
-- else open while the claims support it and closed once they no longer do.
-- A decision is in force while the flag's evidence (its strongest pair of canonical claims) is the pair the
-- reviewer saw; once the evidence changes the flag is back to be reviewed (decision null, evidence_changed true),
-- and latest_decision still says what was decided on the earlier evidence. Every decision stays in `reviews`.
create or replace view flag_status as
with

latest as (
    select
        *,
        row_number() over (partition by flag_id order by reviewed_at desc, review_id desc) as review_rank,
        count(*) over (partition by flag_id) as review_count
    from reviews
),

compared as (
    select
        flags.*,
        latest.review_id is not null
            -- only a decision stored with the evidence it was about can be compared
            and (latest.us_canonical_claim_id is not null or latest.other_canonical_claim_id is not null)
            and (
                latest.us_canonical_claim_id is distinct from flags.us_canonical_claim_id
                or latest.other_canonical_claim_id is distinct from flags.other_canonical_claim_id
            ) as evidence_changed
    from flags
    left join latest
        on latest.flag_id = flags.flag_id
        and latest.review_rank = 1
),

final as (
    select
        compared.* exclude (evidence_changed),
        case when not compared.evidence_changed then latest.decision end as decision,
        latest.decision as latest_decision,
        latest.reviewer,
        latest.note,
        latest.reviewed_at,
        coalesce(latest.review_count, 0) as review_count,
        coalesce(
            case when not compared.evidence_changed then latest.decision end,
            case when compared.is_open then 'open' else 'closed' end
        ) as status,
        compared.evidence_changed,
        latest.us_canonical_claim_id as reviewed_us_canonical_claim_id,
        latest.other_canonical_claim_id as reviewed_other_canonical_claim_id
    from compared
    left join latest
        on latest.flag_id = compared.flag_id
        and latest.review_rank = 1
)

select * from final
