-- A new job, written before its shadow table and triggers (MySQL commits DDL at once). The
-- id is NULL, so AUTO_INCREMENT numbers it; it comes back with LAST_INSERT_ID().
INSERT INTO migrate_osc_jobs (id, kind, table_schema, table_name, statement, where_clause, phase,
    key_columns, last_key, max_key, batch_size, rows_estimate, state, options, migration_version,
    migration_statement, run_id, started_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS SIGNED), CAST(? AS SIGNED), ?, ?,
    CAST(? AS DECIMAL(20,0)), CAST(? AS SIGNED), ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))
