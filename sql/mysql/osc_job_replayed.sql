-- Rows re-synchronised (id, count).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, CAST(? AS SIGNED) AS n) p ON j.id = p.id
SET j.rows_replayed = j.rows_replayed + p.n, j.updated_at = UTC_TIMESTAMP(3)
