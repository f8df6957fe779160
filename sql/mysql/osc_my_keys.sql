-- Unique indexes of a table (schema, name) that could drive a copy in key order, best first:
-- the primary key, then the narrowest.  `usable`: every column NOT NULL, no prefix, no
-- expression, a btree.  Columns and their types as JSON arrays in index order.
SELECT s.INDEX_NAME,
       CONCAT('[', GROUP_CONCAT(JSON_QUOTE(s.COLUMN_NAME) ORDER BY s.SEQ_IN_INDEX), ']'),
       CONCAT('[', GROUP_CONCAT(JSON_QUOTE(c.COLUMN_TYPE) ORDER BY s.SEQ_IN_INDEX), ']'),
       SUM(c.IS_NULLABLE = 'YES' OR s.SUB_PART IS NOT NULL OR c.COLUMN_NAME IS NULL
           OR s.INDEX_TYPE <> 'BTREE') = 0 AS usable,
       COUNT(*) AS ncols
FROM information_schema.STATISTICS s
LEFT JOIN information_schema.COLUMNS c
    ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME
   AND c.COLUMN_NAME = s.COLUMN_NAME
WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0
GROUP BY s.INDEX_NAME
ORDER BY usable DESC, s.INDEX_NAME = 'PRIMARY' DESC, ncols, s.INDEX_NAME
