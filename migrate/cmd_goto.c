/* cmd_goto.c — migrate goto V: apply or revert until V is the current version. */
#include "apply.h"
#include "cmds.h"

int cmd_goto(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    int dry = 0;
    struct mg_plan_req req = {.kind = MG_PLAN_GOTO, .count = -1};

    if (mg_apply_options(argc, argv, ctx, &req, &dry, err))
        return MG_EUSAGE;
    if (argc - optind != 1)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate goto V");
    if (mg_cli_version_arg(&req.target, argv[optind], err))
        return MG_EUSAGE;
    return mg_apply(ctx, &req, dry, err);
}
