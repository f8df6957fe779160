/*
 * clone.c — copying a database's schema and a sample of its rows (see
 * clone.h and docs/commands/clone.md).
 *
 * The schema comes from pg_dump --schema-only, for fidelity: it knows every
 * kind of object of every server version, which catalog queries of ours
 * would not.  It is split in two: the tables first (pre-data), then, after
 * the rows, indexes, constraints and triggers (post-data), so loading is fast
 * and foreign keys are added once the rows they check are there.  Rows whose
 * parent row was not sampled are removed before that.  The rows travel with
 * COPY ... TO STDOUT on the source and COPY ... FROM STDIN on the clone.
 * A MySQL or MariaDB source is cloned by clone_my.c.
 */
#define _XOPEN_SOURCE 700
#include "clone.h"

#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "estimate.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "sqltext.h"
#include "url.h"
#include "util.h"

struct clone {
    const struct mg_clone_opts *o;
    struct mg_clone_result *out;
    struct drv_conn *src, *dst;
    struct mg_url src_url, dst_url;
    int have_src_url, have_dst_url;
    char snapshot[64];
    char tmp[256];
    struct mg_sandbox sb;
    int sandbox_started;
};

/* ---------- helper programs ---------- */

static int need_program(const char *prog, char **path, struct mg_err *err)
{
    *path = mg_proc_which(prog);
    if (*path)
        return 0;
    mg_err_set(err, MG_EUSAGE, "'%s' is not installed; clone needs it", prog);
    mg_err_hint(err, "install the PostgreSQL client programs (Debian: postgresql-client; "
                     "'make deps' does it)");
    return MG_EUSAGE;
}

/*
 * Runs pg_dump or psql against `u`: the URL without its password on the
 * command line (other users can read that), the password in PGPASSWORD.
 */
static int run_pg_program(const char *const *args, const struct mg_url *u, const char *what,
                          struct mg_err *err)
{
    struct mg_buf out = MG_BUF_INIT, url = MG_BUF_INIT, arg = MG_BUF_INIT;
    const char *argv[32];
    const char *pw = u->password ? u->password : mg_url_param(u, "password");
    size_t n = 0;
    int rc;

    mg_url_no_password(&url, u);
    mg_buf_addf(&arg, "--dbname=%s", url.ptr);
    for (; args[n] && n < 29; n++)
        argv[n] = args[n];
    argv[n++] = arg.ptr;
    argv[n] = NULL;
    if (pw)
        setenv("PGPASSWORD", pw, 1);
    rc = mg_proc_run(argv, NULL, &out, err);
    if (pw)
        unsetenv("PGPASSWORD");
    if (rc > 0) {
        mg_buf_rtrim(&out);
        mg_err_set(err, MG_EFAIL, "%s failed (%s exited with %d)", what, args[0], rc);
        mg_err_detail(err, "%s", out.len > 1500 ? out.ptr + out.len - 1500 : out.ptr);
        rc = MG_EFAIL;
    } else if (rc == 0 && out.len) {
        mg_buf_rtrim(&out);
        mg_debug("%s: %s", args[0], out.ptr);
    }
    mg_buf_free(&out);
    mg_buf_free(&url);
    mg_buf_free(&arg);
    return rc;
}

static int dump_section(struct clone *c, const char *pg_dump, const char *section, const char *file,
                        struct mg_err *err)
{
    struct mg_buf f = MG_BUF_INIT, s = MG_BUF_INIT, snap = MG_BUF_INIT;
    const char *args[16];
    size_t n = 0;
    int rc;

    mg_buf_addf(&f, "--file=%s", file);
    mg_buf_addf(&s, "--section=%s", section);
    args[n++] = pg_dump;
    args[n++] = "--schema-only";
    args[n++] = s.ptr;
    args[n++] = "--no-owner";
    args[n++] = "--no-privileges";
    args[n++] = "--no-tablespaces";
    args[n++] = "--no-subscriptions";
    args[n++] = "--no-publications";
    args[n++] = "--no-security-labels";
    args[n++] = f.ptr;
    if (c->snapshot[0]) {
        mg_buf_addf(&snap, "--snapshot=%s", c->snapshot);
        args[n++] = snap.ptr;
    }
    args[n] = NULL;
    rc = run_pg_program(args, &c->src_url, "dumping the source's schema", err);
    mg_buf_free(&f);
    mg_buf_free(&s);
    mg_buf_free(&snap);
    return rc;
}

static int apply_file(struct clone *c, const char *psql, const char *file, const char *what,
                      struct mg_err *err)
{
    const char *args[] = {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file, NULL};
    return run_pg_program(args, &c->dst_url, what, err);
}

/* ---------- rows ---------- */

static int copy_sink(void *arg, const char *data, size_t len, struct mg_err *err)
{
    return drv_copy_in_put((struct drv_conn *)arg, data, len, err);
}

static void quoted_name(struct drv_conn *c, struct mg_buf *out, const char *schema,
                        const char *name)
{
    drv_quote_ident(c, out, schema);
    mg_buf_addch(out, '.');
    drv_quote_ident(c, out, name);
}

/* Appends the quoted columns of a JSON array of names, comma-separated. */
static int column_list(struct drv_conn *c, struct mg_buf *out, const char *json)
{
    json_error_t je;
    json_t *a = json ? json_loads(json, 0, &je) : NULL;
    size_t i;
    json_t *v;

    if (!a || !json_is_array(a)) {
        json_decref(a);
        return -1;
    }
    json_array_foreach(a, i, v)
    {
        if (i)
            mg_buf_adds(out, ", ");
        drv_quote_ident(c, out, json_string_value(v) ? json_string_value(v) : "");
    }
    json_decref(a);
    return (int)i;
}

static int copy_table(struct clone *c, struct mg_clone_table *t, const char *columns,
                      struct mg_err *err)
{
    struct mg_buf cols = MG_BUF_INIT, out = MG_BUF_INIT, in = MG_BUF_INIT;
    int rc;

    if (column_list(c->src, &cols, columns) <= 0) {
        mg_buf_free(&cols);
        return 0; /* no column COPY can write */
    }
    mg_buf_addf(&out, "COPY (SELECT %s FROM ONLY ", cols.ptr);
    quoted_name(c->src, &out, t->schema, t->name);
    if (!strcmp(t->mode, "sample"))
        /* SYSTEM reads only the sampled pages: a tenth of the I/O for 10% on the source */
        mg_buf_addf(&out, " TABLESAMPLE SYSTEM (%g) REPEATABLE (42)", c->o->sample_pct);
    else if (!strcmp(t->mode, "rows"))
        mg_buf_addf(&out, " LIMIT %lld", c->o->rows);
    mg_buf_adds(&out, ") TO STDOUT");
    mg_buf_adds(&in, "COPY ");
    quoted_name(c->dst, &in, t->schema, t->name);
    mg_buf_addf(&in, " (%s) FROM STDIN", cols.ptr);
    rc = drv_copy_in_start(c->dst, in.ptr, err);
    if (!rc) {
        rc = drv_copy_out(c->src, out.ptr, copy_sink, c->dst, err);
        struct mg_err e2;
        mg_err_clear(&e2);
        int rc2 = drv_copy_in_end(c->dst, rc != 0, &t->rows, rc ? &e2 : err);
        if (!rc)
            rc = rc2;
    }
    if (rc)
        mg_err_context(err, "copying the rows of %s.%s", t->schema, t->name);
    mg_buf_free(&cols);
    mg_buf_free(&out);
    mg_buf_free(&in);
    return rc;
}

static int is_copied(const struct clone *c, const char *schema, const char *name)
{
    for (size_t i = 0; i < c->out->n; i++)
        if (!strcmp(c->out->v[i].schema, schema) && !strcmp(c->out->v[i].name, name))
            return 1;
    return 0;
}

/*
 * Removes rows whose parent row was not copied, so that the foreign keys of
 * post-data can be added.  Repeated until nothing changes: a removed parent
 * row can orphan rows further down.
 */
static int remove_orphans(struct clone *c, const struct drv_result *fks, struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    int rc = 0;

    for (int pass = 0; pass < 20 && !rc; pass++) {
        long long removed = 0;
        for (size_t i = 0; i < fks->nrows && !rc; i++) {
            const char *cs = drv_val(fks, i, 0), *cn = drv_val(fks, i, 1);
            const char *ps = drv_val(fks, i, 2), *pn = drv_val(fks, i, 3);
            json_error_t je;
            json_t *ck = json_loads(drv_val(fks, i, 4) ? drv_val(fks, i, 4) : "", 0, &je);
            json_t *pk = json_loads(drv_val(fks, i, 5) ? drv_val(fks, i, 5) : "", 0, &je);
            long long rows = 0;
            if (!ck || !pk || json_array_size(ck) != json_array_size(pk) || !json_array_size(ck) ||
                !is_copied(c, cs, cn)) {
                json_decref(ck);
                json_decref(pk);
                continue;
            }
            mg_buf_reset(&sql);
            mg_buf_adds(&sql, "DELETE FROM ");
            quoted_name(c->dst, &sql, cs, cn);
            mg_buf_adds(&sql, " AS c WHERE ");
            for (size_t k = 0; k < json_array_size(ck); k++) {
                mg_buf_adds(&sql, "c.");
                drv_quote_ident(c->dst, &sql, json_string_value(json_array_get(ck, k)));
                mg_buf_adds(&sql, " IS NOT NULL AND ");
            }
            mg_buf_adds(&sql, "NOT EXISTS (SELECT 1 FROM ");
            quoted_name(c->dst, &sql, ps, pn);
            mg_buf_adds(&sql, " AS p WHERE ");
            for (size_t k = 0; k < json_array_size(ck); k++) {
                if (k)
                    mg_buf_adds(&sql, " AND ");
                mg_buf_adds(&sql, "p.");
                drv_quote_ident(c->dst, &sql, json_string_value(json_array_get(pk, k)));
                mg_buf_adds(&sql, " = c.");
                drv_quote_ident(c->dst, &sql, json_string_value(json_array_get(ck, k)));
            }
            mg_buf_addch(&sql, ')');
            json_decref(ck);
            json_decref(pk);
            rc = drv_exec(c->dst, sql.ptr, &rows, err);
            if (!rc && rows > 0) {
                mg_info("removed %lld rows of %s.%s whose %s.%s row was not copied", rows, cs, cn,
                        ps, pn);
                removed += rows;
                for (size_t t = 0; t < c->out->n; t++)
                    if (!strcmp(c->out->v[t].schema, cs) && !strcmp(c->out->v[t].name, cn))
                        c->out->v[t].rows -= rows;
            }
        }
        c->out->orphans += removed;
        if (!removed)
            break;
    }
    mg_buf_free(&sql);
    if (rc)
        mg_err_context(err, "removing rows whose parent row was not copied");
    return rc;
}

/* ---------- steps ---------- */

static int open_source(struct clone *c, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = c->o->app};
    struct drv_result *r;
    int rc;

    rc = mg_url_parse(&c->src_url, c->o->from, err);
    if (rc)
        return rc;
    c->have_src_url = 1;
    rc = drv_open(&c->src, c->o->from, &co, err);
    if (rc)
        return rc;

    rc = drv_read_only(c->src, err);
    if (!rc)
        rc = drv_set_timeouts(c->src, c->o->lock_timeout_ms, 0, err);
    if (!rc)
        rc = drv_exec(c->src, mg_sql("postgres", "clone_begin"), NULL, err);
    if (rc)
        return rc;
    /* pg_dump reads the same snapshot when the server lets us export it (not on a standby) */
    struct mg_err e2;
    mg_err_clear(&e2);
    if (drv_query(c->src, &r, mg_sql("postgres", "clone_snapshot"), NULL, 0, &e2) == 0) {
        if (r->nrows && drv_val(r, 0, 0))
            snprintf(c->snapshot, sizeof(c->snapshot), "%s", drv_val(r, 0, 0));
        drv_result_free(r);
    } else {
        mg_info("pg_dump reads its own snapshot: %s", e2.msg);
        drv_rollback_quiet(c->src);
        rc = drv_exec(c->src, mg_sql("postgres", "clone_begin"), NULL, err);
    }
    c->out->shared_snapshot = c->snapshot[0] != 0;
    return rc;
}

int mg_clone_open_destination(struct drv_conn **dst, const char *url, const char *redacted,
                              struct drv_conn *src, const struct drv_connect_opts *co,
                              int skip_indexes, const char *noun, struct mg_err *err)
{
    struct drv_rels rels;
    size_t n = 0;
    int rc = drv_open(dst, url, co, err);

    if (rc) {
        mg_err_context(err, "the destination %s", redacted);
        return rc;
    }
    if (strcmp((*dst)->info.dialect, src->info.dialect))
        return mg_err_set(err, MG_EUSAGE, "the destination is %s; the source is %s",
                          (*dst)->info.product, src->info.product);
    rc = mg_refuse_same_database(*dst, "destination", src, "source", err);
    if (!rc)
        rc = drv_relation_files(*dst, &rels, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < rels.n; i++)
        n += !skip_indexes || rels.v[i].kind != DRV_REL_INDEX;
    drv_rels_free(&rels);
    if (n) {
        mg_err_set(err, MG_EUSAGE, "the destination %s is not empty (%zu %s)", redacted, n, noun);
        mg_err_hint(err, "clone into a new, empty database (CREATE DATABASE ...), or use "
                         "--sandbox");
        return MG_EUSAGE;
    }
    return 0;
}

static int open_destination(struct clone *c, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = c->o->app};
    struct mg_buf url = MG_BUF_INIT;
    int rc;

    if (!c->o->to) {
        struct drv_conn *admin = NULL;
        struct mg_buf sql = MG_BUF_INIT;
        const char *db = c->src->info.database;
        rc = mg_sandbox_start(&c->sb, "postgres", c->o->sandbox_dir, err);
        if (rc)
            return rc;
        c->sandbox_started = 1;
        c->out->sandbox_dir = mg_strdup(c->sb.dir);
        rc = mg_url_parse(&c->dst_url, c->sb.url, err);
        if (rc)
            return rc;
        c->have_dst_url = 1;
        if (strcmp(db, "postgres")) {
            rc = drv_open(&admin, c->sb.url, &co, err);
            if (!rc) {
                mg_buf_adds(&sql, "CREATE DATABASE ");
                drv_quote_ident(admin, &sql, db);
                rc = drv_exec(admin, sql.ptr, NULL, err);
            }
            drv_close(admin);
            mg_buf_free(&sql);
            if (rc)
                return rc;
            free(c->dst_url.dbname);
            c->dst_url.dbname = mg_strdup(db);
        }
        mg_url_no_password(&url, &c->dst_url);
        c->out->url = mg_buf_detach(&url);
    } else {
        rc = mg_url_parse(&c->dst_url, c->o->to, err);
        if (rc)
            return rc;
        c->have_dst_url = 1;
        c->out->url = mg_strdup(c->o->to);
    }
    mg_url_redact_str(&url, c->out->url);
    c->out->redacted_url = mg_buf_detach(&url);
    rc = mg_clone_open_destination(&c->dst, c->out->url, c->out->redacted_url, c->src, &co, 0,
                                   "relations", err);
    if (rc)
        return rc;
    if (c->src->info.version_num / 10000 > c->dst->info.version_num / 10000)
        mg_warn("the destination runs an older major version (%s) than the source (%s): the "
                "schema may not load, and what an estimate sees there may differ",
                c->dst->info.server_version, c->src->info.server_version);
    return 0;
}

static int copy_rows(struct clone *c, struct mg_err *err)
{
    struct drv_result *tables = NULL;
    int rc, sampled = 0;

    rc = drv_query(c->src, &tables, mg_sql("postgres", "clone_tables"), NULL, 0, err);
    if (rc)
        return rc;
    c->out->v = mg_calloc(tables->nrows ? tables->nrows : 1, sizeof(*c->out->v));
    for (size_t i = 0; i < tables->nrows && !rc; i++) {
        struct mg_clone_table *t = &c->out->v[c->out->n++];
        t->schema = mg_strdup(drv_val(tables, i, 0));
        t->name = mg_strdup(drv_val(tables, i, 1));
        t->source_bytes = drv_val(tables, i, 2) ? atoll(drv_val(tables, i, 2)) : 0;
        /* the engine's history travels whole: the clone must be at the source's version */
        int engine = !strncmp(t->name, "migrate_", 8);
        if (engine || t->source_bytes < c->o->whole_under)
            t->mode = "whole";
        else if (c->o->rows > 0)
            t->mode = "rows";
        else if (c->o->sample_pct >= 100)
            t->mode = "whole";
        else
            t->mode = "sample";
        if (strcmp(t->mode, "whole"))
            sampled = 1;
        rc = copy_table(c, t, drv_val(tables, i, 3), err);
        if (!rc)
            mg_info("copied %s.%s: %lld rows (%s)", t->schema, t->name, t->rows, t->mode);
    }
    drv_result_free(tables);
    if (rc || !sampled)
        return rc;
    struct drv_result *fks;
    rc = drv_query(c->src, &fks, mg_sql("postgres", "clone_foreign_keys"), NULL, 0, err);
    if (!rc)
        rc = remove_orphans(c, fks, err);
    drv_result_free(fks);
    return rc;
}

static int copy_sequences(struct clone *c, struct mg_err *err)
{
    struct drv_result *seqs, *r;
    struct mg_buf name = MG_BUF_INIT;
    int rc;

    rc = drv_query(c->src, &seqs, mg_sql("postgres", "clone_sequences"), NULL, 0, err);
    for (size_t i = 0; !rc && i < seqs->nrows; i++) {
        mg_buf_reset(&name);
        quoted_name(c->dst, &name, drv_val(seqs, i, 0), drv_val(seqs, i, 1));
        const char *p[2] = {name.ptr, drv_val(seqs, i, 2)};
        rc = drv_query(c->dst, &r, mg_sql("postgres", "clone_setval"), p, 2, err);
        drv_result_free(r);
        if (!rc)
            c->out->sequences++;
    }
    drv_result_free(seqs);
    mg_buf_free(&name);
    if (rc)
        mg_err_context(err, "setting the clone's sequences");
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int mg_clone(struct mg_clone_result *out, const struct mg_clone_opts *o, struct mg_err *err)
{
    struct clone c;
    char *pg_dump = NULL, *psql = NULL;
    struct mg_buf pre = MG_BUF_INIT, post = MG_BUF_INIT;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.o = o;
    c.out = out;
    /* a MySQL or MariaDB source has a clone of its own kind (clone_my.c) */
    struct mg_url from;
    struct mg_err perr;
    mg_err_clear(&perr);
    if (o->from && mg_url_parse(&from, o->from, &perr) == 0) {
        const struct drv_ops *ops = drv_for_scheme(from.scheme);
        mg_url_free(&from);
        if (ops == &drv_mysql_ops)
            return mg_clone_my(out, o, err);
    }
    rc = need_program("pg_dump", &pg_dump, err);
    if (!rc)
        rc = need_program("psql", &psql, err);
    if (!rc)
        rc = open_source(&c, err);
    if (rc) {
        if (c.src)
            mg_err_context(err, "the source");
        goto out;
    }
    rc = open_destination(&c, err);
    if (rc)
        goto out;
    const char *tmpdir = getenv("TMPDIR");
    snprintf(c.tmp, sizeof(c.tmp), "%s/migrate-clone-XXXXXX",
             tmpdir && *tmpdir && strlen(tmpdir) < 200 ? tmpdir : "/tmp");
    if (!mkdtemp(c.tmp)) {
        rc = mg_err_set(err, MG_EFAIL, "cannot create a temporary folder: %s", strerror(errno));
        c.tmp[0] = '\0';
        goto out;
    }
    mg_buf_addf(&pre, "%s/pre-data.sql", c.tmp);
    mg_buf_addf(&post, "%s/post-data.sql", c.tmp);
    mg_info("dumping the schema of %s with pg_dump", c.src->info.database);
    rc = dump_section(&c, pg_dump, "pre-data", pre.ptr, err);
    if (!rc)
        rc = dump_section(&c, pg_dump, "post-data", post.ptr, err);
    if (!rc)
        rc = apply_file(&c, psql, pre.ptr, "creating the tables on the clone", err);
    if (!rc)
        rc = copy_rows(&c, err);
    if (!rc) {
        mg_info("adding indexes, constraints and triggers");
        rc = apply_file(&c, psql, post.ptr, "adding indexes, constraints and triggers on the clone",
                        err);
    }
    if (!rc)
        rc = copy_sequences(&c, err);
    if (!rc)
        rc = drv_exec(c.dst, "ANALYZE", NULL, err);
    if (!rc)
        rc = drv_commit(c.src, err);
    if (rc && c.dst && o->to)
        mg_err_context(err, "the destination holds a partial copy: drop and create it again "
                            "before another try");
out:
    if (c.src) {
        drv_rollback_quiet(c.src);
        drv_close(c.src);
    }
    drv_close(c.dst);
    if (rc && c.sandbox_started) {
        struct mg_err e2;
        mg_err_clear(&e2);
        mg_sandbox_stop(&c.sb, 0, &e2);
        free(out->sandbox_dir);
        out->sandbox_dir = NULL;
    }
    if (c.tmp[0])
        nftw(c.tmp, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    if (c.have_src_url)
        mg_url_free(&c.src_url);
    if (c.have_dst_url)
        mg_url_free(&c.dst_url);
    free(pg_dump);
    free(psql);
    mg_buf_free(&pre);
    mg_buf_free(&post);
    return rc;
}

void mg_clone_result_free(struct mg_clone_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].schema);
        free(r->v[i].name);
    }
    free(r->v);
    free(r->url);
    free(r->redacted_url);
    free(r->sandbox_dir);
    memset(r, 0, sizeof(*r));
}
