SELECT `id`, `document` FROM migrate_checkpoints ORDER BY `created_at`, `id`
