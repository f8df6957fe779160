-- preflight: table metadata locks of other sessions, granted and pending, from
-- performance_schema (thread id, schema, table, lock type, GRANTED or PENDING).
SELECT th.PROCESSLIST_ID, m.OBJECT_SCHEMA, m.OBJECT_NAME, m.LOCK_TYPE, m.LOCK_STATUS
FROM performance_schema.metadata_locks m
JOIN performance_schema.threads th ON th.THREAD_ID = m.OWNER_THREAD_ID
WHERE m.OBJECT_TYPE = 'TABLE' AND th.PROCESSLIST_ID IS NOT NULL
  AND th.PROCESSLIST_ID <> CONNECTION_ID()
  AND m.LOCK_STATUS IN ('GRANTED', 'PENDING')
ORDER BY th.PROCESSLIST_ID, m.OBJECT_SCHEMA, m.OBJECT_NAME
