-- preflight: the other sessions this user may see, when INNODB_TRX is not
-- readable (no PROCESS privilege): transaction ages unknown.
SELECT p.ID, COALESCE(p.USER, ''), COALESCE(p.HOST, ''), COALESCE(p.DB, ''),
       COALESCE(p.COMMAND, ''), p.TIME, COALESCE(p.STATE, ''),
       LEFT(COALESCE(p.INFO, ''), 200), NULL
FROM information_schema.PROCESSLIST p
WHERE p.ID <> CONNECTION_ID()
ORDER BY p.ID
