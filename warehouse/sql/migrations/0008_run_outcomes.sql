-- 0008: a run records why it failed or was aborted, and how many flags it opened.
-- (A warehouse older than the runs table gets it, with these columns, from schema.sql after the migrations.)
alter table if exists runs add column if not exists flags_opened integer;
alter table if exists runs add column if not exists error varchar;
