-- The table's replica identity (d default, n nothing, f full, i index) and its index's name.
SELECT c.relreplident::text,
       (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND i.indisreplident)
FROM pg_class c WHERE c.oid = $1::oid
