-- preflight: InnoDB locks that a transaction waits for or that make one wait,
-- from MariaDB's INNODB_LOCKS (it shows no other): the session, the table as
-- `schema`.`table`, the lock's mode and type (apart: CONCAT of the two enums
-- comes back cut short in 10.11), and whether it is the one its transaction
-- awaits.
SELECT t.trx_mysql_thread_id, l.lock_table, l.lock_mode, l.lock_type,
       IF(t.trx_requested_lock_id = l.lock_id, 'PENDING', 'GRANTED')
FROM information_schema.INNODB_LOCKS l
JOIN information_schema.INNODB_TRX t ON t.trx_id = l.lock_trx_id
WHERE t.trx_mysql_thread_id <> CONNECTION_ID()
ORDER BY t.trx_mysql_thread_id, l.lock_table
