-- Progress of the verification (id, last verified key, re-copied or not, phase).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, ? AS verified_key, CAST(? AS SIGNED) AS recopied,
             ? AS phase) p ON j.id = p.id
SET j.verified_key = p.verified_key, j.ranges_verified = j.ranges_verified + 1,
    j.ranges_recopied = j.ranges_recopied + p.recopied, j.phase = p.phase,
    j.updated_at = UTC_TIMESTAMP(3), j.error = NULL
