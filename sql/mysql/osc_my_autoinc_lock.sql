-- Whether copies into the shadow ($1 schema, $2 name) would queue behind one another: it has
-- an AUTO_INCREMENT column, and InnoDB takes a table-level AUTO-INC lock for the whole of
-- every INSERT ... SELECT into such a table unless innodb_autoinc_lock_mode is 2.
SELECT CAST(COUNT(*) > 0 AND @@innodb_autoinc_lock_mode < 2 AS CHAR)
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'
