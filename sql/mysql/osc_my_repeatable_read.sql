-- The next transaction reads from one snapshot in all its statements (the verification reads
-- the original and then the shadow, and both must show the same moment).
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
