/*
 * cmd_adopt.c — migrate adopt --from golang-migrate|dbmate|goose|flyway:
 * reads another tool's history table (never writing to it) and records the
 * same applied set in ours, with the checksums of the files as they are,
 * without running SQL.  A dirty golang-migrate version or a failed Flyway
 * row becomes a failed migration here: reported, not hidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cmds.h"
#include "log.h"
#include "util.h"

enum tool { GOLANG, DBMATE, GOOSE, FLYWAY };

static const struct {
    const char *name;
    const char *table;
} tools[] = {
    [GOLANG] = {"golang-migrate", "schema_migrations"},
    [DBMATE] = {"dbmate", "schema_migrations"},
    [GOOSE] = {"goose", "goose_db_version"},
    [FLYWAY] = {"flyway", "flyway_schema_history"},
};

/* What the other tool says about one version. */
struct foreign {
    uint64_t version;
    int applied; /* 1 applied, 0 not (goose down, flyway undo) */
    int failed;  /* dirty (golang-migrate) or success = false (flyway) */
    char *name;  /* flyway's description, or NULL */
};

struct foreign_set {
    struct foreign *v;
    size_t n, cap;
    uint64_t baseline; /* flyway BASELINE version, 0 when none */
};

static struct foreign *get(struct foreign_set *s, uint64_t version)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].version == version)
            return &s->v[i];
    mg_grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
    memset(&s->v[s->n], 0, sizeof(s->v[0]));
    s->v[s->n].version = version;
    return &s->v[s->n++];
}

/* "schema.table" -> quoted identifiers. */
static void quote_table(struct drv_conn *c, struct mg_buf *out, const char *name)
{
    const char *dot = strchr(name, '.');

    if (dot) {
        char *schema = mg_strndup(name, (size_t)(dot - name));
        drv_quote_ident(c, out, schema);
        mg_buf_addch(out, '.');
        free(schema);
        name = dot + 1;
    }
    drv_quote_ident(c, out, name);
}

static int parse_version(uint64_t *v, const char *s, const char *tool, struct mg_err *err)
{
    if (s && mg_parse_u64(v, s, strlen(s)) == 0)
        return 0;
    mg_err_set(err, MG_EINPUT, "%s's history has a version migrate cannot read: '%s'", tool,
               s ? s : "NULL");
    mg_err_hint(err, "migrate's versions are whole numbers (dotted Flyway versions are not "
                     "supported)");
    return MG_EINPUT;
}

static int read_foreign(struct drv_conn *c, enum tool t, const char *table, struct foreign_set *out,
                        struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT, qt = MG_BUF_INIT;
    struct drv_result *r;
    int rc;

    quote_table(c, &qt, table);
    switch (t) {
    case GOLANG:
        mg_buf_addf(&sql, "SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM %s", qt.ptr);
        break;
    case DBMATE:
        mg_buf_addf(&sql, "SELECT version FROM %s", qt.ptr);
        break;
    case GOOSE:
        mg_buf_addf(&sql,
                    "SELECT version_id, CASE WHEN is_applied THEN 1 ELSE 0 END FROM %s ORDER BY id",
                    qt.ptr);
        break;
    case FLYWAY:
        mg_buf_addf(&sql,
                    "SELECT version, type, CASE WHEN success THEN 1 ELSE 0 END, description "
                    "FROM %s ORDER BY installed_rank",
                    qt.ptr);
        break;
    }
    rc = drv_query(c, &r, sql.ptr, NULL, 0, err);
    if (rc) {
        mg_err_context(err, "reading %s's history table %s", tools[t].name, table);
        if (!strcmp(err->sqlstate, "42P01") || err->server_code == 1146)
            mg_err_hint(err, "is this the right database? name the table with --table");
        goto out;
    }
    if (t == GOLANG && r->nrows > 1) {
        rc = mg_err_set(err, MG_EINPUT, "golang-migrate's %s has %zu rows; it keeps one", table,
                        r->nrows);
        goto out_r;
    }
    for (size_t i = 0; i < r->nrows && !rc; i++) {
        uint64_t v;
        const char *ver = drv_val(r, i, 0);
        if (t == FLYWAY && !ver) {
            mg_warn("flyway: repeatable migration '%s' is not adopted (not supported)",
                    drv_val(r, i, 3) ? drv_val(r, i, 3) : "");
            continue;
        }
        rc = parse_version(&v, ver, tools[t].name, err);
        if (rc)
            break;
        if (v == 0)
            continue; /* goose's and golang-migrate's "nothing applied" */
        if (t == GOLANG) {
            /* one row: every version up to it is applied */
            struct foreign *f = get(out, v);
            f->applied = 1;
            f->failed = drv_val(r, i, 1) && !strcmp(drv_val(r, i, 1), "1");
            out->baseline = v; /* the upper bound, see adopt() */
        } else if (t == DBMATE) {
            get(out, v)->applied = 1;
        } else if (t == GOOSE) {
            get(out, v)->applied = drv_val(r, i, 1) && !strcmp(drv_val(r, i, 1), "1");
        } else {
            const char *type = drv_val(r, i, 1) ? drv_val(r, i, 1) : "";
            int ok = drv_val(r, i, 2) && !strcmp(drv_val(r, i, 2), "1");
            struct foreign *f = get(out, v);
            if (!f->name && drv_val(r, i, 3))
                f->name = mg_strdup(drv_val(r, i, 3));
            if (!strcmp(type, "BASELINE")) {
                out->baseline = v;
            } else if (!strcmp(type, "UNDO_SQL") || !strcmp(type, "DELETE")) {
                if (ok)
                    f->applied = 0;
            } else {
                f->applied = ok;
                f->failed = !ok;
            }
        }
    }
out_r:
    drv_result_free(r);
out:
    mg_buf_free(&sql);
    mg_buf_free(&qt);
    return rc;
}

static int cmp_foreign(const void *a, const void *b)
{
    const struct foreign *x = a, *y = b;
    return x->version < y->version ? -1 : x->version > y->version;
}

struct row_out {
    uint64_t version;
    const char *name;
    const char *state;
};

int cmd_adopt(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'F'},
        {"table", required_argument, NULL, 'T'},
        {0, 0, 0, 0},
    };
    const char *from = NULL, *table = NULL;
    enum tool t = GOLANG;
    struct mg_source src;
    struct mg_session s;
    struct mg_history h;
    struct foreign_set fs = {0};
    struct row_out *rows = NULL;
    size_t nrows = 0, rcap = 0, failed = 0, missing = 0;
    int c, rc, found = 0;

    while ((c = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        if (c == 'F')
            from = optarg;
        else if (c == 'T')
            table = optarg;
        else
            return MG_EUSAGE;
    }
    if (!from || optind < argc) {
        mg_err_set(err, MG_EUSAGE, "usage: migrate adopt --from TOOL [--table NAME]");
        mg_err_hint(err, "TOOL is golang-migrate, dbmate, goose or flyway");
        return MG_EUSAGE;
    }
    for (size_t i = 0; i < MG_ARRAY_SIZE(tools); i++)
        if (!strcmp(from, tools[i].name)) {
            t = (enum tool)i;
            found = 1;
        }
    if (!found) {
        mg_err_set(err, MG_EUSAGE, "cannot adopt from '%s'", from);
        mg_err_hint(err, "--from takes golang-migrate, dbmate, goose or flyway");
        return MG_EUSAGE;
    }
    if (!table)
        table = tools[t].table;
    rc = mg_ctx_load_source(ctx, &src, err);
    if (rc)
        return rc;
    if (mg_report_source_problems(&src)) {
        mg_source_free(&src);
        mg_err_set(err, MG_EINPUT, "the migrations directory '%s' has errors", ctx->path);
        mg_err_hint(err, "fix the files listed above first: adoption records their checksums");
        return MG_EINPUT;
    }
    mg_info("migrations directory '%s': %s layout", ctx->path, src.layout);
    rc = mg_session_open(&s, ctx, 1, err);
    if (rc) {
        mg_source_free(&src);
        return rc;
    }
    rc = mg_history_load(&h, s.conn, err);
    if (rc)
        goto out;
    if (h.n) {
        rc = mg_err_set(err, MG_EUSAGE, "migrate already has history in this database (%zu rows)",
                        h.n);
        mg_err_hint(err, "adoption is for a database whose migrations another tool ran");
        goto out_h;
    }
    rc = read_foreign(s.conn, t, table, &fs, err);
    if (rc)
        goto out_h;

    /* golang-migrate keeps only the current version: everything up to it is applied */
    if (t == GOLANG && fs.baseline) {
        struct foreign cur = *get(&fs, fs.baseline);
        for (size_t i = 0; i < src.n; i++)
            if (src.v[i].version < cur.version)
                get(&fs, src.v[i].version)->applied = 1;
    }
    if (t == FLYWAY && fs.baseline) {
        for (size_t i = 0; i < src.n; i++)
            if (src.v[i].version <= fs.baseline)
                get(&fs, src.v[i].version)->applied = 1;
    }

    if (fs.n)
        qsort(fs.v, fs.n, sizeof(*fs.v), cmp_foreign);
    if (s.conn->info.transactional_ddl && (rc = drv_begin(s.conn, err)))
        goto out_h;
    for (size_t i = 0; i < fs.n && !rc; i++) {
        struct foreign *f = &fs.v[i];
        if (!f->applied && !f->failed)
            continue;
        const struct mg_migration *m = mg_source_find(&src, f->version);
        struct mg_hrow row;
        char at[40];
        mg_now_iso(at);
        memset(&row, 0, sizeof(row));
        row.version = f->version;
        row.name = (char *)(m ? m->title : f->name ? f->name : "adopted");
        row.checksum = (char *)(m && m->up ? m->up->checksum : "");
        row.status = f->failed ? MG_H_FAILED : MG_H_APPLIED;
        row.kind = (char *)"adopted";
        row.no_transaction = f->failed;
        row.applied_at = at;
        row.applied_by = (char *)mg_os_user();
        row.run_id = ctx->run_id;
        if (f->failed)
            row.err_message = (char *)(t == GOLANG ? "golang-migrate marked this version dirty: "
                                                     "it failed partway"
                                                   : "flyway recorded this migration as failed");
        rc = mg_history_upsert(s.conn, &row, err);
        if (!rc) {
            json_t *meta = json_pack("{s:s,s:s,s:s}", "command", "adopt", "from", tools[t].name,
                                     "table", table);
            struct mg_event ev = {.run_id = ctx->run_id,
                                  .action = "adopt",
                                  .outcome = f->failed ? "failed" : "recorded",
                                  .version = f->version,
                                  .name = row.name,
                                  .checksum = row.checksum,
                                  .meta = meta};
            rc = mg_event_append(s.conn, &ev, err);
            json_decref(meta);
        }
        mg_grow_array((void **)&rows, &rcap, nrows + 1, sizeof(*rows));
        rows[nrows].version = f->version;
        rows[nrows].name = row.name;
        rows[nrows].state = f->failed ? "failed" : m ? "applied" : "applied, no file";
        nrows++;
        failed += f->failed;
        missing += !m;
    }
    if (s.conn->info.transactional_ddl) {
        if (rc)
            drv_rollback_quiet(s.conn);
        else
            rc = drv_commit(s.conn, err);
    }
    if (!rc) {
        if (ctx->format == MG_FMT_JSON) {
            json_t *arr = json_array();
            for (size_t i = 0; i < nrows; i++)
                json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "version",
                                                     (json_int_t)rows[i].version, "name",
                                                     rows[i].name, "state", rows[i].state));
            mg_print_json(json_pack("{s:s,s:s,s:s,s:o,s:I,s:I}", "from", tools[t].name, "table",
                                    table, "layout", src.layout, "adopted", arr, "failed",
                                    (json_int_t)failed, "missing_files", (json_int_t)missing));
        } else {
            for (size_t i = 0; i < nrows; i++)
                printf("%llu_%s: %s\n", (unsigned long long)rows[i].version, rows[i].name,
                       rows[i].state);
            printf("adopted %zu versions from %s's %s (left untouched); no SQL was run\n", nrows,
                   tools[t].name, table);
        }
        if (missing)
            mg_warn("%zu adopted versions have no file here: 'migrate status' lists them as "
                    "missing",
                    missing);
        if (failed) {
            mg_err_set(err, MG_EATTENTION, "%zu adopted migrations were left failed by %s", failed,
                       tools[t].name);
            mg_err_hint(err, "repair them by hand, then record the truth with 'migrate force'");
            rc = MG_EATTENTION;
        }
    }
out_h:
    mg_history_free(&h);
out:
    mg_session_close(&s);
    mg_source_free(&src);
    for (size_t i = 0; i < fs.n; i++)
        free(fs.v[i].name);
    free(fs.v);
    free(rows);
    return rc;
}
