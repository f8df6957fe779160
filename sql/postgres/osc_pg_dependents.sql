-- Objects of other tables and of the catalog that depend on the table (or on its row type)
-- and would keep pointing at the original after a swap: views (with the columns they use),
-- foreign keys from other tables, and everything else, which the engine refuses.
-- kind: view, matview, rule, fk_in, fk_self, function, rowtype, other; the owner column says
-- whether the current user may replace the object.
WITH deps AS (
    SELECT d.classid, d.objid, d.objsubid, d.refobjsubid, false AS via_type
    FROM pg_depend d
    WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = $1::oid AND d.deptype = 'n'
    UNION ALL
    SELECT d.classid, d.objid, d.objsubid, 0, true
    FROM pg_depend d
    WHERE d.refclassid = 'pg_type'::regclass AND d.deptype = 'n'
      AND d.refobjid IN (SELECT c.reltype FROM pg_class c WHERE c.oid = $1::oid
                         UNION ALL
                         SELECT t.typarray FROM pg_type t JOIN pg_class c ON c.reltype = t.oid
                         WHERE c.oid = $1::oid)
)
SELECT CASE
           WHEN d.via_type THEN 'rowtype'
           WHEN d.classid = 'pg_rewrite'::regclass THEN (
               SELECT CASE WHEN r.ev_class = $1::oid THEN 'rule'
                           WHEN r.rulename = '_RETURN' AND c.relkind = 'v' THEN 'view'
                           WHEN r.rulename = '_RETURN' AND c.relkind = 'm' THEN 'matview'
                           ELSE 'rule' END
               FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
           WHEN d.classid = 'pg_constraint'::regclass THEN (
               SELECT CASE WHEN con.contype = 'f' AND con.conrelid = $1::oid THEN 'fk_self'
                           WHEN con.contype = 'f' THEN 'fk_in'
                           WHEN con.conrelid = $1::oid THEN 'own'
                           ELSE 'other' END
               FROM pg_constraint con WHERE con.oid = d.objid)
           WHEN d.classid = 'pg_trigger'::regclass THEN (
               SELECT CASE WHEN tg.tgrelid = $1::oid THEN 'own' ELSE 'other' END
               FROM pg_trigger tg WHERE tg.oid = d.objid)
           WHEN d.classid = 'pg_attrdef'::regclass THEN (
               SELECT CASE WHEN ad.adrelid = $1::oid THEN 'own' ELSE 'other' END
               FROM pg_attrdef ad WHERE ad.oid = d.objid)
           WHEN d.classid = 'pg_proc'::regclass THEN 'function'
           ELSE 'other'
       END AS kind,
       pg_describe_object(d.classid, d.objid, d.objsubid),
       CASE WHEN d.classid = 'pg_rewrite'::regclass
            THEN (SELECT r.ev_class::regclass::text FROM pg_rewrite r WHERE r.oid = d.objid)
            WHEN d.classid = 'pg_constraint'::regclass
            THEN (SELECT con.conrelid::regclass::text FROM pg_constraint con WHERE con.oid = d.objid)
       END AS relation,
       CASE WHEN d.refobjsubid > 0
            THEN (SELECT a.attname FROM pg_attribute a
                  WHERE a.attrelid = $1::oid AND a.attnum = d.refobjsubid)
       END AS column_used,
       CASE WHEN d.classid = 'pg_rewrite'::regclass
            THEN (SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_rewrite r
                  JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
            WHEN d.classid = 'pg_constraint'::regclass
            THEN (SELECT pg_has_role(c.relowner, 'USAGE') FROM pg_constraint con
                  JOIN pg_class c ON c.oid = con.conrelid WHERE con.oid = d.objid)
            ELSE true
       END AS may_replace
FROM deps d
ORDER BY 1, 3, 2
