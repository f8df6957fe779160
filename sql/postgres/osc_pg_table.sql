-- The table an online change is for, and everything that decides whether it can be done:
-- its kind, persistence, inheritance, row security, rules, publications, statistics objects,
-- self-references and who owns it.  $1 is the name as the user wrote it (SQL syntax).
SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, c.relpersistence::text,
       c.relispartition, c.reloftype <> 0,
       c.relrowsecurity OR c.relforcerowsecurity
           OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid),
       EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid),
       EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = c.oid),
       EXISTS (SELECT 1 FROM pg_publication_rel pr WHERE pr.prrelid = c.oid),
       EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.stxrelid = c.oid),
       EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = c.oid
               AND f.confrelid = c.oid),
       pg_get_userbyid(c.relowner), pg_has_role(c.relowner, 'USAGE'),
       greatest(c.reltuples, 0)::bigint::text, pg_total_relation_size(c.oid)::text,
       c.relreplident::text, current_user::text
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1)
