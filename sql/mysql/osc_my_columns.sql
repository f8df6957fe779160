-- The columns of a table (schema, name) in order: name, full type, base type, generated,
-- unsigned, character set and collation (to tell changed columns and format-preserving ones),
-- nullable (which columns the checksum marks as NULL or not), and whether a row can leave it
-- out (a default, AUTO_INCREMENT, or nullable).
SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE,
       (EXTRA LIKE '%GENERATED%' OR EXTRA IN ('VIRTUAL', 'PERSISTENT', 'STORED')),
       (COLUMN_TYPE LIKE '%unsigned%'), COALESCE(CHARACTER_SET_NAME, ''),
       COALESCE(COLLATION_NAME, ''), (IS_NULLABLE = 'YES'),
       (COLUMN_DEFAULT IS NOT NULL OR IS_NULLABLE = 'YES' OR EXTRA LIKE '%auto_increment%')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION
