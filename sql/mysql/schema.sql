-- The engine's own tables for MySQL and MariaDB, created on first use in the
-- connected database.  InnoDB so every write is transactional, utf8mb4 with a
-- binary collation so names and checksums compare byte for byte.  The same
-- columns as sql/postgres/schema.sql; keep in step with docs/history.md.
-- Versions are DECIMAL(20,0): an unsigned 64-bit version fits, and the
-- engine's SQL compares them as decimals (never through a double).
CREATE TABLE IF NOT EXISTS migrate_history (
    `version`         DECIMAL(20,0) NOT NULL PRIMARY KEY,
    `name`            VARCHAR(1024) NOT NULL,
    `checksum`        VARCHAR(64)   NOT NULL,
    `status`          VARCHAR(16)   NOT NULL,
    `kind`            VARCHAR(16)   NOT NULL DEFAULT 'migration',
    `stmts_done`      INT           NOT NULL DEFAULT 0,
    `stmts_total`     INT           NOT NULL DEFAULT 0,
    `done_hash`       VARCHAR(64)   NOT NULL DEFAULT '',
    `no_transaction`  BOOLEAN       NOT NULL DEFAULT FALSE,
    `applied_at`      DATETIME(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `applied_by`      VARCHAR(255)  NOT NULL,
    `duration_ms`     BIGINT        NOT NULL DEFAULT 0,
    `run_id`          VARCHAR(64)   NOT NULL,
    `error_sqlstate`  VARCHAR(5),
    `error_message`   TEXT,
    `error_detail`    TEXT,
    `error_hint`      TEXT,
    `error_line`      INT,
    `error_stmt`      INT,
    `error_statement` TEXT,
    CONSTRAINT migrate_history_status
        CHECK (`status` IN ('applied', 'running', 'failed', 'reverting', 'revert_failed')),
    CONSTRAINT migrate_history_kind
        CHECK (`kind` IN ('migration', 'baseline', 'forced', 'adopted'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE IF NOT EXISTS migrate_events (
    `id`           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    `at`           VARCHAR(40)   NOT NULL,
    `run_id`       VARCHAR(64)   NOT NULL,
    `action`       VARCHAR(32)   NOT NULL,
    `outcome`      VARCHAR(32)   NOT NULL,
    `version`      DECIMAL(20,0),
    `name`         VARCHAR(1024) NOT NULL DEFAULT '',
    `checksum`     VARCHAR(64)   NOT NULL DEFAULT '',
    `os_user`      VARCHAR(255)  NOT NULL,
    `db_user`      VARCHAR(512)  NOT NULL,
    `host`         VARCHAR(255)  NOT NULL,
    `tool_version` VARCHAR(64)   NOT NULL,
    `meta`         MEDIUMTEXT    NOT NULL,
    `prev_hash`    VARCHAR(64)   NOT NULL,
    `hash`         VARCHAR(64)   NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
-- One row per checkpoint (docs/checkpoint.md): a few columns to list and find
-- them, and the whole JSON document, byte for byte the one in the checkpoint file.
CREATE TABLE IF NOT EXISTS migrate_checkpoints (
    `id`             VARCHAR(64)   NOT NULL PRIMARY KEY,
    `created_at`     VARCHAR(40)   NOT NULL,
    `completed_at`   VARCHAR(40),
    `status`         VARCHAR(16)   NOT NULL,
    `command`        VARCHAR(32)   NOT NULL,
    `run_id`         VARCHAR(64)   NOT NULL,
    `version_before` DECIMAL(20,0) NOT NULL,
    `version_after`  DECIMAL(20,0),
    `restore_point`  VARCHAR(255),
    `position`       TEXT          NOT NULL,
    `document`       MEDIUMTEXT    NOT NULL,
    CONSTRAINT migrate_checkpoints_status CHECK (`status` IN ('started', 'completed', 'failed'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
