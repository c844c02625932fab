-- 0008: a run records why it failed or was aborted, and how many flags it opened.
alter table runs add column if not exists flags_opened integer;
alter table runs add column if not exists error varchar;
