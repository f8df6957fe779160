SELECT id::text, at, run_id, action, outcome, version::text, name, checksum, os_user, db_user,
       host, tool_version, meta, prev_hash, hash
FROM migrate_events
ORDER BY id
