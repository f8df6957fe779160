-- applied_at comes as UTC "YYYY-MM-DDTHH:MM:SS[.fff]Z" and is stored as UTC
-- without the session's time zone.  VALUES() works on MySQL 8 (deprecated
-- there since 8.0.20, still supported) and MariaDB alike, MySQL's row alias
-- syntax does not exist in MariaDB.
INSERT INTO migrate_history (`version`, `name`, `checksum`, `status`, `kind`, `stmts_done`,
    `stmts_total`, `done_hash`, `no_transaction`, `applied_at`, `applied_by`, `duration_ms`,
    `run_id`, `error_sqlstate`, `error_message`, `error_detail`, `error_hint`, `error_line`,
    `error_statement`, `error_stmt`)
VALUES (CAST(? AS DECIMAL(20,0)), ?, ?, ?, ?, CAST(? AS SIGNED), CAST(? AS SIGNED), ?,
    CAST(? AS SIGNED), CAST(REPLACE(REPLACE(?, 'T', ' '), 'Z', '') AS DATETIME(3)), ?,
    CAST(? AS SIGNED), ?, ?, ?, ?, ?, CAST(? AS SIGNED), ?, CAST(? AS SIGNED))
ON DUPLICATE KEY UPDATE
    `name` = VALUES(`name`), `checksum` = VALUES(`checksum`), `status` = VALUES(`status`),
    `kind` = VALUES(`kind`), `stmts_done` = VALUES(`stmts_done`),
    `stmts_total` = VALUES(`stmts_total`), `done_hash` = VALUES(`done_hash`),
    `no_transaction` = VALUES(`no_transaction`), `applied_at` = VALUES(`applied_at`),
    `applied_by` = VALUES(`applied_by`), `duration_ms` = VALUES(`duration_ms`),
    `run_id` = VALUES(`run_id`), `error_sqlstate` = VALUES(`error_sqlstate`),
    `error_message` = VALUES(`error_message`), `error_detail` = VALUES(`error_detail`),
    `error_hint` = VALUES(`error_hint`), `error_line` = VALUES(`error_line`),
    `error_statement` = VALUES(`error_statement`), `error_stmt` = VALUES(`error_stmt`)
