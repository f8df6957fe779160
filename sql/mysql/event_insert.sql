INSERT INTO migrate_events (`at`, `run_id`, `action`, `outcome`, `version`, `name`, `checksum`,
    `os_user`, `db_user`, `host`, `tool_version`, `meta`, `prev_hash`, `hash`)
VALUES (?, ?, ?, ?, CAST(? AS DECIMAL(20,0)), ?, ?, ?, ?, ?, ?, ?, ?, ?)
