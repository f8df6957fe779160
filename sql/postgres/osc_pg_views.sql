-- CREATE OR REPLACE VIEW statements for the views that read the table, taken (under the
-- cut-over's lock) before the swap: run after it, the same text binds to the new table.
SELECT format('CREATE OR REPLACE VIEW %s%s AS %s', c.oid::regclass,
              CASE WHEN c.reloptions IS NULL THEN ''
                   ELSE format(' WITH (%s)', array_to_string(c.reloptions, ', ')) END,
              rtrim(pg_get_viewdef(c.oid), ';')),
       c.oid::regclass::text
FROM pg_class c
WHERE c.relkind = 'v'
  AND c.oid IN (SELECT r.ev_class
                FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = $1::oid AND d.deptype = 'n' AND r.ev_class <> $1::oid)
ORDER BY c.oid
