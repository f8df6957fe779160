-- Whether the binary log is on and in which format (a READ COMMITTED INSERT ... SELECT cannot
-- be written as a statement).
SELECT @@log_bin, @@binlog_format
