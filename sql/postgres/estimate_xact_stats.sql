-- estimate: rows read and written per user table by this session, not yet
-- flushed to the shared statistics.  Read before and after one statement in
-- the same transaction; the difference is what the statement touched.
SELECT relid::text,
       coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0),
       n_tup_ins + n_tup_upd + n_tup_del
FROM pg_catalog.pg_stat_xact_user_tables
WHERE coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) + n_tup_ins + n_tup_upd + n_tup_del > 0
