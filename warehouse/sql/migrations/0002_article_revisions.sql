-- 0002: articles keep revisions, conditional-request validators, their web-archive record and the extractor version.
alter table articles add column if not exists revision integer default 1;
alter table articles add column if not exists etag varchar;
alter table articles add column if not exists last_modified varchar;
alter table articles add column if not exists warc_file varchar;
alter table articles add column if not exists warc_record_id varchar;
alter table articles add column if not exists extractor_version varchar;
