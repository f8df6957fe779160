/* cmd_goto.c — migrate goto V: apply or revert until V is the current version. */
#include "apply.h"
#include "cmds.h"

int cmd_goto(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"allow-edited", no_argument, NULL, 'E'},
        {"allow-out-of-order", no_argument, NULL, 'O'},
        {"dry-run", no_argument, NULL, 'N'},
        {"clone", required_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    int dry = 0;
    struct mg_plan_req req = {.kind = MG_PLAN_GOTO, .count = -1};
    int c;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'C')
            ctx->clone_url = optarg;
        else if (c == 'N')
            dry = 1;
        else if (c == 'E')
            req.allow_edited = 1;
        else if (c == 'O')
            req.allow_out_of_order = 1;
        else
            return MG_EUSAGE;
    }
    if (argc - optind != 1)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate goto V");
    if (mg_cli_version_arg(&req.target, argv[optind], err))
        return MG_EUSAGE;
    return mg_apply(ctx, &req, dry, err);
}
