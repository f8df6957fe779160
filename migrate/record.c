/* record.c — force and baseline (see record.h). */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "gate.h"
#include "log.h"
#include "util.h"

struct change {
    uint64_t version;
    const char *name;
    const char *what; /* recorded, unrecorded, resolved */
};

static int write_row(struct mg_session *s, const struct mg_ctx *ctx, uint64_t version,
                     const char *name, const char *checksum, const char *kind, int total,
                     struct mg_err *err)
{
    struct mg_hrow row;
    char at[40];
    int rc;

    mg_now_iso(at);
    memset(&row, 0, sizeof(row));
    row.version = version;
    row.name = (char *)name;
    row.checksum = (char *)checksum;
    row.status = MG_H_APPLIED;
    row.kind = (char *)kind;
    row.stmts_done = total;
    row.stmts_total = total;
    row.applied_at = at;
    row.applied_by = (char *)mg_os_user();
    row.run_id = (char *)ctx->run_id;
    rc = mg_history_upsert(s->conn, &row, err);
    return rc;
}

static int log_event(struct mg_session *s, const struct mg_ctx *ctx, const char *action,
                     const char *outcome, uint64_t version, const char *name, const char *checksum,
                     uint64_t target, struct mg_err *err)
{
    json_t *meta = json_pack("{s:s,s:I}", "command", ctx->command, "target", (json_int_t)target);
    struct mg_event ev = {.run_id = ctx->run_id,
                          .action = action,
                          .outcome = outcome,
                          .version = version,
                          .name = name,
                          .checksum = checksum,
                          .meta = meta};
    int rc = mg_event_append(s->conn, &ev, err);

    json_decref(meta);
    return rc;
}

int mg_record(struct mg_ctx *ctx, enum mg_record_kind kind, uint64_t target, struct mg_err *err)
{
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    struct change *ch = NULL;
    size_t nch = 0, cap = 0;
    const char *action = kind == MG_RECORD_FORCE ? "force" : "baseline";
    int rc, known = target == 0;

    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    mg_report_source_problems(&src);
    rc = mg_session_open(&s, ctx, 1, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    rc = mg_history_load(&h, s.conn, err);
    if (rc)
        goto out;
    mg_status_build(&st, &src, &h);
    for (size_t i = 0; i < st.n; i++)
        if (st.v[i].version == target)
            known = 1;
    if (kind == MG_RECORD_FORCE && (rc = mg_gate_confirm(ctx, &s, "force", err)))
        goto out_status;
    if (kind == MG_RECORD_BASELINE && h.n) {
        rc = mg_err_set(err, MG_EUSAGE, "the database already has migration history (%zu rows)",
                        h.n);
        mg_err_hint(err, "baseline is for adopting a database that has none; to change the "
                         "recorded state use 'migrate force V'");
        goto out_status;
    }
    if (!known && kind == MG_RECORD_FORCE) {
        rc = mg_err_set(err, MG_EUSAGE, "there is no migration with version %llu",
                        (unsigned long long)target);
        mg_err_hint(err, "'migrate status' lists the versions; 'force 0' records that nothing "
                         "is applied");
        goto out_status;
    }
    if (kind == MG_RECORD_BASELINE && target == 0) {
        rc = mg_err_set(err, MG_EUSAGE, "baseline needs a version above 0");
        goto out_status;
    }
    if (s.conn->info.transactional_ddl) {
        rc = drv_begin(s.conn, err);
        if (rc)
            goto out_status;
    }
    for (size_t i = 0; !rc && i < st.n; i++) {
        const struct mg_entry *e = &st.v[i];
        mg_grow_array((void **)&ch, &cap, nch + 1, sizeof(*ch));
        ch[nch].version = e->version;
        ch[nch].name = e->title;
        ch[nch].what = NULL;
        if (e->version > target) {
            if (e->row) {
                rc = mg_history_delete(s.conn, e->version, err);
                if (!rc)
                    rc = log_event(&s, ctx, action, "unrecorded", e->version, e->title,
                                   e->row->checksum, target, err);
                ch[nch].what = "recorded as not applied";
            }
        } else if (!e->row || e->row->status != MG_H_APPLIED) {
            const char *sum = e->m && e->m->up ? e->m->up->checksum
                              : e->row         ? e->row->checksum
                                               : "";
            const char *k = kind == MG_RECORD_FORCE ? "forced" : "baseline";
            rc = write_row(&s, ctx, e->version, e->title, sum, k, 0, err);
            if (!rc)
                rc = log_event(&s, ctx, action, "recorded", e->version, e->title, sum, target, err);
            ch[nch].what = e->row ? "recorded as applied (was unfinished)" : "recorded as applied";
        }
        if (ch[nch].what)
            nch++;
    }
    if (!rc && kind == MG_RECORD_BASELINE && !mg_source_find(&src, target)) {
        /* no file for the baseline version itself: a marker row holds it */
        rc = write_row(&s, ctx, target, "baseline", "", "baseline", 0, err);
        if (!rc)
            rc = log_event(&s, ctx, action, "recorded", target, "baseline", "", target, err);
        mg_grow_array((void **)&ch, &cap, nch + 1, sizeof(*ch));
        ch[nch].version = target;
        ch[nch].name = "baseline";
        ch[nch++].what = "recorded as the baseline";
    }
    if (s.conn->info.transactional_ddl) {
        if (rc)
            drv_rollback_quiet(s.conn);
        else
            rc = drv_commit(s.conn, err);
    }
    if (!rc) {
        if (ctx->format == MG_FMT_JSON) {
            json_t *arr = json_array();
            for (size_t i = 0; i < nch; i++)
                json_array_append_new(
                    arr, json_pack("{s:I,s:s,s:s}", "version", (json_int_t)ch[i].version, "name",
                                   ch[i].name ? ch[i].name : "", "change", ch[i].what));
            json_t *doc = json_pack("{s:s,s:I,s:o}", "command", ctx->command, "version",
                                    (json_int_t)target, "changes", arr);
            mg_print_json(doc);
        } else {
            for (size_t i = 0; i < nch; i++)
                printf("%llu_%s: %s\n", (unsigned long long)ch[i].version,
                       ch[i].name ? ch[i].name : "", ch[i].what);
            printf("version: %llu (no SQL was run)\n", (unsigned long long)target);
        }
    }
    free(ch);
out_status:
    mg_status_free(&st);
    mg_history_free(&h);
out:
    mg_session_close(&s);
    mg_source_free(&src);
    return rc;
}
