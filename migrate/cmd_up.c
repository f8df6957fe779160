/* cmd_up.c — migrate up [N]: apply pending migrations. */
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "util.h"

int cmd_up(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"allow-edited", no_argument, NULL, 'E'},
        {"allow-out-of-order", no_argument, NULL, 'O'},
        {"dry-run", no_argument, NULL, 'N'},
        {"clone", required_argument, NULL, 'C'},
        {0, 0, 0, 0},
    };
    int dry = 0;
    struct mg_plan_req req = {.kind = MG_PLAN_UP, .count = -1};
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
