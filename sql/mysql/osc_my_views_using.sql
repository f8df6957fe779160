-- Views whose definition names a column: the text `schema`.`table`.`column`, which is how
-- MariaDB and MySQL store a view's column references.
SELECT TABLE_SCHEMA, TABLE_NAME
FROM information_schema.VIEWS
WHERE LOCATE(?, VIEW_DEFINITION) > 0
ORDER BY TABLE_SCHEMA, TABLE_NAME
