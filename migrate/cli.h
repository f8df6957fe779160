/*
 * cli.h — option parsing shared by main.c and the commands, the command
 * table type, exit codes, and printing a command's result.
 *
 * Global options (-d, -p, --format, timeouts, -v, -q) are accepted before and
 * after the command name: mg_cli_getopt handles them and hands every other
 * option back to the command.
 */
#ifndef MG_CLI_H
#define MG_CLI_H

#include <getopt.h>
#include <jansson.h>

#include "ctx.h"
#include "err.h"

/* Exit codes; documented in docs/exit-codes.md. */
enum mg_exit {
    MG_EXIT_OK = 0,
    MG_EXIT_FAILURE = 1,   /* the command failed */
    MG_EXIT_USAGE = 2,     /* bad command line, configuration or input */
    MG_EXIT_FINDINGS = 3,  /* checks or validation found problems at or above --fail-on */
    MG_EXIT_LOCKED = 4,    /* another runner holds the migration lock */
    MG_EXIT_ATTENTION = 5, /* recorded state needs a human: failed or partial migration */
};

/* Maps an error code to the exit code. */
int mg_exit_code(int code);

enum mg_cmd_flag {
    MG_CMD_DB = 1,      /* needs a database URL */
    MG_CMD_NO_ARGS = 2, /* takes no positional arguments */
};

struct mg_cmd {
    const char *name;
    int (*fn)(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
    unsigned flags;
    const char *args;    /* usage after the name */
    const char *summary; /* one line */
};

/*
 * getopt_long over the command's options plus the global ones.  Returns the
 * next command option (as getopt_long does: its `val`), -1 at the end, or
 * '?' after setting a usage error in err.
 */
int mg_cli_getopt(struct mg_ctx *ctx, int argc, char **argv, const char *shortopts,
                  const struct option *longopts, struct mg_err *err);

/*
 * Parses the global options before the command name; *cmd_index is the
 * command's index in argv (argc when there is none).  *want is 'h' for
 * --help and 'V' for --version, else 0.
 */
int mg_cli_globals(struct mg_ctx *ctx, int argc, char **argv, int *cmd_index, int *want,
                   struct mg_err *err);

/*
 * Rewrites golang-migrate's single-dash options (-path, -database, -source
 * file://DIR, -verbose, -lock-timeout SECONDS, -all, -seq, -dir, -ext,
 * -prefetch, -help, -version) into ours, so pipelines can switch by changing
 * the binary.  Returns a new argv (the strings are argv's or static; the
 * array is the caller's to free), or NULL with err set.
 */
char **mg_cli_compat(int argc, char **argv, int *out_argc, struct mg_err *err);

/* Parses a version argument: a whole number that fits 64 bits. */
int mg_cli_version_arg(uint64_t *out, const char *s, struct mg_err *err);

/* Prints a JSON document to stdout (steals the reference). */
void mg_print_json(json_t *doc);

#endif
