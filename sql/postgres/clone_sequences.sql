-- clone: where each sequence stands, to continue from there on the clone
-- (NULL: never used, or not readable by this user).
SELECT schemaname, sequencename, last_value::text
FROM pg_catalog.pg_sequences
WHERE last_value IS NOT NULL
ORDER BY schemaname, sequencename
