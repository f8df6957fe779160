/* rollback.c — test-rollback: up, down, up again per migration (see rollback.h). */
#include "rollback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "log.h"
#include "plan.h"
#include "run.h"
#include "schema.h"
#include "scratch.h"
#include "util.h"

#define SCRATCH_DB "migrate_rollback"

static const char *const step_names[MG_RB_NSTEPS] = {"up", "down", "up again"};

/* The test's state. */
struct rb {
    const struct mg_ctx *ctx;
    struct mg_ctx run_ctx; /* the caller's options, aimed at the test database */
    const struct mg_rollback_opts *o;
    struct mg_rollback_report *rep;
    struct mg_source src;
    struct mg_session s;
    struct mg_scratch scratch;
    int sandbox;
};

/* Errors after which the test cannot go on: the server or the user stopped it. */
static int fatal(int rc)
{
    return rc == MG_ECONN || rc == MG_ECANCELED;
}

static char *err_text(const struct mg_err *e)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_adds(&b, e->msg);
    if (e->sqlstate[0])
        mg_buf_addf(&b, "\nsqlstate: %s", e->sqlstate);
    if (e->detail[0])
        mg_buf_addf(&b, "\ndetail: %s", e->detail);
    if (e->file[0] && e->line)
        mg_buf_addf(&b, "\nat: %s:%d", e->file, e->line);
    if (e->context[0])
        mg_buf_addf(&b, "\ncontext: %s", e->context);
    if (e->hint[0])
        mg_buf_addf(&b, "\nhint: %s", e->hint);
    return mg_buf_detach(&b);
}

static void step_fail_msg(struct mg_rb_step *st, const char *msg)
{
    st->status = MG_RB_FAILED;
    if (!st->message) {
        st->message = mg_strdup(msg);
    } else {
        struct mg_buf b = MG_BUF_INIT;
        mg_buf_addf(&b, "%s; %s", st->message, msg);
        free(st->message);
        st->message = mg_buf_detach(&b);
    }
}

static void step_fail_err(struct mg_rb_step *st, const struct mg_err *e)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_addf(&b, "failed: %s", e->msg);
    step_fail_msg(st, b.ptr);
    mg_buf_free(&b);
    st->error_text = err_text(e);
    st->error = mg_err_json(e);
}

static void step_skip(struct mg_rb_step *st, const char *why)
{
    st->status = MG_RB_SKIPPED;
    st->message = mg_strdup(why);
}

/*
 * Compares two snapshots for a step; on a difference the step fails with
 * `msg` and the differences, and 1 is returned.
 */
static int step_compare(struct mg_rb_step *st, const char *msg, const char *legend,
                        const struct mg_schema *a, const struct mg_schema *b, unsigned flags)
{
    struct mg_schema_diff d;
    struct mg_buf text = MG_BUF_INIT;

    mg_schema_diff(&d, a, b, flags);
    if (!d.n) {
        mg_schema_diff_free(&d);
        return 0;
    }
    step_fail_msg(st, msg);
    mg_buf_addf(&text, "(%s)\n", legend);
    mg_schema_diff_text(&text, &d, "");
    st->diff_text = mg_buf_detach(&text);
    st->diff = mg_schema_diff_json(&d);
    mg_schema_diff_free(&d);
    return 1;
}

/*
 * Plans one command on the test database with the engine's planner and runs
 * it with the engine's runner, as 'migrate up 1', 'down 1' or 'goto V' would.
 * With `expect`, the plan must be exactly that version's single step.
 */
static int run_planned(struct rb *t, enum mg_plan_kind kind, uint64_t target, uint64_t expect,
                       long long *ms, struct mg_err *err)
{
    struct mg_history h;
    struct mg_status st;
    struct mg_plan plan;
    struct mg_problems warn = {0};
    struct mg_run_report rr = {0};
    struct mg_plan_req req = {.kind = kind, .count = 1, .target = target};
    int rc;

    *ms = 0;
    rc = mg_history_load(&h, t->s.conn, err);
    if (rc)
        return rc;
    mg_status_build(&st, &t->src, &h);
    rc = mg_plan_build(&plan, &st, &req, &warn, err);
    for (size_t i = 0; i < warn.n; i++)
        mg_debug("%s", warn.v[i].msg);
    if (!rc && expect && (plan.n != 1 || plan.v[0].e->version != expect)) {
        mg_err_set(err, MG_EFAIL, "the planner would %s %s, not version %llu alone",
                   kind == MG_PLAN_DOWN ? "revert" : "apply", plan.n ? "other versions" : "nothing",
                   (unsigned long long)expect);
        mg_err_hint(err, "on a clone, test only migrations above the clone's current version");
        rc = MG_EFAIL;
    }
    if (!rc) {
        rc = mg_run_plan(&t->s, &t->run_ctx, &plan, &rr, err);
        for (size_t i = 0; i < rr.n; i++)
            *ms += rr.v[i].duration_ms;
    }
    mg_plan_free(&plan);
    mg_run_report_free(&rr);
    mg_problems_free(&warn);
    mg_status_free(&st);
    mg_history_free(&h);
    return rc;
}

static int snapshot(struct rb *t, struct mg_schema *out, struct mg_err *err)
{
    int rc = mg_schema_snapshot(out, NULL, t->s.conn, err);
    if (rc)
        mg_err_context(err, "taking a schema snapshot of the test database");
    return rc;
}

/* Compares row fingerprints before the up (d0) and after the down (d2) into the down step. */
static void compare_rows(struct mg_rb_step *st, const struct drv_result *d0,
                         const struct drv_result *d2)
{
    size_t cap = 0;

    for (size_t i = 0; i < d0->nrows; i++) {
        const char *name = drv_val(d0, i, 0), *n0 = drv_val(d0, i, 1), *c0 = drv_val(d0, i, 2);
        const char *n2 = NULL, *c2 = NULL;
        int found = 0;
        for (size_t j = 0; j < d2->nrows && !found; j++) {
            if (!strcmp(drv_val(d2, j, 0), name)) {
                found = 1;
                n2 = drv_val(d2, j, 1);
                c2 = drv_val(d2, j, 2);
            }
        }
        struct mg_buf b = MG_BUF_INIT;
        if (!found)
            mg_buf_addf(&b, "%s: gone after the down (it had %s rows before the up)", name, n0);
        else if (strcmp(n0, n2) != 0)
            mg_buf_addf(&b, "%s: %s rows before the up, %s after the down", name, n0, n2);
        else if (c0 && c2 && strcmp(c0, c2) != 0)
            mg_buf_addf(&b,
                        "%s: the %s rows differ after the down (checksum %.8s before the up, "
                        "%.8s after)",
                        name, n0, c0, c2);
        if (b.len) {
            mg_grow_array((void **)&st->data_lost, &cap, st->ndata_lost + 1, sizeof(char *));
            st->data_lost[st->ndata_lost++] = mg_buf_detach(&b);
        }
        mg_buf_free(&b);
    }
    if (st->ndata_lost)
        step_fail_msg(st, "rows of tables that existed before the up are not the same after "
                          "the down");
}

/*
 * After a failure: is the database where a passing migration would have left
 * it (the schema S1, the version applied and nothing half-done)?
 */
static int state_is_applied(struct rb *t, uint64_t version, const struct mg_schema *s1,
                            struct mg_err *err)
{
    struct mg_schema now;
    struct mg_schema_diff d;
    struct mg_history h;
    struct mg_status st;
    int ok, rc;

    rc = snapshot(t, &now, err);
    if (rc)
        return rc;
    mg_schema_diff(&d, s1, &now, t->o->diff_flags);
    ok = d.n == 0;
    mg_schema_diff_free(&d);
    mg_schema_free(&now);
    rc = mg_history_load(&h, t->s.conn, err);
    if (rc)
        return rc;
    mg_status_build(&st, &t->src, &h);
    ok = ok && !st.dirty && st.current == version;
    for (size_t i = 0; ok && i < st.n; i++)
        if (st.v[i].version == version)
            ok = st.v[i].state == MG_ST_APPLIED;
    mg_status_free(&st);
    mg_history_free(&h);
    return ok ? 1 : 0;
}

static int open_session(struct rb *t, struct mg_err *err)
{
    int rc = mg_session_open(&t->s, &t->run_ctx, 1, err);
    if (rc)
        mg_err_context(err, "the test database");
    return rc;
}

/* Makes the sandbox database anew and replays the ups up to `version`. */
static int rebuild(struct rb *t, uint64_t version, struct mg_err *err)
{
    long long ms;
    int rc;

    mg_info("rebuilding the sandbox database up to version %llu", (unsigned long long)version);
    mg_session_close(&t->s);
    rc = mg_scratch_reset(&t->scratch, err);
    if (!rc)
        rc = open_session(t, err);
    if (!rc)
        rc = run_planned(t, MG_PLAN_GOTO, version, 0, &ms, err);
    if (rc)
        mg_err_context(err, "rebuilding the sandbox database up to version %llu after a failure",
                       (unsigned long long)version);
    t->rep->rebuilds++;
    return rc;
}

enum outcome { GO_ON, STOP };

/*
 * Tests one migration.  *s0 is the schema before it and becomes the schema
 * after it.  Returns GO_ON or STOP (with rep->stopped set), or an error
 * when the test cannot go on at all.
 */
static int test_one(struct rb *t, struct mg_rb_mig *m, struct mg_schema *s0, struct mg_err *err)
{
    struct mg_rb_step *up = &m->steps[MG_RB_UP], *down = &m->steps[MG_RB_DOWN],
                      *again = &m->steps[MG_RB_UP_AGAIN];
    struct mg_schema s1 = {0}, s2 = {0}, s3 = {0};
    struct drv_result *d0 = NULL, *d2 = NULL;
    struct mg_err e;
    int rc = 0, result = GO_ON, have_s3 = 0;

    m->tested = 1;
    mg_info("testing %llu_%s", (unsigned long long)m->version, m->title);
    if (t->o->data) {
        rc = drv_data_fingerprint(t->s.conn, &d0, t->o->data_max_rows, err);
        if (rc)
            goto out;
    }
    /* up */
    mg_err_clear(&e);
    rc = run_planned(t, MG_PLAN_UP, 0, m->version, &up->duration_ms, &e);
    if (rc) {
        m->failed = 1;
        step_fail_err(up, &e);
        step_skip(down, "not run: the up failed");
        step_skip(again, "not run: the up failed");
        if (fatal(rc)) {
            mg_err_copy(err, &e);
            goto out;
        }
        struct mg_buf why = MG_BUF_INIT;
        mg_buf_addf(&why, "%llu_%s failed to apply, and later migrations may depend on it",
                    (unsigned long long)m->version, m->title);
        t->rep->stopped = mg_buf_detach(&why);
        rc = 0;
        result = STOP;
        goto out;
    }
    rc = snapshot(t, &s1, err);
    if (rc)
        goto out;
    /* down */
    mg_err_clear(&e);
    rc = run_planned(t, MG_PLAN_DOWN, 0, m->version, &down->duration_ms, &e);
    if (rc) {
        step_fail_err(down, &e);
        step_skip(again, "not run: the down failed");
        if (fatal(rc)) {
            mg_err_copy(err, &e);
            goto out;
        }
        rc = 0;
    } else {
        rc = snapshot(t, &s2, err);
        if (rc)
            goto out;
        step_compare(down, "the schema after the down differs from the schema before the up",
                     "- before the up, + after the down", s0, &s2, t->o->diff_flags);
        if (t->o->data) {
            rc = drv_data_fingerprint(t->s.conn, &d2, t->o->data_max_rows, err);
            if (rc)
                goto out;
            compare_rows(down, d0, d2);
        }
        /* up again */
        mg_err_clear(&e);
        rc = run_planned(t, MG_PLAN_UP, 0, m->version, &again->duration_ms, &e);
        if (rc) {
            step_fail_err(again, &e);
            if (fatal(rc)) {
                mg_err_copy(err, &e);
                goto out;
            }
            rc = 0;
        } else {
            rc = snapshot(t, &s3, err);
            if (rc)
                goto out;
            have_s3 = 1;
            step_compare(again,
                         "the schema after up again differs from the schema after the first up",
                         "- after the first up, + after up again", &s1, &s3, t->o->diff_flags);
        }
    }
    for (int i = 0; i < MG_RB_NSTEPS; i++)
        if (m->steps[i].status == MG_RB_FAILED)
            m->failed = 1;
    if (m->failed) {
        /* go on from where a passing migration would have left the database */
        rc = state_is_applied(t, m->version, &s1, err);
        if (rc < 0)
            goto out;
        if (rc == 0 && t->sandbox) {
            rc = rebuild(t, m->version, err);
            if (rc)
                goto out;
        } else if (rc == 0) {
            struct mg_buf why = MG_BUF_INIT;
            mg_buf_addf(&why,
                        "after %llu_%s failed, the clone is not where a passing migration "
                        "would have left it, and a clone cannot be rebuilt",
                        (unsigned long long)m->version, m->title);
            t->rep->stopped = mg_buf_detach(&why);
            result = STOP;
        }
        rc = 0;
        have_s3 = 0;
    }
    if (result == GO_ON) {
        mg_schema_free(s0);
        if (have_s3) {
            *s0 = s3;
            memset(&s3, 0, sizeof(s3));
        } else {
            rc = snapshot(t, s0, err);
        }
    }
out:
    mg_schema_free(&s1);
    mg_schema_free(&s2);
    mg_schema_free(&s3);
    drv_result_free(d0);
    drv_result_free(d2);
    return rc ? rc : result;
}

static void add_mig(struct mg_rollback_report *rep, const struct mg_migration *m)
{
    mg_grow_array((void **)&rep->v, &rep->cap, rep->n + 1, sizeof(*rep->v));
    struct mg_rb_mig *x = &rep->v[rep->n++];
    memset(x, 0, sizeof(*x));
    x->version = m->version;
    x->title = mg_strdup(m->title);
}

/* Applies the pending migrations below --from, and lists those in range in the report. */
static int prepare(struct rb *t, struct mg_err *err)
{
    struct mg_history h;
    struct mg_status st;
    uint64_t *before = NULL;
    size_t nbefore = 0, cap = 0;
    int rc;

    rc = mg_history_load(&h, t->s.conn, err);
    if (rc)
        return rc;
    mg_status_build(&st, &t->src, &h);
    for (size_t i = 0; i < st.n; i++) {
        const struct mg_entry *e = &st.v[i];
        if (!e->m)
            continue;
        int applied = e->state == MG_ST_APPLIED;
        if (e->version < t->o->from) {
            if (!applied) {
                mg_grow_array((void **)&before, &cap, nbefore + 1, sizeof(*before));
                before[nbefore++] = e->version;
            }
        } else if (e->version <= t->o->to) {
            if (applied)
                t->rep->already_applied++;
            else
                add_mig(t->rep, e->m);
        }
    }
    mg_status_free(&st);
    mg_history_free(&h);
    if (nbefore)
        mg_info("applying %zu migration%s below version %llu first", nbefore,
                nbefore == 1 ? "" : "s", (unsigned long long)t->o->from);
    rc = 0;
    for (size_t i = 0; !rc && i < nbefore; i++) {
        long long ms;
        rc = run_planned(t, MG_PLAN_UP, 0, before[i], &ms, err);
        if (rc)
            mg_err_context(err, "applying the migrations below --from %llu",
                           (unsigned long long)t->o->from);
    }
    free(before);
    return rc;
}

int mg_rollback_test(struct mg_rollback_report *out, const struct mg_ctx *ctx,
                     const struct mg_rollback_opts *o, struct mg_err *err)
{
    struct rb t;
    struct mg_schema s0 = {0};
    struct mg_buf label = MG_BUF_INIT;
    int64_t t0 = mg_monotonic_ms();
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&t, 0, sizeof(t));
    t.ctx = ctx;
    t.o = o;
    t.rep = out;
    t.run_ctx = *ctx;
    out->data = o->data;
    rc = mg_ctx_load_source(&t.run_ctx, &t.src, err);
    if (rc)
        return rc;
    if (mg_report_source_problems(&t.src)) {
        mg_source_free(&t.src);
        mg_err_set(err, MG_EINPUT, "the migrations directory '%s' has errors; nothing was tested",
                   t.run_ctx.path);
        mg_err_hint(err, "fix the files listed above ('migrate validate' lists them again)");
        return MG_EINPUT;
    }
    if (o->clone_url) {
        t.run_ctx.database_url = o->clone_url;
    } else {
        rc = mg_scratch_start(&t.scratch, o->driver, SCRATCH_DB, err);
        if (rc) {
            mg_source_free(&t.src);
            return rc;
        }
        t.sandbox = 1;
        t.run_ctx.database_url = t.scratch.url;
    }
    rc = open_session(&t, err);
    if (rc)
        goto out;
    if (t.sandbox)
        mg_buf_addf(&label, "a %s %s sandbox", t.s.conn->info.product,
                    t.s.conn->info.server_version);
    else
        mg_buf_addf(&label, "the clone %s (%s %s)", t.s.redacted_url, t.s.conn->info.product,
                    t.s.conn->info.server_version);
    out->target = mg_buf_detach(&label);
    rc = prepare(&t, err);
    if (!rc)
        rc = snapshot(&t, &s0, err);
    if (rc)
        goto out;
    if (out->already_applied)
        mg_info("%zu migration%s in range %s already applied on the clone and not tested",
                out->already_applied, out->already_applied == 1 ? " is" : "s are",
                out->already_applied == 1 ? "is" : "are");
    for (size_t i = 0; i < out->n; i++) {
        if (mg_run_interrupted()) {
            rc = mg_err_set(err, MG_ECANCELED, "interrupted");
            break;
        }
        rc = test_one(&t, &out->v[i], &s0, err);
        if (rc < 0)
            break;
        if (rc == STOP) {
            rc = 0;
            break;
        }
    }
out:
    for (size_t i = 0; i < out->n; i++) {
        if (!out->v[i].tested)
            out->not_run++;
        else if (out->v[i].failed)
            out->failed++;
        else
            out->passed++;
    }
    if (!out->target)
        out->target = mg_strdup(t.sandbox ? "a sandbox" : "the clone");
    mg_schema_free(&s0);
    mg_session_close(&t.s);
    if (t.sandbox)
        mg_scratch_stop(&t.scratch);
    mg_source_free(&t.src);
    mg_buf_free(&label);
    out->duration_ms = mg_monotonic_ms() - t0;
    return rc;
}

void mg_rollback_report_free(struct mg_rollback_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (int k = 0; k < MG_RB_NSTEPS; k++) {
            struct mg_rb_step *s = &r->v[i].steps[k];
            free(s->message);
            free(s->error_text);
            free(s->diff_text);
            json_decref(s->error);
            json_decref(s->diff);
            for (size_t j = 0; j < s->ndata_lost; j++)
                free(s->data_lost[j]);
            free(s->data_lost);
        }
        free(r->v[i].title);
    }
    free(r->v);
    free(r->target);
    free(r->stopped);
    memset(r, 0, sizeof(*r));
}

/* ---------- output ---------- */

static const char *status_name(enum mg_rb_status s)
{
    switch (s) {
    case MG_RB_PASSED:
        return "passed";
    case MG_RB_FAILED:
        return "failed";
    case MG_RB_SKIPPED:
        return "skipped";
    }
    return "skipped";
}

/* Appends text with every line after the first indented. */
static void add_indented(struct mg_buf *out, const char *text, const char *indent)
{
    const char *s = text;

    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t l = nl ? (size_t)(nl - s) : strlen(s);
        mg_buf_adds(out, indent);
        mg_buf_add(out, s, l);
        mg_buf_addch(out, '\n');
        s += l + (nl ? 1 : 0);
    }
}

void mg_rollback_text(struct mg_buf *out, const struct mg_rollback_report *r)
{
    mg_buf_addf(out, "test-rollback on %s: up, down and up again per migration, %s\n", r->target,
                r->data ? "schema and rows compared" : "schema compared");
    for (size_t i = 0; i < r->n; i++) {
        const struct mg_rb_mig *m = &r->v[i];
        const char *tag = !m->tested ? "skip" : m->failed ? "FAIL" : "ok";
        mg_buf_addf(out, "%-4s %llu_%s%s\n", tag, (unsigned long long)m->version, m->title,
                    m->tested ? "" : ": not run");
        if (!m->failed)
            continue;
        for (int k = 0; k < MG_RB_NSTEPS; k++) {
            const struct mg_rb_step *s = &m->steps[k];
            if (s->status == MG_RB_PASSED)
                continue;
            mg_buf_addf(out, "     %s: %s\n", step_names[k], s->message ? s->message : "");
            if (s->error_text) {
                const char *nl = strchr(s->error_text, '\n');
                if (nl)
                    add_indented(out, nl + 1, "       ");
            }
            if (s->diff_text)
                add_indented(out, s->diff_text, "       ");
            for (size_t j = 0; j < s->ndata_lost; j++)
                mg_buf_addf(out, "       %s\n", s->data_lost[j]);
        }
    }
    mg_buf_addf(out, "\n%zu migration%s: %zu passed, %zu failed", r->n, r->n == 1 ? "" : "s",
                r->passed, r->failed);
    if (r->not_run)
        mg_buf_addf(out, ", %zu not run", r->not_run);
    if (r->rebuilds)
        mg_buf_addf(out, "; the sandbox database was rebuilt %zu time%s after failures",
                    r->rebuilds, r->rebuilds == 1 ? "" : "s");
    mg_buf_addch(out, '\n');
    if (r->stopped)
        mg_buf_addf(out, "stopped early: %s\n", r->stopped);
    if (r->already_applied)
        mg_buf_addf(out, "%zu migration%s in range already applied on the clone: not tested\n",
                    r->already_applied, r->already_applied == 1 ? "" : "s");
}

json_t *mg_rollback_json(const struct mg_rollback_report *r)
{
    json_t *doc = json_object(), *migs = json_array();

    json_object_set_new(doc, "command", json_string("test-rollback"));
    json_object_set_new(doc, "target", json_string(r->target));
    json_object_set_new(doc, "data", json_boolean(r->data));
    json_object_set_new(doc, "ok", json_boolean(r->failed == 0 && r->not_run == 0));
    for (size_t i = 0; i < r->n; i++) {
        const struct mg_rb_mig *m = &r->v[i];
        json_t *o = json_object(), *steps = json_array();
        json_object_set_new(o, "version", json_integer((json_int_t)m->version));
        json_object_set_new(o, "name", json_string(m->title));
        json_object_set_new(o, "status",
                            json_string(!m->tested  ? "not_run"
                                        : m->failed ? "failed"
                                                    : "passed"));
        for (int k = 0; m->tested && k < MG_RB_NSTEPS; k++) {
            const struct mg_rb_step *s = &m->steps[k];
            json_t *so = json_object();
            json_object_set_new(so, "step", json_string(step_names[k]));
            json_object_set_new(so, "status", json_string(status_name(s->status)));
            json_object_set_new(so, "duration_ms", json_integer(s->duration_ms));
            if (s->message)
                json_object_set_new(so, "message", json_string(s->message));
            if (s->error)
                json_object_set_new(so, "error", json_incref(s->error));
            if (s->diff)
                json_object_set_new(so, "differences", json_incref(s->diff));
            if (s->ndata_lost) {
                json_t *a = json_array();
                for (size_t j = 0; j < s->ndata_lost; j++)
                    json_array_append_new(a, json_string(s->data_lost[j]));
                json_object_set_new(so, "data_lost", a);
            }
            json_array_append_new(steps, so);
        }
        json_object_set_new(o, "steps", steps);
        json_array_append_new(migs, o);
    }
    json_object_set_new(doc, "migrations", migs);
    json_object_set_new(doc, "summary",
                        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "migrations", (json_int_t)r->n,
                                  "passed", (json_int_t)r->passed, "failed", (json_int_t)r->failed,
                                  "not_run", (json_int_t)r->not_run, "already_applied",
                                  (json_int_t)r->already_applied, "rebuilds",
                                  (json_int_t)r->rebuilds));
    json_object_set_new(doc, "stopped", r->stopped ? json_string(r->stopped) : json_null());
    json_object_set_new(doc, "duration_ms", json_integer(r->duration_ms));
    return doc;
}

void mg_rollback_junit(struct mg_buf *out, const struct mg_rollback_report *r)
{
    size_t tests = r->n * MG_RB_NSTEPS, failures = 0, skipped = 0;
    double secs = (double)r->duration_ms / 1000;
    struct mg_buf cases = MG_BUF_INIT, name = MG_BUF_INIT;

    for (size_t i = 0; i < r->n; i++) {
        const struct mg_rb_mig *m = &r->v[i];
        mg_buf_reset(&name);
        mg_buf_addf(&name, "test-rollback.%llu_%s", (unsigned long long)m->version, m->title);
        for (int k = 0; k < MG_RB_NSTEPS; k++) {
            const struct mg_rb_step *s = &m->steps[k];
            enum mg_rb_status st = m->tested ? s->status : MG_RB_SKIPPED;
            mg_buf_adds(&cases, "    <testcase classname=\"");
            mg_buf_add_xml(&cases, name.ptr);
            mg_buf_addf(&cases, "\" name=\"%s\" time=\"%.3f\"", step_names[k],
                        (double)s->duration_ms / 1000);
            if (st == MG_RB_PASSED) {
                mg_buf_adds(&cases, "/>\n");
                continue;
            }
            mg_buf_adds(&cases, ">\n");
            if (st == MG_RB_SKIPPED) {
                skipped++;
                mg_buf_adds(&cases, "      <skipped message=\"");
                mg_buf_add_xml(&cases, m->tested && s->message ? s->message
                                                               : "not run: the test stopped first");
                mg_buf_adds(&cases, "\"/>\n");
            } else {
                failures++;
                mg_buf_adds(&cases, "      <failure message=\"");
                mg_buf_add_xml(&cases, s->message ? s->message : "failed");
                mg_buf_addf(&cases, "\" type=\"%s\">",
                            s->error  ? "error"
                            : s->diff ? "schema-differs"
                                      : "data-lost");
                if (s->error_text)
                    mg_buf_add_xml(&cases, s->error_text);
                if (s->diff_text) {
                    if (s->error_text)
                        mg_buf_addch(&cases, '\n');
                    mg_buf_add_xml(&cases, s->diff_text);
                }
                for (size_t j = 0; j < s->ndata_lost; j++) {
                    mg_buf_add_xml(&cases, s->data_lost[j]);
                    mg_buf_addch(&cases, '\n');
                }
                mg_buf_adds(&cases, "</failure>\n");
            }
            mg_buf_adds(&cases, "    </testcase>\n");
        }
    }
    mg_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    mg_buf_addf(out,
                "<testsuites name=\"migrate test-rollback\" tests=\"%zu\" failures=\"%zu\" "
                "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
                tests, failures, skipped, secs);
    mg_buf_adds(out, "  <testsuite name=\"test-rollback on ");
    mg_buf_add_xml(out, r->target);
    mg_buf_addf(out,
                "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
                tests, failures, skipped, secs);
    mg_buf_add(out, cases.ptr, cases.len);
    mg_buf_adds(out, "  </testsuite>\n</testsuites>\n");
    mg_buf_free(&cases);
    mg_buf_free(&name);
}
