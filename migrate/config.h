/*
 * config.h — migrate.ini: deployment environments, read with libinih.
 *
 *   [env.production]
 *   database   = ${DATABASE_URL}          ; or @file:/run/secrets/db, or a URL
 *   path       = migrations
 *   production = true
 *   lock_timeout = 2s
 *   gate.confirm = on                      ; down and force need --confirm=<database>
 *   osc.max_lag  = 5s                      ; online schema changes: their throttling
 *   osc.replicas = ${REPLICA1_URL} ${REPLICA2_URL}
 *
 * Values may hold ${VAR} (from the environment) or be @file:PATH (the file's
 * content, trailing newline removed).  An environment marked production
 * refuses a literal password in its database URL.  The file may hold other
 * sections (such as [lint]); they are read by their own modules.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

#include <stddef.h>

#include "ctx.h"
#include "err.h"

struct mg_env {
    char *name;
    int line; /* of its section header */
    int production;
    /* raw values as written, NULL when absent */
    char *database, *path, *lock_timeout, *statement_timeout, *retries, *lock_wait, *retry_delay,
        *checkpoint_dir;
    /* policy gates */
    char *gate_lint;         /* off | error | warning | info */
    char *gate_preflight;    /* on | off */
    char *gate_max_xact_age; /* duration */
    char *gate_max_lag;      /* duration */
    char *gate_max_blocking; /* duration */
    char *gate_checkpoint;   /* required | optional */
    char *gate_confirm;      /* on | off; default on in production */
    /* online schema changes (migrate osc, -- migrate:online files run by up) */
    char *osc_max_lag;       /* duration */
    char *osc_replicas;      /* URLs, separated by blanks */
    char *osc_max_load;      /* count */
    char *osc_critical_load; /* count */
    char *osc_chunk_time;    /* duration */
    char *osc_threads;       /* count */
};

struct mg_config {
    char *path; /* NULL when no file was read */
    struct mg_env *envs;
    size_t n, cap;
};

/*
 * Reads `path`; a missing file is an error only when must_exist (the user
 * named it).  Unknown keys in [env.*] sections are errors with their line.
 */
int mg_config_load(struct mg_config *out, const char *path, int must_exist, struct mg_err *err);
void mg_config_free(struct mg_config *c);
const struct mg_env *mg_config_env(const struct mg_config *c, const char *name);

/* Expands ${VAR} and @file:PATH in a value; *out is malloc'ed. `what` names it in errors. */
int mg_config_resolve(char **out, const char *raw, const char *what, struct mg_err *err);

/*
 * Fills the context from the environment section for every setting the
 * command line did not set (ctx->cli_set), resolving values; refuses a
 * literal password when the environment is marked production.
 */
int mg_config_apply(struct mg_ctx *ctx, const struct mg_env *env, struct mg_err *err);

/* Whether a URL as written in migrate.ini holds a literal password (not ${VAR}, not @file:). */
int mg_config_literal_password(const char *raw);

/* The gate setting `value` or, when NULL, the default for the environment. */
int mg_env_confirm_required(const struct mg_env *env);

#endif
