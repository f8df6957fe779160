-- The table an online change is for ($1 schema or NULL for the current database, $2 name):
-- its kind, engine, row estimate, size and AUTO_INCREMENT, and whether it has triggers of its
-- own, foreign keys that point at it from other tables, or one that points at itself.
SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.TABLE_TYPE, COALESCE(t.ENGINE, ''),
       CAST(COALESCE(t.TABLE_ROWS, 0) AS CHAR),
       CAST(COALESCE(t.DATA_LENGTH, 0) + COALESCE(t.INDEX_LENGTH, 0) AS CHAR),
       CAST(t.AUTO_INCREMENT AS CHAR),
       (SELECT COUNT(*) FROM information_schema.TRIGGERS g
        WHERE g.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND g.EVENT_OBJECT_TABLE = t.TABLE_NAME
          AND g.TRIGGER_NAME NOT LIKE '\_osc%'),
       (SELECT GROUP_CONCAT(CONCAT(r.CONSTRAINT_NAME, ' on ', r.CONSTRAINT_SCHEMA, '.', r.TABLE_NAME)
                            SEPARATOR ', ')
        FROM information_schema.REFERENTIAL_CONSTRAINTS r
        WHERE r.UNIQUE_CONSTRAINT_SCHEMA = t.TABLE_SCHEMA
          AND r.REFERENCED_TABLE_NAME = t.TABLE_NAME)
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND t.TABLE_NAME = ?
