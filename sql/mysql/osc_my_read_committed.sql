-- The next transaction reads without locks (the copy): rows changed meanwhile are in the
-- change log.  Needs row-based binary logging, which the setup checks.
SET TRANSACTION ISOLATION LEVEL READ COMMITTED
