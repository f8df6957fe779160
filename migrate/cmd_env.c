/* cmd_env.c — migrate env list: the environments of migrate.ini, passwords redacted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "config.h"
#include "url.h"

/* How a database setting is shown: references as written, URLs redacted. */
static void show_database(struct mg_buf *out, const char *raw)
{
    if (!raw) {
        mg_buf_adds(out, "-");
        return;
    }
    if (!strncmp(raw, "@file:", 6) || (raw[0] == '$' && raw[1] == '{' && !strstr(raw, "://")))
        mg_buf_adds(out, raw);
    else
        mg_url_redact_str(out, raw);
}

int cmd_env(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {{0, 0, 0, 0}};
    struct mg_config cfg;
    int c, rc;
    const char *path;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1)
        return MG_EUSAGE;
    if (argc - optind != 1 || strcmp(argv[optind], "list") != 0)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate env list");
    path = ctx->config_path                                        ? ctx->config_path
           : getenv("MIGRATE_CONFIG") && *getenv("MIGRATE_CONFIG") ? getenv("MIGRATE_CONFIG")
                                                                   : "migrate.ini";
    rc = mg_config_load(&cfg, path, 1, err);
    if (rc) {
        mg_err_hint(err, "environments live in migrate.ini (or --config PATH) as [env.NAME] "
                         "sections");
        return rc;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < cfg.n; i++) {
        const struct mg_env *e = &cfg.envs[i];
        struct mg_buf db = MG_BUF_INIT;
        show_database(&db, e->database);
        if (ctx->format == MG_FMT_JSON) {
            json_array_append_new(arr, json_pack("{s:s,s:b,s:s,s:s,s:b}", "name", e->name,
                                                 "production", e->production, "database", db.ptr,
                                                 "path", e->path ? e->path : "", "confirm_required",
                                                 mg_env_confirm_required(e)));
        } else {
            printf("%-14s %-10s %s%s%s\n", e->name, e->production ? "production" : "-", db.ptr,
                   e->path ? "  path=" : "", e->path ? e->path : "");
        }
        mg_buf_free(&db);
    }
    if (ctx->format == MG_FMT_JSON)
        mg_print_json(json_pack("{s:s,s:o}", "config", cfg.path, "environments", arr));
    else
        json_decref(arr);
    mg_config_free(&cfg);
    return 0;
}
