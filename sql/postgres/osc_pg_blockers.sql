-- Other sessions holding or waiting for locks on the table: who keeps the cut-over waiting.
SELECT a.pid::text, string_agg(DISTINCT l.mode, '+'), coalesce(a.application_name, ''),
       coalesce(a.state, ''),
       coalesce(extract(epoch FROM now() - a.xact_start)::bigint::text, '?'),
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 80)
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = $1::oid AND l.pid <> pg_backend_pid()
  AND l.granted
GROUP BY a.pid, a.application_name, a.state, a.xact_start, a.query
ORDER BY a.xact_start NULLS LAST
LIMIT 5
