-- The shadow's ($1, named $2) indexes, the constraints built on them and the foreign keys the
-- ALTER added: the copy runs without them (a sorted build after it is faster than keeping
-- them up to date row by row).  Per object: its name, the statement that drops it now, the
-- one that builds it again after the copy (in `step` order), and after all of them the
-- comments and the CLUSTER mark they carried.
SELECT con.conname, format('ALTER TABLE %s DROP CONSTRAINT %I', $2::text, con.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', $2::text, con.conname,
              pg_get_constraintdef(con.oid)),
       CASE con.contype WHEN 'p' THEN 1 WHEN 'u' THEN 2 WHEN 'x' THEN 3 ELSE 5 END AS step
FROM pg_constraint con
WHERE con.conrelid = $1::oid AND con.contype IN ('p', 'u', 'x', 'f')
UNION ALL
SELECT c.relname, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), 4
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = $1::oid
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                  AND k.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT NULL, NULL, format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass,
                          obj_description(i.indexrelid, 'pg_class')), 6
FROM pg_index i
WHERE i.indrelid = $1::oid AND obj_description(i.indexrelid, 'pg_class') IS NOT NULL
UNION ALL
SELECT NULL, NULL, format('COMMENT ON CONSTRAINT %I ON %s IS %L', con.conname, $2::text,
                          obj_description(con.oid, 'pg_constraint')), 6
FROM pg_constraint con
WHERE con.conrelid = $1::oid AND con.contype IN ('p', 'u', 'x', 'f')
  AND obj_description(con.oid, 'pg_constraint') IS NOT NULL
UNION ALL
SELECT NULL, NULL, format('ALTER TABLE %s CLUSTER ON %I', $2::text, c.relname), 7
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = $1::oid AND i.indisclustered
ORDER BY 4, 1
