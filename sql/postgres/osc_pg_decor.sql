-- What CREATE TABLE ... (LIKE ...) does not carry over, as statements for the shadow ($2,
-- quoted): the table's comment, its storage options, and each column's statistics target and
-- options (n_distinct ...).  They run before the ALTER, which may change them.
SELECT format('COMMENT ON TABLE %s IS %L', $2::text, obj_description($1::oid, 'pg_class'))
WHERE obj_description($1::oid, 'pg_class') IS NOT NULL
UNION ALL
SELECT format('ALTER TABLE %s SET (%s)', $2::text, array_to_string(reloptions, ', '))
FROM pg_class WHERE oid = $1::oid AND reloptions IS NOT NULL
UNION ALL
SELECT format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', $2::text, attname, attstattarget)
FROM pg_attribute
WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND attstattarget >= 0
UNION ALL
SELECT format('ALTER TABLE %s ALTER COLUMN %I SET (%s)', $2::text, attname,
              array_to_string(attoptions, ', '))
FROM pg_attribute
WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND attoptions IS NOT NULL
