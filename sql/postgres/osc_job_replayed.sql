-- Rows re-synchronised from the change log.
UPDATE migrate_osc_jobs SET rows_replayed = rows_replayed + $2::bigint, updated_at = now()
WHERE id = $1::bigint
