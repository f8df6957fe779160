/* gate.c — policy gates (see gate.h). */
#include "gate.h"

#include <string.h>

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
