-- The live columns of a table in order: name, type as SQL, generated/identity kinds, whether
-- hash_record_extended() can hash the type directly (else the checksum uses its text), and
-- the type's identity (oid, typmod, collation) to tell changed columns.
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated::text,
       a.attidentity::text,
       (t.typtype = 'e' OR (t.typtype = 'b' AND t.typcategory <> 'A' AND EXISTS (
            SELECT 1
            FROM pg_opclass oc
            JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
            JOIN pg_amproc p ON p.amprocfamily = oc.opcfamily AND p.amprocnum = 2
                AND p.amproclefttype = oc.opcintype
            WHERE oc.opcdefault AND oc.opcintype = t.oid))),
       a.atttypid::text || '/' || a.atttypmod::text || '/' || a.attcollation::text,
       t.typcategory::text, a.atttypid::regtype::text
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
