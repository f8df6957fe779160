/*
 * cmd_audit.c — migrate audit verify | log: check the hash chain of
 * migrate_events (naming the first row altered or removed), and list the
 * events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmds.h"
#include "log.h"
#include "util.h"

/* above the global options' values (cli.c), which mg_cli_getopt handles first */
enum { OPT_EXPECT_HEAD = 4096, OPT_LIMIT, OPT_RUN, OPT_ACTION };

static int verify(struct mg_ctx *ctx, struct mg_audit_rows *rows, const char *expect,
                  struct mg_err *err)
{
    struct mg_audit_report rep;
    int rc = 0;

    mg_audit_check(&rep, rows, expect);
    if (ctx->format == MG_FMT_JSON) {
        json_t *probs = json_array();
        for (size_t i = 0; i < rep.n; i++) {
            const struct mg_audit_problem *p = &rep.v[i];
            json_t *o =
                json_pack("{s:s,s:s}", "kind", mg_audit_kind_name(p->kind), "message", p->msg);
            json_object_set_new(o, "id", p->id ? json_integer(p->id) : json_null());
            if (p->kind == MG_AUDIT_REMOVED)
                json_object_set_new(o, "after_id",
                                    p->after_id ? json_integer(p->after_id) : json_null());
            json_array_append_new(probs, o);
        }
        json_t *doc = json_object();
        json_object_set_new(doc, "ok", json_boolean(rep.n == 0));
        json_object_set_new(doc, "events", json_integer((json_int_t)rep.nrows));
        json_object_set_new(doc, "head", rep.head[0] ? json_string(rep.head) : json_null());
        json_object_set_new(doc, "head_id", rep.head_id ? json_integer(rep.head_id) : json_null());
        json_object_set_new(doc, "problems", probs);
        mg_print_json(doc);
    } else {
        for (size_t i = 0; i < rep.n; i++)
            printf("%s: %s\n", mg_audit_kind_name(rep.v[i].kind), rep.v[i].msg);
        if (!rep.n)
            printf("%zu event%s, hash chain intact\n", rep.nrows, rep.nrows == 1 ? "" : "s");
        if (rep.head[0])
            printf("head: %s (event id %lld)\n", rep.head, rep.head_id);
    }
    if (rep.n) {
        rc = MG_EATTENTION;
        mg_err_set(err, MG_EATTENTION, "the audit trail was tampered with: %s", rep.v[0].msg);
        if (rep.n > 1)
            mg_err_detail(err, "%zu problems in all; the first is the earliest", rep.n);
        mg_err_hint(err, "compare migrate_events with a backup or the checkpoint files to see "
                         "what changed; the chain cannot be repaired, only explained");
    }
    mg_audit_report_free(&rep);
    return rc;
}

static int log_events(struct mg_ctx *ctx, struct mg_audit_rows *rows, long limit, const char *run,
                      const char *action)
{
    size_t first = 0, shown = 0;
    json_t *arr = json_array();

    /* the newest `limit` that pass the filters, printed oldest first */
    if (limit > 0) {
        size_t keep = 0;
        first = rows->n;
        while (first > 0 && keep < (size_t)limit) {
            const struct mg_audit_row *r = &rows->v[first - 1];
            if ((!run || mg_str_starts_with(r->fields[1], run)) &&
                (!action || !strcmp(r->fields[2], action)))
                keep++;
            first--;
        }
    }
    for (size_t i = first; i < rows->n; i++) {
        const struct mg_audit_row *r = &rows->v[i];
        char *const *f = r->fields;
        if ((run && !mg_str_starts_with(f[1], run)) || (action && strcmp(f[2], action) != 0))
            continue;
        shown++;
        if (ctx->format == MG_FMT_JSON) {
            json_t *meta = json_loads(f[11], 0, NULL);
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(r->id));
            json_object_set_new(o, "at", json_string(f[0]));
            json_object_set_new(o, "run_id", json_string(f[1]));
            json_object_set_new(o, "action", json_string(f[2]));
            json_object_set_new(o, "outcome", json_string(f[3]));
            json_object_set_new(o, "version", f[4][0] ? json_integer(atoll(f[4])) : json_null());
            json_object_set_new(o, "name", json_string(f[5]));
            json_object_set_new(o, "checksum", json_string(f[6]));
            json_object_set_new(o, "os_user", json_string(f[7]));
            json_object_set_new(o, "db_user", json_string(f[8]));
            json_object_set_new(o, "host", json_string(f[9]));
            json_object_set_new(o, "tool_version", json_string(f[10]));
            json_object_set_new(o, "meta", meta ? meta : json_string(f[11]));
            json_object_set_new(o, "prev_hash", json_string(r->prev_hash));
            json_object_set_new(o, "hash", json_string(r->hash));
            json_array_append_new(arr, o);
            continue;
        }
        struct mg_buf what = MG_BUF_INIT;
        if (f[4][0])
            mg_buf_addf(&what, "%s_%s", f[4], f[5]);
        printf("%-6lld %s  %-10s %-10s %-24s run %.8s  %s@%s as %s\n", r->id, f[0], f[2], f[3],
               what.len ? what.ptr : "-", f[1], f[7], f[9], f[8]);
        mg_buf_free(&what);
    }
    if (ctx->format == MG_FMT_JSON)
        mg_print_json(json_pack("{s:o}", "events", arr));
    else {
        json_decref(arr);
        if (!shown)
            printf("no events\n");
    }
    return 0;
}

int cmd_audit(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"expect-head", required_argument, NULL, OPT_EXPECT_HEAD},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"run", required_argument, NULL, OPT_RUN},
        {"action", required_argument, NULL, OPT_ACTION},
        {0, 0, 0, 0},
    };
    const char *expect = NULL, *run = NULL, *action = NULL, *sub;
    long limit = 0;
    struct mg_session s;
    struct mg_audit_rows rows;
    int c, rc;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == OPT_EXPECT_HEAD) {
            expect = optarg;
        } else if (c == OPT_LIMIT) {
            uint64_t n;
            if (mg_parse_u64(&n, optarg, strlen(optarg)) < 0 || n == 0 || n > 100000000) {
                mg_err_set(err, MG_EUSAGE, "--limit wants a number of events, not '%s'", optarg);
                return MG_EUSAGE;
            }
            limit = (long)n;
        } else if (c == OPT_RUN) {
            run = optarg;
        } else if (c == OPT_ACTION) {
            action = optarg;
        } else {
            return MG_EUSAGE;
        }
    }
    sub = argc - optind == 1 ? argv[optind] : NULL;
    if (!sub || (strcmp(sub, "verify") != 0 && strcmp(sub, "log") != 0)) {
        mg_err_set(err, MG_EUSAGE,
                   "usage: migrate audit verify [--expect-head HASH] | log "
                   "[--limit N] [--run ID] [--action ACTION]");
        return MG_EUSAGE;
    }
    if (!strcmp(sub, "verify") && (limit || run || action)) {
        mg_err_set(err, MG_EUSAGE, "--limit, --run and --action go with 'audit log'");
        mg_err_hint(err, "verify always checks the whole chain");
        return MG_EUSAGE;
    }
    if (!strcmp(sub, "log") && expect) {
        mg_err_set(err, MG_EUSAGE, "--expect-head goes with 'audit verify'");
        return MG_EUSAGE;
    }
    if (expect && (strlen(expect) != 64 || strspn(expect, "0123456789abcdef") != 64)) {
        mg_err_set(err, MG_EUSAGE, "--expect-head wants a 64-digit lowercase SHA-256, not '%s'",
                   expect);
        mg_err_hint(err, "take it from the 'head:' line of an earlier 'migrate audit verify'");
        return MG_EUSAGE;
    }
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc)
        return rc;
    rc = mg_audit_load(&rows, s.conn, err);
    mg_session_close(&s);
    if (rc)
        return rc;
    if (!strcmp(sub, "verify"))
        rc = verify(ctx, &rows, expect, err);
    else
        rc = log_events(ctx, &rows, limit, run, action);
    mg_audit_rows_free(&rows);
    return rc;
}
