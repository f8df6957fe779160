SELECT to_regclass('migrate_checkpoints') IS NOT NULL
