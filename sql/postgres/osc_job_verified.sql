-- Progress of the verification: the last range that matched, and the phase after it.
UPDATE migrate_osc_jobs
SET verified_key = $2, ranges_verified = ranges_verified + 1,
    ranges_recopied = ranges_recopied + $3::int, phase = $4, updated_at = now(), error = NULL
WHERE id = $1::bigint
