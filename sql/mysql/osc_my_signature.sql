-- A fingerprint of a table's definition (schema, name): its columns, its indexes and the
-- foreign keys from and to it.  The cut-over compares it with the one taken when the shadow
-- was made from the table.
SELECT SHA1(CONCAT_WS('#',
    (SELECT GROUP_CONCAT(CONCAT_WS(':', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,
                                   COALESCE(COLUMN_DEFAULT, '<none>'), EXTRA,
                                   COALESCE(COLLATION_NAME, ''), GENERATION_EXPRESSION)
                         ORDER BY ORDINAL_POSITION SEPARATOR '|')
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = s.sch AND TABLE_NAME = s.tbl),
    (SELECT GROUP_CONCAT(CONCAT_WS(':', INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE,
                                   COALESCE(SUB_PART, ''), INDEX_TYPE)
                         ORDER BY INDEX_NAME, SEQ_IN_INDEX SEPARATOR '|')
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = s.sch AND TABLE_NAME = s.tbl),
    (SELECT GROUP_CONCAT(CONCAT_WS(':', CONSTRAINT_SCHEMA, CONSTRAINT_NAME, TABLE_NAME)
                         ORDER BY CONSTRAINT_SCHEMA, CONSTRAINT_NAME SEPARATOR '|')
     FROM information_schema.REFERENTIAL_CONSTRAINTS
     WHERE (CONSTRAINT_SCHEMA = s.sch AND TABLE_NAME = s.tbl)
        OR (UNIQUE_CONSTRAINT_SCHEMA = s.sch AND REFERENCED_TABLE_NAME = s.tbl)),
    '')) -- CONCAT_WS skips NULLs: the trailing '' keeps the result a string
FROM (SELECT ? AS sch, ? AS tbl) s
