-- Where a job's tables and triggers are (schema, table, shadow, old name, trigger prefix
-- pattern): whether the table, the shadow and the old table exist, and how many of the
-- engine's triggers are on the table.
SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = s.sch AND TABLE_NAME = s.tbl),
       (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = s.sch AND TABLE_NAME = s.shadow),
       (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = s.sch AND TABLE_NAME = s.old),
       (SELECT COUNT(*) FROM information_schema.TRIGGERS
        WHERE EVENT_OBJECT_SCHEMA = s.sch AND EVENT_OBJECT_TABLE = s.tbl
          AND TRIGGER_NAME LIKE s.trig)
FROM (SELECT ? AS sch, ? AS tbl, ? AS shadow, ? AS old, ? AS trig) s
