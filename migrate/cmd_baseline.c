/* cmd_baseline.c — migrate baseline V: adopt a database whose schema is at V already. */
#include "cmds.h"
#include "record.h"

int cmd_baseline(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {{0, 0, 0, 0}};
    uint64_t v;
    int c;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1)
        return MG_EUSAGE;
    if (argc - optind != 1)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate baseline V");
    if (mg_cli_version_arg(&v, argv[optind], err))
        return MG_EUSAGE;
    return mg_record(ctx, MG_RECORD_BASELINE, v, err);
}
