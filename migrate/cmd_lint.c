/*
 * cmd_lint.c — migrate lint: the checks on migration files, no database.
 * Options and configuration (migrate.ini [lint]) pick the dialect, the
 * PostgreSQL version, the rules and --fail-on; the result goes to stdout in
 * the chosen format, GitHub annotations to stderr when GITHUB_ACTIONS=true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "cmds.h"
#include "log.h"
#include "util.h"

enum {
    OPT_DIALECT = 2000,
    OPT_PG_VERSION,
    OPT_NEW,
    OPT_FAIL_ON,
    OPT_LINT_FORMAT,
    OPT_ENABLE,
    OPT_DISABLE,
};

/* The dialect of a database URL's scheme, or 0. */
static int url_dialect(const char *url)
{
    if (!url)
        return 0;
    if (!strncmp(url, "mysql://", 8) || !strncmp(url, "mariadb://", 10))
        return CHK_MY;
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
        return CHK_PG;
    return 0;
}

static int parse_dialect(const char *s, enum chk_dialect *out, struct mg_err *err)
{
    if (!strcasecmp(s, "postgres") || !strcasecmp(s, "postgresql") || !strcasecmp(s, "pg"))
        *out = CHK_PG;
    else if (!strcasecmp(s, "mysql") || !strcasecmp(s, "mariadb"))
        *out = CHK_MY;
    else {
        mg_err_set(err, MG_EUSAGE, "unknown --dialect '%s'", s);
        mg_err_hint(err, "use --dialect postgres or --dialect mysql (MariaDB too)");
        return MG_EUSAGE;
    }
    return 0;
}

/* Splits a comma-separated --new value into *v (pointers into a copy kept in *keep). */
static void add_new(char ***v, size_t *n, size_t *cap, const char *arg)
{
    const char *p = arg;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l) {
            mg_grow_array((void **)v, cap, *n + 1, sizeof(char *));
            (*v)[(*n)++] = mg_strndup(p, l);
        }
        if (!e)
            break;
        p = e + 1;
    }
}

int cmd_lint(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"dialect", required_argument, NULL, OPT_DIALECT},
        {"pg-version", required_argument, NULL, OPT_PG_VERSION},
        {"new", required_argument, NULL, OPT_NEW},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"format", required_argument, NULL, OPT_LINT_FORMAT},
        {"enable", required_argument, NULL, OPT_ENABLE},
        {"disable", required_argument, NULL, OPT_DISABLE},
        {0, 0, 0, 0},
    };
    struct chk_config cfg;
    struct chk_result res;
    const char *dialect = NULL, *pg_version = NULL, *fail_on = NULL;
    char **news = NULL, **enable = NULL, **disable = NULL;
    size_t nnew = 0, capnew = 0, nen = 0, capen = 0, ndis = 0, capdis = 0;
    enum chk_format fmt = ctx->format == MG_FMT_JSON ? CHK_FMT_JSON : CHK_FMT_TEXT;
    int c, rc = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case OPT_DIALECT:
            dialect = optarg;
            break;
        case OPT_PG_VERSION:
            pg_version = optarg;
            break;
        case OPT_NEW:
            add_new(&news, &nnew, &capnew, optarg);
            break;
        case OPT_FAIL_ON:
            fail_on = optarg;
            break;
        case OPT_ENABLE:
            add_new(&enable, &nen, &capen, optarg);
            break;
        case OPT_DISABLE:
            add_new(&disable, &ndis, &capdis, optarg);
            break;
        case OPT_LINT_FORMAT:
            if (!strcmp(optarg, "text"))
                fmt = CHK_FMT_TEXT;
            else if (!strcmp(optarg, "json"))
                fmt = CHK_FMT_JSON;
            else if (!strcmp(optarg, "sarif"))
                fmt = CHK_FMT_SARIF;
            else if (!strcmp(optarg, "junit"))
                fmt = CHK_FMT_JUNIT;
            else {
                mg_err_set(err, MG_EUSAGE, "unknown --format '%s'", optarg);
                mg_err_hint(err, "lint writes --format text, json, sarif or junit");
                rc = MG_EUSAGE;
            }
            break;
        default:
            rc = MG_EUSAGE;
        }
        if (rc)
            goto out;
    }

    /* the environment (--env) may set the path and the database, hence the dialect */
    rc = mg_ctx_prepare(ctx, err);
    if (rc)
        goto out;
    chk_config_init(&cfg);
    rc = chk_config_load(&cfg, ctx->config_path ? ctx->config_path : "migrate.ini",
                         ctx->config_given, err);
    if (rc)
        goto out;
    if (!cfg.docs_url[0] && getenv("MIGRATE_DOCS_URL"))
        snprintf(cfg.docs_url, sizeof(cfg.docs_url), "%s", getenv("MIGRATE_DOCS_URL"));
    if (dialect) {
        if ((rc = parse_dialect(dialect, &cfg.dialect, err)))
            goto out;
    } else if (!cfg.dialect_configured && url_dialect(ctx->database_url)) {
        cfg.dialect = url_dialect(ctx->database_url);
    }
    if (pg_version && (rc = chk_config_pg_version(&cfg, pg_version, err)))
        goto out;
    if (fail_on && (chk_sev_parse(&cfg.fail_on, fail_on) || cfg.fail_on == CHK_OFF)) {
        mg_err_set(err, MG_EUSAGE, "unknown --fail-on '%s'", fail_on);
        mg_err_hint(err, "use --fail-on error, warning or info");
        rc = MG_EUSAGE;
        goto out;
    }
    for (size_t i = 0; i < nen && !rc; i++)
        rc = chk_config_rules(&cfg, enable[i], 1, err);
    for (size_t i = 0; i < ndis && !rc; i++)
        rc = chk_config_rules(&cfg, disable[i], 0, err);
    if (rc)
        goto out;

    if (optind < argc) {
        rc = chk_lint(&res, &cfg, argv + optind, (size_t)(argc - optind), news, nnew,
                      ctx->max_file_size, err);
    } else {
        char *dir = (char *)ctx->path;
        rc = chk_lint(&res, &cfg, &dir, 1, news, nnew, ctx->max_file_size, err);
    }
    if (!rc) {
        struct mg_buf out = MG_BUF_INIT;
        chk_report_write(&out, &res, &cfg, fmt);
        fwrite(out.ptr, 1, out.len, stdout);
        mg_buf_free(&out);
        /*
         * Annotations are the Actions runner's line protocol, read from the
         * step's stdout and stderr alike.  stdout carries the report (often
         * redirected into a SARIF or JUnit file), so they go to stderr, raw:
         * a log prefix would break the protocol.
         */
        const char *gha = getenv("GITHUB_ACTIONS");
        if (gha && !strcmp(gha, "true")) {
            struct mg_buf ann = MG_BUF_INIT;
            chk_report_github(&ann, &res);
            fflush(stdout);
            fwrite(ann.ptr, 1, ann.len, stderr);
            mg_buf_free(&ann);
        }
        size_t failing = chk_result_failing(&res, &cfg);
        if (failing) {
            mg_err_set(err, MG_EFINDINGS, "%zu finding%s at or above --fail-on %s", failing,
                       failing == 1 ? "" : "s", chk_sev_name(cfg.fail_on));
            rc = MG_EFINDINGS;
        }
    }
    chk_result_free(&res);
out:
    for (size_t i = 0; i < nnew; i++)
        free(news[i]);
    for (size_t i = 0; i < nen; i++)
        free(enable[i]);
    for (size_t i = 0; i < ndis; i++)
        free(disable[i]);
    free(news);
    free(enable);
    free(disable);
    return rc;
}
