-- The metadata lock wait of the next DDL statement, in whole seconds (MariaDB: 0 = NOWAIT).
SET SESSION lock_wait_timeout = CAST(? AS UNSIGNED)
