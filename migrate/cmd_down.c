/* cmd_down.c — migrate down [N|--all]: revert applied migrations, newest first. */
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "util.h"

int cmd_down(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'A'},
        {"allow-edited", no_argument, NULL, 'E'},
        {"dry-run", no_argument, NULL, 'N'},
        {0, 0, 0, 0},
    };
    int dry = 0;
    struct mg_plan_req req = {.kind = MG_PLAN_DOWN, .count = 1};
    int c, all = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'N')
            dry = 1;
        else if (c == 'A')
            all = 1;
        else if (c == 'E')
            req.allow_edited = 1;
        else
            return MG_EUSAGE;
    }
    if (argc - optind > 1 || (all && argc - optind == 1))
        return mg_err_set(err, MG_EUSAGE, "usage: migrate down [N | --all]");
    if (all)
        req.count = -1;
    if (argc - optind == 1) {
        uint64_t n;
        if (mg_parse_u64(&n, argv[optind], strlen(argv[optind])) < 0 || n == 0 || n > 1000000) {
            mg_err_set(err, MG_EUSAGE, "'%s' is not a number of migrations", argv[optind]);
            mg_err_hint(err, "write 'migrate down' for the last one, 'migrate down 3', or "
                             "'migrate down --all'");
            return MG_EUSAGE;
        }
        req.count = (long)n;
    }
    return mg_apply(ctx, &req, dry, err);
}
