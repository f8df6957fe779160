-- The last failure of a job (id, message).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, ? AS error) p ON j.id = p.id
SET j.error = p.error, j.updated_at = UTC_TIMESTAMP(3)
