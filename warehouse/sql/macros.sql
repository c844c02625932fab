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
