/* cmd_version.c — migrate version: the current version of the database. */
#include <stdio.h>

#include "cmds.h"
#include "plan.h"

int cmd_version(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {{0, 0, 0, 0}};
    struct mg_source src = {0};
    struct mg_session s;
    struct mg_history h;
    struct mg_status st;
    int c, rc;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1)
        return MG_EUSAGE;
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE, "usage: migrate version");
    rc = mg_session_open(&s, ctx, 0, err);
    if (rc)
        return rc;
    rc = mg_history_load(&h, s.conn, err);
    mg_session_close(&s);
    if (rc)
        return rc;
    /* the version is the history's alone: no files needed */
    mg_status_build(&st, &src, &h);
    const struct mg_entry *partial = NULL;
    for (size_t i = 0; i < st.n; i++)
        if (st.v[i].partial)
            partial = &st.v[i];
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_pack("{s:I,s:b}", "version", (json_int_t)st.current, "dirty", st.dirty);
        if (partial)
            json_object_set_new(doc, "dirty_version", json_integer((json_int_t)partial->version));
        mg_print_json(doc);
    } else if (partial) {
        printf("%llu (dirty: version %llu is %s)\n", (unsigned long long)st.current,
               (unsigned long long)partial->version, mg_state_name(partial->state));
    } else {
        printf("%llu\n", (unsigned long long)st.current);
    }
    mg_status_free(&st);
    mg_history_free(&h);
    if (partial)
        return err->code = MG_EATTENTION;
    return 0;
}
