/*
 * cmd_clone.c — migrate clone --from URL (--to URL | --sandbox) [--sample N% | --rows N]:
 * a copy of a database to estimate on; prints the clone's URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clone.h"
#include "cmds.h"
#include "log.h"
#include "util.h"

/* "10%", "10" or "2.5%": a share of rows, 0 < p <= 100. */
static int parse_pct(double *out, const char *s, struct mg_err *err)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || (*end && strcmp(end, "%")) || !(v > 0) || v > 100) {
        mg_err_set(err, MG_EUSAGE, "--sample wants a share of rows such as 10%%, not '%s'", s);
        mg_err_hint(err, "a number above 0 and up to 100, with or without %%");
        return MG_EUSAGE;
    }
    *out = v;
    return 0;
}

/* "16M", "512k", "1G" or bytes. */
static int parse_size(long long *out, const char *s, struct mg_err *err)
{
    size_t l = strlen(s);
    uint64_t n, mul = 1;

    if (l && strchr("kK", s[l - 1]))
        mul = 1024;
    else if (l && strchr("mM", s[l - 1]))
        mul = 1024 * 1024;
    else if (l && strchr("gG", s[l - 1]))
        mul = 1024 * 1024 * 1024;
    if (mul > 1)
        l--;
    if (mg_parse_u64(&n, s, l) < 0 || n > (uint64_t)1 << 40) {
        mg_err_set(err, MG_EUSAGE, "--whole-under wants a size such as 16M, not '%s'", s);
        return MG_EUSAGE;
    }
    *out = (long long)(n * mul);
    return 0;
}

int cmd_clone(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'F'},        {"to", required_argument, NULL, 'T'},
        {"sandbox", no_argument, NULL, 'S'},           {"dir", required_argument, NULL, 'R'},
        {"sample", required_argument, NULL, 'P'},      {"rows", required_argument, NULL, 'N'},
        {"whole-under", required_argument, NULL, 'W'}, {0, 0, 0, 0},
    };
    struct mg_clone_opts o = {
        .sample_pct = 10, .whole_under = 16LL * 1024 * 1024, .lock_timeout_ms = 0};
    struct mg_clone_result r;
    int sandbox = 0, have_sample = 0, c, rc;
    char app[64];

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case 'F':
            o.from = optarg;
            break;
        case 'T':
            o.to = optarg;
            break;
        case 'S':
            sandbox = 1;
            break;
        case 'R':
            o.sandbox_dir = optarg;
            break;
        case 'P':
            if (parse_pct(&o.sample_pct, optarg, err))
                return MG_EUSAGE;
            have_sample = 1;
            break;
        case 'N': {
            uint64_t n;
            if (mg_parse_u64(&n, optarg, strlen(optarg)) < 0 || n == 0 || n > (1ULL << 62)) {
                mg_err_set(err, MG_EUSAGE, "--rows wants a number of rows, not '%s'", optarg);
                return MG_EUSAGE;
            }
            o.rows = (long long)n;
            break;
        }
        case 'W':
            if (parse_size(&o.whole_under, optarg, err))
                return MG_EUSAGE;
            break;
        default:
            return MG_EUSAGE;
        }
    }
    if (optind < argc || !o.from || (!o.to && !sandbox) || (o.to && sandbox)) {
        mg_err_set(err, MG_EUSAGE,
                   "usage: migrate clone --from URL (--to URL | --sandbox [--dir DIR]) "
                   "[--sample N%% | --rows N] [--whole-under SIZE]");
        if (!o.from)
            mg_err_hint(err, "--from names the database to copy (read only)");
        else
            mg_err_hint(err, "give one destination: --to an empty database, or --sandbox");
        return MG_EUSAGE;
    }
    if (have_sample && o.rows)
        return mg_err_set(err, MG_EUSAGE, "--sample and --rows exclude each other");
    if (o.sandbox_dir && !sandbox)
        return mg_err_set(err, MG_EUSAGE, "--dir names the folder of a --sandbox");
    o.lock_timeout_ms = ctx->lock_timeout_ms;
    snprintf(app, sizeof(app), "migrate clone %.8s (read-only)", ctx->run_id);
    o.app = app;

    rc = mg_clone(&r, &o, err);
    if (rc) {
        mg_clone_result_free(&r);
        return rc;
    }
    long long rows = 0;
    for (size_t i = 0; i < r.n; i++)
        rows += r.v[i].rows;
    if (ctx->format == MG_FMT_JSON) {
        json_t *tables = json_array();
        for (size_t i = 0; i < r.n; i++)
            json_array_append_new(tables,
                                  json_pack("{s:s,s:s,s:s,s:I,s:I}", "schema", r.v[i].schema,
                                            "table", r.v[i].name, "mode", r.v[i].mode,
                                            "source_bytes", (json_int_t)r.v[i].source_bytes, "rows",
                                            (json_int_t)r.v[i].rows));
        json_t *doc = json_pack(
            "{s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:b}", "command", "clone", "url", r.redacted_url,
            "sandbox", r.sandbox_dir ? json_string(r.sandbox_dir) : json_null(), "tables", tables,
            "rows", (json_int_t)rows, "orphans_removed", (json_int_t)r.orphans, "sequences",
            (json_int_t)r.sequences, "shared_snapshot", r.shared_snapshot);
        mg_print_json(doc);
    } else {
        printf("%s\n", r.redacted_url);
    }
    mg_info("cloned %zu tables, %lld rows%s", r.n, rows,
            r.orphans ? " (after removing rows whose parent was not copied)" : "");
    if (r.sandbox_dir)
        mg_info("the clone runs in a sandbox; stop it with: migrate sandbox stop %s",
                r.sandbox_dir);
    mg_clone_result_free(&r);
    return 0;
}
