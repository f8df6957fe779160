-- preflight: InnoDB writes a transaction's start (INNODB_TRX.trx_started) in the
-- server's system time zone; NOW() must be in the same one for its age.
SET SESSION time_zone = 'SYSTEM'
