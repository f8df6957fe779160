-- clone: the columns whose values are copied, in order (generated columns are left
-- to the clone to compute; MariaDB's system-versioning columns are not listed),
-- and whether a value is bytes without a character set.
SELECT TABLE_NAME, COLUMN_NAME,
       DATA_TYPE IN ('binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob',
                     'bit', 'geometry', 'point', 'linestring', 'polygon', 'multipoint',
                     'multilinestring', 'multipolygon', 'geometrycollection',
                     'geomcollection')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
  AND EXTRA NOT LIKE '%VIRTUAL%' AND EXTRA NOT LIKE '%STORED%'
  AND EXTRA NOT LIKE '%PERSISTENT%'
ORDER BY TABLE_NAME, ORDINAL_POSITION
