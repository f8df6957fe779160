-- clone: the tables whose rows are copied: ordinary tables and partitions (not
-- partitioned parents, views, foreign or temporary tables, nor tables that
-- belong to an extension), their size, and the columns COPY can write (not
-- generated, not dropped) as a JSON array.
SELECT n.nspname, c.relname, pg_catalog.pg_table_size(c.oid),
       (SELECT json_agg(a.attname ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attgenerated = '')::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
