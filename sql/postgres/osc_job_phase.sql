-- A change of phase; `state` replaces the dialect's details when given.
UPDATE migrate_osc_jobs
SET phase = $2, state = coalesce($3, state), updated_at = now(), error = NULL,
    finished_at = CASE WHEN $2 IN ('done', 'aborted') THEN now() ELSE finished_at END
WHERE id = $1::bigint
