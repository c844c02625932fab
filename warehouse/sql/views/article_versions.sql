-- article_versions: one row per version of an article, earlier versions and the current one, oldest first.
create or replace view article_versions as
with

earlier as (
    select
        article_id,
        revision,
        canonical_url,
        content_hash,
        title,
        body,
        fetched_at,
        warc_file,
        warc_record_id,
        superseded_at,
        false as is_current
    from article_revisions
),

current_version as (
    select
        article_id,
        revision,
        canonical_url,
        content_hash,
        title,
        body,
        fetched_at,
        warc_file,
        warc_record_id,
        null::timestamptz as superseded_at,
        true as is_current
    from articles
),

final as (
    select * from earlier
    union all
    select * from current_version
)

select * from final
