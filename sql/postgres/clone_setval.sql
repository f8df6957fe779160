-- clone: a sequence continues where the source's stands ($1: quoted, qualified name).
SELECT pg_catalog.setval($1::regclass, $2::bigint, true)
