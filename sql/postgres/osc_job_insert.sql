-- A new job, written in the same transaction as its shadow table and triggers.
INSERT INTO migrate_osc_jobs (id, kind, table_schema, table_name, statement, where_clause, phase,
    key_columns, last_key, max_key, batch_size, rows_estimate, state, options,
    migration_version, migration_statement, run_id)
VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::int, $12::bigint, $13, $14,
    $15::numeric, $16::int, $17)
