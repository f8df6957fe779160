-- What CREATE TABLE ... (LIKE ...) does not carry over: the table's comment ($2 is the
-- shadow, quoted) and storage options, as statements.
SELECT format('COMMENT ON TABLE %s IS %L', $2::text, obj_description($1::oid, 'pg_class'))
WHERE obj_description($1::oid, 'pg_class') IS NOT NULL
UNION ALL
SELECT format('ALTER TABLE %s SET (%s)', $2::text, array_to_string(reloptions, ', '))
FROM pg_class WHERE oid = $1::oid AND reloptions IS NOT NULL
