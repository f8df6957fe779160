-- The oid of a relation named in SQL syntax, or NULL.
SELECT to_regclass($1)::oid::text
