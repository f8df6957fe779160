-- The text a checkpoint's schema hash covers (docs/checkpoint.md): one line per
-- object of the connected database, ordered bytewise, so the same schema
-- always gives the same text.  Left out: migrate's own tables, which a run
-- changes by design, and what changes with the data (AUTO_INCREMENT counters,
-- statistics).  Column order is not part of it.  The text is only compared
-- with other texts from the same server, so the wording of defaults and
-- clauses may differ between MySQL and MariaDB.  (MariaDB names a column's CHECK
-- after the column, so two tables' checks of the same name pair up crosswise
-- below: still the same text for the same schema.)
SELECT line FROM (
    SELECT CONCAT('table ', table_name, ' ', table_type, COALESCE(CONCAT(' ', engine), ''),
                  COALESCE(CONCAT(' ', table_collation), '')) AS line
    FROM information_schema.tables
    WHERE table_schema = DATABASE()
      AND table_name NOT IN ('migrate_history', 'migrate_events', 'migrate_checkpoints')
    UNION ALL
    SELECT CONCAT('column ', table_name, '.', column_name, ' ', column_type,
                  CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END,
                  COALESCE(CONCAT(' default ', column_default), ''),
                  CASE WHEN extra <> '' THEN CONCAT(' ', extra) ELSE '' END,
                  COALESCE(CONCAT(' collate ', collation_name), ''))
    FROM information_schema.columns
    WHERE table_schema = DATABASE()
      AND table_name NOT IN ('migrate_history', 'migrate_events', 'migrate_checkpoints')
    UNION ALL
    SELECT CONCAT('index ', table_name, '.', index_name,
                  CASE WHEN MAX(non_unique) = 0 THEN ' unique' ELSE '' END, ' ',
                  MAX(index_type), ' (',
                  GROUP_CONCAT(CONCAT(COALESCE(column_name, '(expression)'),
                                      COALESCE(CONCAT('(', sub_part, ')'), ''))
                               ORDER BY seq_in_index SEPARATOR ', '), ')')
    FROM information_schema.statistics
    WHERE table_schema = DATABASE()
      AND table_name NOT IN ('migrate_history', 'migrate_events', 'migrate_checkpoints')
    GROUP BY table_name, index_name
    UNION ALL
    SELECT CONCAT('foreign key ', k.table_name, '.', k.constraint_name, ' (',
                  GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position SEPARATOR ', '),
                  ') references ', MAX(k.referenced_table_name), ' (',
                  GROUP_CONCAT(k.referenced_column_name ORDER BY k.ordinal_position
                               SEPARATOR ', '),
                  ') on update ', MAX(r.update_rule), ' on delete ', MAX(r.delete_rule))
    FROM information_schema.key_column_usage k
    JOIN information_schema.referential_constraints r
      ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name
     AND r.table_name = k.table_name
    WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL
    GROUP BY k.table_name, k.constraint_name
    UNION ALL
    SELECT CONCAT('check ', t.table_name, '.', c.constraint_name, ' ', c.check_clause)
    FROM information_schema.table_constraints t
    JOIN information_schema.check_constraints c
      ON c.constraint_schema = t.constraint_schema AND c.constraint_name = t.constraint_name
    WHERE t.table_schema = DATABASE() AND t.constraint_type = 'CHECK'
      AND t.table_name NOT IN ('migrate_history', 'migrate_events', 'migrate_checkpoints')
    UNION ALL
    SELECT CONCAT('view ', table_name, ' ', view_definition)
    FROM information_schema.views
    WHERE table_schema = DATABASE()
    UNION ALL
    SELECT CONCAT(LOWER(routine_type), ' ', routine_name, ' ', COALESCE(dtd_identifier, ''), ' ',
                  COALESCE(routine_definition, ''))
    FROM information_schema.routines
    WHERE routine_schema = DATABASE()
    UNION ALL
    SELECT CONCAT('trigger ', trigger_name, ' ', action_timing, ' ', event_manipulation, ' on ',
                  event_object_table, ' ', action_statement)
    FROM information_schema.triggers
    WHERE trigger_schema = DATABASE()
) objects
ORDER BY CAST(line AS BINARY)
