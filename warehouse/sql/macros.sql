-- Helper macros used by the views and queries.

-- format_amount(550000000000) = '550 billion'; format_amount(1400000000000) = '1.4 trillion'.
create or replace macro format_amount(x) as
    case
        when x is null then 'no amount'
        when abs(x) >= 1e12 then regexp_replace(printf('%.2f', x / 1e12), '\.?0+$', '') || ' trillion'
        when abs(x) >= 1e9 then regexp_replace(printf('%.2f', x / 1e9), '\.?0+$', '') || ' billion'
        when abs(x) >= 1e6 then regexp_replace(printf('%.2f', x / 1e6), '\.?0+$', '') || ' million'
        else printf('%,d', x::bigint)
    end;

-- timing_class('upfront') = 'upfront'; timing_class('over the next four years') = 'spread'; null when neither.
create or replace macro timing_class(timeframe) as
    case
        when timeframe is null then null
        when regexp_matches(lower(timeframe), 'up[- ]?front|immediate|at once|lump[- ]sum|right away|in one go')
            then 'upfront'
        when regexp_matches(lower(timeframe), 'over |years|annual|a year|per year|each year|instal|gradual|during|term|through|until|by (19|20)\d\d|decade')
            then 'spread'
        else null
    end;

-- canonical_claim_key: the identity of a pledge statement, the same whichever outlet reports it and wherever it
-- stands in the article: deal, speaker and side, stance, control, amount, timing and whether it states conditions.
create or replace macro canonical_claim_key(pledger, recipient, speaker_side, speaker, stance, control, amount,
                                            currency, timeframe, conditions) as
    md5(concat_ws('|', pledger, recipient, speaker_side, lower(trim(speaker)), stance, coalesce(control, '-'),
                  coalesce(printf('%.0f', amount), '-'), coalesce(currency, '-'), coalesce(timing_class(timeframe), '-'),
                  (len(coalesce(conditions, []::varchar[])) > 0)::varchar))[:16];
