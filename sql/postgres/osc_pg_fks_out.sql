-- Foreign keys of a table that point at other tables: name, definition, validated.
SELECT conname, pg_get_constraintdef(oid), convalidated
FROM pg_constraint
WHERE conrelid = $1::oid AND contype = 'f' AND confrelid <> $1::oid
ORDER BY conname
