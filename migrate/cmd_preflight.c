/*
 * cmd_preflight.c — migrate preflight [-d TARGET] [--max-xact-age DUR] [--max-lag DUR]:
 * read-only checks of the target right before the pending migrations run.
 */
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "log.h"
#include "preflight.h"
#include "util.h"

int cmd_preflight(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"max-xact-age", required_argument, NULL, 'A'},
        {"max-lag", required_argument, NULL, 'L'},
        {0, 0, 0, 0},
    };
    struct mg_preflight_opts o = {.max_xact_age_ms = 60000, .max_lag_ms = 10000};
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    struct mg_preflight pf;
    int c, rc;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'A') {
            if (mg_parse_duration(&o.max_xact_age_ms, optarg, err))
                return MG_EUSAGE;
        } else if (c == 'L') {
            if (mg_parse_duration(&o.max_lag_ms, optarg, err))
                return MG_EUSAGE;
        } else {
            return MG_EUSAGE;
        }
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE,
                          "usage: migrate preflight [--max-xact-age DUR] [--max-lag DUR]");
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    mg_report_source_problems(&src);
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    /* nothing here writes: the session refuses writes, and reads in one transaction */
    rc = drv_read_only(s.conn, err);
    if (!rc)
        rc = drv_begin(s.conn, err);
    if (!rc)
        rc = mg_history_load(&h, s.conn, err);
    if (rc) {
        mg_session_close(&s);
        mg_source_free(&src);
        return rc;
    }
    mg_status_build(&st, &src, &h);
    rc = mg_preflight_run(&pf, s.conn, &st, &o, err);
    if (!rc) {
        if (ctx->format == MG_FMT_JSON) {
            json_t *doc = json_object();
            json_object_set_new(doc, "command", json_string("preflight"));
            json_object_set_new(doc, "database", json_string(s.redacted_url));
            json_t *body = mg_preflight_json(&pf);
            json_object_update(doc, body);
            json_decref(body);
            mg_print_json(doc);
        } else {
            struct mg_buf text = MG_BUF_INIT;
            printf("database: %s (%s %s)\n", s.redacted_url, s.conn->info.product,
                   s.conn->info.server_version);
            mg_preflight_text(&pf, &text);
            fputs(text.ptr, stdout);
            mg_buf_free(&text);
        }
        size_t f = mg_preflight_findings(&pf);
        if (f)
            rc = mg_err_set(err, MG_EFINDINGS, "preflight found %zu thing%s to deal with first", f,
                            f == 1 ? "" : "s");
        mg_preflight_free(&pf);
    }
    drv_rollback_quiet(s.conn);
    mg_status_free(&st);
    mg_history_free(&h);
    mg_session_close(&s);
    mg_source_free(&src);
    return rc;
}
