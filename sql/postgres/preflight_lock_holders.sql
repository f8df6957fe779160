-- preflight: other sessions that hold or wait for locks on the relations the
-- pending migrations touch ($1: a JSON array of their oids), with how long
-- their transaction has run and how long they have been in their state.
SELECT a.pid::text, coalesce(a.usename, ''), coalesce(a.application_name, ''),
       coalesce(a.state, ''),
       round(extract(epoch FROM now() - a.xact_start)::numeric, 1)::text,
       round(extract(epoch FROM now() - a.state_change)::numeric, 1)::text,
       n.nspname || '.' || c.relname, l.mode, l.granted::text,
       left(coalesce(a.query, ''), 200)
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
JOIN pg_catalog.pg_class c ON c.oid = l.relation
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.pid <> pg_backend_pid()
  AND l.relation IN (SELECT x::oid FROM pg_catalog.json_array_elements_text($1::json) x)
ORDER BY a.xact_start, a.pid, n.nspname, c.relname
