-- Sequences owned by columns of the table ($1) (serial columns), by name, with the column,
-- when the new table ($2) still has that column: their ownership moves to it.
SELECT d.objid::regclass::text, a.attname
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = $1::oid AND d.deptype = 'a'
  AND EXISTS (SELECT 1 FROM pg_attribute n WHERE n.attrelid = $2::oid AND n.attname = a.attname
              AND NOT n.attisdropped)
ORDER BY a.attnum
