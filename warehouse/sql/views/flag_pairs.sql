-- flag_pairs: the strongest pairs of canonical claims that support each flag (a few per deal and kind, see each
-- flag_pairs_<kind> view), with the flag they support.
create or replace view flag_pairs as
with

pairs as (
    select * from flag_pairs_amount_mismatch
    union all by name
    select * from flag_pairs_stance_mismatch
    union all by name
    select * from flag_pairs_control_mismatch
    union all by name
    select * from flag_pairs_timing_mismatch
    union all by name
    select * from flag_pairs_condition_mismatch
    union all by name
    select * from flag_pairs_us_self_inconsistency
),

final as (
    select
        md5(kind || '|' || pledger || '|' || recipient)[:16] as flag_id,
        *
    from pairs
)

select * from final
