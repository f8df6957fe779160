/* cmd_status.c — migrate status: every version, what the files and the history say. */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* A sentence about one entry's state, for the NOTE column and JSON "note". */
static void describe(struct mg_buf *out, const struct mg_entry *e, int runner_active)
{
    const struct mg_hrow *r = e->row;

    switch (e->state) {
    case MG_ST_PENDING:
        if (e->out_of_order)
            mg_buf_adds(out, "out of order: a later version is applied");
        break;
    case MG_ST_APPLIED:
        mg_buf_addf(out, "%s", r->applied_at ? r->applied_at : "");
        if (r->kind && strcmp(r->kind, "migration"))
            mg_buf_addf(out, " (%s)", r->kind);
        if (e->edited)
            mg_buf_addf(out, "; EDITED after apply (applied %.12s, file now %.12s)", r->checksum,
                        e->m->up->checksum);
        break;
    case MG_ST_FAILED:
    case MG_ST_REVERT_FAILED:
        if (r->kind && !strcmp(r->kind, "adopted")) {
            mg_buf_addf(out,
                        "left failed by the tool whose history was adopted (%s): how "
                        "much of it ran is unknown; repair it and use 'force'",
                        r->err_message ? r->err_message : "failed");
            break;
        }
        mg_buf_addf(out, "%s at statement %d of %d",
                    e->state == MG_ST_FAILED ? "up failed" : "down failed",
                    r->err_stmt ? r->err_stmt : r->stmts_done + 1, r->stmts_total);
        if (r->err_line)
            mg_buf_addf(out, " (line %d)", r->err_line);
        mg_buf_addf(out, ": %s%s%s%s", r->err_sqlstate ? "[" : "",
                    r->err_sqlstate ? r->err_sqlstate : "", r->err_sqlstate ? "] " : "",
                    r->err_message ? r->err_message : "");
        if (e->state == MG_ST_FAILED && !e->partial)
            mg_buf_adds(out, "; rolled back, nothing of it is applied; 'up' retries it");
        else if (e->state == MG_ST_FAILED)
            mg_buf_addf(out, "; statements 1-%d are applied; fix the file and 'up' resumes at %d",
                        r->stmts_done, r->stmts_done + 1);
        else
            mg_buf_addf(out, "; 'down' resumes at statement %d", r->stmts_done + 1);
        break;
    case MG_ST_INTERRUPTED:
    case MG_ST_REVERTING:
        if (runner_active)
            mg_buf_addf(out, "%s now: statement %d of %d done",
                        e->state == MG_ST_INTERRUPTED ? "applying" : "reverting", r->stmts_done,
                        r->stmts_total);
        else
            mg_buf_addf(out,
                        "interrupted: its run died after statement %d of %d; '%s' resumes at %d",
                        r->stmts_done, r->stmts_total,
                        e->state == MG_ST_INTERRUPTED ? "up" : "down", r->stmts_done + 1);
        break;
    case MG_ST_MISSING:
        mg_buf_adds(out, "applied, but the file is gone");
        break;
    }
}

int cmd_status(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {{0, 0, 0, 0}};
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    struct mg_buf who = MG_BUF_INIT, note = MG_BUF_INIT;
    int c, rc, attention = 0;
    size_t counts[7] = {0};

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1)
        return MG_EUSAGE;
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate status");
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    rc = mg_history_load(&h, s.conn, err);
    if (!rc)
        rc = drv_lock_holder(s.conn, MG_RUNNER_LOCK, &who, err);
    if (rc) {
        mg_session_close(&s);
        mg_source_free(&src);
        mg_buf_free(&who);
        return rc;
    }
    mg_status_build(&st, &src, &h);
    for (size_t i = 0; i < st.n; i++) {
        counts[st.v[i].state]++;
        int running =
            (st.v[i].state == MG_ST_INTERRUPTED || st.v[i].state == MG_ST_REVERTING) && who.len > 0;
        if ((st.v[i].state != MG_ST_APPLIED && st.v[i].state != MG_ST_PENDING && !running) ||
            st.v[i].edited)
            attention = 1;
    }

    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_object(), *arr = json_array(), *probs = json_array();
        json_object_set_new(doc, "database", json_string(s.redacted_url));
        json_object_set_new(
            doc, "server",
            json_sprintf("%s %s", s.conn->info.product, s.conn->info.server_version));
        json_object_set_new(doc, "path", json_string(ctx->path));
        json_object_set_new(doc, "layout", json_string(src.layout));
        json_object_set_new(doc, "version", json_integer((json_int_t)st.current));
        json_object_set_new(doc, "dirty", json_boolean(st.dirty));
        json_object_set_new(doc, "runner_active", json_boolean(who.len > 0));
        if (who.len)
            json_object_set_new(doc, "runner", json_string(who.ptr));
        for (size_t i = 0; i < st.n; i++) {
            const struct mg_entry *e = &st.v[i];
            json_t *o = json_object();
            mg_buf_reset(&note);
            describe(&note, e, who.len > 0);
            json_object_set_new(o, "version", json_integer((json_int_t)e->version));
            json_object_set_new(o, "name", json_string(e->title ? e->title : ""));
            json_object_set_new(o, "status", json_string(mg_state_name(e->state)));
            json_object_set_new(o, "edited", json_boolean(e->edited));
            json_object_set_new(o, "out_of_order", json_boolean(e->out_of_order));
            if (e->m && e->m->up)
                json_object_set_new(o, "checksum", json_string(e->m->up->checksum));
            if (e->row) {
                const struct mg_hrow *r = e->row;
                json_object_set_new(o, "applied_checksum", json_string(r->checksum));
                json_object_set_new(o, "applied_at", json_string(r->applied_at));
                json_object_set_new(o, "applied_by", json_string(r->applied_by));
                json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
                json_object_set_new(o, "statements_done", json_integer(r->stmts_done));
                json_object_set_new(o, "statements_total", json_integer(r->stmts_total));
                json_object_set_new(o, "transaction", json_boolean(!r->no_transaction));
                json_object_set_new(o, "kind", json_string(r->kind ? r->kind : "migration"));
                if (r->err_message) {
                    json_t *eo = json_object();
                    json_object_set_new(eo, "message", json_string(r->err_message));
                    if (r->err_sqlstate)
                        json_object_set_new(eo, "sqlstate", json_string(r->err_sqlstate));
                    if (r->err_detail)
                        json_object_set_new(eo, "detail", json_string(r->err_detail));
                    if (r->err_hint)
                        json_object_set_new(eo, "hint", json_string(r->err_hint));
                    if (r->err_line)
                        json_object_set_new(eo, "line", json_integer(r->err_line));
                    if (r->err_statement)
                        json_object_set_new(eo, "statement", json_string(r->err_statement));
                    json_object_set_new(o, "error", eo);
                }
            }
            if (note.len)
                json_object_set_new(o, "note", json_string(note.ptr));
            json_array_append_new(arr, o);
        }
        for (size_t i = 0; i < src.problems.n; i++) {
            const struct mg_problem *p = &src.problems.v[i];
            json_t *o = json_pack("{s:s,s:s,s:s}", "severity", mg_severity_name(p->sev), "code",
                                  p->code, "message", p->msg);
            if (p->file)
                json_object_set_new(o, "file", json_string(p->file));
            json_array_append_new(probs, o);
        }
        json_object_set_new(doc, "migrations", arr);
        json_object_set_new(doc, "problems", probs);
        mg_print_json(doc);
    } else {
        printf("database:   %s (%s %s)\n", s.redacted_url, s.conn->info.product,
               s.conn->info.server_version);
        printf("migrations: %s (%zu files, %s layout)\n", ctx->path, src.n, src.layout);
        printf("version:    %llu%s\n", (unsigned long long)st.current, st.dirty ? " (dirty)" : "");
        if (who.len)
            printf("runner:     a run is in progress: %s\n", who.ptr);
        if (!h.exists)
            printf("history:    none yet (no migration has run on this database)\n");
        printf("\n%-16s %-13s %-30s %s\n", "VERSION", "STATUS", "NAME", "NOTE");
        for (size_t i = 0; i < st.n; i++) {
            const struct mg_entry *e = &st.v[i];
            mg_buf_reset(&note);
            describe(&note, e, who.len > 0);
            printf("%-16llu %-13s %-30s %s\n", (unsigned long long)e->version,
                   e->edited ? "edited" : mg_state_name(e->state), e->title ? e->title : "",
                   note.ptr);
        }
        printf("\n%zu applied, %zu pending", counts[MG_ST_APPLIED], counts[MG_ST_PENDING]);
        if (counts[MG_ST_FAILED] + counts[MG_ST_REVERT_FAILED])
            printf(", %zu failed", counts[MG_ST_FAILED] + counts[MG_ST_REVERT_FAILED]);
        if (counts[MG_ST_INTERRUPTED] + counts[MG_ST_REVERTING])
            printf(", %zu in progress or interrupted",
                   counts[MG_ST_INTERRUPTED] + counts[MG_ST_REVERTING]);
        if (counts[MG_ST_MISSING])
            printf(", %zu missing files", counts[MG_ST_MISSING]);
        printf("\n");
        mg_report_source_problems(&src);
    }
    if (mg_problems_count(&src.problems, MG_SEV_ERROR))
        attention = 1;
    mg_status_free(&st);
    mg_history_free(&h);
    mg_session_close(&s);
    mg_source_free(&src);
    mg_buf_free(&who);
    mg_buf_free(&note);
    if (attention) {
        /* no message: the table said it; the exit code tells scripts */
        err->code = MG_EATTENTION;
        return MG_EATTENTION;
    }
    return 0;
}
