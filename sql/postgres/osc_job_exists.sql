SELECT to_regclass('migrate_osc_jobs') IS NOT NULL
