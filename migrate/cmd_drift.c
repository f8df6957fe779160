/*
 * cmd_drift.c — migrate drift: the live database's schema against the schema
 * its recorded migrations produce.  The applied versions of the history are
 * replayed, with the engine's runner, on an empty sandbox database of the
 * same kind; the two snapshots are compared object by object, so what was
 * added, removed or changed by hand shows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "log.h"
#include "plan.h"
#include "run.h"
#include "schema.h"
#include "scratch.h"
#include "util.h"

#define SCRATCH_DB "migrate_drift"

struct notes {
    char **v;
    size_t n, cap;
};

static void note(struct notes *ns, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct notes *ns, const char *fmt, ...)
{
    struct mg_buf b = MG_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    mg_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    mg_grow_array((void **)&ns->v, &ns->cap, ns->n + 1, sizeof(char *));
    ns->v[ns->n++] = mg_buf_detach(&b);
}

static void notes_free(struct notes *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

/*
 * The steps that replay the applied versions, in version order; what cannot
 * be replayed faithfully becomes a note.  Entries point into `src`.
 */
static void replay_plan(struct mg_plan *plan, struct mg_entry *entries, const struct mg_source *src,
                        const struct mg_history *h, struct notes *ns)
{
    size_t n = 0;

    plan->v = mg_calloc(h->n ? h->n : 1, sizeof(*plan->v));
    plan->n = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct mg_hrow *r = &h->v[i];
        const struct mg_migration *m = mg_source_find(src, r->version);
        const char *kind = r->kind ? r->kind : "migration";
        if (r->status != MG_H_APPLIED) {
            note(ns,
                 "version %llu is %s in the history and is not replayed; what it did to the "
                 "database shows as drift",
                 (unsigned long long)r->version, mg_hstatus_name(r->status));
            continue;
        }
        if (!m || !m->up) {
            note(ns,
                 "version %llu (%s) is recorded as applied but has no up file here; what it "
                 "made shows as added by hand",
                 (unsigned long long)r->version, r->name ? r->name : "");
            continue;
        }
        if (strcmp(kind, "migration") != 0)
            note(ns, "version %llu was recorded by %s, not run by migrate; its file is replayed",
                 (unsigned long long)r->version, kind);
        else if (r->checksum && strcmp(r->checksum, m->up->checksum) != 0)
            note(ns,
                 "%s was edited after it was applied; the file is replayed as it is now, so the "
                 "edit may show as drift",
                 m->up->name);
        struct mg_entry *e = &entries[n++];
        memset(e, 0, sizeof(*e));
        e->version = m->version;
        e->title = m->title;
        e->m = m;
        e->state = MG_ST_PENDING;
        plan->v[plan->n].e = e;
        plan->v[plan->n].dir = MG_UP;
        plan->n++;
    }
}

/* Replays the plan on a sandbox of the live database's kind and takes its snapshot. */
static int replay(struct mg_schema *out, const struct mg_ctx *ctx, const char *driver,
                  const struct mg_plan *plan, struct mg_err *err)
{
    struct mg_scratch sc;
    struct mg_ctx rctx = *ctx;
    struct mg_session s;
    struct mg_run_report rep = {0};
    int rc;

    rc = mg_scratch_start(&sc, driver, SCRATCH_DB, err);
    if (rc)
        return rc;
    rctx.database_url = sc.url;
    rc = mg_session_open(&s, &rctx, 1, err);
    if (!rc) {
        mg_info("replaying %zu applied migration%s on the sandbox", plan->n,
                plan->n == 1 ? "" : "s");
        rc = mg_run_plan(&s, &rctx, plan, &rep, err);
        if (rc)
            mg_err_context(err, "replaying the applied migrations on a sandbox, to know what "
                                "they should have made");
        if (!rc)
            rc = mg_schema_snapshot(out, NULL, s.conn, err);
        mg_session_close(&s);
    }
    mg_run_report_free(&rep);
    mg_scratch_stop(&sc);
    return rc;
}

int cmd_drift(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"ignore-column-order", no_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_schema live = {0}, replayed = {0};
    struct mg_schema_diff d = {0};
    struct mg_plan plan = {0};
    struct mg_entry *entries = NULL;
    struct notes ns = {0};
    char product[64] = "", version[128] = "", driver[16];
    unsigned flags = 0;
    int c, rc;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'C')
            flags |= MG_SCHEMA_IGNORE_COLUMN_ORDER;
        else
            return MG_EUSAGE;
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate drift -d URL [--ignore-column-order]");
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    if (mg_report_source_problems(&src)) {
        mg_source_free(&src);
        mg_err_set(err, MG_EINPUT, "the migrations directory '%s' has errors", ctx->path);
        mg_err_hint(err, "fix the files listed above ('migrate validate' lists them again)");
        return MG_EINPUT;
    }
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    rc = mg_history_load(&h, s.conn, err);
    if (!rc && !h.exists) {
        mg_err_set(err, MG_EUSAGE, "%s has no migration history", s.redacted_url);
        mg_err_hint(err, "drift compares a database with the migrations recorded in it; apply "
                         "them with 'migrate up', or adopt the database with 'migrate baseline'");
        rc = MG_EUSAGE;
    }
    if (!rc)
        rc = mg_schema_snapshot(&live, NULL, s.conn, err);
    if (!rc) {
        snprintf(product, sizeof(product), "%s", s.conn->info.product);
        snprintf(version, sizeof(version), "%s", s.conn->info.server_version);
        snprintf(driver, sizeof(driver), "%s", s.conn->ops->name);
    }
    /* the live database is only read: let go of it before the replay */
    struct mg_buf label = MG_BUF_INIT;
    mg_buf_adds(&label, s.redacted_url);
    mg_session_close(&s);
    if (rc)
        goto out;

    entries = mg_calloc(h.n ? h.n : 1, sizeof(*entries));
    replay_plan(&plan, entries, &src, &h, &ns);
    for (size_t i = 0; i < ns.n; i++)
        mg_warn("%s", ns.v[i]);
    rc = replay(&replayed, ctx, driver, &plan, err);
    if (rc)
        goto out;
    mg_schema_diff(&d, &replayed, &live, flags);

    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_object(), *vs = json_array(), *na = json_array();
        json_object_set_new(doc, "database", json_string(label.ptr));
        json_object_set_new(doc, "server", json_sprintf("%s %s", product, version));
        for (size_t i = 0; i < plan.n; i++)
            json_array_append_new(vs, json_integer((json_int_t)plan.v[i].e->version));
        json_object_set_new(doc, "replayed", vs);
        for (size_t i = 0; i < ns.n; i++)
            json_array_append_new(na, json_string(ns.v[i]));
        json_object_set_new(doc, "notes", na);
        json_object_set_new(doc, "drift", json_boolean(d.n > 0));
        json_object_set_new(doc, "summary",
                            json_pack("{s:I,s:I,s:I}", "added", (json_int_t)d.added, "removed",
                                      (json_int_t)d.removed, "changed", (json_int_t)d.changed));
        json_object_set_new(doc, "differences", mg_schema_diff_json(&d));
        mg_print_json(doc);
    } else {
        struct mg_buf out = MG_BUF_INIT;
        mg_buf_addf(&out,
                    "drift: %s (%s %s) against its %zu applied migration%s replayed on a "
                    "sandbox\n",
                    label.ptr, product, version, plan.n, plan.n == 1 ? "" : "s");
        if (!d.n) {
            mg_buf_addf(&out, "no drift: the schema is what its migrations make (%zu objects)\n",
                        live.n);
        } else {
            mg_buf_adds(&out, "(- as the migrations make it, + as the database has it)\n");
            mg_schema_diff_text(&out, &d, "");
            mg_buf_addf(&out,
                        "\n%zu object%s drifted: %zu added by hand, %zu removed by hand, %zu "
                        "changed by hand\n",
                        d.n, d.n == 1 ? "" : "s", d.added, d.removed, d.changed);
        }
        fwrite(out.ptr, 1, out.len, stdout);
        mg_buf_free(&out);
    }
    if (d.n) {
        /* no message: the report says it; the exit code tells scripts */
        err->code = MG_EDIFFERS;
        rc = MG_EDIFFERS;
    }
out:
    mg_buf_free(&label);
    mg_schema_diff_free(&d);
    mg_schema_free(&live);
    mg_schema_free(&replayed);
    mg_plan_free(&plan);
    free(entries);
    notes_free(&ns);
    mg_history_free(&h);
    mg_source_free(&src);
    return rc;
}
