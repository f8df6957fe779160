-- clone: one snapshot on the source for every table's rows; the schema is read in
-- the same transaction, after a metadata lock is taken on each table.
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY
