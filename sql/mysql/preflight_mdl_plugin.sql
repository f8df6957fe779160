-- preflight: table metadata locks of other sessions from MariaDB's
-- METADATA_LOCK_INFO plugin, which shows granted locks only (a wait shows in
-- the process list).
SELECT THREAD_ID, TABLE_SCHEMA, TABLE_NAME, LOCK_MODE, 'GRANTED'
FROM information_schema.METADATA_LOCK_INFO
WHERE LOCK_TYPE = 'Table metadata lock' AND THREAD_ID <> CONNECTION_ID()
ORDER BY THREAD_ID, TABLE_SCHEMA, TABLE_NAME
