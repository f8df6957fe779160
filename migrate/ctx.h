/*
 * ctx.h — the global options every command sees, and the session helpers
 * commands share: load the migrations, connect, take the runner lock.
 */
#ifndef MG_CTX_H
#define MG_CTX_H

#include <stddef.h>

#include "driver.h"
#include "err.h"
#include "history.h"
#include "source.h"

enum mg_format { MG_FMT_TEXT, MG_FMT_JSON };

/* Settings given on the command line: an environment from migrate.ini does not override them. */
enum mg_set_bit {
    MG_SET_DATABASE = 1 << 0,
    MG_SET_PATH = 1 << 1,
    MG_SET_LOCK_TIMEOUT = 1 << 2,
    MG_SET_STATEMENT_TIMEOUT = 1 << 3,
    MG_SET_LOCK_WAIT = 1 << 4,
    MG_SET_RETRIES = 1 << 5,
    MG_SET_RETRY_DELAY = 1 << 6,
};

struct mg_env;
struct mg_config;

struct mg_ctx {
    const char *database_url; /* -d, DATABASE_URL */
    const char *path;         /* -p, MIGRATE_PATH, default ./migrations */
    enum mg_format format;
    long lock_timeout_ms;      /* --lock-timeout, default 3s */
    long statement_timeout_ms; /* --statement-timeout, default off */
    long lock_wait_ms;         /* --lock-wait: how long to wait for the runner lock */
    long retry_delay_ms;       /* --retry-delay: first backoff */
    int retries;               /* --retries, default 5 */
    int verbose, quiet;
    size_t max_file_size;
    const char *checkpoint_dir; /* --checkpoint-dir, MIGRATE_CHECKPOINT_DIR: checkpoint files */
    int no_checkpoint;          /* --no-checkpoint: up/down/goto record none */
    const char *metrics_file;   /* --metrics-file, MIGRATE_METRICS_FILE: Prometheus text file */
    const char *command;        /* name of the running command */
    char run_id[37];
    unsigned cli_set;               /* enum mg_set_bit */
    const char *config_path;        /* --config, MIGRATE_CONFIG, default ./migrate.ini */
    int config_given;               /* the path was named: a missing file is an error */
    const char *env_name;           /* --env, MIGRATE_ENV */
    const struct mg_env *env;       /* the selected environment, or NULL */
    const struct mg_config *config; /* migrate.ini as read, or NULL */
    const char *confirm;            /* --confirm=<database name> */
    const char **skip_gates;        /* --skip-gate NAME (repeatable) */
    size_t nskip;
    const char *skip_reason; /* --reason */
    const char *clone_url;   /* up, goto, plan --clone: estimate on it first */
};

/* An open session on the target: connection, and whether we hold the runner lock. */
struct mg_session {
    struct drv_conn *conn;
    int locked;
    long long lock_wait_ms; /* time spent waiting for another runner's lock */
    char redacted_url[1024];
};

/*
 * Reads migrate.ini and applies the selected environment (--env or
 * MIGRATE_ENV) to every setting the command line left alone.  Idempotent;
 * mg_ctx_need_url and mg_ctx_load_source call it.
 */
int mg_ctx_prepare(struct mg_ctx *ctx, struct mg_err *err);

/* True when --skip-gate named this gate (the caller records the override). */
int mg_ctx_skips(const struct mg_ctx *ctx, const char *gate);

/* The database URL or a usage error that says how to give one. */
int mg_ctx_need_url(struct mg_ctx *ctx, struct mg_err *err);
/* Loads the migrations directory with the context's limits. */
int mg_ctx_load_source(struct mg_ctx *ctx, struct mg_source *out, struct mg_err *err);

/*
 * Connects to ctx->database_url.  With `lock`, waits up to ctx->lock_wait_ms
 * for the runner lock and creates the history tables; gives up with
 * MG_ELOCKED naming the holder.
 */
int mg_session_open(struct mg_session *s, struct mg_ctx *ctx, int lock, struct mg_err *err);
void mg_session_close(struct mg_session *s);

/* The name of the runner lock (the same for every runner on one database). */
#define MG_RUNNER_LOCK "migrate:migrate_history"

#endif
