-- Sessions that can keep the cut-over waiting: open transactions (they hold metadata locks on
-- every table they touched) and running statements.
SELECT CAST(p.ID AS CHAR), p.USER, p.COMMAND, CAST(p.TIME AS CHAR), COALESCE(p.STATE, ''),
       LEFT(REPLACE(COALESCE(p.INFO, ''), '\n', ' '), 80)
FROM information_schema.PROCESSLIST p
WHERE p.ID <> CONNECTION_ID()
  AND (p.COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump')
       OR p.ID IN (SELECT trx_mysql_thread_id FROM information_schema.INNODB_TRX))
ORDER BY p.TIME DESC
LIMIT 5
