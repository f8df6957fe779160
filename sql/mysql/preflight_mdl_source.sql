-- preflight: where this server shows metadata locks: 1 performance_schema (on,
-- with its metadata lock instrument: MySQL 8's default), 2 MariaDB's
-- METADATA_LOCK_INFO plugin, 0 nowhere.
SELECT CASE
         WHEN @@performance_schema = 1 AND EXISTS (
                SELECT 1 FROM performance_schema.setup_instruments
                WHERE NAME = 'wait/lock/metadata/sql/mdl' AND ENABLED = 'YES') THEN 1
         WHEN EXISTS (
                SELECT 1 FROM information_schema.PLUGINS
                WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE') THEN 2
         ELSE 0
       END
