-- Where a job's copy ends, read once its triggers are in place (id, key as JSON).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, ? AS max_key) p ON j.id = p.id
SET j.max_key = p.max_key, j.updated_at = UTC_TIMESTAMP(3)
