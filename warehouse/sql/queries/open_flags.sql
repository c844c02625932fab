-- open_flags: every contradiction flag with the two evidence sentences side by side (one row per flag).
-- param kind = null : only this flag kind (amount_mismatch, stance_mismatch, control_mismatch)
with

final as (
    select
        flags.kind,
        flags.pledger,
        flags.recipient,
        flags.explanation,
        us.speaker as us_speaker,
        us.sentence as us_sentence,
        us.article_url as us_url,
        partner.speaker as partner_speaker,
        partner.sentence as partner_sentence,
        partner.article_url as partner_url,
        flags.evidence_pairs
    from flags
    inner join claims as us on us.claim_id = flags.us_claim_id
    inner join claims as partner on partner.claim_id = flags.partner_claim_id
    where $kind is null or flags.kind = $kind
)

select * from final
order by pledger, recipient, kind
