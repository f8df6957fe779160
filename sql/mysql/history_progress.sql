-- Parameters in the engine's order (version first), hence the join with a
-- one-row derived table instead of a WHERE at the end.
UPDATE migrate_history h
JOIN (SELECT CAST(? AS DECIMAL(20,0)) AS v, CAST(? AS SIGNED) AS done_n, ? AS done_hash,
             CAST(? AS SIGNED) AS dur) p ON h.`version` = p.v
SET h.`stmts_done` = p.done_n, h.`done_hash` = p.done_hash, h.`duration_ms` = p.dur
