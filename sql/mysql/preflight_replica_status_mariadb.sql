-- preflight: every replication connection of a MariaDB replica (none on a primary).
SHOW ALL SLAVES STATUS
