-- preflight: how many replicas read this server's binary log now (their
-- sessions run the Binlog Dump command); their lag shows only on them.
SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'
