-- preflight: InnoDB locks of other sessions from performance_schema.data_locks
-- (MySQL 8: every lock, granted or awaited), one row per session, table, lock
-- type, mode and status, with how many.
SELECT th.PROCESSLIST_ID, l.OBJECT_SCHEMA, l.OBJECT_NAME,
       CONCAT(l.LOCK_MODE, ' ', l.LOCK_TYPE, IF(COUNT(*) > 1, CONCAT(' x', COUNT(*)), '')),
       IF(l.LOCK_STATUS = 'GRANTED', 'GRANTED', 'PENDING')
FROM performance_schema.data_locks l
JOIN performance_schema.threads th ON th.THREAD_ID = l.THREAD_ID
WHERE th.PROCESSLIST_ID IS NOT NULL AND th.PROCESSLIST_ID <> CONNECTION_ID()
GROUP BY th.PROCESSLIST_ID, l.OBJECT_SCHEMA, l.OBJECT_NAME, l.LOCK_TYPE, l.LOCK_MODE,
         l.LOCK_STATUS
ORDER BY th.PROCESSLIST_ID, l.OBJECT_SCHEMA, l.OBJECT_NAME
