/*
 * cmd_estimate.c — migrate estimate --clone URL [-d TARGET] [--max-blocking DUR]:
 * run the pending migrations on a clone, observe their locks, rewrites and
 * durations, and scale them to the target's sizes, read read-only.
 */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "estimate.h"
#include "gate.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* The applied state of a history, one line per row, to compare two databases. */
static void history_state(const struct mg_history *h, size_t i, struct mg_buf *out)
{
    const struct mg_hrow *r = &h->v[i];
    mg_buf_addf(out, "%llu %s", (unsigned long long)r->version, mg_hstatus_name(r->status));
}

/*
 * The clone must be where the target is: the same versions, in the same
 * states, with the same checksums.  Otherwise what is pending on the clone
 * is not what is pending on the target.
 */
static int same_version(const struct mg_history *clone, const struct mg_history *target,
                        const struct mg_status *cst, const struct mg_status *tst,
                        struct mg_err *err)
{
    struct mg_buf only_c = MG_BUF_INIT, only_t = MG_BUF_INIT, differ = MG_BUF_INIT;
    size_t i = 0, j = 0;

    while (i < clone->n || j < target->n) {
        const struct mg_hrow *a = i < clone->n ? &clone->v[i] : NULL;
        const struct mg_hrow *b = j < target->n ? &target->v[j] : NULL;
        if (a && b && a->version == b->version) {
            if (a->status != b->status ||
                strcmp(a->checksum ? a->checksum : "", b->checksum ? b->checksum : "")) {
                mg_buf_addf(&differ, "%s", differ.len ? ", " : "");
                history_state(clone, i, &differ);
                mg_buf_adds(&differ, " on the clone vs ");
                history_state(target, j, &differ);
                if (a->status == b->status)
                    mg_buf_adds(&differ, " with another checksum");
            }
            i++;
            j++;
        } else if (a && (!b || a->version < b->version)) {
            mg_buf_addf(&only_c, "%s%llu", only_c.len ? ", " : "", (unsigned long long)a->version);
            i++;
        } else {
            mg_buf_addf(&only_t, "%s%llu", only_t.len ? ", " : "", (unsigned long long)b->version);
            j++;
        }
    }
    int rc = 0;
    if (only_c.len || only_t.len || differ.len) {
        rc = mg_err_set(err, MG_EUSAGE,
                        "the clone is not at the target's version (clone %llu, target %llu)",
                        (unsigned long long)cst->current, (unsigned long long)tst->current);
        mg_err_detail(err, "%s%s%s%s%s%s%s", only_c.len ? "recorded on the clone only: " : "",
                      only_c.ptr, only_c.len && (only_t.len || differ.len) ? "; " : "",
                      only_t.len ? "recorded on the target only: " : "", only_t.ptr,
                      only_t.len && differ.len ? "; " : "", differ.ptr);
        mg_err_hint(err, "an estimate applies the pending migrations to its clone, so a clone "
                         "serves one estimate: make a fresh one ('migrate clone --from TARGET "
                         "--sandbox') or bring it to the target's version");
    }
    mg_buf_free(&only_c);
    mg_buf_free(&only_t);
    mg_buf_free(&differ);
    return rc;
}

/* A refusal when the clone's recorded state is unfinished: estimate only runs pending files. */
static int refuse_dirty(const struct mg_status *st, const char *where, struct mg_err *err)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct mg_entry *e = &st->v[i];
        if (!e->partial && e->state != MG_ST_FAILED)
            continue;
        mg_err_set(err, MG_EATTENTION, "version %llu (%s) is %s on the %s",
                   (unsigned long long)e->version, e->title, mg_state_name(e->state), where);
        mg_err_hint(err, "finish or resolve it there first ('migrate status' says how); the "
                         "estimate only measures pending migrations");
        return MG_EATTENTION;
    }
    return 0;
}

struct target {
    struct drv_conn *conn;
    char url[1024];
    struct mg_history h;
    int have_h;
};

/*
 * Opens the target read-only: the session refuses writes, and everything is
 * read in one (read-only) transaction.
 */
static int open_target(struct target *t, const struct mg_ctx *ctx, struct mg_err *err)
{
    struct drv_connect_opts o = {0};
    struct mg_buf red = MG_BUF_INIT;
    char app[64];
    int rc;

    mg_url_redact_str(&red, ctx->database_url);
    snprintf(t->url, sizeof(t->url), "%s", red.ptr);
    mg_buf_free(&red);
    snprintf(app, sizeof(app), "migrate %s %.8s (read-only)", ctx->command, ctx->run_id);
    o.application_name = app;
    rc = drv_open(&t->conn, ctx->database_url, &o, err);
    if (rc) {
        mg_err_context(err, "target database %s", t->url);
        return rc;
    }
    /* reading sizes takes the weakest lock: never queue behind a waiting DDL for long */
    rc = drv_set_timeouts(t->conn, ctx->lock_timeout_ms, 60000, err);
    if (!rc)
        rc = drv_read_only(t->conn, err);
    if (!rc)
        rc = drv_begin(t->conn, err);
    if (rc)
        mg_err_context(err, "target database %s", t->url);
    return rc;
}

static json_t *side_json(const char *url, const struct drv_conn *c, uint64_t version)
{
    return json_pack("{s:s,s:s,s:s,s:I}", "url", url, "database", c->info.database, "server",
                     c->info.server_version, "version", (json_int_t)version);
}

int cmd_estimate(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"clone", required_argument, NULL, 'C'},
        {"max-blocking", required_argument, NULL, 'M'},
        {"repeat", required_argument, NULL, 'R'},
        {0, 0, 0, 0},
    };
    const char *clone_url = NULL;
    long max_blocking = -1;
    int repeat = 3;
    struct mg_source src;
    struct mg_ctx cctx;
    struct mg_session cs;
    struct drv_conn *sampler = NULL, *gate = NULL;
    struct target t;
    struct mg_history ch;
    struct mg_status cst, tst;
    struct mg_plan plan = {0};
    struct mg_problems warnings = {0};
    struct mg_estimate est;
    int c, rc, have_ch = 0, have_st = 0, ran = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'C')
            clone_url = optarg;
        else if (c == 'M') {
            if (mg_parse_duration(&max_blocking, optarg, err))
                return MG_EUSAGE;
        } else if (c == 'R') {
            uint64_t n;
            if (mg_parse_u64(&n, optarg, strlen(optarg)) < 0 || n < 1 || n > 9) {
                mg_err_set(err, MG_EUSAGE, "--repeat wants a number from 1 to 9, not '%s'", optarg);
                return MG_EUSAGE;
            }
            repeat = (int)n;
        } else
            return MG_EUSAGE;
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE,
                          "usage: migrate estimate --clone URL [-d TARGET] "
                          "[--max-blocking DUR]");
    if (!clone_url || !*clone_url) {
        mg_err_set(err, MG_EUSAGE, "estimate needs a clone: --clone URL");
        mg_err_hint(err, "the pending migrations run on the clone; make one with 'migrate clone "
                         "--from TARGET --sandbox', or give a restored snapshot or staging copy");
        return MG_EUSAGE;
    }

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
    memset(&t, 0, sizeof(t));
    memset(&cs, 0, sizeof(cs));
    mg_estimate_init(&est, "postgres");
    est.max_blocking_ms = max_blocking;

    /* the target first, read-only: a wrong target should stop us before the clone changes */
    if (ctx->database_url && *ctx->database_url) {
        rc = open_target(&t, ctx, err);
        if (rc)
            goto out;
    } else {
        mg_warn("no target database (-d or DATABASE_URL): durations are the clone's own, not "
                "scaled to another size");
    }
    /*
     * The second session on the clone first: it tells whether the clone is
     * the target before anything is written to it (the runner lock's session
     * creates the history tables).
     */
    {
        struct drv_connect_opts o = {0};
        char app[64];
        snprintf(app, sizeof(app), "migrate estimate %.8s sampler", ctx->run_id);
        o.application_name = app;
        rc = drv_open(&sampler, clone_url, &o, err);
        if (rc) {
            struct mg_buf red = MG_BUF_INIT;
            mg_url_redact_str(&red, clone_url);
            mg_err_context(err, "the clone %s", red.ptr);
            mg_buf_free(&red);
            goto out;
        }
    }
    est.dialect = sampler->info.dialect;
    if (t.conn) {
        if (strcmp(t.conn->info.dialect, sampler->info.dialect)) {
            rc = mg_err_set(err, MG_EUSAGE, "the clone is %s but the target is %s",
                            sampler->info.product, t.conn->info.product);
            goto out;
        }
        rc = mg_refuse_same_database(sampler, "clone", t.conn, "target", err);
        if (rc)
            goto out;
        if (sampler->info.version_num / 10000 != t.conn->info.version_num / 10000)
            mg_warn("the clone runs %s %s and the target %s: locks and durations can differ "
                    "between major versions",
                    sampler->info.product, sampler->info.server_version,
                    t.conn->info.server_version);
    }
    cctx = *ctx;
    cctx.database_url = clone_url;
    rc = mg_session_open(&cs, &cctx, 1, err);
    if (rc) {
        mg_err_context(err, "the clone");
        goto out;
    }

    rc = mg_history_load(&ch, cs.conn, err);
    if (rc)
        goto out;
    have_ch = 1;
    mg_status_build(&cst, &src, &ch);
    have_st = 1;
    if (t.conn) {
        rc = mg_history_load(&t.h, t.conn, err);
        if (rc) {
            mg_err_context(err, "reading the target's history");
            goto out;
        }
        t.have_h = 1;
        mg_status_build(&tst, &src, &t.h);
        rc = refuse_dirty(&tst, "target", err);
        if (!rc)
            rc = same_version(&ch, &t.h, &cst, &tst, err);
        if (!rc)
            mg_info("clone and target are both at version %llu", (unsigned long long)cst.current);
        mg_status_free(&tst);
        if (rc)
            goto out;
    }
    rc = refuse_dirty(&cst, "clone", err);
    if (rc)
        goto out;
    {
        struct mg_plan_req req = {.kind = MG_PLAN_UP, .count = -1};
        rc = mg_plan_build(&plan, &cst, &req, &warnings, err);
        for (size_t i = 0; i < warnings.n; i++)
            mg_warn("%s", warnings.v[i].msg);
        if (rc)
            goto out;
    }

    {
        struct drv_connect_opts o = {0};
        char app[64];
        snprintf(app, sizeof(app), "migrate estimate %.8s gate", ctx->run_id);
        o.application_name = app;
        rc = drv_open(&gate, clone_url, &o, err);
        if (!rc)
            rc = drv_set_timeouts(gate, ctx->lock_timeout_ms, 0, err);
        if (!rc)
            rc = drv_set_timeouts(sampler, ctx->lock_timeout_ms, 0, err);
        if (rc) {
            mg_err_context(err, "a third session on the clone, to sample locks");
            goto out;
        }
    }
    struct mg_est_env env = {
        .clone = &cs, .sampler = sampler, .gate = gate, .ctx = ctx, .repeat = repeat};
    rc = mg_estimate_run(&est, &env, &plan, err);
    ran = 1;

    /* the target's sizes, in the read-only transaction opened at the start */
    if (t.conn && est.n) {
        char **names;
        size_t n;
        struct drv_rels rels;
        struct mg_err e2;
        mg_err_clear(&e2);
        mg_estimate_tables(&est, t.conn, &names, &n);
        int trc = drv_relation_stats(t.conn, (const char *const *)names, n, &rels, &e2);
        mg_strv_free(names, n);
        if (trc) {
            if (!rc) {
                mg_err_copy(err, &e2);
                mg_err_context(err, "reading relation sizes on the target");
                rc = trc;
            }
        } else {
            mg_estimate_set_target(&est, &rels);
        }
        drv_rels_free(&rels);
    } else if (t.conn) {
        est.scaled = 1;
    }
    mg_estimate_finish(&est);

    json_t *doc = json_object();
    json_object_set_new(doc, "command", json_string("estimate"));
    json_object_set_new(doc, "clone", side_json(cs.redacted_url, cs.conn, cst.current));
    json_object_set_new(doc, "target",
                        t.conn ? side_json(t.url, t.conn, cst.current) : json_null());
    json_t *body = mg_estimate_json(&est);
    json_object_update(doc, body);
    json_decref(body);
    json_object_set_new(doc, "ok", json_boolean(rc == 0));
    if (rc)
        json_object_set_new(doc, "error", mg_err_json(err));
    if (!rc && t.conn) {
        /* kept for the blocking gate of `up`, keyed by exactly these migrations */
        char key[65];
        struct mg_err e2;
        mg_err_clear(&e2);
        mg_plan_key(&plan, key);
        json_object_set_new(doc, "plan_key", json_string(key));
        if (mg_estimate_save(doc, key, &e2) < 0)
            mg_warn("the estimate could not be kept for the blocking gate: %s", e2.msg);
    }
    if (ctx->format == MG_FMT_JSON) {
        mg_print_json(json_incref(doc));
    } else {
        struct mg_buf text = MG_BUF_INIT;
        printf("clone:  %s (%s %s), version %llu\n", cs.redacted_url, cs.conn->info.product,
               cs.conn->info.server_version, (unsigned long long)cst.current);
        if (t.conn)
            printf("target: %s (%s %s), version %llu; sizes read in a read-only transaction\n",
                   t.url, t.conn->info.product, t.conn->info.server_version,
                   (unsigned long long)cst.current);
        else
            printf("target: none given; durations are the clone's, not scaled\n");
        printf("\n");
        mg_estimate_text(&est, &text);
        fputs(text.ptr, stdout);
        mg_buf_free(&text);
    }
    if (!rc) {
        struct mg_buf first = MG_BUF_INIT;
        size_t over = mg_estimate_exceeding(&est, &first);
        if (over) {
            struct mg_buf lim = MG_BUF_INIT;
            mg_format_duration(&lim, (double)max_blocking);
            rc = mg_err_set(err, MG_EFINDINGS,
                            "%zu statement%s would block reads or writes for longer than "
                            "--max-blocking %s",
                            over, over == 1 ? "" : "s", lim.ptr);
            mg_err_detail(err, "%s", first.ptr);
            mg_err_hint(err, "split the change (NOT VALID, then VALIDATE; CREATE INDEX "
                             "CONCURRENTLY), or run it in a quiet window");
            mg_buf_free(&lim);
        }
        mg_buf_free(&first);
    }
    json_decref(doc);
    if (ran && est.n)
        mg_info("the clone is now at version %llu: the estimated migrations are applied and "
                "recorded there",
                (unsigned long long)est.v[est.n - 1].version);
out:
    if (t.conn) {
        drv_rollback_quiet(t.conn);
        drv_close(t.conn);
    }
    if (t.have_h)
        mg_history_free(&t.h);
    drv_close(sampler);
    drv_close(gate);
    if (have_st)
        mg_status_free(&cst);
    if (have_ch)
        mg_history_free(&ch);
    mg_plan_free(&plan);
    mg_problems_free(&warnings);
    mg_session_close(&cs);
    mg_estimate_free(&est);
    mg_source_free(&src);
    return rc;
}

int mg_estimate_for(struct mg_ctx *ctx, const char *clone_url, struct mg_err *err)
{
    char *argv[] = {(char *)"estimate", (char *)"--clone", (char *)clone_url, NULL};
    enum mg_format format = ctx->format;
    int saved, rc;

    /* the report goes to stderr: stdout belongs to the command that asked */
    fflush(stdout);
    saved = dup(1);
    if (saved < 0 || dup2(2, 1) < 0)
        return mg_err_set(err, MG_EFAIL, "cannot redirect the estimate's report");
    ctx->format = MG_FMT_TEXT;
    optind = 0;
    rc = cmd_estimate(3, argv, ctx, err);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ctx->format = format;
    if (rc)
        mg_err_context(err, "estimating the pending migrations on the clone");
    return rc;
}
