/* cli.c — global option handling, exit codes and result printing. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

enum {
    OPT_FORMAT = 1000,
    OPT_LOCK_TIMEOUT,
    OPT_STATEMENT_TIMEOUT,
    OPT_RETRIES,
    OPT_LOCK_WAIT,
    OPT_RETRY_DELAY,
    OPT_MAX_FILE_SIZE,
    OPT_LOG_FORMAT,
    OPT_CONFIG,
    OPT_ENV,
    OPT_DATABASE_FILE,
    OPT_CONFIRM,
    OPT_SKIP_GATE,
    OPT_REASON,
    OPT_CHECKPOINT_DIR,
    OPT_NO_CHECKPOINT,
    OPT_METRICS_FILE,
};

static const struct option global_opts[] = {
    {"database", required_argument, NULL, 'd'},
    {"path", required_argument, NULL, 'p'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
    {"statement-timeout", required_argument, NULL, OPT_STATEMENT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"lock-wait", required_argument, NULL, OPT_LOCK_WAIT},
    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"env", required_argument, NULL, OPT_ENV},
    {"database-file", required_argument, NULL, OPT_DATABASE_FILE},
    {"confirm", required_argument, NULL, OPT_CONFIRM},
    {"skip-gate", required_argument, NULL, OPT_SKIP_GATE},
    {"reason", required_argument, NULL, OPT_REASON},
    {"checkpoint-dir", required_argument, NULL, OPT_CHECKPOINT_DIR},
    {"no-checkpoint", no_argument, NULL, OPT_NO_CHECKPOINT},
    {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
};

int mg_exit_code(int code)
{
    switch (code) {
    case 0:
        return MG_EXIT_OK;
    case MG_EUSAGE:
    case MG_EINPUT:
        return MG_EXIT_USAGE;
    case MG_EFINDINGS:
    case MG_EDIFFERS:
        return MG_EXIT_FINDINGS;
    case MG_ELOCKED:
        return MG_EXIT_LOCKED;
    case MG_EATTENTION:
        return MG_EXIT_ATTENTION;
    default:
        return MG_EXIT_FAILURE;
    }
}

static void apply_log_level(const struct mg_ctx *ctx, int json)
{
    mg_log_setup(ctx->quiet ? MG_LOG_WARN : ctx->verbose ? MG_LOG_DEBUG : MG_LOG_INFO, json);
}

static int handle_global(struct mg_ctx *ctx, int c, const char *arg, struct mg_err *err)
{
    static int log_json;

    switch (c) {
    case 'd':
        ctx->database_url = arg;
        ctx->cli_set |= MG_SET_DATABASE;
        return 1;
    case 'p':
        ctx->path = arg;
        ctx->cli_set |= MG_SET_PATH;
        return 1;
    case OPT_DATABASE_FILE: {
        /* the URL stays out of the process list; it lives until exit */
        struct mg_buf b = MG_BUF_INIT;
        struct mg_err e2;
        mg_err_clear(&e2);
        if (mg_read_file(&b, arg, 1 << 16, &e2) < 0) {
            mg_err_set(err, MG_EUSAGE, "--database-file: %s", e2.msg);
            mg_buf_free(&b);
            return -1;
        }
        mg_buf_rtrim(&b);
        static char *url;
        free(url);
        url = mg_buf_detach(&b);
        ctx->database_url = url;
        ctx->cli_set |= MG_SET_DATABASE;
        return 1;
    }
    case OPT_CONFIG:
        ctx->config_path = arg;
        ctx->config_given = 1;
        return 1;
    case OPT_ENV:
        ctx->env_name = arg;
        return 1;
    case OPT_CONFIRM:
        ctx->confirm = arg;
        return 1;
    case OPT_REASON:
        ctx->skip_reason = arg;
        return 1;
    case OPT_SKIP_GATE: {
        static const char *gates[16];
        if (ctx->nskip >= MG_ARRAY_SIZE(gates)) {
            mg_err_set(err, MG_EUSAGE, "too many --skip-gate options");
            return -1;
        }
        gates[ctx->nskip++] = arg;
        ctx->skip_gates = gates;
        return 1;
    }
    case 'v':
        ctx->verbose = 1;
        ctx->quiet = 0;
        apply_log_level(ctx, log_json);
        return 1;
    case 'q':
        ctx->quiet = 1;
        ctx->verbose = 0;
        apply_log_level(ctx, log_json);
        return 1;
    case OPT_FORMAT:
        if (!strcmp(arg, "text"))
            ctx->format = MG_FMT_TEXT;
        else if (!strcmp(arg, "json"))
            ctx->format = MG_FMT_JSON;
        else {
            mg_err_set(err, MG_EUSAGE, "unknown --format '%s'", arg);
            mg_err_hint(err, "use --format text or --format json");
            return -1;
        }
        return 1;
    case OPT_LOG_FORMAT:
        if (!strcmp(arg, "text"))
            log_json = 0;
        else if (!strcmp(arg, "json"))
            log_json = 1;
        else {
            mg_err_set(err, MG_EUSAGE, "unknown --log-format '%s'", arg);
            mg_err_hint(err, "use --log-format text or --log-format json");
            return -1;
        }
        apply_log_level(ctx, log_json);
        return 1;
    case OPT_CHECKPOINT_DIR:
        if (!arg[0]) {
            mg_err_set(err, MG_EUSAGE, "--checkpoint-dir wants a directory");
            return -1;
        }
        ctx->checkpoint_dir = arg;
        return 1;
    case OPT_NO_CHECKPOINT:
        ctx->no_checkpoint = 1;
        return 1;
    case OPT_METRICS_FILE:
        if (!arg[0]) {
            mg_err_set(err, MG_EUSAGE, "--metrics-file wants a file name");
            mg_err_hint(err, "for node_exporter's textfile collector, a name ending in .prom in "
                             "its --collector.textfile.directory");
            return -1;
        }
        ctx->metrics_file = arg;
        return 1;
    case OPT_LOCK_TIMEOUT:
        ctx->cli_set |= MG_SET_LOCK_TIMEOUT;
        return mg_parse_duration(&ctx->lock_timeout_ms, arg, err) ? -1 : 1;
    case OPT_STATEMENT_TIMEOUT:
        ctx->cli_set |= MG_SET_STATEMENT_TIMEOUT;
        return mg_parse_duration(&ctx->statement_timeout_ms, arg, err) ? -1 : 1;
    case OPT_LOCK_WAIT:
        ctx->cli_set |= MG_SET_LOCK_WAIT;
        return mg_parse_duration(&ctx->lock_wait_ms, arg, err) ? -1 : 1;
    case OPT_RETRY_DELAY:
        ctx->cli_set |= MG_SET_RETRY_DELAY;
        if (mg_parse_duration(&ctx->retry_delay_ms, arg, err))
            return -1;
        if (ctx->retry_delay_ms < 1)
            ctx->retry_delay_ms = 1;
        return 1;
    case OPT_RETRIES: {
        uint64_t n;
        if (mg_parse_u64(&n, arg, strlen(arg)) < 0 || n > 100) {
            mg_err_set(err, MG_EUSAGE, "--retries wants a number from 0 to 100, not '%s'", arg);
            return -1;
        }
        ctx->retries = (int)n;
        ctx->cli_set |= MG_SET_RETRIES;
        return 1;
    }
    case OPT_MAX_FILE_SIZE: {
        uint64_t n;
        size_t l = strlen(arg);
        uint64_t mul = 1;
        if (l && (arg[l - 1] == 'M' || arg[l - 1] == 'm')) {
            mul = 1 << 20;
            l--;
        } else if (l && (arg[l - 1] == 'K' || arg[l - 1] == 'k')) {
            mul = 1 << 10;
            l--;
        }
        if (mg_parse_u64(&n, arg, l) < 0 || n == 0 || n > 1024ULL * 1024 * 1024 / mul) {
            mg_err_set(err, MG_EUSAGE, "--max-file-size wants a size such as 64M, not '%s'", arg);
            return -1;
        }
        ctx->max_file_size = (size_t)(n * mul);
        return 1;
    }
    }
    return 0;
}

int mg_cli_getopt(struct mg_ctx *ctx, int argc, char **argv, const char *shortopts,
                  const struct option *longopts, struct mg_err *err)
{
    static struct option merged[128];
    static char shorts[128];
    static const struct option *last;
    size_t n = 0;

    if (last != longopts || !merged[0].name) {
        for (const struct option *o = longopts; o && o->name; o++)
            merged[n++] = *o;
        for (size_t i = 0; i < MG_ARRAY_SIZE(global_opts); i++)
            merged[n++] = global_opts[i];
        memset(&merged[n], 0, sizeof(merged[n]));
        /* ':' first: a missing value is reported as ':' rather than '?' */
        snprintf(shorts, sizeof(shorts), ":%sd:p:vq", shortopts ? shortopts : "");
        last = longopts;
    }
    for (;;) {
        int c = getopt_long(argc, argv, shorts, merged, NULL);
        if (c == -1)
            return -1;
        if (c == '?') {
            mg_err_set(err, MG_EUSAGE, "unknown option '%s'", argv[optind - 1]);
            mg_err_hint(err, "'migrate help %s' lists the options", ctx->command);
            return '?';
        }
        if (c == ':') {
            mg_err_set(err, MG_EUSAGE, "option '%s' needs a value", argv[optind - 1]);
            return '?';
        }
        int h = handle_global(ctx, c, optarg, err);
        if (h < 0)
            return '?';
        if (h == 0)
            return c;
    }
}

int mg_cli_globals(struct mg_ctx *ctx, int argc, char **argv, int *cmd_index, int *want,
                   struct mg_err *err)
{
    struct option opts[MG_ARRAY_SIZE(global_opts) + 3];
    size_t n = 0;

    for (size_t i = 0; i < MG_ARRAY_SIZE(global_opts); i++)
        opts[n++] = global_opts[i];
    opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    opts[n++] = (struct option){"version", no_argument, NULL, 'V'};
    memset(&opts[n], 0, sizeof(opts[n]));
    *want = 0;
    optind = 1;
    opterr = 0;
    for (;;) {
        /* '+': stop at the command name; its own options are the command's to parse */
        int c = getopt_long(argc, argv, "+:d:p:vqh", opts, NULL);
        if (c == -1)
            break;
        if (c == 'h' || c == 'V') {
            *want = c;
            return 0;
        }
        if (c == '?') {
            mg_err_set(err, MG_EUSAGE, "unknown option '%s'", argv[optind - 1]);
            mg_err_hint(err, "'migrate help' lists the options");
            return MG_EUSAGE;
        }
        if (c == ':') {
            mg_err_set(err, MG_EUSAGE, "option '%s' needs a value", argv[optind - 1]);
            return MG_EUSAGE;
        }
        if (handle_global(ctx, c, optarg, err) < 0)
            return MG_EUSAGE;
    }
    *cmd_index = optind;
    return 0;
}

/* A golang-migrate option at argv[i]: its name without '-', and its value (inline or next). */
static int compat_opt(char **argv, int argc, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (a[0] != '-' || a[1] == '-' || strncmp(a + 1, name, n) != 0)
        return 0;
    if (a[1 + n] == '=') {
        *value = a + 2 + n;
        return 1;
    }
    if (a[1 + n] != '\0')
        return 0;
    if (!value)
        return 1;
    if (*i + 1 >= argc)
        return 0;
    *value = argv[++*i];
    return 1;
}

char **mg_cli_compat(int argc, char **argv, int *out_argc, struct mg_err *err)
{
    static char buf[64][32];
    size_t nbuf = 0;
    char **out = mg_calloc((size_t)argc * 2 + 1, sizeof(char *));
    int n = 0;

    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (i == 0) {
            out[n++] = argv[i];
        } else if (compat_opt(argv, argc, &i, "path", &v) ||
                   compat_opt(argv, argc, &i, "dir", &v)) {
            out[n++] = (char *)"--path";
            out[n++] = (char *)v;
        } else if (compat_opt(argv, argc, &i, "database", &v)) {
            out[n++] = (char *)"--database";
            out[n++] = (char *)v;
        } else if (compat_opt(argv, argc, &i, "source", &v)) {
            if (strncmp(v, "file://", 7) != 0) {
                free(out);
                mg_err_set(err, MG_EUSAGE, "only file:// migration sources are supported, not '%s'",
                           v);
                return NULL;
            }
            out[n++] = (char *)"--path";
            out[n++] = (char *)v + 7;
        } else if (compat_opt(argv, argc, &i, "lock-timeout", &v)) {
            /* golang-migrate's is the wait for the lock, in seconds */
            if (nbuf >= MG_ARRAY_SIZE(buf)) {
                free(out);
                mg_err_set(err, MG_EUSAGE, "too many options");
                return NULL;
            }
            snprintf(buf[nbuf], sizeof(buf[0]), "%ss", v);
            out[n++] = (char *)"--lock-wait";
            out[n++] = buf[nbuf++];
        } else if (compat_opt(argv, argc, &i, "prefetch", &v) ||
                   compat_opt(argv, argc, &i, "ext", &v) ||
                   compat_opt(argv, argc, &i, "digits", &v)) {
            /* nothing to do: files are read whole, and only .sql exists */
        } else if (compat_opt(argv, argc, &i, "verbose", NULL)) {
            out[n++] = (char *)"-v";
        } else if (compat_opt(argv, argc, &i, "all", NULL)) {
            out[n++] = (char *)"--all";
        } else if (compat_opt(argv, argc, &i, "seq", NULL)) {
            out[n++] = (char *)"--seq";
        } else if (compat_opt(argv, argc, &i, "help", NULL)) {
            out[n++] = (char *)"--help";
        } else if (compat_opt(argv, argc, &i, "version", NULL)) {
            out[n++] = (char *)"--version";
        } else {
            out[n++] = argv[i];
        }
    }
    out[n] = NULL;
    *out_argc = n;
    return out;
}

int mg_cli_version_arg(uint64_t *out, const char *s, struct mg_err *err)
{
    if (mg_parse_u64(out, s, strlen(s)) < 0) {
        mg_err_set(err, MG_EUSAGE, "'%s' is not a version", s);
        mg_err_hint(err, "a version is a whole number, as in the file name 20261130_x.up.sql");
        return MG_EUSAGE;
    }
    return 0;
}

void mg_print_json(json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(doc);
}
