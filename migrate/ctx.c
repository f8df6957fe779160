/* ctx.c — session helpers shared by the commands. */
#include "ctx.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "util.h"

int mg_ctx_prepare(struct mg_ctx *ctx, struct mg_err *err)
{
    static struct mg_config config; /* lives until exit: ctx points into it */
    static int done;
    const struct mg_env *env;
    int rc;

    if (done)
        return 0;
    done = 1;
    if (!ctx->config_path) {
        const char *p = getenv("MIGRATE_CONFIG");
        ctx->config_path = p && *p ? p : "migrate.ini";
        ctx->config_given = p && *p;
    }
    if (!ctx->env_name) {
        const char *e = getenv("MIGRATE_ENV");
        if (e && *e)
            ctx->env_name = e;
    }
    rc = mg_config_load(&config, ctx->config_path, ctx->config_given || ctx->env_name != NULL, err);
    if (rc) {
        if (ctx->env_name && !config.path)
            mg_err_hint(err,
                        "--env %s needs a configuration file (--config, MIGRATE_CONFIG, "
                        "or ./migrate.ini)",
                        ctx->env_name);
        return rc;
    }
    ctx->config = &config;
    if (!ctx->env_name)
        return 0;
    env = mg_config_env(&config, ctx->env_name);
    if (!env) {
        mg_err_set(err, MG_EUSAGE, "no environment '%s' in %s", ctx->env_name, config.path);
        mg_err_hint(err, "'migrate env list' shows the environments; sections are named "
                         "[env.NAME]");
        return MG_EUSAGE;
    }
    return mg_config_apply(ctx, env, err);
}

int mg_ctx_skips(const struct mg_ctx *ctx, const char *gate)
{
    for (size_t i = 0; i < ctx->nskip; i++)
        if (!strcmp(ctx->skip_gates[i], gate))
            return 1;
    return 0;
}

int mg_ctx_need_url(struct mg_ctx *ctx, struct mg_err *err)
{
    int rc = mg_ctx_prepare(ctx, err);
    if (rc)
        return rc;
    if (ctx->database_url && ctx->database_url[0])
        return 0;
    mg_err_set(err, MG_EUSAGE, "no database given");
    mg_err_hint(err, "pass -d/--database URL or set DATABASE_URL, e.g. "
                     "postgres://user@localhost:5432/app");
    return MG_EUSAGE;
}

int mg_ctx_load_source(struct mg_ctx *ctx, struct mg_source *out, struct mg_err *err)
{
    int rc = mg_ctx_prepare(ctx, err);
    if (rc)
        return rc;
    struct mg_source_opts o = {.max_file_size = ctx->max_file_size};
    return mg_source_load(out, ctx->path, &o, err);
}

static int take_lock(struct mg_session *s, const struct mg_ctx *ctx, struct mg_err *err)
{
    int64_t start = mg_monotonic_ms(), deadline = start + ctx->lock_wait_ms;
    int got = 0, said = 0, rc;

    for (;;) {
        rc = drv_try_lock(s->conn, MG_RUNNER_LOCK, &got, err);
        s->lock_wait_ms = mg_monotonic_ms() - start;
        if (rc)
            return rc;
        if (got)
            break;
        if (mg_monotonic_ms() >= deadline) {
            struct mg_buf who = MG_BUF_INIT;
            struct mg_err ignored;
            mg_err_clear(&ignored);
            drv_lock_holder(s->conn, MG_RUNNER_LOCK, &who, &ignored);
            mg_err_set(err, MG_ELOCKED, "another migrate run holds the migration lock on %s",
                       s->redacted_url);
            if (who.len)
                mg_err_detail(err, "held by %s", who.ptr);
            mg_err_hint(err,
                        "wait for that run to finish (or raise --lock-wait, now %lds); if "
                        "it is stuck, end its session on the server",
                        ctx->lock_wait_ms / 1000);
            mg_buf_free(&who);
            return MG_ELOCKED;
        }
        if (!said) {
            struct mg_buf who = MG_BUF_INIT;
            struct mg_err ignored;
            mg_err_clear(&ignored);
            drv_lock_holder(s->conn, MG_RUNNER_LOCK, &who, &ignored);
            mg_info("waiting for the migration lock, held by %s",
                    who.len ? who.ptr : "another run");
            mg_buf_free(&who);
            said = 1;
        }
        mg_sleep_ms(100 + mg_backoff_ms(100, 1, 200));
    }
    s->locked = 1;
    return 0;
}

int mg_session_open(struct mg_session *s, struct mg_ctx *ctx, int lock, struct mg_err *err)
{
    struct drv_connect_opts o = {0};
    char app[64];
    struct mg_buf red = MG_BUF_INIT;
    int rc;

    memset(s, 0, sizeof(*s));
    rc = mg_ctx_need_url(ctx, err);
    if (rc)
        return rc;
    mg_url_redact_str(&red, ctx->database_url);
    snprintf(s->redacted_url, sizeof(s->redacted_url), "%s", red.ptr);
    mg_buf_free(&red);
    snprintf(app, sizeof(app), "migrate %s %.8s", ctx->command ? ctx->command : "", ctx->run_id);
    o.application_name = app;
    rc = drv_open(&s->conn, ctx->database_url, &o, err);
    if (rc) {
        mg_err_context(err, "database %s", s->redacted_url);
        return rc;
    }
    mg_debug("connected to %s (%s %s)", s->redacted_url, s->conn->info.product,
             s->conn->info.server_version);
    if (!lock)
        return 0;
    rc = take_lock(s, ctx, err);
    if (!rc)
        rc = mg_history_ensure(s->conn, err);
    if (rc)
        mg_session_close(s);
    return rc;
}

void mg_session_close(struct mg_session *s)
{
    if (s->conn && s->locked) {
        struct mg_err ignored;
        mg_err_clear(&ignored);
        drv_unlock(s->conn, MG_RUNNER_LOCK, &ignored);
    }
    drv_close(s->conn);
    s->conn = NULL;
    s->locked = 0;
}
