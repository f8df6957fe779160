-- GRANT statements that give the new table ($2, quoted, with oid $3) the privileges of the
-- table ($1): table privileges, then column privileges of the columns it still has.  The
-- owner's own privileges come with ownership.
SELECT format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, $2::text,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.oid = $1::oid AND a.grantee <> c.relowner
UNION ALL
SELECT format('GRANT %s (%I) ON TABLE %s TO %s%s', a.privilege_type, att.attname, $2::text,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
FROM pg_attribute att, aclexplode(att.attacl) a
WHERE att.attrelid = $1::oid AND att.attnum > 0 AND NOT att.attisdropped
  AND att.attacl IS NOT NULL
  AND EXISTS (SELECT 1 FROM pg_attribute n WHERE n.attrelid = $3::oid AND n.attname = att.attname
              AND NOT n.attisdropped)
