/* cmd_up.c — migrate up [N]: apply pending migrations. */
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "util.h"

int cmd_up(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    int dry = 0;
    struct mg_plan_req req = {.kind = MG_PLAN_UP, .count = -1};

    if (mg_apply_options(argc, argv, ctx, &req, &dry, err))
        return MG_EUSAGE;
    if (argc - optind > 1)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate up [N]");
    if (argc - optind == 1) {
        uint64_t n;
        if (mg_parse_u64(&n, argv[optind], strlen(argv[optind])) < 0 || n == 0 || n > 1000000) {
            mg_err_set(err, MG_EUSAGE, "'%s' is not a number of migrations", argv[optind]);
            mg_err_hint(err,
                        "write 'migrate up' for all pending, or 'migrate up 2' for the next two");
            return MG_EUSAGE;
        }
        req.count = (long)n;
    }
    return mg_apply(ctx, &req, dry, err);
}
