-- estimate: the sampling session's "gate" before a statement that runs outside
-- a transaction.  A snapshot older than the statement (CREATE INDEX
-- CONCURRENTLY and REINDEX CONCURRENTLY wait for it); the caller then takes
-- ACCESS SHARE on the statement's tables (DROP INDEX CONCURRENTLY, DETACH
-- CONCURRENTLY and VACUUM FULL wait for that).  While the statement waits,
-- its locks are read; then the gate commits.  Read only: it changes nothing.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT 1
