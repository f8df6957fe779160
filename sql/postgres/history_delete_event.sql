-- A reverted migration's history row deleted and its event appended in one statement:
-- the version as $1, then the event_insert parameters as $2..$13.
WITH d AS (
    DELETE FROM migrate_history WHERE version = $1::numeric
    RETURNING 1
)
INSERT INTO migrate_events (at, run_id, action, outcome, version, name, checksum, os_user,
    db_user, host, tool_version, meta, prev_hash, hash)
SELECT $2::text, $3::text, $4::text, $5::text, NULLIF($6::text, '')::numeric, $7::text,
    $8::text, $9::text, $10::text, $11::text, $12::text, $13::text, p.h,
    encode(sha256(convert_to(concat_ws(chr(31), p.h, $2::text, $3::text, $4::text, $5::text,
        $6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, $13::text),
        'UTF8')), 'hex')
FROM (SELECT coalesce((SELECT hash FROM migrate_events ORDER BY id DESC LIMIT 1), '') AS h) p
