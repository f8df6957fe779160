-- clone: one snapshot on the source for the schema dump and every table's rows.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY
