-- clone: foreign keys between copied tables: child schema and table, parent
-- schema and table, and the child's and parent's columns as JSON arrays, in
-- key order.  Constraints a partition inherits are left out: the parent's
-- covers them.
SELECT cn.nspname, cc.relname, pn.nspname, pc.relname,
       (SELECT json_agg(a.attname ORDER BY k.i)
        FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)::text,
       (SELECT json_agg(a.attname ORDER BY k.i)
        FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)::text
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE con.contype = 'f' AND con.conparentid = 0
  AND cn.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY cn.nspname, cc.relname, con.conname
