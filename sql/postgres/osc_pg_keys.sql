-- Unique indexes of a table that could drive a copy in key order, best first: the primary
-- key, then the narrowest.  `usable` says whether the copy can walk it: btree, no expression,
-- no predicate, immediate, every key column NOT NULL with its type's default operator class,
-- ascending, in the column's collation.  Columns and types are JSON arrays in index order.
SELECT ic.relname, i.indisprimary,
       (SELECT json_agg(a.attname ORDER BY k.n)::text
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(att, n)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att
        WHERE k.n <= i.indnkeyatts),
       (SELECT json_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.n)::text
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(att, n)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att
        WHERE k.n <= i.indnkeyatts),
       am.amname = 'btree' AND i.indisvalid AND i.indimmediate AND i.indpred IS NULL
       AND i.indexprs IS NULL
       AND NOT EXISTS (
           SELECT 1
           FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indoption::int2[],
                       i.indcollation::oid[]) WITH ORDINALITY k(att, cls, opt, coll, n)
           LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att
           LEFT JOIN pg_opclass oc ON oc.oid = k.cls
           WHERE k.n <= i.indnkeyatts
             AND (k.att = 0 OR NOT a.attnotnull OR NOT coalesce(oc.opcdefault, false)
                  OR k.opt <> 0 OR k.coll IS DISTINCT FROM a.attcollation)) AS usable,
       i.indnkeyatts
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE i.indrelid = $1::oid AND i.indisunique
ORDER BY usable DESC, i.indisprimary DESC, i.indnkeyatts, ic.relname
