-- Progress of one committed batch, in the batch's own transaction.
UPDATE migrate_osc_jobs
SET last_key = $2, batch_size = $3::int, batches = batches + 1,
    rows_copied = rows_copied + $4::bigint, phase = $5, updated_at = now(), error = NULL
WHERE id = $1::bigint
