-- 0005: claims and canonical_claims lose their primary-key indexes (the loader keeps them unique), for bulk-load speed.
alter table claims rename to claims_0004;
create table claims (
    claim_id varchar not null,
    doc varchar not null,
    sentence varchar not null,
    pledger varchar not null,
    recipient varchar not null,
    amount double,
    currency varchar,
    speaker varchar not null,
    speaker_side varchar not null,
    stance varchar not null,
    control varchar,
    conditions varchar[],
    timeframe varchar,
    amount_high double,
    timeframe_until date,
    article_url varchar,
    "start" integer not null,
    "end" integer not null,
    rule_id varchar,
    confidence double,
    extractor_version varchar not null
);
insert into claims select * from claims_0004;
drop table claims_0004;
drop table if exists canonical_claims;
