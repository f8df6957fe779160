UPDATE migrate_checkpoints SET completed_at = $2, status = $3, version_after = $4::numeric,
    document = $5
WHERE id = $1
