-- preflight: what tells whether the server runs on this machine and where it
-- keeps its files: data directory, host name, pid file, whether each InnoDB
-- table has a file of its own, and whether the server refuses writes.
SELECT @@datadir, @@hostname, @@pid_file, @@innodb_file_per_table, @@global.read_only
