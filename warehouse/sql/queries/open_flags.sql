-- open_flags: the review queue: every open flag with its two evidence sentences side by side (one row per flag).
-- param kind = null : only this flag kind (amount_mismatch, stance_mismatch, control_mismatch, timing_mismatch, condition_mismatch, us_self_inconsistency)
-- param pledger = null : only this pledger (ISO alpha-3 or EU)
with

cited as (
    select us_claim_id as claim_id from flag_status where is_open
    union
    select other_claim_id from flag_status where is_open
),

evidence as (
    -- only the cited claims: a semi-join, not a copy of the claims table
    select claim_id, speaker, speaker_side, sentence, article_url
    from claims
    where claim_id in (select claim_id from cited)
),

final as (
    select
        flag_status.kind,
        flag_status.pledger,
        flag_status.recipient,
        flag_status.status,
        flag_status.explanation,
        us.speaker as us_speaker,
        us.sentence as us_sentence,
        us.article_url as us_url,
        other.speaker as other_speaker,
        other.speaker_side as other_side,
        other.sentence as other_sentence,
        other.article_url as other_url,
        flag_status.evidence_pairs,
        flag_status.first_seen_at,
        flag_status.flag_id
    from flag_status
    left join evidence as us on us.claim_id = flag_status.us_claim_id
    left join evidence as other on other.claim_id = flag_status.other_claim_id
    where flag_status.is_open
        and coalesce(flag_status.decision, 'needs_info') = 'needs_info'
        and ($kind is null or flag_status.kind = $kind)
        and ($pledger is null or flag_status.pledger = $pledger)
)

select * from final
order by pledger, recipient, kind
