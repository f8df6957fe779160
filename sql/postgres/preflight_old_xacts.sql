-- preflight: transactions in this database older than $1 seconds.  A DDL
-- statement waits for every transaction holding a lock on its table, and
-- CREATE INDEX CONCURRENTLY for every older snapshot; while it waits, the
-- statements queued behind it wait too.
SELECT a.pid::text, coalesce(a.usename, ''), coalesce(a.application_name, ''),
       coalesce(host(a.client_addr), 'local'), coalesce(a.state, ''),
       round(extract(epoch FROM now() - a.xact_start)::numeric, 1)::text,
       left(coalesce(a.query, ''), 200)
FROM pg_catalog.pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend'
  AND a.xact_start < now() - make_interval(secs => $1::float8)
ORDER BY a.xact_start
