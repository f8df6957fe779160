-- preflight: where the server keeps its files ($1: a JSON array of table oids):
-- the data directory (NULL unless this user may read it), the server's port
-- and start time (to recognise its postmaster.pid), and each table's
-- tablespace folder ('' for the default one).
SELECT CASE WHEN pg_catalog.pg_has_role('pg_read_all_settings', 'USAGE')
            THEN current_setting('data_directory') END,
       current_setting('port'),
       floor(extract(epoch FROM pg_catalog.pg_postmaster_start_time()))::bigint::text,
       c.oid::text,
       CASE WHEN c.reltablespace = 0 THEN ''
            ELSE pg_catalog.pg_tablespace_location(c.reltablespace) END
FROM pg_catalog.pg_class c
WHERE c.oid IN (SELECT x::oid FROM pg_catalog.json_array_elements_text($1::json) x)
