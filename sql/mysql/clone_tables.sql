-- clone: the tables, views and sequences of the source's database: type, the
-- data's size (the bound for copying a table whole), and the AUTO_INCREMENT
-- position.  Temporary tables are not the database's.
SELECT TABLE_NAME, TABLE_TYPE, COALESCE(DATA_LENGTH, 0), AUTO_INCREMENT
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE <> 'TEMPORARY' AND TABLE_NAME NOT LIKE '#sql%'
ORDER BY TABLE_NAME
