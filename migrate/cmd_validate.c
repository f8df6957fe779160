/*
 * cmd_validate.c — migrate validate: the files on their own (names,
 * duplicates, pairs, encoding, directives, gaps) and, given a database, the
 * files against its history (edits after apply, missing files, pending
 * versions below the current one, failed runs).
 */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* Sequence-numbered directories (small versions) should have no holes. */
static void check_gaps(const struct mg_source *src, struct mg_problems *out)
{
    uint64_t a = 0;

    if (!src->n || src->v[src->n - 1].version >= 1000000000ULL)
        return;
    for (size_t i = 0; i < src->n; i++) {
        uint64_t b = src->v[i].version;
        if (!src->v[i].up)
            continue; /* reported on its own */
        if (i == 0 || !a) {
            a = b;
            continue;
        }
        if (b > a + 1)
            mg_problems_add(out, MG_SEV_WARNING, "version-gap", NULL, 0, b,
                            "a deleted or renamed migration leaves a hole; check it was intended",
                            "no version between %llu and %llu", (unsigned long long)a,
                            (unsigned long long)b);
        a = b;
    }
}

static void check_history(const struct mg_status *st, int allow_ooo, struct mg_problems *out)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct mg_entry *e = &st->v[i];
        const char *file = e->m && e->m->up ? e->m->up->path : NULL;
        if (e->edited)
            mg_problems_add(out, MG_SEV_ERROR, "edited-after-apply", file, 0, e->version,
                            "undo the edit and make the change in a new migration",
                            "'%s' was edited after it was applied (checksum %.12s, applied %.12s)",
                            e->m->up->name, e->m->up->checksum, e->row->checksum);
        if (e->state == MG_ST_MISSING)
            mg_problems_add(out, MG_SEV_ERROR, "missing-file", NULL, 0, e->version,
                            "restore the file from version control",
                            "version %llu (%s) is applied but has no file",
                            (unsigned long long)e->version, e->title);
        if (e->out_of_order)
            mg_problems_add(out, allow_ooo ? MG_SEV_WARNING : MG_SEV_ERROR, "out-of-order", file, 0,
                            e->version,
                            "renumber it above the current version, or apply it with "
                            "--allow-out-of-order",
                            "'%s' is pending but version %llu is already applied", e->m->up->name,
                            (unsigned long long)st->current);
        if (e->state == MG_ST_FAILED || e->state == MG_ST_REVERT_FAILED ||
            e->state == MG_ST_INTERRUPTED || e->state == MG_ST_REVERTING)
            mg_problems_add(out, MG_SEV_ERROR, "unfinished-migration", file, 0, e->version,
                            "'migrate status' explains it; finish it with up or down, or "
                            "record the truth with force",
                            "version %llu (%s) is %s at statement %d of %d",
                            (unsigned long long)e->version, e->title, mg_state_name(e->state),
                            e->row->stmts_done + 1, e->row->stmts_total);
    }
}

int cmd_validate(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"allow-out-of-order", no_argument, NULL, 'O'},
        {0, 0, 0, 0},
    };
    struct mg_source src;
    struct mg_problems extra = {0};
    int c, rc, allow_ooo = 0, with_db = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'O')
            allow_ooo = 1;
        else
            return MG_EUSAGE;
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate validate [--allow-out-of-order]");
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    check_gaps(&src, &extra);
    if (ctx->database_url && ctx->database_url[0]) {
        struct mg_session s;
        struct mg_history h;
        rc = mg_session_open(&s, ctx, 0, err);
        if (!rc) {
            rc = mg_history_load(&h, s.conn, err);
            mg_session_close(&s);
        }
        if (rc) {
            mg_source_free(&src);
            mg_problems_free(&extra);
            return rc;
        }
        struct mg_status st;
        mg_status_build(&st, &src, &h);
        check_history(&st, allow_ooo, &extra);
        mg_status_free(&st);
        mg_history_free(&h);
        with_db = 1;
    } else {
        mg_info("no database given: checked the files only");
    }

    const struct mg_problems *lists[2] = {&src.problems, &extra};
    size_t errors = 0, warnings = 0;
    json_t *arr = json_array();
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            const struct mg_problem *p = &lists[l]->v[i];
            if (p->sev == MG_SEV_ERROR)
                errors++;
            else if (p->sev == MG_SEV_WARNING)
                warnings++;
            if (ctx->format == MG_FMT_JSON) {
                json_t *o = json_pack("{s:s,s:s,s:s}", "severity", mg_severity_name(p->sev), "code",
                                      p->code, "message", p->msg);
                if (p->file)
                    json_object_set_new(o, "file", json_string(p->file));
                if (p->line)
                    json_object_set_new(o, "line", json_integer(p->line));
                if (p->version)
                    json_object_set_new(o, "version", json_integer((json_int_t)p->version));
                if (p->hint)
                    json_object_set_new(o, "hint", json_string(p->hint));
                json_array_append_new(arr, o);
            } else {
                if (p->file)
                    printf("%s:%d: ", p->file, p->line ? p->line : 1);
                printf("%s: %s: %s\n", mg_severity_name(p->sev), p->code, p->msg);
                if (p->hint)
                    printf("  hint: %s\n", p->hint);
            }
        }
    }
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_pack("{s:b,s:s,s:b,s:I,s:I,s:I}", "ok", errors == 0, "path", ctx->path,
                                "checked_history", with_db, "migrations", (json_int_t)src.n,
                                "errors", (json_int_t)errors, "warnings", (json_int_t)warnings);
        json_object_set_new(doc, "problems", arr);
        mg_print_json(doc);
    } else {
        json_decref(arr);
        printf("%zu migrations: %zu error%s, %zu warning%s\n", src.n, errors,
               errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    mg_source_free(&src);
    mg_problems_free(&extra);
    if (errors)
        return err->code = MG_EFINDINGS;
    return 0;
}
