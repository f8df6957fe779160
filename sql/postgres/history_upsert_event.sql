-- A migration's history row and its event in one statement (one round trip): the
-- history_upsert parameters $1..$20, then the event_insert parameters as $21..$32.
WITH h AS (
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
    RETURNING 1
)
INSERT INTO migrate_events (at, run_id, action, outcome, version, name, checksum, os_user,
    db_user, host, tool_version, meta, prev_hash, hash)
SELECT $21::text, $22::text, $23::text, $24::text, NULLIF($25::text, '')::numeric, $26::text,
    $27::text, $28::text, $29::text, $30::text, $31::text, $32::text, p.h,
    encode(sha256(convert_to(concat_ws(chr(31), p.h, $21::text, $22::text, $23::text, $24::text,
        $25::text, $26::text, $27::text, $28::text, $29::text, $30::text, $31::text, $32::text),
        'UTF8')), 'hex')
FROM (SELECT coalesce((SELECT hash FROM migrate_events ORDER BY id DESC LIMIT 1), '') AS h) p
