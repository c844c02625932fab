-- 0004: canonical claims are stored (rebuilt by each flag recompute) instead of computed by a view on every read.
drop view if exists canonical_claims;
