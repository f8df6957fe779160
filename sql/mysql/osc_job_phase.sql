-- A change of phase (id, phase, state or NULL to keep it).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, ? AS phase, ? AS state) p ON j.id = p.id
SET j.phase = p.phase, j.state = COALESCE(p.state, j.state), j.updated_at = UTC_TIMESTAMP(3),
    j.error = NULL,
    j.finished_at = CASE WHEN p.phase IN ('done', 'aborted') THEN UTC_TIMESTAMP(3)
                         ELSE j.finished_at END
