-- The newest job started for one statement of an online migration file.
SELECT CAST(id AS CHAR), kind, table_schema, table_name, statement, where_clause, phase,
       key_columns, last_key, max_key, verified_key, batch_size, CAST(batches AS CHAR),
       CAST(rows_copied AS CHAR), CAST(rows_estimate AS CHAR), CAST(rows_replayed AS CHAR),
       CAST(ranges_verified AS CHAR), CAST(ranges_recopied AS CHAR), state, options,
       CAST(migration_version AS CHAR), migration_statement, run_id,
       DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%sZ'), DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ'),
       error
FROM migrate_osc_jobs
WHERE migration_version = CAST(? AS DECIMAL(20,0)) AND migration_statement = CAST(? AS SIGNED)
ORDER BY id DESC
LIMIT 1
