-- 0003: flags become a table with a stable identity and history; evidence pairs and reviews are kept.
-- (The earlier `flags` view is replaced; views are recreated after migrations.)
drop view if exists flags;
