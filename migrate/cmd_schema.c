/*
 * cmd_schema.c — migrate schema dump | diff A B: the deterministic schema
 * snapshot of a database, and the difference between two snapshots (files
 * or databases), object by object.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "log.h"
#include "schema.h"

static int schema_dump(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    struct mg_session s;
    struct mg_buf text = MG_BUF_INIT;
    struct mg_schema snap;
    int rc;

    if (argc > 0)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate schema dump [-d URL] [--format json]");
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc)
        return rc;
    rc = mg_schema_snapshot(ctx->format == MG_FMT_JSON ? &snap : NULL, &text, s.conn, err);
    mg_session_close(&s);
    if (rc) {
        mg_buf_free(&text);
        return rc;
    }
    if (ctx->format == MG_FMT_JSON) {
        mg_print_json(mg_schema_json(&snap));
        mg_schema_free(&snap);
    } else {
        fwrite(text.ptr, 1, text.len, stdout);
    }
    mg_buf_free(&text);
    return 0;
}

static int schema_diff(int argc, char **argv, struct mg_ctx *ctx, unsigned flags,
                       struct mg_err *err)
{
    struct mg_schema a, b;
    struct mg_buf la = MG_BUF_INIT, lb = MG_BUF_INIT, text = MG_BUF_INIT;
    struct mg_schema_diff d;
    int rc;

    if (argc != 2) {
        mg_err_set(err, MG_EUSAGE, "usage: migrate schema diff A B");
        mg_err_hint(err, "A and B are files written by 'migrate schema dump' or database URLs");
        return MG_EUSAGE;
    }
    rc = mg_schema_load(&a, &la, argv[0], ctx, err);
    if (rc)
        goto out_labels;
    rc = mg_schema_load(&b, &lb, argv[1], ctx, err);
    if (rc) {
        mg_schema_free(&a);
        goto out_labels;
    }
    if (a.dialect && b.dialect && strcmp(a.dialect, b.dialect) != 0)
        mg_warn("comparing a %s snapshot with a %s one: every object will differ", a.dialect,
                b.dialect);
    mg_schema_diff(&d, &a, &b, flags);
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "a", json_string(la.ptr));
        json_object_set_new(doc, "b", json_string(lb.ptr));
        json_object_set_new(doc, "equal", json_boolean(d.n == 0));
        json_object_set_new(doc, "summary",
                            json_pack("{s:I,s:I,s:I}", "added", (json_int_t)d.added, "removed",
                                      (json_int_t)d.removed, "changed", (json_int_t)d.changed));
        json_object_set_new(doc, "differences", mg_schema_diff_json(&d));
        mg_print_json(doc);
    } else if (d.n == 0) {
        printf("no differences (%zu objects)\n", a.n);
    } else {
        mg_buf_addf(&text, "--- %s\n+++ %s\n", la.ptr, lb.ptr);
        mg_schema_diff_text(&text, &d, "");
        mg_buf_addf(&text, "\n%zu object%s differ: %zu added, %zu removed, %zu changed\n", d.n,
                    d.n == 1 ? "" : "s", d.added, d.removed, d.changed);
        fwrite(text.ptr, 1, text.len, stdout);
    }
    if (d.n) {
        /* no message: the output says it; the exit code tells scripts */
        err->code = MG_EDIFFERS;
        rc = MG_EDIFFERS;
    }
    mg_schema_diff_free(&d);
    mg_schema_free(&a);
    mg_schema_free(&b);
out_labels:
    mg_buf_free(&la);
    mg_buf_free(&lb);
    mg_buf_free(&text);
    return rc;
}

int cmd_schema(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"ignore-column-order", no_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    unsigned flags = 0;
    int c;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'C')
            flags |= MG_SCHEMA_IGNORE_COLUMN_ORDER;
        else
            return MG_EUSAGE;
    }
    if (optind >= argc) {
        mg_err_set(err, MG_EUSAGE, "usage: migrate schema dump | migrate schema diff A B");
        return MG_EUSAGE;
    }
    const char *verb = argv[optind];
    if (!strcmp(verb, "dump")) {
        if (flags)
            return mg_err_set(err, MG_EUSAGE, "--ignore-column-order goes with 'schema diff'");
        return schema_dump(argc - optind - 1, argv + optind + 1, ctx, err);
    }
    if (!strcmp(verb, "diff"))
        return schema_diff(argc - optind - 1, argv + optind + 1, ctx, flags, err);
    mg_err_set(err, MG_EUSAGE, "unknown schema action '%s'", verb);
    mg_err_hint(err, "use 'migrate schema dump' or 'migrate schema diff A B'");
    return MG_EUSAGE;
}
