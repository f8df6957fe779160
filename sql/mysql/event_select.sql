SELECT CAST(`id` AS CHAR), `at`, `run_id`, `action`, `outcome`, CAST(`version` AS CHAR), `name`,
       `checksum`, `os_user`, `db_user`, `host`, `tool_version`, `meta`, `prev_hash`, `hash`
FROM migrate_events
ORDER BY `id`
