-- preflight: replication of a MySQL replica (8.0.22 and later; none on a primary).
SHOW REPLICA STATUS
