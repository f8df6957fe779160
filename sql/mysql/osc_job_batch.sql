-- Progress of one committed batch, in the batch's own transaction (parameters in the order of
-- the PostgreSQL text: id, last key, batch size, rows, phase).
UPDATE migrate_osc_jobs j
JOIN (SELECT CAST(? AS UNSIGNED) AS id, ? AS last_key, CAST(? AS SIGNED) AS batch_size,
             CAST(? AS SIGNED) AS n, ? AS phase) p ON j.id = p.id
SET j.last_key = p.last_key, j.batch_size = p.batch_size, j.batches = j.batches + 1,
    j.rows_copied = j.rows_copied + p.n, j.phase = p.phase, j.updated_at = UTC_TIMESTAMP(3),
    j.error = NULL
