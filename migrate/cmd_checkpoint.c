/*
 * cmd_checkpoint.c — migrate checkpoint list | show ID [--as TOOL]: the
 * checkpoints that up, down and goto recorded, read from the database or
 * from the checkpoint files (--source), and the restore arguments for one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cmds.h"
#include "log.h"
#include "util.h"

/* above the global options' values (cli.c), which mg_cli_getopt handles first */
enum { OPT_AS = 4096, OPT_SOURCE, OPT_STANZA, OPT_SERVER, OPT_BACKUP_ID, OPT_DESTINATION };

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Loads every checkpoint from the chosen source; *where names it for messages. */
static int load(json_t **out, const char **where, struct mg_ctx *ctx, const char *source,
                struct mg_err *err)
{
    int use_db;

    if (source && strcmp(source, "db") != 0 && strcmp(source, "files") != 0) {
        mg_err_set(err, MG_EUSAGE, "unknown --source '%s'", source);
        mg_err_hint(err, "use --source db (the table migrate_checkpoints) or --source files "
                         "(the --checkpoint-dir directory)");
        return MG_EUSAGE;
    }
    use_db = source ? !strcmp(source, "db") : ctx->database_url && ctx->database_url[0];
    if (!use_db) {
        *where = ctx->checkpoint_dir;
        return mg_checkpoint_load_dir(out, ctx->checkpoint_dir, err);
    }
    struct mg_session s;
    int rc = mg_session_open(&s, ctx, 0, err);
    if (rc) {
        mg_err_hint(err, "to read the checkpoint files instead, add --source files");
        return rc;
    }
    *where = "the database";
    rc = mg_checkpoint_load_db(out, s.conn, err);
    mg_session_close(&s);
    return rc;
}

static json_t *summary(const json_t *doc)
{
    const json_t *db = json_object_get(doc, "database");
    struct mg_buf pos = MG_BUF_INIT;
    json_t *o = json_object();

    mg_checkpoint_describe_position(&pos, doc);
    json_object_set_new(o, "id", json_deep_copy(json_object_get(doc, "id")));
    json_object_set_new(o, "created_at", json_deep_copy(json_object_get(doc, "created_at")));
    json_object_set_new(o, "completed_at", json_deep_copy(json_object_get(doc, "completed_at")));
    json_object_set_new(o, "status", json_deep_copy(json_object_get(doc, "status")));
    json_object_set_new(o, "command", json_deep_copy(json_object_get(doc, "command")));
    json_object_set_new(o, "version_before",
                        json_deep_copy(json_object_get(doc, "version_before")));
    json_object_set_new(o, "version_after", json_deep_copy(json_object_get(doc, "version_after")));
    json_object_set_new(o, "product", json_deep_copy(json_object_get(db, "product")));
    json_object_set_new(o, "database", json_deep_copy(json_object_get(db, "database")));
    json_object_set_new(o, "restore_point", json_deep_copy(json_object_get(doc, "restore_point")));
    json_object_set_new(o, "position", json_string(pos.ptr));
    mg_buf_free(&pos);
    return o;
}

static void version_text(char *out, size_t size, const json_t *v)
{
    if (json_is_integer(v))
        snprintf(out, size, "%lld", (long long)json_integer_value(v));
    else
        snprintf(out, size, "?");
}

static int list(struct mg_ctx *ctx, const char *source, struct mg_err *err)
{
    json_t *all, *doc;
    const char *where = "";
    size_t i;
    int rc = load(&all, &where, ctx, source, err);

    if (rc)
        return rc;
    if (ctx->format == MG_FMT_JSON) {
        json_t *arr = json_array();
        json_array_foreach(all, i, doc) json_array_append_new(arr, summary(doc));
        mg_print_json(json_pack("{s:s,s:o}", "source", where, "checkpoints", arr));
        json_decref(all);
        return 0;
    }
    /* the versions column as wide as its widest entry (timestamps are 14 digits) */
    int width = 8;
    char **versions = mg_calloc(json_array_size(all) + 1, sizeof(char *));
    json_array_foreach(all, i, doc)
    {
        char before[24], after[24], v[64];
        version_text(before, sizeof(before), json_object_get(doc, "version_before"));
        version_text(after, sizeof(after), json_object_get(doc, "version_after"));
        snprintf(v, sizeof(v), "%s -> %s", before, after);
        versions[i] = mg_strdup(v);
        if ((int)strlen(v) > width)
            width = (int)strlen(v);
    }
    if (!json_array_size(all))
        printf("no checkpoints in %s\n", where);
    else
        printf("%-36s  %-24s  %-9s  %-7s  %-*s  %s\n", "ID", "CREATED", "STATUS", "COMMAND", width,
               "VERSIONS", "POSITION");
    json_array_foreach(all, i, doc)
    {
        struct mg_buf pos = MG_BUF_INIT;
        mg_checkpoint_describe_position(&pos, doc);
        printf("%-36s  %-24s  %-9s  %-7s  %-*s  %s\n", str(doc, "id"), str(doc, "created_at"),
               str(doc, "status") ? str(doc, "status") : "?",
               str(doc, "command") ? str(doc, "command") : "?", width, versions[i], pos.ptr);
        mg_buf_free(&pos);
        free(versions[i]);
    }
    free(versions);
    json_decref(all);
    return 0;
}

static void print_steps(const char *label, const json_t *steps, int with_result)
{
    size_t i;
    const json_t *st;

    if (!json_array_size(steps)) {
        printf("  %-16s none\n", label);
        return;
    }
    json_array_foreach(steps, i, st)
    {
        printf("  %-16s %s %lld_%s", i ? "" : label, str(st, "direction"),
               (long long)json_integer_value(json_object_get(st, "version")), str(st, "name"));
        if (with_result)
            printf(" %s, %lldms", json_is_true(json_object_get(st, "ok")) ? "ok" : "failed",
                   (long long)json_integer_value(json_object_get(st, "duration_ms")));
        else if (str(st, "checksum"))
            printf(" (sha256 %.16s...)", str(st, "checksum"));
        printf("\n");
    }
}

static void print_position(const char *label, const json_t *pos)
{
    const char *kind = str(pos, "kind");

    if (!json_is_object(pos)) {
        printf("  %-16s none\n", label);
        return;
    }
    printf("  %-16s ", label);
    if (kind && !strcmp(kind, "wal")) {
        printf("WAL %s", str(pos, "lsn") ? str(pos, "lsn") : "?");
        if (json_is_integer(json_object_get(pos, "timeline")))
            printf(", timeline %lld",
                   (long long)json_integer_value(json_object_get(pos, "timeline")));
        if (str(pos, "wal_file"))
            printf(", file %s", str(pos, "wal_file"));
        if (str(pos, "wal_level"))
            printf(", wal_level %s", str(pos, "wal_level"));
        if (json_is_true(json_object_get(pos, "in_recovery")))
            printf(", standby");
    } else if (kind && !strcmp(kind, "binlog")) {
        printf("binlog %s:%lld", str(pos, "binlog_file") ? str(pos, "binlog_file") : "?",
               (long long)json_integer_value(json_object_get(pos, "binlog_position")));
        if (str(pos, "gtid_set"))
            printf(", %s %s", str(pos, "gtid_variable") ? str(pos, "gtid_variable") : "GTID",
                   str(pos, "gtid_set"));
    } else {
        printf("%s", kind ? kind : "unknown");
    }
    if (str(pos, "note"))
        printf(" (%s)", str(pos, "note"));
    printf("\n");
}

static void show_text(const json_t *doc)
{
    const json_t *db = json_object_get(doc, "database");
    const json_t *rp = json_object_get(doc, "restore_point");
    const json_t *sh = json_object_get(doc, "schema_hash");
    const json_t *who = json_object_get(doc, "recorded_by");
    const json_t *out = json_object_get(doc, "outcome");
    const json_t *w = json_object_get(doc, "warnings");
    char before[24], after[24];
    size_t i;
    const json_t *v;

    version_text(before, sizeof(before), json_object_get(doc, "version_before"));
    version_text(after, sizeof(after), json_object_get(doc, "version_after"));
    printf("checkpoint %s\n", str(doc, "id"));
    printf("  %-16s %s\n", "status", str(doc, "status") ? str(doc, "status") : "?");
    printf("  %-16s %s\n", "created", str(doc, "created_at") ? str(doc, "created_at") : "?");
    printf("  %-16s %s\n", "completed",
           str(doc, "completed_at") ? str(doc, "completed_at") : "not yet");
    printf("  %-16s migrate %s (run %s)\n", "command", str(doc, "command"), str(doc, "run_id"));
    printf("  %-16s %s by %s on %s\n", "recorded by", str(doc, "tool_version"), str(who, "os_user"),
           str(who, "host"));
    printf("  %-16s %s %s \"%s\"", "database", str(db, "product"), str(db, "server_version"),
           str(db, "database"));
    if (str(db, "host"))
        printf(" on %s%s%s", str(db, "host"), str(db, "port") ? ":" : "",
               str(db, "port") ? str(db, "port") : "");
    printf(" as %s\n", str(db, "user"));
    if (str(db, "system_identifier"))
        printf("  %-16s %s\n", "system id", str(db, "system_identifier"));
    if (str(db, "server_uuid"))
        printf("  %-16s %s\n", "server uuid", str(db, "server_uuid"));
    printf("  %-16s %s -> %s\n", "versions", before, after);
    print_steps("plan", json_object_get(doc, "plan"), 0);
    print_steps("applied", json_object_get(doc, "applied"), 1);
    if (json_is_object(out) && !json_is_true(json_object_get(out, "ok")))
        printf("  %-16s %s\n", "error",
               str(json_object_get(out, "error"), "message")
                   ? str(json_object_get(out, "error"), "message")
                   : "?");
    if (json_is_object(rp))
        printf("  %-16s %s at %s\n", "restore point", str(rp, "name"),
               str(rp, "lsn") ? str(rp, "lsn") : "?");
    else
        printf("  %-16s none\n", "restore point");
    print_position("position before", json_object_get(doc, "position_before"));
    print_position("position after", json_object_get(doc, "position_after"));
    printf("  %-16s before %s, after %s\n", "schema sha256",
           str(sh, "before") ? str(sh, "before") : "unknown",
           str(sh, "after") ? str(sh, "after") : "unknown");
    json_array_foreach(w, i, v) printf("  %-16s %s\n", i ? "" : "warnings", json_string_value(v));
}

static int show(struct mg_ctx *ctx, const char *id, const char *source, const char *as,
                const struct mg_restore_opts *ro, struct mg_err *err)
{
    json_t *all, *doc;
    const char *where = "";
    int rc = load(&all, &where, ctx, source, err);

    if (rc)
        return rc;
    rc = mg_checkpoint_find(&doc, all, id, err);
    if (rc) {
        mg_err_context(err, "looking in %s", where);
        json_decref(all);
        return rc;
    }
    if (as) {
        struct mg_buf out = MG_BUF_INIT;
        rc = mg_checkpoint_restore_args(&out, doc, as, ro, err);
        if (!rc && ctx->format == MG_FMT_JSON)
            mg_print_json(
                json_pack("{s:s,s:s,s:s}", "id", str(doc, "id"), "tool", as, "output", out.ptr));
        else if (!rc)
            fputs(out.ptr, stdout);
        mg_buf_free(&out);
    } else if (ctx->format == MG_FMT_JSON) {
        mg_print_json(json_incref(doc));
    } else {
        show_text(doc);
    }
    json_decref(all);
    return rc;
}

int cmd_checkpoint(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"as", required_argument, NULL, OPT_AS},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"stanza", required_argument, NULL, OPT_STANZA},
        {"server", required_argument, NULL, OPT_SERVER},
        {"backup-id", required_argument, NULL, OPT_BACKUP_ID},
        {"destination", required_argument, NULL, OPT_DESTINATION},
        {0, 0, 0, 0},
    };
    struct mg_restore_opts ro = {0};
    const char *as = NULL, *source = NULL;
    int c, restore_opts = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (c) {
        case OPT_AS:
            as = optarg;
            break;
        case OPT_SOURCE:
            source = optarg;
            break;
        case OPT_STANZA:
            ro.stanza = optarg;
            restore_opts = 1;
            break;
        case OPT_SERVER:
            ro.server = optarg;
            restore_opts = 1;
            break;
        case OPT_BACKUP_ID:
            ro.backup_id = optarg;
            restore_opts = 1;
            break;
        case OPT_DESTINATION:
            ro.destination = optarg;
            restore_opts = 1;
            break;
        default:
            return MG_EUSAGE;
        }
    }
    int nargs = argc - optind;
    const char *sub = nargs > 0 ? argv[optind] : NULL;
    if (sub && !strcmp(sub, "list") && nargs == 1 && !as && !restore_opts)
        return list(ctx, source, err);
    if (sub && !strcmp(sub, "show") && nargs == 2) {
        if (restore_opts && !as) {
            mg_err_set(err, MG_EUSAGE,
                       "--stanza, --server, --backup-id and --destination go "
                       "with --as");
            return MG_EUSAGE;
        }
        return show(ctx, argv[optind + 1], source, as, &ro, err);
    }
    if (sub && !strcmp(sub, "show"))
        mg_err_set(err, MG_EUSAGE, "usage: migrate checkpoint show ID [--as TOOL]");
    else if (sub && !strcmp(sub, "list"))
        mg_err_set(err, MG_EUSAGE, "usage: migrate checkpoint list [--source db|files]");
    else if (sub)
        mg_err_set(err, MG_EUSAGE, "unknown checkpoint command '%s'", sub);
    else
        mg_err_set(err, MG_EUSAGE, "usage: migrate checkpoint list | show ID [--as TOOL]");
    mg_err_hint(err, "migrate checkpoint list; migrate checkpoint show ID [--as pgbackrest|barman|"
                     "recovery-conf|mysqlbinlog]");
    return MG_EUSAGE;
}
