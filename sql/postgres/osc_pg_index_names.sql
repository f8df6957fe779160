-- CREATE TABLE (LIKE ... INCLUDING INDEXES) names the copied indexes by the default rules; this
-- pairs each index of the shadow ($2) with the original's ($1) index it was copied from (LIKE
-- copies them in oid order; the definitions must agree) when their names differ: shadow index
-- name, original name.
WITH o AS (
    SELECT row_number() OVER (ORDER BY i.indexrelid) AS n, c.relname,
           concat_ws('|', i.indisunique, i.indisprimary, i.indisexclusion, i.indnatts,
                     (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k)
                      FROM generate_series(1, i.indnatts) k),
                     pg_get_expr(i.indpred, i.indrelid)) AS sig
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = $1::oid
), s AS (
    SELECT row_number() OVER (ORDER BY i.indexrelid) AS n, c.relname,
           concat_ws('|', i.indisunique, i.indisprimary, i.indisexclusion, i.indnatts,
                     (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k)
                      FROM generate_series(1, i.indnatts) k),
                     pg_get_expr(i.indpred, i.indrelid)) AS sig
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = $2::oid
)
SELECT s.relname, o.relname
FROM o JOIN s ON s.n = o.n AND s.sig = o.sig
WHERE s.relname <> o.relname
ORDER BY o.n
