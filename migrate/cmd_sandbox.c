/* cmd_sandbox.c — migrate sandbox start|stop|url|status: throwaway servers. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "sandbox.h"

static json_t *sandbox_json(const struct mg_sandbox *sb, int alive)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:s,s:b}", "driver", sb->driver, "dir", sb->dir,
                     "url", sb->url, "tcp_url", sb->tcp_url, "port", sb->port, "pid",
                     (json_int_t)sb->pid, "user", sb->user, "running", alive);
}

int cmd_sandbox(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"driver", required_argument, NULL, 'D'},
        {"dir", required_argument, NULL, 'R'},
        {"keep", no_argument, NULL, 'K'},
        {"tcp", no_argument, NULL, 'T'},
        {0, 0, 0, 0},
    };
    const char *driver = "postgres", *dir = NULL, *verb;
    int keep = 0, tcp = 0, c, rc;
    struct mg_sandbox sb;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case 'D':
            driver = optarg;
            break;
        case 'R':
            dir = optarg;
            break;
        case 'K':
            keep = 1;
            break;
        case 'T':
            tcp = 1;
            break;
        default:
            return MG_EUSAGE;
        }
    }
    if (optind >= argc) {
        mg_err_set(err, MG_EUSAGE, "usage: migrate sandbox start|stop|url|status");
        return MG_EUSAGE;
    }
    verb = argv[optind++];
    if (!strcmp(verb, "start")) {
        if (optind < argc)
            return mg_err_set(err, MG_EUSAGE,
                              "usage: migrate sandbox start [--driver D] [--dir DIR]");
        rc = mg_sandbox_start(&sb, driver, dir, err);
        if (rc)
            return rc;
        if (ctx->format == MG_FMT_JSON)
            mg_print_json(sandbox_json(&sb, 1));
        else
            printf("%s\n", tcp ? sb.tcp_url : sb.url);
        return 0;
    }
    if (strcmp(verb, "stop") && strcmp(verb, "restart") && strcmp(verb, "url") &&
        strcmp(verb, "status")) {
        mg_err_set(err, MG_EUSAGE, "unknown sandbox action '%s'", verb);
        mg_err_hint(err, "use start, stop, restart, url or status");
        return MG_EUSAGE;
    }
    /* the others name the sandbox: --dir, or a folder or URL argument */
    const char *which = dir;
    if (optind < argc)
        which = argv[optind++];
    if (!which || optind < argc) {
        mg_err_set(err, MG_EUSAGE, "usage: migrate sandbox %s DIR|URL", verb);
        mg_err_hint(err, "name the sandbox by its folder or by the URL 'sandbox start' printed");
        return MG_EUSAGE;
    }
    rc = mg_sandbox_load(&sb, which, err);
    if (rc)
        return rc;
    if (!strcmp(verb, "stop")) {
        rc = mg_sandbox_stop(&sb, keep, err);
        if (!rc && ctx->format == MG_FMT_JSON)
            mg_print_json(json_pack("{s:s,s:b}", "dir", sb.dir, "stopped", 1));
        return rc;
    }
    if (!strcmp(verb, "restart")) {
        rc = mg_sandbox_restart(&sb, err);
        if (!rc && ctx->format == MG_FMT_JSON)
            mg_print_json(sandbox_json(&sb, 1));
        return rc;
    }
    if (!strcmp(verb, "url")) {
        if (ctx->format == MG_FMT_JSON)
            mg_print_json(sandbox_json(&sb, mg_sandbox_alive(&sb)));
        else
            printf("%s\n", tcp ? sb.tcp_url : sb.url);
        return 0;
    }
    if (!strcmp(verb, "status")) {
        int alive = mg_sandbox_alive(&sb);
        if (ctx->format == MG_FMT_JSON)
            mg_print_json(sandbox_json(&sb, alive));
        else
            printf("%s sandbox in %s: %s (pid %ld, port %d)\n", sb.driver, sb.dir,
                   alive ? "running" : "stopped", sb.pid, sb.port);
        return alive ? 0 : mg_err_set(err, MG_EFAIL, "the sandbox server is not running");
    }
    mg_err_set(err, MG_EUSAGE, "unknown sandbox action '%s'", verb);
    mg_err_hint(err, "use start, stop, restart, url or status");
    return MG_EUSAGE;
}
