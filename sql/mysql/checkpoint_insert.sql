INSERT INTO migrate_checkpoints (`id`, `created_at`, `status`, `command`, `run_id`,
    `version_before`, `restore_point`, `position`, `document`)
VALUES (?, ?, ?, ?, ?, CAST(? AS DECIMAL(20,0)), ?, ?, ?)
