-- clone: hands the snapshot to pg_dump (--snapshot), so the schema and the rows agree.
SELECT pg_catalog.pg_export_snapshot()
