/*
 * cmd_plan.c — migrate plan: what `up` would run, in order, with how each
 * file runs (one transaction, or statement by statement and why) and its
 * statement count.  Needs no write access: a read-only connection, or with
 * --offline none at all (every file counts as pending).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "checks.h"
#include "gate.h"
#include "cmds.h"
#include "log.h"
#include "run.h"
#include "util.h"

/* The estimate's entry for one version, or NULL. */
static json_t *estimate_of(json_t *doc, uint64_t version)
{
    json_t *migs = json_object_get(doc, "migrations");
    for (size_t i = 0; i < json_array_size(migs); i++) {
        json_t *m = json_array_get(migs, i);
        if ((uint64_t)json_integer_value(json_object_get(m, "version")) == version)
            return m;
    }
    return NULL;
}

int cmd_plan(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"offline", no_argument, NULL, 'O'},
        {"clone", required_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    struct mg_source src;
    struct mg_session s = {0};
    struct mg_history h = {0};
    struct mg_status st;
    struct mg_plan plan;
    struct mg_problems warnings = {0};
    struct mg_plan_req req = {.kind = MG_PLAN_UP, .count = -1, .allow_out_of_order = 0};
    const struct drv_ops *ops = &drv_postgres_ops;
    int c, rc, offline = 0, version_num = 0, transactional = 1;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'O')
            offline = 1;
        else if (c == 'C')
            ctx->clone_url = optarg;
        else
            return MG_EUSAGE;
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate plan [--offline]");
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    size_t file_errors = mg_report_source_problems(&src);
    if (!offline) {
        rc = mg_session_open(&s, ctx, 0, err);
        if (!rc)
            rc = drv_read_only(s.conn, err);
        if (!rc)
            rc = mg_history_load(&h, s.conn, err);
        if (rc) {
            mg_session_close(&s);
            mg_source_free(&src);
            return rc;
        }
        ops = s.conn->ops;
        version_num = s.conn->info.version_num;
        transactional = s.conn->info.transactional_ddl;
    }
    mg_status_build(&st, &src, &h);
    rc = mg_plan_build(&plan, &st, &req, &warnings, err);
    if (rc)
        goto out;
    /* the estimate of exactly these migrations: made now on --clone, or kept from before */
    json_t *estimate = NULL;
    if (plan.n && ctx->clone_url && !offline) {
        rc = mg_estimate_for(ctx, ctx->clone_url, err);
        if (rc == MG_EFINDINGS)
            rc = 0;
        if (rc)
            goto out_plan;
    }
    if (plan.n) {
        char key[65];
        mg_plan_key(&plan, key);
        estimate = mg_estimate_load(key);
    }
    struct chk_result lint;
    struct chk_config lcfg;
    int linted = mg_lint_plan(&lint, &lcfg, ctx, offline ? "postgres" : s.conn->info.dialect,
                              version_num, &src, &plan, err) == 0;
    if (!linted) {
        mg_warn("lint: %s", err->msg);
        mg_err_clear(err);
    }
    json_t *arr = json_array();
    if (ctx->format == MG_FMT_TEXT) {
        if (!offline)
            printf("database: %s (%s %s), version %llu\n", s.redacted_url, s.conn->info.product,
                   s.conn->info.server_version, (unsigned long long)st.current);
        printf("%zu migration%s to apply\n", plan.n, plan.n == 1 ? "" : "s");
    }
    for (size_t i = 0; i < plan.n; i++) {
        const struct mg_step *stp = &plan.v[i];
        const struct mg_file *f = stp->e->m->up;
        struct drv_stmt *stmts = NULL;
        size_t n = 0;
        const char *mode = "transaction", *why = NULL;
        int why_line = 0;
        struct mg_err e2;
        mg_err_clear(&e2);
        if (f->usable &&
            drv_split(ops, &stmts, &n, f->text.ptr, f->text.len, version_num, &e2) == 0) {
            mg_run_fix_statements(f, stmts, &n);
            for (size_t k = 0; k < n && !why; k++)
                if (stmts[k].flags & DRV_STMT_NO_TXN) {
                    why = stmts[k].why;
                    why_line = stmts[k].line;
                }
        }
        if (f->dir.no_transaction) {
            mode = "no transaction";
            why = "-- migrate:no-transaction";
        } else if (why) {
            mode = "no transaction";
        } else if (!transactional) {
            mode = "statement by statement";
            why = "the server commits DDL implicitly";
        }
        size_t counts[3] = {0, 0, 0};
        for (size_t k = 0; linted && k < lint.n; k++)
            if (!strcmp(lint.files[lint.v[k].file].path, f->path) && lint.v[k].sev >= CHK_INFO)
                counts[lint.v[k].sev]++;
        if (ctx->format == MG_FMT_JSON) {
            json_t *o =
                json_pack("{s:I,s:s,s:s,s:I,s:s,s:b}", "version", (json_int_t)stp->e->version,
                          "name", stp->e->title, "file", f->path, "statements", (json_int_t)n,
                          "mode", mode, "resume", stp->resume);
            if (why)
                json_object_set_new(o, "why", json_string(why));
            if (e2.code)
                json_object_set_new(o, "error", json_string(e2.msg));
            json_t *em = estimate_of(estimate, stp->e->version);
            if (em)
                json_object_set_new(o, "estimate", json_incref(em));
            if (linted)
                json_object_set_new(o, "lint",
                                    json_pack("{s:I,s:I,s:I}", "error",
                                              (json_int_t)counts[CHK_ERROR], "warning",
                                              (json_int_t)counts[CHK_WARNING], "info",
                                              (json_int_t)counts[CHK_INFO]));
            json_array_append_new(arr, o);
        } else {
            printf("  %llu_%s: %zu statement%s, %s", (unsigned long long)stp->e->version,
                   stp->e->title, n, n == 1 ? "" : "s", mode);
            if (why && why_line)
                printf(" (%s, line %d)", why, why_line);
            else if (why)
                printf(" (%s)", why);
            if (stp->resume)
                printf(", resumes an unfinished run");
            if (e2.code)
                printf(" [cannot split: %s]", e2.msg);
            if (linted)
                printf("; lint: %zu error%s, %zu warning%s, %zu info", counts[CHK_ERROR],
                       counts[CHK_ERROR] == 1 ? "" : "s", counts[CHK_WARNING],
                       counts[CHK_WARNING] == 1 ? "" : "s", counts[CHK_INFO]);
            printf("\n");
            json_t *em = estimate_of(estimate, stp->e->version);
            if (em)
                printf("      estimate: ~%.0fms on the target; %s\n",
                       json_number_value(json_object_get(em, "predicted_ms")),
                       json_string_value(json_object_get(em, "verdict_text")));
            for (size_t k = 0; linted && k < lint.n; k++)
                if (!strcmp(lint.files[lint.v[k].file].path, f->path))
                    printf("      %d:%d %s: %s: %s\n", lint.v[k].line, lint.v[k].col,
                           chk_sev_name(lint.v[k].sev), chk_rules[lint.v[k].rule].name,
                           lint.v[k].msg);
        }
        free(stmts);
    }
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_pack("{s:I,s:o,s:I}", "version", (json_int_t)st.current, "pending", arr,
                                "file_errors", (json_int_t)file_errors);
        if (!offline)
            json_object_set_new(doc, "database", json_string(s.redacted_url));
        mg_print_json(doc);
    } else {
        json_decref(arr);
    }
    if (linted)
        chk_result_free(&lint);
out_plan:
    json_decref(estimate);
    mg_plan_free(&plan);
    if (file_errors) {
        mg_err_set(err, MG_EINPUT, "the migrations directory has errors; 'up' would refuse to run");
        rc = MG_EINPUT;
    }
out:
    for (size_t i = 0; i < warnings.n; i++)
        mg_warn("%s", warnings.v[i].msg);
    mg_problems_free(&warnings);
    mg_status_free(&st);
    mg_history_free(&h);
    if (!offline)
        mg_session_close(&s);
    mg_source_free(&src);
    return rc;
}
