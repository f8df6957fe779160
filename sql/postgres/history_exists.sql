SELECT to_regclass('migrate_history') IS NOT NULL, to_regclass('migrate_events') IS NOT NULL
