-- The last failure of a job, kept for 'migrate osc --list' and the next resume.
UPDATE migrate_osc_jobs SET error = $2, updated_at = now() WHERE id = $1::bigint
