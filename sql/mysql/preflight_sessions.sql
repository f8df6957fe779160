-- preflight: every other session, with the age of its InnoDB transaction (NULL
-- when it has none).  Without the PROCESS privilege the server shows this
-- user's own sessions only, and INNODB_TRX not at all: see
-- preflight_sessions_plain.
SELECT p.ID, COALESCE(p.USER, ''), COALESCE(p.HOST, ''), COALESCE(p.DB, ''),
       COALESCE(p.COMMAND, ''), p.TIME, COALESCE(p.STATE, ''),
       LEFT(COALESCE(p.INFO, ''), 200),
       TIMESTAMPDIFF(SECOND, t.trx_started, NOW())
FROM information_schema.PROCESSLIST p
LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
WHERE p.ID <> CONNECTION_ID()
ORDER BY p.ID
