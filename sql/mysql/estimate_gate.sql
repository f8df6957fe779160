-- estimate: the sampling session's "gate" before a statement runs: a transaction
-- that then reads each table the statement names, so that it holds a shared
-- metadata lock on it until it ends.  An ALTER that needs an exclusive
-- metadata lock waits for it; while it waits, its locks are read, then the
-- gate commits.  Read only.
START TRANSACTION READ ONLY
