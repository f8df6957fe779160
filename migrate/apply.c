/* apply.c — the common path of up, down and goto (see apply.h). */
#include "apply.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gate.h"
#include "log.h"
#include "run.h"
#include "util.h"

size_t mg_report_source_problems(const struct mg_source *src)
{
    for (size_t i = 0; i < src->problems.n; i++) {
        const struct mg_problem *p = &src->problems.v[i];
        if (p->file && p->line)
            mg_log(p->sev == MG_SEV_ERROR ? MG_LOG_ERROR : MG_LOG_WARN, "%s:%d: %s", p->file,
                   p->line, p->msg);
        else if (p->file)
            mg_log(p->sev == MG_SEV_ERROR ? MG_LOG_ERROR : MG_LOG_WARN, "%s: %s", p->file, p->msg);
        else
            mg_log(p->sev == MG_SEV_ERROR ? MG_LOG_ERROR : MG_LOG_WARN, "%s", p->msg);
    }
    return mg_problems_count(&src->problems, MG_SEV_ERROR);
}

static void print_text(const struct mg_run_report *rep, uint64_t current, int rc)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct mg_step_result *r = &rep->v[i];
        if (!r->ok)
            continue;
        printf("%s %llu_%s (%d statement%s%s, %lldms%s)\n",
               r->dir == MG_UP ? "applied" : "reverted", (unsigned long long)r->version, r->title,
               r->stmts_total, r->stmts_total == 1 ? "" : "s",
               r->transaction ? "" : ", no transaction", r->duration_ms,
               r->attempts > 1 ? ", after retries" : "");
    }
    if (!rep->n && !rc)
        printf("no change: nothing to %s\n", "do");
    printf("version: %llu\n", (unsigned long long)current);
}

/* Runs the plan on a connection in dry-run mode and prints what it would have sent. */
static int dry_run(struct mg_ctx *ctx, struct mg_session *s, const struct mg_plan *plan,
                   struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    struct mg_run_report rep = {0};
    int got, rc;

    rc = drv_dry_run(s->conn, &sql, err);
    if (rc)
        return rc;
    mg_buf_adds(&sql, "-- take the runner lock (a real run waits for it)\n");
    rc = drv_try_lock(s->conn, MG_RUNNER_LOCK, &got, err);
    if (!rc) {
        mg_buf_adds(&sql, "-- create the history tables if missing\n");
        rc = mg_history_ensure(s->conn, err);
    }
    for (size_t i = 0; !rc && i < plan->n; i++) {
        const struct mg_entry *e = plan->v[i].e;
        mg_buf_addf(&sql, "-- %s %llu_%s\n", plan->v[i].dir == MG_UP ? "apply" : "revert",
                    (unsigned long long)e->version, e->title);
        struct mg_plan one = {.v = &plan->v[i], .n = 1};
        rc = mg_run_plan(s, ctx, &one, &rep, err);
    }
    if (!rc)
        rc = drv_unlock(s->conn, MG_RUNNER_LOCK, err);
    drv_dry_run(s->conn, NULL, err);
    if (!rc) {
        if (ctx->format == MG_FMT_JSON) {
            json_t *doc = json_object();
            json_object_set_new(doc, "command", json_string(ctx->command));
            json_object_set_new(doc, "database", json_string(s->redacted_url));
            json_object_set_new(doc, "dry_run", json_true());
            json_object_set_new(doc, "steps", mg_run_report_json(&rep));
            json_object_set_new(doc, "sql", json_string(sql.ptr));
            mg_print_json(doc);
        } else {
            fputs(sql.ptr, stdout);
        }
    }
    mg_run_report_free(&rep);
    mg_buf_free(&sql);
    return rc;
}

int mg_apply(struct mg_ctx *ctx, const struct mg_plan_req *req, int dry, struct mg_err *err)
{
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    struct mg_plan plan;
    struct mg_problems warnings = {0};
    struct mg_run_report rep = {0};
    int rc;

    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    if (mg_report_source_problems(&src)) {
        mg_source_free(&src);
        mg_err_set(err, MG_EINPUT, "the migrations directory '%s' has errors; nothing was run",
                   ctx->path);
        mg_err_hint(err, "fix the files listed above ('migrate validate' lists them again)");
        return MG_EINPUT;
    }
    rc = mg_session_open(&s, ctx, !dry, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    if (dry)
        rc = drv_read_only(s.conn, err);
    if (!rc)
        rc = mg_history_load(&h, s.conn, err);
    if (rc)
        goto out_session;
    mg_status_build(&st, &src, &h);
    rc = mg_plan_build(&plan, &st, req, &warnings, err);
    for (size_t i = 0; i < warnings.n; i++)
        mg_warn("%s", warnings.v[i].msg);
    if (!rc && !dry) {
        int reverts = 0;
        for (size_t i = 0; i < plan.n; i++)
            reverts |= plan.v[i].dir == MG_DOWN;
        if (reverts && (rc = mg_gate_confirm(ctx, &s, "down", err)))
            mg_plan_free(&plan);
    }
    if (!rc && dry) {
        rc = dry_run(ctx, &s, &plan, err);
        mg_plan_free(&plan);
    } else if (!rc) {
        rc = mg_run_plan(&s, ctx, &plan, &rep, err);
        /* the version after the run, from what ran */
        struct mg_history h2;
        struct mg_err e2;
        mg_err_clear(&e2);
        uint64_t current = st.current;
        if (s.conn && mg_history_load(&h2, s.conn, &e2) == 0) {
            struct mg_status st2;
            mg_status_build(&st2, &src, &h2);
            current = st2.current;
            mg_status_free(&st2);
            mg_history_free(&h2);
        }
        if (ctx->format == MG_FMT_JSON) {
            json_t *doc = json_object();
            json_object_set_new(doc, "command", json_string(ctx->command));
            json_object_set_new(doc, "database", json_string(s.redacted_url));
            json_object_set_new(doc, "run_id", json_string(ctx->run_id));
            json_object_set_new(doc, "ok", json_boolean(rc == 0));
            json_object_set_new(doc, "steps", mg_run_report_json(&rep));
            json_object_set_new(doc, "version", json_integer((json_int_t)current));
            if (rc)
                json_object_set_new(doc, "error", mg_err_json(err));
            mg_print_json(doc);
        } else {
            print_text(&rep, current, rc);
        }
        mg_plan_free(&plan);
    }
    mg_status_free(&st);
    mg_history_free(&h);
out_session:
    mg_session_close(&s);
    mg_problems_free(&warnings);
    mg_run_report_free(&rep);
    mg_source_free(&src);
    return rc;
}
