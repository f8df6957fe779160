-- The text a checkpoint's schema hash covers (docs/checkpoint.md): one line per
-- object of the application's schema, ordered bytewise, so the same schema
-- always gives the same text.  Left out: the system schemas, and migrate's own
-- tables, which a run changes by design.  Column order is not part of it (a
-- down that drops and re-adds a column restores the same schema).
WITH nsp AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
), rel AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind
    FROM pg_class c JOIN nsp n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      AND NOT (n.nspname = current_schema() AND c.relname IN
               ('migrate_history', 'migrate_events', 'migrate_events_id_seq',
                'migrate_checkpoints'))
)
SELECT line FROM (
    SELECT 'schema ' || quote_ident(nspname) AS line FROM nsp
    UNION ALL
    SELECT 'extension ' || quote_ident(extname) || ' ' || extversion FROM pg_extension
    UNION ALL
    SELECT 'relation ' || quote_ident(nspname) || '.' || quote_ident(relname) || ' '
           || relkind::text
    FROM rel
    UNION ALL
    SELECT 'column ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || '.'
           || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
           || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
           || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
           || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
           || CASE WHEN a.attgenerated <> '' THEN ' generated ' || a.attgenerated::text
                   ELSE '' END
           || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                   THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END
    FROM rel r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    UNION ALL
    SELECT 'constraint ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || ' '
           || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN rel r ON r.oid = co.conrelid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN rel r ON r.oid = i.indrelid
    UNION ALL
    SELECT 'view ' || quote_ident(nspname) || '.' || quote_ident(relname) || ' '
           || pg_get_viewdef(oid)
    FROM rel WHERE relkind IN ('v', 'm')
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(tg.oid)
    FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'function ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
           || pg_get_function_identity_arguments(p.oid) || ') ' || p.prokind::text || ' '
           || CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE '' END
    FROM pg_proc p JOIN nsp n ON n.oid = p.pronamespace
    UNION ALL
    SELECT 'type ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' '
           || t.typtype::text
           || CASE WHEN t.typtype = 'e' THEN ' ' || (SELECT string_agg(quote_literal(e.enumlabel),
                   ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
                   WHEN t.typtype = 'd' THEN ' ' || format_type(t.typbasetype, t.typtypmod)
                   ELSE '' END
    FROM pg_type t JOIN nsp n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm')
    UNION ALL
    SELECT 'domain constraint ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' '
           || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN pg_type t ON t.oid = co.contypid
    JOIN nsp n ON n.oid = t.typnamespace
    UNION ALL
    SELECT 'policy ' || quote_ident(r.nspname) || '.' || quote_ident(r.relname) || ' '
           || quote_ident(pol.polname) || ' ' || pol.polcmd::text || ' '
           || coalesce(pg_get_expr(pol.polqual, pol.polrelid), '') || ' '
           || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
    FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
) s
ORDER BY line COLLATE "C"
