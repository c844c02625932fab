-- 0001: the first schema (articles, claims, runs); nothing to change in a warehouse that has it.
select 1;
