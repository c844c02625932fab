-- flag_status: one row per flag with its review status: the latest decision (confirmed, dismissed, needs_info),
-- else open while the claims support it and closed once they no longer do.
create or replace view flag_status as
with

latest as (
    select
        *,
        row_number() over (partition by flag_id order by reviewed_at desc, review_id desc) as review_rank,
        count(*) over (partition by flag_id) as review_count
    from reviews
),

final as (
    select
        flags.*,
        latest.decision,
        latest.reviewer,
        latest.note,
        latest.reviewed_at,
        coalesce(latest.review_count, 0) as review_count,
        coalesce(latest.decision, case when flags.is_open then 'open' else 'closed' end) as status
    from flags
    left join latest
        on latest.flag_id = flags.flag_id
        and latest.review_rank = 1
)

select * from final
