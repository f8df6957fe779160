-- preflight: whether the target is a standby, and how far each standby that
-- streams from it lags (replay_lag; NULL when the server does not say, as it
-- does not to users without pg_monitor).
SELECT pg_catalog.pg_is_in_recovery()::text, r.application_name,
       coalesce(host(r.client_addr), 'local'), r.state,
       extract(epoch FROM r.replay_lag)::text, r.sync_state
FROM (SELECT 1) one
LEFT JOIN pg_catalog.pg_stat_replication r ON true
ORDER BY r.application_name
