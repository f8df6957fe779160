-- Identity columns that the table ($1) and the new table ($2) both have: the oids of the old
-- and the new identity sequence, so the new one continues where the old one is.
SELECT o.objid::text, n.objid::text, a.attname
FROM pg_attribute a
JOIN pg_depend o ON o.refobjid = a.attrelid AND o.refobjsubid = a.attnum AND o.deptype = 'i'
    AND o.classid = 'pg_class'::regclass
JOIN pg_attribute b ON b.attrelid = $2::oid AND b.attname = a.attname AND NOT b.attisdropped
JOIN pg_depend n ON n.refobjid = b.attrelid AND n.refobjsubid = b.attnum AND n.deptype = 'i'
    AND n.classid = 'pg_class'::regclass
WHERE a.attrelid = $1::oid AND a.attidentity <> '' AND b.attidentity <> ''
  AND (SELECT relkind FROM pg_class WHERE oid = o.objid) = 'S'
  AND (SELECT relkind FROM pg_class WHERE oid = n.objid) = 'S'
