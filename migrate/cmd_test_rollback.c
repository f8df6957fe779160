/*
 * cmd_test_rollback.c — migrate test-rollback: up, down and up again for
 * each migration on a sandbox or a clone, with the schema (and, with
 * --data, the rows) compared after each step.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "rollback.h"
#include "schema.h"
#include "util.h"

/* The default driver: the one of the -d URL's scheme, else postgres. */
static const char *default_driver(const struct mg_ctx *ctx)
{
    const char *url = ctx->database_url;
    const char *p = url ? strstr(url, "://") : NULL;
    char scheme[32];

    if (!p || (size_t)(p - url) >= sizeof(scheme))
        return "postgres";
    snprintf(scheme, sizeof(scheme), "%.*s", (int)(p - url), url);
    const struct drv_ops *ops = drv_for_scheme(scheme);
    return ops ? ops->name : "postgres";
}

int cmd_test_rollback(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"sandbox", no_argument, NULL, 'S'},
        {"clone", required_argument, NULL, 'C'},
        {"driver", required_argument, NULL, 'D'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"data", no_argument, NULL, 'A'},
        {"data-max-rows", required_argument, NULL, 'M'},
        {"ignore-column-order", no_argument, NULL, 'O'},
        /* before the global --format, so junit is ours to take */
        {"format", required_argument, NULL, 'f'},
        {0, 0, 0, 0},
    };
    struct mg_rollback_opts o = {.to = UINT64_MAX, .data_max_rows = 100000};
    struct mg_rollback_report rep;
    int c, rc, sandbox = 0, junit = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case 'S':
            sandbox = 1;
            break;
        case 'C':
            o.clone_url = optarg;
            break;
        case 'D':
            if (!drv_for_name(optarg)) {
                mg_err_set(err, MG_EUSAGE, "unknown --driver '%s'", optarg);
                mg_err_hint(err, "use --driver postgres or --driver mysql");
                return MG_EUSAGE;
            }
            o.driver = drv_for_name(optarg)->name;
            break;
        case 'F':
            if (mg_cli_version_arg(&o.from, optarg, err))
                return MG_EUSAGE;
            break;
        case 'T':
            if (mg_cli_version_arg(&o.to, optarg, err))
                return MG_EUSAGE;
            break;
        case 'A':
            o.data = 1;
            break;
        case 'M': {
            uint64_t n;
            if (mg_parse_u64(&n, optarg, strlen(optarg)) < 0 || n > 100000000) {
                mg_err_set(err, MG_EUSAGE, "--data-max-rows wants a number of rows, not '%s'",
                           optarg);
                return MG_EUSAGE;
            }
            o.data_max_rows = (long long)n;
            break;
        }
        case 'O':
            o.diff_flags |= MG_SCHEMA_IGNORE_COLUMN_ORDER;
            break;
        case 'f':
            junit = !strcmp(optarg, "junit");
            if (!junit && strcmp(optarg, "text") && strcmp(optarg, "json")) {
                mg_err_set(err, MG_EUSAGE, "unknown --format '%s'", optarg);
                mg_err_hint(err, "use --format text, json or junit");
                return MG_EUSAGE;
            }
            if (!junit)
                ctx->format = !strcmp(optarg, "json") ? MG_FMT_JSON : MG_FMT_TEXT;
            break;
        default:
            return MG_EUSAGE;
        }
    }
    if (optind < argc) {
        mg_err_set(err, MG_EUSAGE, "test-rollback takes no arguments ('%s')", argv[optind]);
        mg_err_hint(err, "usage: migrate test-rollback [--sandbox | --clone URL] [--from V] "
                         "[--to V] [--data] [--format text|json|junit]");
        return MG_EUSAGE;
    }
    if (sandbox && o.clone_url)
        return mg_err_set(err, MG_EUSAGE, "--sandbox and --clone exclude each other");
    if (o.from > o.to) {
        mg_err_set(err, MG_EUSAGE, "--from %llu is above --to %llu", (unsigned long long)o.from,
                   (unsigned long long)o.to);
        return MG_EUSAGE;
    }
    if (o.clone_url && o.driver) {
        mg_err_set(err, MG_EUSAGE, "--driver chooses the sandbox; a --clone URL says its own");
        return MG_EUSAGE;
    }
    /* migrate.ini's environment may name the database whose driver is the default */
    rc = mg_ctx_prepare(ctx, err);
    if (rc)
        return rc;
    if (!o.driver)
        o.driver = default_driver(ctx);

    rc = mg_rollback_test(&rep, ctx, &o, err);
    if (rep.n || !rc) {
        struct mg_buf out = MG_BUF_INIT;
        if (junit) {
            mg_rollback_junit(&out, &rep);
            fwrite(out.ptr, 1, out.len, stdout);
        } else if (ctx->format == MG_FMT_JSON) {
            json_t *doc = mg_rollback_json(&rep);
            if (rc)
                json_object_set_new(doc, "error", mg_err_json(err));
            mg_print_json(doc);
        } else {
            mg_rollback_text(&out, &rep);
            fwrite(out.ptr, 1, out.len, stdout);
        }
        mg_buf_free(&out);
    }
    if (!rc && (rep.failed || rep.not_run)) {
        /* no message: the report says it; the exit code tells scripts */
        err->code = MG_EDIFFERS;
        rc = MG_EDIFFERS;
    }
    mg_rollback_report_free(&rep);
    return rc;
}
