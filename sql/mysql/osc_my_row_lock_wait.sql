-- How long the next statement waits for a row lock, in whole seconds (MariaDB: 0 = no wait).
SET SESSION innodb_lock_wait_timeout = CAST(? AS UNSIGNED)
