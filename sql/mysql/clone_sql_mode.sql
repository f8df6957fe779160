-- clone: the sql_mode a routine, trigger or event was created with, which its
-- body is parsed and runs with.
SET SESSION sql_mode = ?
