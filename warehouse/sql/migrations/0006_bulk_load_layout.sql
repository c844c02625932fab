-- 0006: bulk-load layout. article_revisions keeps the versions that were replaced; the current version lives in
-- articles only (the view article_versions shows every version), so a first load writes each article once. And
-- articles loses its primary-key index, like claims in 0005 (the loader keeps article_id unique).
-- (Created first in its earlier layout for a warehouse older than the table.)
create table if not exists article_revisions (
    article_id varchar not null,
    revision integer not null,
    canonical_url varchar not null,
    content_hash varchar not null,
    title varchar,
    body varchar,
    fetched_at timestamptz,
    stored_at timestamptz not null,
    warc_file varchar,
    warc_record_id varchar,
    primary key (article_id, revision)
);
-- A version was superseded when the next one was stored.
update article_revisions as r
set stored_at = n.next_stored_at
from (
    select article_id, revision, lead(stored_at) over (partition by article_id order by revision) as next_stored_at
    from article_revisions
) as n
where r.article_id = n.article_id and r.revision = n.revision and n.next_stored_at is not null;
delete from article_revisions r using articles a where r.article_id = a.article_id and r.revision = a.revision;
alter table article_revisions rename column stored_at to superseded_at;
alter table articles rename to articles_0005;
create table articles (
    article_id varchar not null,
    url varchar not null,
    canonical_url varchar not null,
    outlet varchar,
    title varchar,
    authors varchar[],
    published_at timestamptz,
    section varchar,
    body varchar,
    language varchar,
    content_hash varchar not null,
    fetched_at timestamptz,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    revision integer default 1,
    etag varchar,
    last_modified varchar,
    warc_file varchar,
    warc_record_id varchar,
    extractor_version varchar
);
insert into articles by name select * from articles_0005;
drop table articles_0005;
