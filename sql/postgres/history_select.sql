SELECT version::text, name, checksum, status, kind, stmts_done, stmts_total, done_hash,
       no_transaction::int, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       applied_by, duration_ms, run_id, error_sqlstate, error_message, error_detail, error_hint,
       error_line, error_statement, error_stmt
FROM migrate_history
ORDER BY version
