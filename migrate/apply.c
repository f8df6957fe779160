/* apply.c — the common path of up, down and goto (see apply.h). */
#include "apply.h"

#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "cli.h"
#include "cmds.h"
#include "gate.h"
#include "log.h"
#include "metrics.h"
#include "run.h"
#include "url.h"
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

/* The database name for the metrics' label: the session's, else the URL's. */
static void database_label(char *out, size_t size, const struct mg_ctx *ctx,
                           const struct mg_session *s)
{
    if (out[0])
        return;
    struct mg_url u;
    struct mg_err ignored;

    if (s->conn) {
        snprintf(out, size, "%s", s->conn->info.database);
        return;
    }
    mg_err_clear(&ignored);
    if (ctx->database_url && mg_url_parse(&u, ctx->database_url, &ignored) == 0) {
        snprintf(out, size, "%s", u.dbname ? u.dbname : "");
        mg_url_free(&u);
    }
}

/* Writes --metrics-file; a failure to write it is a warning, not the run's failure. */
static void write_metrics(const struct mg_ctx *ctx, const struct mg_session *s, char db[256],
                          const struct mg_run_report *rep, int rc, uint64_t version,
                          int version_known, int64_t t0)
{
    struct mg_metrics m;
    struct timespec now;
    struct mg_err e;

    if (!ctx->metrics_file)
        return;
    database_label(db, 256, ctx, s);
    clock_gettime(CLOCK_REALTIME, &now);
    memset(&m, 0, sizeof(m));
    m.database = db;
    m.command = ctx->command;
    m.ok = rc == 0;
    m.end_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
    m.duration_ms = mg_monotonic_ms() - t0;
    m.runner_lock_wait_ms = s->lock_wait_ms;
    m.rep = rep;
    m.version_known = version_known;
    m.version = version;
    mg_err_clear(&e);
    if (mg_metrics_write(ctx->metrics_file, &m, &e))
        mg_warn("%s (%s)", e.msg, e.context);
}

static json_t *checkpoint_json(const struct mg_checkpoint *cp)
{
    struct mg_buf pos = MG_BUF_INIT;
    json_t *o;

    if (!cp->doc)
        return json_null();
    mg_checkpoint_describe_position(&pos, cp->doc);
    o = json_object();
    json_object_set_new(o, "id", json_string(cp->id));
    json_object_set_new(o, "file", json_string(cp->path));
    json_object_set_new(o, "status", json_deep_copy(json_object_get(cp->doc, "status")));
    json_object_set_new(o, "restore_point",
                        json_deep_copy(json_object_get(cp->doc, "restore_point")));
    json_object_set_new(o, "position", json_string(pos.ptr));
    mg_buf_free(&pos);
    return o;
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

int mg_apply_options(int argc, char **argv, struct mg_ctx *ctx, struct mg_plan_req *req,
                     int *dry_run, struct mg_err *err)
{
    static const struct option opts[] = {
        {"allow-edited", no_argument, NULL, 'E'},
        {"allow-out-of-order", no_argument, NULL, 'O'},
        {"dry-run", no_argument, NULL, 'N'},
        {"clone", required_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    int c;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'C')
            ctx->clone_url = optarg;
        else if (c == 'N')
            *dry_run = 1;
        else if (c == 'E')
            req->allow_edited = 1;
        else if (c == 'O')
            req->allow_out_of_order = 1;
        else
            return MG_EUSAGE;
    }
    return 0;
}

int mg_apply(struct mg_ctx *ctx, const struct mg_plan_req *req, int dry, struct mg_err *err)
{
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    struct mg_plan plan = {0};
    struct mg_problems warnings = {0};
    struct mg_run_report rep = {0};
    struct mg_checkpoint cp;
    int64_t t0 = mg_monotonic_ms();
    uint64_t current = 0;
    int rc, known = 0;
    char dbname[256] = "";

    memset(&s, 0, sizeof(s));
    mg_checkpoint_init(&cp);
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        goto out_metrics;
    if (mg_report_source_problems(&src)) {
        mg_source_free(&src);
        mg_err_set(err, MG_EINPUT, "the migrations directory '%s' has errors; nothing was run",
                   ctx->path);
        mg_err_hint(err, "fix the files listed above ('migrate validate' lists them again)");
        rc = MG_EINPUT;
        goto out_metrics;
    }
    rc = mg_session_open(&s, ctx, !dry, err);
    if (rc)
        goto out_session;
    database_label(dbname, sizeof(dbname), ctx, &s);
    if (dry)
        rc = drv_read_only(s.conn, err);
    if (!rc)
        rc = mg_history_load(&h, s.conn, err);
    if (rc)
        goto out_session;
    mg_status_build(&st, &src, &h);
    current = st.current;
    known = 1;
    rc = mg_plan_build(&plan, &st, req, &warnings, err);
    for (size_t i = 0; i < warnings.n; i++)
        mg_warn("%s", warnings.v[i].msg);
    if (!rc && !dry) {
        int reverts = 0;
        for (size_t i = 0; i < plan.n; i++)
            reverts |= plan.v[i].dir == MG_DOWN;
        if (reverts)
            rc = mg_gate_confirm(ctx, &s, "down", err);
    }
    if (!rc && !dry && plan.n)
        rc = mg_gate_lint(ctx, &s, &src, &plan, err);
    if (!rc && !dry && plan.n)
        rc = mg_gate_preflight(ctx, &s, &st, err);
    if (!rc && !dry && plan.n && ctx->clone_url &&
        (rc = mg_estimate_for(ctx, ctx->clone_url, err)) == MG_EFINDINGS)
        rc = 0; /* the budget is the blocking gate's to judge, below */
    if (!rc && !dry && plan.n)
        rc = mg_gate_blocking(ctx, &s, &plan, err);
    /* the point to come back to, before anything changes (a dry run changes nothing) */
    if (!rc && !dry && plan.n && !ctx->no_checkpoint)
        rc = mg_checkpoint_begin(&cp, &s, ctx, &st, &plan, err);
    if (!rc && !dry && plan.n && (rc = mg_gate_checkpoint(ctx, &s, cp.doc, err)) && cp.doc) {
        /* stopped after recording it: close it as failed with nothing applied */
        mg_checkpoint_finish(&cp, &s, ctx, &rep, err, current, 1);
    }
    if (!rc && dry) {
        rc = dry_run(ctx, &s, &plan, err);
    } else if (!rc) {
        rc = mg_run_plan(&s, ctx, &plan, &rep, err);
        /* the version after the run, from what the history says now */
        struct mg_history h2;
        struct mg_err e2;
        mg_err_clear(&e2);
        known = 0;
        if (s.conn && mg_history_load(&h2, s.conn, &e2) == 0) {
            struct mg_status st2;
            mg_status_build(&st2, &src, &h2);
            current = st2.current;
            known = 1;
            mg_status_free(&st2);
            mg_history_free(&h2);
        }
        mg_checkpoint_finish(&cp, &s, ctx, &rep, rc ? err : NULL, current, known);
        if (ctx->format == MG_FMT_JSON) {
            json_t *doc = json_object();
            json_object_set_new(doc, "command", json_string(ctx->command));
            json_object_set_new(doc, "database", json_string(s.redacted_url));
            json_object_set_new(doc, "run_id", json_string(ctx->run_id));
            json_object_set_new(doc, "ok", json_boolean(rc == 0));
            json_object_set_new(doc, "steps", mg_run_report_json(&rep));
            json_object_set_new(doc, "version",
                                known ? json_integer((json_int_t)current) : json_null());
            json_object_set_new(doc, "checkpoint", checkpoint_json(&cp));
            if (rc)
                json_object_set_new(doc, "error", mg_err_json(err));
            mg_print_json(doc);
        } else {
            print_text(&rep, current, rc);
        }
    }
    mg_plan_free(&plan);
    mg_status_free(&st);
    mg_history_free(&h);
out_session:
    mg_session_close(&s);
    /* the report's titles belong to the source; a dry run is no run to report */
    if (!dry)
        write_metrics(ctx, &s, dbname, &rep, rc, current, known, t0);
    mg_source_free(&src);
    goto out;
out_metrics:
    if (!dry)
        write_metrics(ctx, &s, dbname, &rep, rc, current, known, t0);
out:
    mg_checkpoint_free(&cp);
    mg_problems_free(&warnings);
    mg_run_report_free(&rep);
    return rc;
}
