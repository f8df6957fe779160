-- One job by id (columns in the order osc.c reads them).
SELECT id::text, kind, table_schema, table_name, statement, where_clause, phase, key_columns,
       last_key, max_key, verified_key, batch_size, batches::text, rows_copied::text,
       rows_estimate::text, rows_replayed::text, ranges_verified::text, ranges_recopied::text,
       state, options, migration_version::text, migration_statement, run_id,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), error
FROM migrate_osc_jobs
WHERE id = $1::bigint
