-- Parameters in the engine's order (id first), hence the join with a one-row
-- derived table instead of a WHERE at the end.
UPDATE migrate_checkpoints c
JOIN (SELECT CAST(? AS CHAR) AS id, CAST(? AS CHAR) AS completed_at, CAST(? AS CHAR) AS status,
             CAST(? AS DECIMAL(20,0)) AS version_after, CAST(? AS CHAR) AS document) p
    ON c.`id` = p.id
SET c.`completed_at` = p.completed_at, c.`status` = p.status, c.`version_after` = p.version_after,
    c.`document` = p.document
