/*
 * main.c — the command table, global options from flags and environment,
 * and the one place that prints a final error and picks the exit code.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "log.h"
#include "util.h"

#ifndef MG_VERSION
#define MG_VERSION "dev"
#endif

static int cmd_help(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);

static const struct mg_cmd commands[] = {
    {"create", cmd_create, 0, "NAME [--seq|--timestamp]",
     "create {version}_{name}.up.sql and .down.sql"},
    {"status", cmd_status, MG_CMD_DB | MG_CMD_NO_ARGS, "",
     "applied, pending, failed, edited and missing migrations"},
    {"up", cmd_up, MG_CMD_DB, "[N] [--allow-edited] [--allow-out-of-order]",
     "apply all pending migrations, or the next N"},
    {"down", cmd_down, MG_CMD_DB, "[N | --all]", "revert the last migration, the last N, or all"},
    {"goto", cmd_goto, MG_CMD_DB, "V", "apply or revert until version V is the current one"},
    {"force", cmd_force, MG_CMD_DB, "V",
     "record V as the current version without running SQL (recovery)"},
    {"baseline", cmd_baseline, MG_CMD_DB, "V",
     "record versions up to V as applied on a database that has them (adoption)"},
    {"plan", cmd_plan, 0, "[--offline]",
     "what up would run: pending migrations, how each runs, statement counts"},
    {"validate", cmd_validate, 0, "",
     "check files (and, with a database, the history): duplicates, edits, gaps, order"},
    {"version", cmd_version, MG_CMD_DB | MG_CMD_NO_ARGS, "", "print the current version"},
    {"lint", cmd_lint, 0,
     "[--dialect postgres|mysql] [--pg-version N] [--new FILE[,FILE]] [--fail-on LEVEL] "
     "[--format text|json|sarif|junit] [--enable RULES] [--disable RULES] "
     "[FILE|DIR...]",
     "check migration SQL for locks, rewrites and breaking changes; no database needed"},
    {"ci", cmd_ci, 0,
     "[--base REF] [--driver postgres|mysql|both] [--sarif FILE] [--junit FILE] "
     "[--allow-out-of-order]",
     "pull-request checks: validate, lint, replay and test-rollback on sandboxes"},
    {"adopt", cmd_adopt, MG_CMD_DB, "--from golang-migrate|dbmate|goose|flyway [--table NAME]",
     "record another tool's applied migrations as ours, running no SQL"},
    {"env", cmd_env, 0, "list", "the environments of migrate.ini, passwords redacted"},
    {"checkpoint", cmd_checkpoint, 0,
     "list | show ID [--as pgbackrest|barman|recovery-conf|mysqlbinlog] [--source db|files]",
     "the point-in-time checkpoints of up/down/goto, and how to restore to one"},
    {"audit", cmd_audit, MG_CMD_DB, "verify [--expect-head HASH] | log [--limit N]",
     "check the hash chain of the event log, or list the events"},
    {"clone", cmd_clone, 0,
     "--from URL (--to URL | --sandbox [--dir DIR]) [--sample N% | --rows N] [--whole-under SIZE]",
     "copy a database's schema and a sample of its rows, to estimate on; prints the URL"},
    {"estimate", cmd_estimate, 0, "--clone URL [-d TARGET] [--max-blocking DUR] [--repeat N]",
     "run pending migrations on a clone: locks, rewrites, durations scaled to the target"},
    {"preflight", cmd_preflight, MG_CMD_DB, "[--max-xact-age DUR] [--max-lag DUR]",
     "read-only checks of the target before migrating: old transactions, lock holders, lag, disk"},
    {"osc", cmd_osc, MG_CMD_DB | MG_CMD_NO_ARGS,
     "--table T --alter \"ALTER TABLE ...\" | --backfill \"SET ...\" [--where C] | --resume ID | "
     "--abort ID | --list",
     "online schema change or batched backfill of a large table"},
    {"sandbox", cmd_sandbox, 0,
     "start|stop|restart|url|status [--driver postgres|mariadb] [--dir DIR]",
     "a throwaway database server on a Unix socket, no Docker"},
    {"schema", cmd_schema, 0, "dump | diff A B [--ignore-column-order]",
     "deterministic schema snapshot of a database; differences between two, object by object"},
    {"test-rollback", cmd_test_rollback, 0,
     "[--sandbox | --clone URL] [--driver D] [--from V] [--to V] [--data] "
     "[--format text|json|junit]",
     "up, down and up again per migration on a sandbox; the schema must match"},
    {"drift", cmd_drift, MG_CMD_DB, "[--ignore-column-order]",
     "the database's schema against its applied migrations replayed on a sandbox"},
    {"help", cmd_help, 0, "[COMMAND]", "show this help, or a command's"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: migrate [global options] <command> [args]\n\ncommands:\n");
    for (size_t i = 0; i < MG_ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nglobal options:\n"
            "  -d, --database URL        database (DATABASE_URL); postgres://, mysql://\n"
            "  -p, --path DIR            migrations directory (MIGRATE_PATH; ./migrations)\n"
            "  --format text|json        result format on stdout\n"
            "  --lock-timeout DUR        lock timeout of every statement (3s)\n"
            "  --statement-timeout DUR   statement timeout (off)\n"
            "  --retries N               retries after a lock timeout or deadlock (5)\n"
            "  --retry-delay DUR         first backoff before a retry (1s), doubling, jittered\n"
            "  --lock-wait DUR           how long to wait for another runner (60s)\n"
            "  --max-file-size SIZE      largest migration file read (64M)\n"
            "  --log-format text|json    format of messages on stderr\n"
            "  --checkpoint-dir DIR      checkpoint files (MIGRATE_CHECKPOINT_DIR;\n"
            "                            .migrate/checkpoints)\n"
            "  --no-checkpoint           up/down/goto record no checkpoint\n"
            "  --metrics-file PATH       Prometheus metrics of the run (MIGRATE_METRICS_FILE)\n"
            "  -v, --verbose / -q, --quiet\n"
            "\nexit codes: 0 ok, 1 failure, 2 usage or bad input, 3 findings, 4 lock held by\n"
            "another runner, 5 state needs attention (failed or partial migration)\n"
            "\nmigrate %s; docs/ has a page per command\n",
            MG_VERSION);
}

static const struct mg_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < MG_ARRAY_SIZE(commands); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int cmd_help(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    (void)ctx;
    if (argc > 1) {
        const struct mg_cmd *c = find_cmd(argv[1]);
        if (!c) {
            mg_err_set(err, MG_EUSAGE, "unknown command '%s'", argv[1]);
            return MG_EUSAGE;
        }
        printf("usage: migrate %s %s\n\n%s\n\nsee docs/commands/%s.md\n", c->name, c->args,
               c->summary, c->name);
        return 0;
    }
    usage(stdout);
    return 0;
}

/* The final error: text, or one JSON line with --log-format json (log.c). */
static void print_error(const struct mg_err *e)
{
    mg_log_final_error(e);
}

int main(int argc, char **argv)
{
    struct mg_ctx ctx;
    struct mg_err err;
    const struct mg_cmd *cmd;
    int rc;

    signal(SIGPIPE, SIG_IGN);
    memset(&ctx, 0, sizeof(ctx));
    mg_err_clear(&err);
    ctx.database_url = getenv("DATABASE_URL");
    ctx.path =
        getenv("MIGRATE_PATH") && *getenv("MIGRATE_PATH") ? getenv("MIGRATE_PATH") : "./migrations";
    ctx.checkpoint_dir = getenv("MIGRATE_CHECKPOINT_DIR") && *getenv("MIGRATE_CHECKPOINT_DIR")
                             ? getenv("MIGRATE_CHECKPOINT_DIR")
                             : ".migrate/checkpoints";
    ctx.metrics_file = getenv("MIGRATE_METRICS_FILE") && *getenv("MIGRATE_METRICS_FILE")
                           ? getenv("MIGRATE_METRICS_FILE")
                           : NULL;
    ctx.lock_timeout_ms = 3000;
    ctx.statement_timeout_ms = 0;
    ctx.lock_wait_ms = 60000;
    ctx.retry_delay_ms = 1000;
    ctx.retries = 5;
    mg_uuid(ctx.run_id);
    mg_log_setup(MG_LOG_INFO, 0);

    /* golang-migrate's spelling of the options works too */
    static char **args; /* static: still reachable on every early return */
    args = mg_cli_compat(argc, argv, &argc, &err);
    if (!args) {
        print_error(&err);
        return MG_EXIT_USAGE;
    }
    argv = args;

    /* global options before the command */
    int first, want = 0;
    rc = mg_cli_globals(&ctx, argc, argv, &first, &want, &err);
    if (rc) {
        print_error(&err);
        return MG_EXIT_USAGE;
    }
    if (want == 'h') {
        usage(stdout);
        return 0;
    }
    if (want == 'V') {
        printf("migrate %s\n", MG_VERSION);
        return 0;
    }
    if (first >= argc) {
        usage(stderr);
        return MG_EXIT_USAGE;
    }
    cmd = find_cmd(argv[first]);
    if (!cmd) {
        mg_err_set(&err, MG_EUSAGE, "unknown command '%s'", argv[first]);
        mg_err_hint(&err, "'migrate help' lists the commands");
        print_error(&err);
        return MG_EXIT_USAGE;
    }
    ctx.command = cmd->name;
    optind = 0; /* GNU getopt: 0 re-initialises, as the command's option string differs */
    opterr = 0;
    rc = cmd->fn(argc - first, argv + first, &ctx, &err);
    if (rc && !err.code)
        err.code = rc;
    if (rc)
        print_error(&err);
    fflush(stdout);
    free(args);
    return mg_exit_code(rc ? err.code : 0);
}
