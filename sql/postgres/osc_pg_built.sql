-- Whether the shadow ($1, quoted) already has the constraint or index named $2 (in its schema
-- $3): a resumed build skips what an earlier run finished.
SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2)
    OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $3 AND c.relname = $2 AND c.relkind = 'i')
