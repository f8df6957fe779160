INSERT INTO migrate_checkpoints (id, created_at, status, command, run_id, version_before,
    restore_point, position, document)
VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9)
