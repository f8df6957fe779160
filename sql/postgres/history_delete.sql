DELETE FROM migrate_history WHERE version = $1::numeric
