UPDATE migrate_history SET stmts_done = $2::int, done_hash = $3,
    duration_ms = $4::bigint
WHERE version = $1::numeric
