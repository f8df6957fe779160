INSERT INTO migrate_events (at, run_id, action, outcome, version, name, checksum, os_user,
    db_user, host, tool_version, meta, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8, $9, $10, $11, $12, $13, $14)
