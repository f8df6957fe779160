INSERT INTO migrate_history AS h (version, name, checksum, status, kind, stmts_done, stmts_total,
    done_hash, no_transaction, applied_at, applied_by, duration_ms, run_id, error_sqlstate,
    error_message, error_detail, error_hint, error_line, error_statement, error_stmt)
VALUES ($1::numeric, $2, $3, $4, $5, $6::int, $7::int, $8, $9::int::boolean, $10::timestamptz,
    $11, $12::bigint, $13, $14, $15, $16, $17, $18::int, $19, $20::int)
ON CONFLICT (version) DO UPDATE SET
    name = excluded.name, checksum = excluded.checksum, status = excluded.status,
    kind = excluded.kind, stmts_done = excluded.stmts_done, stmts_total = excluded.stmts_total,
    done_hash = excluded.done_hash, no_transaction = excluded.no_transaction,
    applied_at = excluded.applied_at, applied_by = excluded.applied_by,
    duration_ms = excluded.duration_ms, run_id = excluded.run_id,
    error_sqlstate = excluded.error_sqlstate, error_message = excluded.error_message,
    error_detail = excluded.error_detail, error_hint = excluded.error_hint,
    error_line = excluded.error_line, error_statement = excluded.error_statement,
    error_stmt = excluded.error_stmt
