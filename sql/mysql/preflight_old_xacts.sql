-- preflight: InnoDB transactions open at least ? seconds, with what the process
-- list says of their session.  A DDL statement waits for every transaction
-- holding a metadata lock on its table; while it waits, the statements queued
-- behind it wait too.  INNODB_TRX needs the PROCESS privilege.
SELECT t.trx_mysql_thread_id, COALESCE(p.USER, ''), COALESCE(p.HOST, ''),
       COALESCE(p.DB, ''), COALESCE(p.COMMAND, ''), COALESCE(p.STATE, ''),
       TIMESTAMPDIFF(SECOND, t.trx_started, NOW()),
       LEFT(COALESCE(p.INFO, t.trx_query, ''), 200), t.trx_state, p.TIME
FROM information_schema.INNODB_TRX t
LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
WHERE t.trx_mysql_thread_id <> CONNECTION_ID()
  AND t.trx_started <= NOW() - INTERVAL CAST(? AS DECIMAL(20, 3)) SECOND
ORDER BY t.trx_started, t.trx_mysql_thread_id
