/* gate.c — policy gates (see gate.h). */
#include "gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "preflight.h"
#include "config.h"
#include "log.h"
#include "util.h"

int mg_gate_stop(struct mg_ctx *ctx, struct mg_session *s, const char *gate, const char *why,
                 struct mg_err *err)
{
    if (!mg_ctx_skips(ctx, gate)) {
        mg_err_set(err, MG_EATTENTION, "the %s gate stopped the run: %s", gate, why);
        mg_err_hint(err,
                    "fix the cause, or let this run through with --skip-gate %s --reason "
                    "\"...\" (recorded in the event log)",
                    gate);
        return MG_EATTENTION;
    }
    if (!ctx->skip_reason || !ctx->skip_reason[0]) {
        mg_err_set(err, MG_EUSAGE, "--skip-gate %s needs --reason \"...\"", gate);
        mg_err_hint(err, "say why the gate may be skipped; the reason goes into the event log");
        return MG_EUSAGE;
    }
    mg_warn("the %s gate would stop the run (%s); skipped: %s", gate, why, ctx->skip_reason);
    json_t *meta = json_pack("{s:s,s:s,s:s,s:s}", "gate", gate, "would_stop", why, "reason",
                             ctx->skip_reason, "command", ctx->command);
    if (ctx->env)
        json_object_set_new(meta, "env", json_string(ctx->env->name));
    struct mg_event ev = {.run_id = ctx->run_id,
                          .action = "gate-override",
                          .outcome = "skipped",
                          .name = gate,
                          .meta = meta};
    int rc = mg_event_append(s->conn, &ev, err);
    json_decref(meta);
    return rc;
}

int mg_gate_confirm(struct mg_ctx *ctx, struct mg_session *s, const char *what, struct mg_err *err)
{
    const char *db = s->conn->info.database;
    char why[512];

    if (!mg_env_confirm_required(ctx->env))
        return 0;
    if (ctx->confirm && !strcmp(ctx->confirm, db))
        return 0;
    if (ctx->confirm)
        snprintf(why, sizeof(why), "--confirm=%s does not name the database, which is '%s'",
                 ctx->confirm, db);
    else
        snprintf(why, sizeof(why), "'%s' in environment '%s' needs --confirm=%s", what,
                 ctx->env->name, db);
    return mg_gate_stop(ctx, s, "confirm", why, err);
}

int mg_lint_plan(struct chk_result *out, struct chk_config *cfg, struct mg_ctx *ctx,
                 const char *dialect, int version_num, const struct mg_source *src,
                 const struct mg_plan *plan, struct mg_err *err)
{
    char **paths = NULL, **fresh = NULL;
    size_t npaths = 0, nfresh = 0;
    uint64_t last = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    chk_config_init(cfg);
    if (ctx->config && ctx->config_path && (rc = chk_config_load(cfg, ctx->config_path, 0, err)))
        return rc;
    cfg->dialect = strcmp(dialect, "mysql") ? CHK_PG : CHK_MY;
    if (cfg->dialect == CHK_PG && version_num >= 90000)
        cfg->pg_version = version_num / 10000;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->v[i].dir == MG_UP && plan->v[i].e->version > last)
            last = plan->v[i].e->version;
    if (!last)
        return 0;
    paths = mg_calloc(src->n + 1, sizeof(char *));
    fresh = mg_calloc(plan->n + 1, sizeof(char *));
    /* every up file up to the last pending one, in order: the earlier ones are context */
    for (size_t i = 0; i < src->n && src->v[i].version <= last; i++)
        if (src->v[i].up)
            paths[npaths++] = src->v[i].up->path;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->v[i].dir == MG_UP)
            fresh[nfresh++] = plan->v[i].e->m->up->path;
    rc = chk_lint(out, cfg, paths, npaths, fresh, nfresh, ctx->max_file_size, err);
    if (!rc) {
        /* only findings in the files the plan applies */
        size_t keep = 0;
        for (size_t i = 0; i < out->n; i++) {
            int pending = 0;
            for (size_t k = 0; k < nfresh; k++)
                pending |= !strcmp(out->files[out->v[i].file].path, fresh[k]);
            if (pending)
                out->v[keep++] = out->v[i];
            else
                free(out->v[i].msg);
        }
        out->n = keep;
        memset(out->count, 0, sizeof(out->count));
        for (size_t i = 0; i < keep; i++)
            if (out->v[i].sev >= CHK_INFO)
                out->count[out->v[i].sev]++;
    }
    free(paths);
    free(fresh);
    return rc;
}

int mg_gate_lint(struct mg_ctx *ctx, struct mg_session *s, const struct mg_source *src,
                 const struct mg_plan *plan, struct mg_err *err)
{
    struct chk_config cfg;
    struct chk_result res;
    enum chk_sev level;
    size_t failing = 0, first = (size_t)-1;
    int rc;

    if (!ctx->env || !ctx->env->gate_lint || !strcasecmp(ctx->env->gate_lint, "off"))
        return 0;
    if (chk_sev_parse(&level, ctx->env->gate_lint) < 0 || level == CHK_OFF) {
        mg_err_set(err, MG_EUSAGE,
                   "migrate.ini [env.%s] gate.lint = '%s' is not error, warning, "
                   "info or off",
                   ctx->env->name, ctx->env->gate_lint);
        return MG_EUSAGE;
    }
    rc = mg_lint_plan(&res, &cfg, ctx, s->conn->info.dialect, s->conn->info.version_num, src, plan,
                      err);
    if (rc)
        return rc;
    for (size_t i = 0; i < res.n; i++) {
        const struct chk_finding *f = &res.v[i];
        if (f->sev < level)
            continue;
        if (first == (size_t)-1)
            first = i;
        failing++;
        mg_log(f->sev == CHK_ERROR ? MG_LOG_ERROR : MG_LOG_WARN, "%s:%d:%d: %s: %s: %s",
               res.files[f->file].path, f->line, f->col, chk_sev_name(f->sev),
               chk_rules[f->rule].name, f->msg);
    }
    if (failing) {
        char why[512];
        const struct chk_finding *f = &res.v[first];
        snprintf(why, sizeof(why),
                 "%zu lint finding%s at or above %s in the pending migrations, the first %s at "
                 "%s:%d",
                 failing, failing == 1 ? "" : "s", chk_sev_name(level), chk_rules[f->rule].name,
                 res.files[f->file].path, f->line);
        rc = mg_gate_stop(ctx, s, "lint", why, err);
    }
    chk_result_free(&res);
    return rc;
}

int mg_gate_checkpoint(struct mg_ctx *ctx, struct mg_session *s, struct json_t *doc,
                       struct mg_err *err)
{
    const char *v = ctx->env ? ctx->env->gate_checkpoint : NULL;
    char why[512] = "";

    if (!v || !strcasecmp(v, "optional") || !strcasecmp(v, "off"))
        return 0;
    if (strcasecmp(v, "required") != 0) {
        mg_err_set(err, MG_EUSAGE,
                   "migrate.ini [env.%s] gate.checkpoint = '%s' is not required "
                   "or optional",
                   ctx->env->name, v);
        return MG_EUSAGE;
    }
    if (!doc) {
        snprintf(why, sizeof(why), "no checkpoint was recorded (--no-checkpoint)");
    } else {
        json_t *rp = json_object_get(doc, "restore_point");
        json_t *pos = json_object_get(doc, "position_before");
        const char *kind = json_string_value(json_object_get(pos, "kind"));
        int ok = (rp && json_is_object(rp)) || (kind && !strcmp(kind, "binlog"));
        if (!ok) {
            json_t *w = json_array_get(json_object_get(doc, "warnings"), 0);
            snprintf(why, sizeof(why), "the checkpoint has no restore point or binlog position%s%s",
                     w ? ": " : "", w ? json_string_value(w) : "");
        }
    }
    return why[0] ? mg_gate_stop(ctx, s, "checkpoint", why, err) : 0;
}

void mg_plan_key(const struct mg_plan *plan, char out[65])
{
    struct mg_buf b = MG_BUF_INIT;

    for (size_t i = 0; i < plan->n; i++) {
        const struct mg_migration *m = plan->v[i].e->m;
        if (plan->v[i].dir != MG_UP || !m || !m->up)
            continue;
        mg_buf_addf(&b, "%llu %s\n", (unsigned long long)m->version, m->up->checksum);
    }
    mg_sha256_hex(out, b.ptr, b.len);
    mg_buf_free(&b);
}

static void estimate_path(struct mg_buf *out, const char *key)
{
    const char *dir = getenv("MIGRATE_ESTIMATE_DIR");
    mg_buf_addf(out, "%s/%s.json", dir && *dir ? dir : ".migrate/estimates", key);
}

int mg_estimate_save(struct json_t *doc, const char *key, struct mg_err *err)
{
    struct mg_buf path = MG_BUF_INIT;
    char *s = json_dumps(doc, JSON_INDENT(2));
    int rc;

    estimate_path(&path, key);
    char *slash = strrchr(path.ptr, '/');
    *slash = '\0';
    rc = mg_mkdirs(path.ptr, err);
    *slash = '/';
    if (!rc)
        rc = mg_write_file_atomic(path.ptr, s, strlen(s), err);
    free(s);
    mg_buf_free(&path);
    return rc;
}

json_t *mg_estimate_load(const char *key)
{
    struct mg_buf path = MG_BUF_INIT;
    json_error_t je;
    json_t *doc;

    estimate_path(&path, key);
    doc = json_load_file(path.ptr, 0, &je);
    mg_buf_free(&path);
    return doc;
}

/* A blocking window in ms from the estimate's JSON, -1 when unknown. */
static double window(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : -1;
}

int mg_gate_blocking(struct mg_ctx *ctx, struct mg_session *s, const struct mg_plan *plan,
                     struct mg_err *err)
{
    const char *v = ctx->env ? ctx->env->gate_max_blocking : NULL;
    long budget;
    char key[65], why[768] = "";
    struct mg_buf path = MG_BUF_INIT;
    json_error_t je;
    json_t *doc;

    if (!v || !strcasecmp(v, "off"))
        return 0;
    if (mg_parse_duration(&budget, v, err)) {
        mg_err_context(err, "migrate.ini [env.%s] gate.max_blocking", ctx->env->name);
        return MG_EUSAGE;
    }
    mg_plan_key(plan, key);
    estimate_path(&path, key);
    doc = json_load_file(path.ptr, 0, &je);
    if (!doc) {
        mg_info("blocking gate: no estimate of exactly these migrations (%s); run 'migrate "
                "estimate --clone URL' or 'up --clone URL' to check them against %ldms",
                path.ptr, budget);
        mg_buf_free(&path);
        return 0;
    }
    mg_buf_free(&path);
    json_t *migs = json_object_get(doc, "migrations");
    for (size_t i = 0; i < json_array_size(migs) && !why[0]; i++) {
        json_t *m = json_array_get(migs, i);
        json_t *b = json_object_get(m, "blocking");
        double r = window(json_object_get(b, "reads_ms")),
               w = window(json_object_get(b, "writes_ms"));
        const char *verdict = json_string_value(json_object_get(m, "verdict"));
        int blocks = verdict && strcmp(verdict, "safe") != 0;
        if ((blocks && (r < 0 && w < 0)) || r > (double)budget || w > (double)budget)
            snprintf(why, sizeof(why), "the estimate predicts that %lld_%s %s (budget %ldms)",
                     (long long)json_integer_value(json_object_get(m, "version")),
                     json_string_value(json_object_get(m, "name")),
                     json_string_value(json_object_get(m, "verdict_text")), budget);
    }
    json_decref(doc);
    return why[0] ? mg_gate_stop(ctx, s, "blocking", why, err) : 0;
}

int mg_gate_preflight(struct mg_ctx *ctx, struct mg_session *s, const struct mg_status *st,
                      struct mg_err *err)
{
    const char *v = ctx->env ? ctx->env->gate_preflight : NULL;
    struct mg_preflight_opts o = {.max_xact_age_ms = 60000, .max_lag_ms = 10000};
    struct mg_preflight pf;
    struct drv_conn *ro = NULL;
    struct drv_connect_opts co = {.application_name = "migrate preflight"};
    int rc;

    if (!v || strcasecmp(v, "on") != 0)
        return 0;
    if (ctx->env->gate_max_xact_age &&
        mg_parse_duration(&o.max_xact_age_ms, ctx->env->gate_max_xact_age, err))
        return MG_EUSAGE;
    if (ctx->env->gate_max_lag && mg_parse_duration(&o.max_lag_ms, ctx->env->gate_max_lag, err))
        return MG_EUSAGE;
    /* a session of its own, read-only: the runner's session keeps its lock and nothing else */
    rc = drv_open(&ro, ctx->database_url, &co, err);
    if (!rc)
        rc = drv_read_only(ro, err);
    if (!rc)
        rc = mg_preflight_run(&pf, ro, st, &o, err);
    drv_close(ro);
    if (rc)
        return rc;
    size_t n = mg_preflight_findings(&pf);
    if (n) {
        struct mg_buf text = MG_BUF_INIT;
        mg_preflight_text(&pf, &text);
        mg_warn("%s", text.ptr);
        mg_buf_free(&text);
        char why[512] = "";
        for (size_t i = 0; i < pf.n && !why[0]; i++)
            if (pf.v[i].finding)
                snprintf(why, sizeof(why), "%zu finding%s on the target, the first: %s", n,
                         n == 1 ? "" : "s", pf.v[i].text);
        rc = mg_gate_stop(ctx, s, "preflight", why, err);
    }
    mg_preflight_free(&pf);
    return rc;
}
