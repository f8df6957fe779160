-- Unfinished jobs on one table: a second job on it must wait for them.
SELECT id::text, kind, table_schema, table_name, statement, where_clause, phase, key_columns,
       last_key, max_key, verified_key, batch_size, batches::text, rows_copied::text,
       rows_estimate::text, rows_replayed::text, ranges_verified::text, ranges_recopied::text,
       state, options, migration_version::text, migration_statement, run_id,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), error
FROM migrate_osc_jobs
WHERE table_schema = $1 AND table_name = $2 AND phase NOT IN ('done', 'aborted')
ORDER BY id
