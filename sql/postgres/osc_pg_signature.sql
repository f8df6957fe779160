-- A digest of a table's columns, indexes and constraints: the job refuses to swap when it
-- changed after the shadow table was made from it.
SELECT md5(concat_ws(E'\n',
    (SELECT string_agg(format('%s %s %s %s %s', attname, format_type(atttypid, atttypmod),
                              attnotnull, attgenerated, attidentity), ',' ORDER BY attnum)
     FROM pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped),
    (SELECT string_agg(pg_get_indexdef(indexrelid), ',' ORDER BY pg_get_indexdef(indexrelid))
     FROM pg_index WHERE indrelid = $1::oid),
    (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ',' ORDER BY conname)
     FROM pg_constraint WHERE conrelid = $1::oid)))
