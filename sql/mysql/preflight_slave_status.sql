-- preflight: replication of a MySQL replica before 8.0.22 (none on a primary).
SHOW SLAVE STATUS
