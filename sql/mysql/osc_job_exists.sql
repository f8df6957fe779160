SELECT COUNT(*) > 0 FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'migrate_osc_jobs'
