DELETE FROM migrate_history WHERE `version` = CAST(? AS DECIMAL(20,0))
