-- Foreign keys of other tables that reference the table, as the statements that move them to
-- the new table: drop, re-add NOT VALID (in the cut-over), and validate (after it) when they
-- were valid.  Taken before the swap; the re-add binds to the new table by name.
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', con.conrelid::regclass, con.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s%s', con.conrelid::regclass, con.conname,
              pg_get_constraintdef(con.oid), CASE WHEN con.convalidated THEN ' NOT VALID' ELSE '' END),
       CASE WHEN con.convalidated
            THEN format('ALTER TABLE %s VALIDATE CONSTRAINT %I', con.conrelid::regclass,
                        con.conname) END,
       format('%s on %s', con.conname, con.conrelid::regclass)
FROM pg_constraint con
WHERE con.contype = 'f' AND con.confrelid = $1::oid AND con.conrelid <> $1::oid
  AND con.conparentid = 0
ORDER BY con.oid
