-- The id of a new job, taken before its objects are named after it.
SELECT nextval(pg_get_serial_sequence('migrate_osc_jobs', 'id'))::text
