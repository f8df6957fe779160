-- Appends an event chained to the last one in a single statement (the runner lock makes
-- the engine the only writer): hash = SHA-256 over the previous hash and the fields, joined
-- with 0x1f, exactly as mg_event_canonical() writes them.  Parameters are never NULL;
-- $5 (version) is '' for none.
INSERT INTO migrate_events (at, run_id, action, outcome, version, name, checksum, os_user,
    db_user, host, tool_version, meta, prev_hash, hash)
SELECT $1::text, $2::text, $3::text, $4::text, NULLIF($5::text, '')::numeric, $6::text,
    $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, p.h,
    encode(sha256(convert_to(concat_ws(chr(31), p.h, $1::text, $2::text, $3::text, $4::text,
        $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text),
        'UTF8')), 'hex')
FROM (SELECT coalesce((SELECT hash FROM migrate_events ORDER BY id DESC LIMIT 1), '') AS h) p
