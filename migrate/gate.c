/* gate.c — policy gates (see gate.h). */
#include "gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
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
