-- The engine's own tables, created on first use in the connected database's
-- current schema.  Keep in step with docs/history.md.
CREATE TABLE IF NOT EXISTS migrate_history (
    version         numeric(20, 0) PRIMARY KEY,
    name            text        NOT NULL,
    checksum        text        NOT NULL,
    status          text        NOT NULL
                    CHECK (status IN ('applied', 'running', 'failed', 'reverting', 'revert_failed')),
    kind            text        NOT NULL DEFAULT 'migration'
                    CHECK (kind IN ('migration', 'baseline', 'forced', 'adopted')),
    stmts_done      integer     NOT NULL DEFAULT 0,
    stmts_total     integer     NOT NULL DEFAULT 0,
    done_hash       text        NOT NULL DEFAULT '',
    no_transaction  boolean     NOT NULL DEFAULT false,
    applied_at      timestamptz NOT NULL DEFAULT now(),
    applied_by      text        NOT NULL,
    duration_ms     bigint      NOT NULL DEFAULT 0,
    run_id          text        NOT NULL,
    error_sqlstate  text,
    error_message   text,
    error_detail    text,
    error_hint      text,
    error_line      integer,
    error_stmt      integer,
    error_statement text
);
CREATE TABLE IF NOT EXISTS migrate_events (
    id           bigserial PRIMARY KEY,
    at           text    NOT NULL,
    run_id       text    NOT NULL,
    action       text    NOT NULL,
    outcome      text    NOT NULL,
    version      numeric(20, 0),
    name         text    NOT NULL DEFAULT '',
    checksum     text    NOT NULL DEFAULT '',
    os_user      text    NOT NULL,
    db_user      text    NOT NULL,
    host         text    NOT NULL,
    tool_version text    NOT NULL,
    meta         text    NOT NULL DEFAULT '{}',
    prev_hash    text    NOT NULL,
    hash         text    NOT NULL
);
-- One row per checkpoint (docs/checkpoint.md): a few columns to list and find
-- them, and the whole JSON document, byte for byte the one in the checkpoint file.
CREATE TABLE IF NOT EXISTS migrate_checkpoints (
    id             text           PRIMARY KEY,
    created_at     text           NOT NULL,
    completed_at   text,
    status         text           NOT NULL
                   CHECK (status IN ('started', 'completed', 'failed')),
    command        text           NOT NULL,
    run_id         text           NOT NULL,
    version_before numeric(20, 0) NOT NULL,
    version_after  numeric(20, 0),
    restore_point  text,
    position       text           NOT NULL DEFAULT '',
    document       text           NOT NULL
);
