SELECT `hash` FROM migrate_events ORDER BY `id` DESC LIMIT 1
