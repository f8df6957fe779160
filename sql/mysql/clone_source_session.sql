-- clone: the source session reads the server's own definitions (no sql_mode that
-- changes how SHOW CREATE writes them, such as ANSI_QUOTES), TIMESTAMP values in
-- UTC (the clone writes them back in UTC, so no value shifts), and may wait
-- for the clone's writes while it streams rows.
SET SESSION sql_mode = '', SESSION time_zone = '+00:00', SESSION net_write_timeout = 600
