/*
 * cmd_osc.c — migrate osc: an online schema change or a batched backfill of one table, its
 * resume and abort, and the list of jobs.  The work is in osc.c; this file reads the options
 * and prints the result (text, or one JSON document with --format json).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "log.h"
#include "osc.h"
#include "run.h"
#include "util.h"

enum {
    O_TABLE = 2000, /* above the global options' values (cli.c) */
    O_ALTER,
    O_BACKFILL,
    O_WHERE,
    O_CHUNK,
    O_MAX_LAG,
    O_MAX_LOAD,
    O_CRIT_LOAD,
    O_THROTTLE_Q,
    O_PAUSE_FILE,
    O_CUT_TIMEOUT,
    O_CUT_LOCK,
    O_DRY_RUN,
    O_DROP_OLD,
    O_NO_VERIFY,
    O_RESUME,
    O_ABORT,
    O_LIST,
    O_REPLICA,
    O_THREADS,
};

static int parse_count(long *out, const char *opt, const char *arg, struct mg_err *err)
{
    uint64_t n;

    if (mg_parse_u64(&n, arg, strlen(arg)) < 0 || n > 1000000) {
        mg_err_set(err, MG_EUSAGE, "%s wants a whole number, not '%s'", opt, arg);
        return MG_EUSAGE;
    }
    *out = (long)n;
    return 0;
}

static int parse_id(long long *out, const char *opt, const char *arg, struct mg_err *err)
{
    uint64_t n;

    if (mg_parse_u64(&n, arg, strlen(arg)) < 0 || n == 0 || n > INT64_MAX) {
        mg_err_set(err, MG_EUSAGE, "%s wants a job id, not '%s'", opt, arg);
        mg_err_hint(err, "'migrate osc --list' lists the jobs and their ids");
        return MG_EUSAGE;
    }
    *out = (long long)n;
    return 0;
}

static void print_plan(const json_t *plan)
{
    const json_t *sql = json_object_get(plan, "sql"), *v;
    const char *key;
    size_t i;

    printf("plan (dry run, nothing was changed)\n");
    printf("  table:     %s (~%" JSON_INTEGER_FORMAT " rows, %" JSON_INTEGER_FORMAT " bytes)\n",
           json_string_value(json_object_get(plan, "table")),
           json_integer_value(json_object_get(plan, "rows_estimate")),
           json_integer_value(json_object_get(plan, "size_bytes")));
    printf("  change:    %s\n", json_string_value(json_object_get(plan, "statement")));
    if (json_is_string(json_object_get(plan, "where")))
        printf("  where:     %s\n", json_string_value(json_object_get(plan, "where")));
    printf("  key:       %s (index %s)\n", json_string_value(json_object_get(plan, "key")),
           json_string_value(json_object_get(plan, "key_index")));
    if (json_is_string(json_object_get(plan, "shadow")))
        printf("  shadow:    %s\n", json_string_value(json_object_get(plan, "shadow")));
    json_array_foreach(json_object_get(plan, "columns"), i, v)
    {
        const char *a = json_string_value(json_object_get(v, "action"));
        const char *from = json_string_value(json_object_get(v, "from"));
        const char *to = json_string_value(json_object_get(v, "to"));
        printf("  column:    %s: %s", json_string_value(json_object_get(v, "name")), a);
        if (from && to && strcmp(from, to))
            printf(" (%s -> %s)", from, to);
        else if (to)
            printf(" (%s)", to);
        else if (from)
            printf(" (%s)", from);
        printf("\n");
    }
    json_array_foreach(json_object_get(plan, "dependents"), i, v)
        printf("  carries:   %s: %s\n", json_string_value(json_object_get(v, "object")),
               json_string_value(json_object_get(v, "action")));
    json_object_foreach((json_t *)sql, key, v)
    {
        const json_t *s;
        size_t k;
        printf("\n-- %s\n", key);
        json_array_foreach(v, k, s) printf("%s;\n", json_string_value(s));
    }
}

static void print_result(const struct mg_osc_result *r)
{
    if (!strcmp(r->kind, "backfill")) {
        printf("osc job %lld: backfilled %s: %lld rows updated in %lld batches, %.1fs\n", r->job_id,
               r->table, r->rows_copied, r->batches, (double)r->total_ms / 1000);
        return;
    }
    if (strcmp(r->phase, "done")) {
        printf("osc job %lld: %s is in phase %s\n", r->job_id, r->table, r->phase);
        return;
    }
    printf("osc job %lld: changed %s online in %.1fs\n", r->job_id, r->table,
           (double)r->total_ms / 1000);
    printf("  copied:    %lld rows in %lld batches (last batch %ld rows), %.1fs\n", r->rows_copied,
           r->batches, r->batch_size, (double)r->copy_ms / 1000);
    printf("  build:     %.1fs (indexes, statistics, switching the triggers to the shadow)\n",
           (double)r->build_ms / 1000);
    printf("  replayed:  %lld rows from the change log\n", r->rows_replayed);
    if (r->verify_skipped)
        printf("  verified:  skipped (--no-verify)\n");
    else
        printf("  verified:  %lld range%s (%lld re-copied), %.1fs\n", r->ranges_verified,
               r->ranges_verified == 1 ? "" : "s", r->ranges_recopied, (double)r->verify_ms / 1000);
    if (r->cutover_attempts)
        printf("  cut-over:  %d attempt%s, the table was locked for %lldms\n", r->cutover_attempts,
               r->cutover_attempts == 1 ? "" : "s", r->lock_held_ms);
    if (r->throttled_ms)
        printf("  paused:    %.1fs\n", (double)r->throttled_ms / 1000);
    if (r->old_table[0])
        printf("  old table: kept as %s; drop it with 'migrate osc --resume %lld --drop-old'\n",
               r->old_table, r->job_id);
}

static void print_list(const json_t *jobs)
{
    const json_t *j;
    size_t i;

    if (!json_array_size(jobs)) {
        printf("no osc jobs\n");
        return;
    }
    json_array_foreach(jobs, i, j)
    {
        printf("%" JSON_INTEGER_FORMAT "  %-8s %-8s %s.%s  %" JSON_INTEGER_FORMAT
               " of ~%" JSON_INTEGER_FORMAT " rows  %s%s\n",
               json_integer_value(json_object_get(j, "id")),
               json_string_value(json_object_get(j, "kind")),
               json_string_value(json_object_get(j, "phase")),
               json_string_value(json_object_get(j, "schema")),
               json_string_value(json_object_get(j, "table")),
               json_integer_value(json_object_get(j, "rows_copied")),
               json_integer_value(json_object_get(j, "rows_estimate")),
               json_string_value(json_object_get(j, "updated_at")),
               json_is_true(json_object_get(j, "running")) ? "  (running)" : "");
        if (json_is_string(json_object_get(j, "error")))
            printf("    last error: %s\n", json_string_value(json_object_get(j, "error")));
        if (json_is_string(json_object_get(j, "old_table")))
            printf("    old table: %s\n", json_string_value(json_object_get(j, "old_table")));
    }
}

int cmd_osc(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"table", required_argument, NULL, O_TABLE},
        {"alter", required_argument, NULL, O_ALTER},
        {"backfill", required_argument, NULL, O_BACKFILL},
        {"where", required_argument, NULL, O_WHERE},
        {"chunk-time", required_argument, NULL, O_CHUNK},
        {"max-lag", required_argument, NULL, O_MAX_LAG},
        {"max-load", required_argument, NULL, O_MAX_LOAD},
        {"critical-load", required_argument, NULL, O_CRIT_LOAD},
        {"throttle-query", required_argument, NULL, O_THROTTLE_Q},
        {"pause-file", required_argument, NULL, O_PAUSE_FILE},
        {"cut-over-timeout", required_argument, NULL, O_CUT_TIMEOUT},
        {"cut-over-lock-timeout", required_argument, NULL, O_CUT_LOCK},
        {"dry-run", no_argument, NULL, O_DRY_RUN},
        {"drop-old", no_argument, NULL, O_DROP_OLD},
        {"no-verify", no_argument, NULL, O_NO_VERIFY},
        {"resume", required_argument, NULL, O_RESUME},
        {"abort", required_argument, NULL, O_ABORT},
        {"list", no_argument, NULL, O_LIST},
        {"replica", required_argument, NULL, O_REPLICA},
        {"threads", required_argument, NULL, O_THREADS},
        {0, 0, 0, 0},
    };
    struct mg_osc_opts o;
    struct mg_osc_result res;
    struct mg_session s;
    long long abort_id = 0;
    int list = 0, c, rc = 0;
    const char *replicas[32];
    size_t nreplicas = 0;
    unsigned given = 0;

    mg_osc_opts_init(&o);
    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case O_TABLE:
            o.table = optarg;
            break;
        case O_ALTER:
            o.alter = optarg;
            break;
        case O_BACKFILL:
            o.backfill = optarg;
            break;
        case O_WHERE:
            o.where = optarg;
            break;
        case O_CHUNK:
            rc = mg_parse_duration(&o.chunk_ms, optarg, err);
            given |= MG_OSC_GIVEN_CHUNK_TIME;
            break;
        case O_MAX_LAG:
            rc = mg_parse_duration(&o.max_lag_ms, optarg, err);
            given |= MG_OSC_GIVEN_MAX_LAG;
            break;
        case O_MAX_LOAD:
            rc = parse_count(&o.max_load, "--max-load", optarg, err);
            given |= MG_OSC_GIVEN_MAX_LOAD;
            break;
        case O_CRIT_LOAD:
            rc = parse_count(&o.critical_load, "--critical-load", optarg, err);
            given |= MG_OSC_GIVEN_CRITICAL_LOAD;
            break;
        case O_THROTTLE_Q:
            o.throttle_query = optarg;
            break;
        case O_PAUSE_FILE:
            o.pause_file = optarg;
            break;
        case O_CUT_TIMEOUT:
            rc = mg_parse_duration(&o.cutover_timeout_ms, optarg, err);
            break;
        case O_CUT_LOCK:
            rc = mg_parse_duration(&o.cutover_lock_ms, optarg, err);
            break;
        case O_DRY_RUN:
            o.dry_run = 1;
            break;
        case O_DROP_OLD:
            o.drop_old = 1;
            break;
        case O_NO_VERIFY:
            o.no_verify = 1;
            break;
        case O_RESUME:
            rc = parse_id(&o.resume_id, "--resume", optarg, err);
            break;
        case O_ABORT:
            rc = parse_id(&abort_id, "--abort", optarg, err);
            break;
        case O_LIST:
            list = 1;
            break;
        case O_THREADS: {
            long t = 0;
            rc = parse_count(&t, "--threads", optarg, err);
            o.threads = (int)(t > 1000 ? 1000 : t);
            given |= MG_OSC_GIVEN_THREADS;
            break;
        }
        case O_REPLICA:
            if (nreplicas == sizeof(replicas) / sizeof(replicas[0]))
                return mg_err_set(err, MG_EUSAGE, "at most %zu --replica options",
                                  sizeof(replicas) / sizeof(replicas[0]));
            replicas[nreplicas++] = optarg;
            o.replicas = replicas;
            o.nreplicas = nreplicas;
            given |= MG_OSC_GIVEN_REPLICAS;
            break;
        default:
            return MG_EUSAGE;
        }
        if (rc)
            return rc;
    }
    if (optind < argc) {
        mg_err_set(err, MG_EUSAGE, "unexpected argument '%s'", argv[optind]);
        mg_err_hint(err,
                    "quote the statement: migrate osc --table t --alter \"ALTER TABLE t ...\"");
        return MG_EUSAGE;
    }
    int modes = !!o.alter + !!o.backfill + !!o.resume_id + !!abort_id + list;
    if (modes != 1) {
        mg_err_set(err, MG_EUSAGE,
                   modes ? "give only one of --alter, --backfill, --resume, "
                           "--abort and --list"
                         : "nothing to do");
        mg_err_hint(err, "migrate osc --table T --alter \"ALTER TABLE T ...\", or --backfill \"SET "
                         "col = expr\", --resume ID, --abort ID, --list");
        return MG_EUSAGE;
    }
    if (o.where && !o.backfill)
        return mg_err_set(err, MG_EUSAGE, "--where goes with --backfill");
    if (o.dry_run && !o.alter && !o.backfill)
        return mg_err_set(err, MG_EUSAGE, "--dry-run goes with --alter or --backfill");
    o.statement_timeout_ms = ctx->statement_timeout_ms;
    o.run_id = ctx->run_id;
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc)
        return rc;
    /* the environment of migrate.ini is known once the session is open; --list and --abort
       throttle nothing */
    rc = list || abort_id ? 0 : mg_osc_opts_env(&o, ctx->env, given, err);
    o.url = ctx->database_url;
    if (rc) {
        mg_session_close(&s);
        mg_osc_opts_free(&o);
        return rc;
    }
    if (list) {
        json_t *jobs;
        rc = mg_osc_list(s.conn, &jobs, err);
        if (!rc) {
            if (ctx->format == MG_FMT_JSON)
                mg_print_json(json_pack("{s:s,s:o}", "command", "osc", "jobs", jobs));
            else {
                print_list(jobs);
                json_decref(jobs);
            }
        }
        mg_session_close(&s);
        mg_osc_opts_free(&o);
        return rc;
    }
    mg_run_watch(s.conn);
    if (abort_id)
        rc = mg_osc_abort(s.conn, abort_id, &o, &res, err);
    else
        rc = mg_osc_run(s.conn, &o, &res, err);
    mg_run_watch(NULL);
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "command", json_string("osc"));
        json_object_set_new(doc, "database", json_string(s.redacted_url));
        json_object_set_new(doc, "ok", json_boolean(rc == 0));
        json_object_set_new(doc, "dry_run", json_boolean(o.dry_run));
        if (res.plan)
            json_object_set(doc, "plan", res.plan);
        else
            json_object_set_new(doc, "job", mg_osc_result_json(&res));
        if (rc)
            json_object_set_new(doc, "error", mg_err_json(err));
        mg_print_json(doc);
    } else if (!rc && res.plan) {
        print_plan(res.plan);
    } else if (!rc && abort_id) {
        printf("osc job %lld aborted: %s is unchanged\n", abort_id, res.table);
    } else if (!rc) {
        print_result(&res);
    }
    mg_osc_result_free(&res);
    mg_session_close(&s);
    mg_osc_opts_free(&o);
    return rc;
}
