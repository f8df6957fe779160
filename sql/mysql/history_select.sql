SELECT CAST(`version` AS CHAR), `name`, `checksum`, `status`, `kind`, `stmts_done`, `stmts_total`,
       `done_hash`, CAST(`no_transaction` AS SIGNED),
       DATE_FORMAT(`applied_at`, '%Y-%m-%dT%H:%i:%sZ'), `applied_by`, `duration_ms`, `run_id`,
       `error_sqlstate`, `error_message`, `error_detail`, `error_hint`, `error_line`,
       `error_statement`, `error_stmt`
FROM migrate_history
ORDER BY `version`
