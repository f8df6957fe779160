/*
 * clone_my.c — `migrate clone` of a MySQL or MariaDB database (see clone.h
 * and docs/commands/clone.md).
 *
 * The schema is the server's own SHOW CREATE TABLE / SEQUENCE / FUNCTION /
 * PROCEDURE / VIEW / TRIGGER / EVENT, read in the source session, inside the
 * transaction that reads the rows, after a shared metadata lock is taken on
 * every table: schema and rows agree, and no DDL can slip between them.
 * mysqldump and mariadb-dump write the same statements (they run the same
 * SHOW CREATE), but in a session of their own, which cannot share our
 * snapshot (MySQL has no snapshot export), need a password on their command
 * line or in a file, and must match the server's product.  Definers are left
 * out (objects belong to the clone's user: a definer that does not exist on
 * the clone would make views and triggers fail there).
 *
 * Order on the clone: tables and sequences, routines, views (retried until
 * the views they read exist), rows, orphans removed, foreign keys checked
 * again, AUTO_INCREMENT and sequence positions, then triggers (so the load
 * does not fire them) and events.  Rows stream from the source
 * (drv_query_rows) and go into the clone in multi-row INSERTs with every
 * value a parameter (drv_exec_values), with foreign key checks off in the
 * clone's session only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clone.h"
#include "driver.h"
#include "estimate.h"
#include "log.h"
#include "sandbox.h"
#include "sqltext.h"
#include "url.h"
#include "util.h"

/* MySQL's error numbers the clone reacts to */
#define MY_ER_NO_SUCH_TABLE 1146
#define MY_ER_VIEW_INVALID  1356

/* A table, view or sequence of the source. */
struct my_obj {
    char *name;
    char type; /* 't' table, 'v' view, 's' sequence */
    long long bytes;
    char *auto_increment; /* the source's counter, or NULL */
};

struct myc {
    const struct mg_clone_opts *o;
    struct mg_clone_result *out;
    struct drv_conn *src, *dst;
    struct mg_url dst_url;
    int have_dst_url;
    struct mg_sandbox sb;
    int sandbox_started;
    struct my_obj *obj;
    size_t nobj;
    struct drv_result *cols; /* clone_columns of the source */
    size_t max_bytes;        /* of one batch of rows */
};

static int is_mysql8(const struct drv_conn *c)
{
    return !strcmp(c->info.product, "MySQL") && c->info.version_num >= 80000;
}

static void qname(struct drv_conn *c, struct mg_buf *out, const char *name)
{
    drv_quote_ident(c, out, name);
}

/* The value in column `col` of the only row, or NULL. */
static const char *one(const struct drv_result *r, size_t col)
{
    return r && r->nrows && col < r->ncols ? drv_val(r, 0, col) : NULL;
}

/* Runs SHOW CREATE <what> `name` on the source; *out gets the result (caller frees). */
static int show_create(struct myc *c, const char *what, const char *name, struct drv_result **out,
                       struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    int rc;

    mg_buf_addf(&sql, "SHOW CREATE %s ", what);
    qname(c->src, &sql, name);
    rc = drv_query(c->src, out, sql.ptr, NULL, 0, err);
    mg_buf_free(&sql);
    if (rc)
        mg_err_context(err, "reading the definition of %s %s", what, name);
    return rc;
}

/* Skips an identifier as the server writes it: `quoted` (with `` inside) or bare. */
static const char *skip_ident(const char *p)
{
    if (*p == '`') {
        for (p++; *p; p++) {
            if (*p == '`' && p[1] == '`')
                p++;
            else if (*p == '`')
                return p + 1;
        }
        return p;
    }
    if (*p == '\'') {
        for (p++; *p && *p != '\''; p++) {
        }
        return *p ? p + 1 : p;
    }
    while (*p && *p != '@' && *p != ' ')
        p++;
    return p;
}

/*
 * Appends `sql` without its DEFINER=`user`@`host` clause.  The server puts it
 * in the head of the statement, before the object's name (CREATE
 * [ALGORITHM=...] DEFINER=... [SQL SECURITY ...] VIEW ...), so only the
 * head is searched.
 */
static void strip_definer(struct mg_buf *out, const char *sql)
{
    const char *d = strstr(sql, "DEFINER=");

    if (!d || d - sql > 64) {
        mg_buf_adds(out, sql);
        return;
    }
    const char *p = skip_ident(d + strlen("DEFINER="));
    if (*p == '@')
        p = skip_ident(p + 1);
    while (*p == ' ')
        p++;
    mg_buf_add(out, sql, (size_t)(d - sql));
    mg_buf_adds(out, p);
}

/* Runs the object's definition on the clone, under the sql_mode it was created with. */
static int create_with_mode(struct myc *c, const char *sql_mode, const char *def, int strip,
                            const char *what, struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    struct drv_result *r = NULL;
    const char *p[1] = {sql_mode};
    int rc = 0;

    if (sql_mode) {
        rc = drv_query(c->dst, &r, mg_sql("mysql", "clone_sql_mode"), p, 1, err);
        drv_result_free(r);
    }
    if (strip)
        strip_definer(&sql, def);
    else
        mg_buf_adds(&sql, def);
    if (!rc)
        rc = drv_exec(c->dst, sql.ptr, NULL, err);
    if (rc)
        mg_err_context(err, "creating %s on the clone", what);
    mg_buf_free(&sql);
    if (sql_mode && !rc) {
        const char *back[1] = {"NO_AUTO_VALUE_ON_ZERO"};
        rc = drv_query(c->dst, &r, mg_sql("mysql", "clone_sql_mode"), back, 1, err);
        drv_result_free(r);
    }
    return rc;
}

/* ---------- the source ---------- */

static int open_source(struct myc *c, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = c->o->app};
    struct drv_result *r = NULL;
    int rc;

    rc = drv_open(&c->src, c->o->from, &co, err);
    if (rc)
        return rc;
    rc = drv_read_only(c->src, err);
    if (!rc)
        rc = drv_set_timeouts(c->src, c->o->lock_timeout_ms, 0, err);
    if (!rc)
        rc = drv_exec(c->src, mg_sql("mysql", "clone_source_session"), NULL, err);
    if (!rc && is_mysql8(c->src))
        rc = drv_exec(c->src, mg_sql("mysql", "stats_fresh"), NULL, err);
    if (!rc)
        rc = drv_exec(c->src, mg_sql("mysql", "clone_isolation"), NULL, err);
    if (!rc)
        rc = drv_exec(c->src, mg_sql("mysql", "clone_begin"), NULL, err);
    if (!rc)
        rc = drv_query(c->src, &r, mg_sql("mysql", "clone_tables"), NULL, 0, err);
    if (rc)
        return rc;
    c->obj = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*c->obj));
    for (size_t i = 0; i < r->nrows; i++) {
        struct my_obj *x = &c->obj[c->nobj++];
        const char *type = drv_val(r, i, 1) ? drv_val(r, i, 1) : "";
        x->name = mg_strdup(drv_val(r, i, 0));
        x->type = !strcmp(type, "VIEW") ? 'v' : !strcmp(type, "SEQUENCE") ? 's' : 't';
        x->bytes = drv_val(r, i, 2) ? atoll(drv_val(r, i, 2)) : 0;
        x->auto_increment = drv_val(r, i, 3) ? mg_strdup(drv_val(r, i, 3)) : NULL;
    }
    drv_result_free(r);
    /*
     * A shared metadata lock on every table until the end: no DDL changes a
     * table between its definition and its rows.  A DDL already queued makes
     * this wait no longer than the lock timeout.
     */
    struct mg_buf sql = MG_BUF_INIT;
    for (size_t i = 0; !rc && i < c->nobj; i++) {
        if (c->obj[i].type == 'v')
            continue;
        mg_buf_reset(&sql);
        mg_buf_adds(&sql, "SELECT 1 FROM ");
        qname(c->src, &sql, c->obj[i].name);
        mg_buf_adds(&sql, " LIMIT 0");
        rc = drv_exec(c->src, sql.ptr, NULL, err);
        if (rc)
            mg_err_context(err, "taking a shared metadata lock on %s", c->obj[i].name);
    }
    mg_buf_free(&sql);
    if (!rc)
        rc = drv_query(c->src, &c->cols, mg_sql("mysql", "clone_columns"), NULL, 0, err);
    return rc;
}

/* ---------- the destination ---------- */

static int create_sandbox_database(struct myc *c, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = c->o->app};
    struct drv_conn *admin = NULL;
    struct drv_result *r = NULL;
    int rc;

    /* the source's own CREATE DATABASE: its character set and collation */
    rc = show_create(c, "DATABASE", c->src->info.database, &r, err);
    if (rc)
        return rc;
    rc = drv_open(&admin, c->sb.url, &co, err);
    if (!rc && one(r, 1))
        rc = drv_exec(admin, one(r, 1), NULL, err);
    else if (!rc)
        rc = mg_err_set(err, MG_EFAIL, "the source did not show how its database was created");
    drv_close(admin);
    drv_result_free(r);
    return rc;
}

static int open_destination(struct myc *c, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = c->o->app};
    struct mg_buf url = MG_BUF_INIT;
    struct drv_result *r = NULL;
    int rc;

    if (!c->o->to) {
        if (strcmp(c->src->info.product, "MariaDB")) {
            mg_err_set(err, MG_EUSAGE,
                       "a sandbox runs MariaDB, and the source is %s %s: an estimate on it "
                       "would not tell what the source's server does",
                       c->src->info.product, c->src->info.server_version);
            mg_err_hint(err,
                        "clone into an empty database on a %s server of the same version "
                        "with --to URL",
                        c->src->info.product);
            return MG_EUSAGE;
        }
        rc = mg_sandbox_start(&c->sb, "mariadb", c->o->sandbox_dir, err);
        if (rc)
            return rc;
        c->sandbox_started = 1;
        c->out->sandbox_dir = mg_strdup(c->sb.dir);
        rc = mg_url_parse(&c->dst_url, c->sb.url, err);
        if (rc)
            return rc;
        c->have_dst_url = 1;
        rc = create_sandbox_database(c, err);
        if (rc)
            return rc;
        free(c->dst_url.dbname);
        c->dst_url.dbname = mg_strdup(c->src->info.database);
        mg_url_no_password(&url, &c->dst_url);
        c->out->url = mg_buf_detach(&url);
    } else {
        c->out->url = mg_strdup(c->o->to);
    }
    mg_url_redact_str(&url, c->out->url);
    c->out->redacted_url = mg_buf_detach(&url);
    rc = mg_clone_open_destination(&c->dst, c->out->url, c->out->redacted_url, c->src, &co, 1,
                                   "tables and views", err);
    if (rc)
        return rc;
    if (strcmp(c->src->info.product, c->dst->info.product))
        mg_warn("the destination runs %s and the source %s: the schema may not load, and what an "
                "estimate sees there may differ",
                c->dst->info.product, c->src->info.product);
    else if (c->src->info.version_num / 100 > c->dst->info.version_num / 100)
        mg_warn("the destination runs an older version (%s) than the source (%s): the schema may "
                "not load, and what an estimate sees there may differ",
                c->dst->info.server_version, c->src->info.server_version);
    rc = drv_exec(c->dst, mg_sql("mysql", "clone_dest_session"), NULL, err);
    if (!rc && is_mysql8(c->dst))
        rc = drv_exec(c->dst, mg_sql("mysql", "stats_fresh"), NULL, err);
    if (!rc)
        rc = drv_query(c->dst, &r, mg_sql("mysql", "clone_dest_limits"), NULL, 0, err);
    if (rc)
        return rc;
    /* a batch stays well under the clone's packet limit (and 8 MB) */
    long long packet = one(r, 0) ? atoll(one(r, 0)) : 4 << 20;
    c->max_bytes = packet / 4 > 8 << 20 ? 8 << 20 : packet / 4 < 64 << 10 ? 64 << 10 : packet / 4;
    drv_result_free(r);
    return 0;
}

/* ---------- schema ---------- */

static int create_tables(struct myc *c, struct mg_err *err)
{
    int rc = 0;

    for (size_t i = 0; !rc && i < c->nobj; i++) {
        struct drv_result *r = NULL;
        struct my_obj *x = &c->obj[i];
        if (x->type == 'v')
            continue;
        rc = show_create(c, x->type == 's' ? "SEQUENCE" : "TABLE", x->name, &r, err);
        if (!rc && !one(r, 1))
            rc = mg_err_set(err, MG_EFAIL, "the source did not show the definition of %s", x->name);
        if (!rc) {
            rc = drv_exec(c->dst, one(r, 1), NULL, err);
            if (rc)
                mg_err_context(err, "creating %s on the clone", x->name);
        }
        drv_result_free(r);
    }
    return rc;
}

static int create_routines(struct myc *c, struct mg_err *err)
{
    struct drv_result *list = NULL;
    int rc;

    rc = drv_query(c->src, &list, mg_sql("mysql", "clone_routines"), NULL, 0, err);
    for (size_t i = 0; !rc && i < list->nrows; i++) {
        const char *type = drv_val(list, i, 0), *name = drv_val(list, i, 1);
        struct drv_result *r = NULL;
        rc = show_create(c, type, name, &r, err);
        if (rc)
            break;
        /* (name, sql_mode, Create Procedure|Function, ...): NULL without the privilege */
        if (!one(r, 2))
            mg_warn("%s %s is not copied: this user may not read its body (it needs to be its "
                    "definer, or hold SHOW ROUTINE / SELECT on mysql.proc)",
                    type, name);
        else
            rc = create_with_mode(c, one(r, 1), one(r, 2), 1, name, err);
        drv_result_free(r);
    }
    drv_result_free(list);
    return rc;
}

/* Views read tables and other views: a view whose view is not there yet waits for the next round.
 */
static int create_views(struct myc *c, struct mg_err *err)
{
    size_t left = 0, before;
    char *done = mg_calloc(c->nobj ? c->nobj : 1, 1);
    int rc = 0;

    for (size_t i = 0; i < c->nobj; i++)
        left += c->obj[i].type == 'v';
    do {
        before = left;
        for (size_t i = 0; !rc && i < c->nobj; i++) {
            struct drv_result *r = NULL;
            struct mg_err e;
            if (c->obj[i].type != 'v' || done[i])
                continue;
            rc = show_create(c, "VIEW", c->obj[i].name, &r, err);
            if (rc)
                break;
            mg_err_clear(&e);
            int vrc = create_with_mode(c, NULL, one(r, 1) ? one(r, 1) : "", 1, c->obj[i].name, &e);
            drv_result_free(r);
            if (!vrc) {
                done[i] = 1;
                left--;
            } else if (vrc == MG_ECONN || (e.server_code != MY_ER_NO_SUCH_TABLE &&
                                           e.server_code != MY_ER_VIEW_INVALID)) {
                mg_err_copy(err, &e);
                rc = vrc;
            }
        }
    } while (!rc && left && left < before);
    for (size_t i = 0; !rc && left && i < c->nobj; i++)
        if (c->obj[i].type == 'v' && !done[i])
            mg_warn("view %s is not copied: it reads a table or view that does not exist (it is "
                    "broken on the source too)",
                    c->obj[i].name);
    free(done);
    return rc;
}

static int create_triggers(struct myc *c, struct mg_err *err)
{
    struct drv_result *list = NULL;
    int rc;

    rc = drv_query(c->src, &list, mg_sql("mysql", "clone_triggers"), NULL, 0, err);
    for (size_t i = 0; !rc && i < list->nrows; i++) {
        struct drv_result *r = NULL;
        rc = show_create(c, "TRIGGER", drv_val(list, i, 0), &r, err);
        /* (name, sql_mode, SQL Original Statement, ...) */
        if (!rc && !one(r, 2))
            mg_warn("trigger %s is not copied: the source did not show its definition",
                    drv_val(list, i, 0));
        else if (!rc)
            rc = create_with_mode(c, one(r, 1), one(r, 2), 1, drv_val(list, i, 0), err);
        drv_result_free(r);
    }
    drv_result_free(list);
    return rc;
}

static int create_events(struct myc *c, int scheduler_on, struct mg_err *err)
{
    struct drv_result *list = NULL, *r = NULL;
    size_t enabled = 0;
    int rc;

    rc = drv_query(c->src, &list, mg_sql("mysql", "clone_events"), NULL, 0, err);
    for (size_t i = 0; !rc && i < list->nrows; i++) {
        const char *name = drv_val(list, i, 0);
        rc = show_create(c, "EVENT", name, &r, err);
        /* (name, sql_mode, time_zone, Create Event, ...): the schedule reads in its time zone */
        if (!rc && one(r, 3)) {
            const char *tz[1] = {one(r, 2) ? one(r, 2) : "SYSTEM"};
            struct drv_result *x = NULL;
            rc = drv_query(c->dst, &x, mg_sql("mysql", "clone_time_zone"), tz, 1, err);
            drv_result_free(x);
            if (!rc)
                rc = create_with_mode(c, one(r, 1), one(r, 3), 1, name, err);
            const char *utc[1] = {"+00:00"};
            if (!rc)
                rc = drv_query(c->dst, &x, mg_sql("mysql", "clone_time_zone"), utc, 1, err);
            drv_result_free(x);
            enabled += drv_val(list, i, 1) && !strcmp(drv_val(list, i, 1), "ENABLED");
        }
        drv_result_free(r);
        r = NULL;
    }
    drv_result_free(list);
    if (!rc && enabled && scheduler_on)
        mg_warn("%zu event%s will run on the clone (its event_scheduler is on): stop them "
                "with ALTER EVENT ... DISABLE if they should not",
                enabled, enabled == 1 ? "" : "s");
    return rc;
}

/* ---------- rows ---------- */

/* One table's rows on their way: values packed in `data`, flushed as one INSERT. */
struct batch {
    struct myc *c;
    struct mg_clone_table *t;
    size_t ncols;
    int *binary;
    struct mg_buf head; /* INSERT INTO `t` (`a`, `b`) VALUES */
    struct mg_buf data;
    size_t *off, *len; /* per value; len (size_t)-1 for NULL */
    size_t rows, max_rows;
    struct mg_buf sql;
    size_t sql_rows; /* the row count sql was written for */
    struct drv_value *vals;
};

static int flush(struct batch *b, struct mg_err *err)
{
    long long n = 0;
    int rc;

    if (!b->rows)
        return 0;
    if (b->sql_rows != b->rows) {
        mg_buf_reset(&b->sql);
        mg_buf_adds(&b->sql, b->head.ptr);
        for (size_t r = 0; r < b->rows; r++) {
            mg_buf_adds(&b->sql, r ? ", (" : "(");
            for (size_t k = 0; k < b->ncols; k++)
                mg_buf_adds(&b->sql, k ? ", ?" : "?");
            mg_buf_addch(&b->sql, ')');
        }
        b->sql_rows = b->rows;
    }
    for (size_t i = 0; i < b->rows * b->ncols; i++) {
        b->vals[i].v = b->len[i] == (size_t)-1 ? NULL : b->data.ptr + b->off[i];
        b->vals[i].len = b->len[i] == (size_t)-1 ? 0 : b->len[i];
        b->vals[i].binary = b->binary[i % b->ncols];
    }
    rc = drv_exec_values(b->c->dst, b->sql.ptr, b->vals, b->rows * b->ncols, &n, err);
    if (!rc)
        b->t->rows += n > 0 ? n : 0;
    b->rows = 0;
    mg_buf_reset(&b->data);
    return rc;
}

static int take_row(void *arg, const struct drv_value *row, size_t ncols, struct mg_err *err)
{
    struct batch *b = arg;

    if (ncols != b->ncols)
        return mg_err_set(err, MG_EFAIL, "the source sent %zu columns of %s, not %zu", ncols,
                          b->t->name, b->ncols);
    for (size_t k = 0; k < ncols; k++) {
        size_t i = b->rows * ncols + k;
        b->off[i] = b->data.len;
        b->len[i] = row[k].v ? row[k].len : (size_t)-1;
        if (row[k].v)
            mg_buf_add(&b->data, row[k].v, row[k].len);
    }
    b->rows++;
    if (b->rows == b->max_rows || b->data.len >= b->c->max_bytes)
        return flush(b, err);
    return 0;
}

static int copy_table(struct myc *c, struct mg_clone_table *t, struct mg_err *err)
{
    struct batch b;
    struct mg_buf sel = MG_BUF_INIT;
    int rc;

    memset(&b, 0, sizeof(b));
    b.c = c;
    b.t = t;
    mg_buf_init(&b.head);
    mg_buf_init(&b.data);
    mg_buf_init(&b.sql);
    b.binary = mg_calloc(c->cols->nrows ? c->cols->nrows : 1, sizeof(int));
    mg_buf_adds(&b.head, "INSERT INTO ");
    qname(c->dst, &b.head, t->name);
    mg_buf_adds(&b.head, " (");
    mg_buf_adds(&sel, "SELECT ");
    for (size_t i = 0; i < c->cols->nrows; i++) {
        if (strcmp(drv_val(c->cols, i, 0), t->name))
            continue;
        if (b.ncols) {
            mg_buf_adds(&b.head, ", ");
            mg_buf_adds(&sel, ", ");
        }
        qname(c->dst, &b.head, drv_val(c->cols, i, 1));
        qname(c->src, &sel, drv_val(c->cols, i, 1));
        b.binary[b.ncols++] = drv_val(c->cols, i, 2) && !strcmp(drv_val(c->cols, i, 2), "1");
    }
    mg_buf_adds(&b.head, ") VALUES ");
    if (!b.ncols) {
        rc = 0; /* nothing a row could carry (every column is generated) */
        goto out;
    }
    mg_buf_adds(&sel, " FROM ");
    qname(c->src, &sel, t->name);
    /*
     * MySQL and MariaDB have no TABLESAMPLE: a sample keeps each row with the
     * given chance, from a generator seeded once, so it reads the whole table
     * (once, streamed); --rows reads only the first N rows.
     */
    if (!strcmp(t->mode, "sample"))
        mg_buf_addf(&sel, " WHERE RAND(42) < %.6f", c->o->sample_pct / 100);
    else if (!strcmp(t->mode, "rows"))
        mg_buf_addf(&sel, " LIMIT %lld", c->o->rows);
    /* a multi-row INSERT takes at most 65535 parameters */
    b.max_rows = 65535 / b.ncols < 1000 ? 65535 / b.ncols : 1000;
    b.off = mg_calloc(b.max_rows * b.ncols, sizeof(size_t));
    b.len = mg_calloc(b.max_rows * b.ncols, sizeof(size_t));
    b.vals = mg_calloc(b.max_rows * b.ncols, sizeof(*b.vals));
    rc = drv_query_rows(c->src, sel.ptr, take_row, &b, err);
    if (!rc)
        rc = flush(&b, err);
out:
    if (rc)
        mg_err_context(err, "copying the rows of %s", t->name);
    mg_buf_free(&sel);
    mg_buf_free(&b.head);
    mg_buf_free(&b.data);
    mg_buf_free(&b.sql);
    free(b.binary);
    free(b.off);
    free(b.len);
    free(b.vals);
    return rc;
}

static int is_copied(const struct myc *c, const char *name)
{
    for (size_t i = 0; i < c->out->n; i++)
        if (!strcmp(c->out->v[i].name, name))
            return 1;
    return 0;
}

/*
 * Removes rows whose parent row was not copied, until nothing changes (a
 * removed parent orphans rows further down), so that foreign keys hold when
 * they are checked again.  A key whose columns are not all set needs no
 * parent (MATCH SIMPLE).  A parent in another database is not the clone's:
 * those keys are left as they are, with a warning.
 */
static int remove_orphans(struct myc *c, struct mg_err *err)
{
    struct drv_result *fk = NULL;
    struct mg_buf sql = MG_BUF_INIT;
    int rc;

    rc = drv_query(c->dst, &fk, mg_sql("mysql", "clone_foreign_keys"), NULL, 0, err);
    /* each pass removes a row or ends: a chain of parents takes a pass per link */
    for (int pass = 0; !rc; pass++) {
        long long removed = 0;
        for (size_t i = 0; !rc && i < fk->nrows;) {
            const char *child = drv_val(fk, i, 0), *con = drv_val(fk, i, 1);
            const char *pdb = drv_val(fk, i, 2), *parent = drv_val(fk, i, 3);
            size_t k = i;
            while (k < fk->nrows && !strcmp(drv_val(fk, k, 0), child) &&
                   !strcmp(drv_val(fk, k, 1), con))
                k++;
            if (!pdb || strcmp(pdb, c->dst->info.database)) {
                if (pass == 0)
                    mg_warn("%s.%s refers to %s.%s in another database: its rows are kept as "
                            "they are",
                            child, con, pdb ? pdb : "?", parent);
                i = k;
                continue;
            }
            if (!is_copied(c, child)) {
                i = k;
                continue;
            }
            mg_buf_reset(&sql);
            mg_buf_adds(&sql, "DELETE c FROM ");
            qname(c->dst, &sql, child);
            mg_buf_adds(&sql, " AS c LEFT JOIN ");
            qname(c->dst, &sql, parent);
            mg_buf_adds(&sql, " AS p ON ");
            for (size_t j = i; j < k; j++) {
                mg_buf_adds(&sql, j > i ? " AND p." : "p.");
                qname(c->dst, &sql, drv_val(fk, j, 5));
                mg_buf_adds(&sql, " = c.");
                qname(c->dst, &sql, drv_val(fk, j, 4));
            }
            mg_buf_adds(&sql, " WHERE ");
            for (size_t j = i; j < k; j++) {
                mg_buf_adds(&sql, "c.");
                qname(c->dst, &sql, drv_val(fk, j, 4));
                mg_buf_adds(&sql, " IS NOT NULL AND ");
            }
            mg_buf_adds(&sql, "p.");
            qname(c->dst, &sql, drv_val(fk, i, 5));
            mg_buf_adds(&sql, " IS NULL");
            long long rows = 0;
            rc = drv_exec(c->dst, sql.ptr, &rows, err);
            if (!rc && rows > 0) {
                mg_info("removed %lld rows of %s whose %s row was not copied", rows, child, parent);
                removed += rows;
                for (size_t t = 0; t < c->out->n; t++)
                    if (!strcmp(c->out->v[t].name, child))
                        c->out->v[t].rows -= rows;
            }
            i = k;
        }
        c->out->orphans += removed;
        if (!removed)
            break;
    }
    drv_result_free(fk);
    mg_buf_free(&sql);
    if (rc)
        mg_err_context(err, "removing rows whose parent row was not copied");
    return rc;
}

static int copy_rows(struct myc *c, struct mg_err *err)
{
    int rc = 0, sampled = 0;

    c->out->v = mg_calloc(c->nobj ? c->nobj : 1, sizeof(*c->out->v));
    for (size_t i = 0; !rc && i < c->nobj; i++) {
        const struct my_obj *x = &c->obj[i];
        if (x->type != 't')
            continue;
        struct mg_clone_table *t = &c->out->v[c->out->n++];
        t->schema = mg_strdup(c->src->info.database);
        t->name = mg_strdup(x->name);
        t->source_bytes = x->bytes;
        /* the engine's history travels whole: the clone must be at the source's version */
        if (!strncmp(t->name, "migrate_", 8) || t->source_bytes < c->o->whole_under)
            t->mode = "whole";
        else if (c->o->rows > 0)
            t->mode = "rows";
        else if (c->o->sample_pct >= 100)
            t->mode = "whole";
        else
            t->mode = "sample";
        sampled |= strcmp(t->mode, "whole") != 0;
        rc = copy_table(c, t, err);
        if (!rc)
            mg_info("copied %s: %lld rows (%s)", t->name, t->rows, t->mode);
    }
    if (!rc && sampled)
        rc = remove_orphans(c, err);
    if (!rc)
        rc = drv_exec(c->dst, mg_sql("mysql", "clone_fk_on"), NULL, err);
    return rc;
}

/* True when `s` is a whole number: a position the server reported, written back as one. */
static int is_number(const char *s)
{
    if (!s || !*s)
        return 0;
    s += *s == '-';
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/*
 * AUTO_INCREMENT counters continue where the source's stand (CREATE TABLE
 * set them; rows with higher ids could not raise them past it, but a
 * server may have), and MariaDB's sequences at their next value not cached.
 * Neither statement takes a parameter, so the number the server reported
 * is checked to be one and written as such.
 */
static int copy_positions(struct myc *c, struct mg_err *err)
{
    struct drv_result *now = NULL, *r = NULL;
    struct mg_buf sql = MG_BUF_INIT;
    int rc;

    rc = drv_query(c->dst, &now, mg_sql("mysql", "clone_auto_increment"), NULL, 0, err);
    for (size_t i = 0; !rc && i < c->nobj; i++) {
        const struct my_obj *x = &c->obj[i];
        if (x->type == 't' && is_number(x->auto_increment)) {
            const char *have = NULL;
            for (size_t k = 0; k < now->nrows; k++)
                if (!strcmp(drv_val(now, k, 0), x->name))
                    have = drv_val(now, k, 1);
            if (!have || strtoull(have, NULL, 10) < strtoull(x->auto_increment, NULL, 10)) {
                mg_buf_reset(&sql);
                mg_buf_adds(&sql, "ALTER TABLE ");
                qname(c->dst, &sql, x->name);
                mg_buf_addf(&sql, " AUTO_INCREMENT = %s", x->auto_increment);
                rc = drv_exec(c->dst, sql.ptr, NULL, err);
            }
            c->out->sequences++;
        } else if (x->type == 's') {
            mg_buf_reset(&sql);
            mg_buf_adds(&sql, "SELECT next_not_cached_value FROM ");
            qname(c->src, &sql, x->name);
            rc = drv_query(c->src, &r, sql.ptr, NULL, 0, err);
            if (!rc && is_number(one(r, 0))) {
                mg_buf_reset(&sql);
                mg_buf_adds(&sql, "SELECT SETVAL(");
                qname(c->dst, &sql, x->name);
                mg_buf_addf(&sql, ", %s, 0)", one(r, 0));
                drv_result_free(r);
                r = NULL;
                rc = drv_query(c->dst, &r, sql.ptr, NULL, 0, err);
                c->out->sequences += !rc;
            }
            drv_result_free(r);
            r = NULL;
        }
    }
    drv_result_free(now);
    mg_buf_free(&sql);
    if (rc)
        mg_err_context(err, "setting the clone's AUTO_INCREMENT and sequence positions");
    return rc;
}

/* Fresh statistics for the estimate: the clone was just loaded. */
static int analyze(struct myc *c, struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    int rc = 0;

    for (size_t i = 0; !rc && i < c->out->n; i++) {
        mg_buf_reset(&sql);
        mg_buf_adds(&sql, "ANALYZE TABLE ");
        qname(c->dst, &sql, c->out->v[i].name);
        rc = drv_exec(c->dst, sql.ptr, NULL, err);
    }
    mg_buf_free(&sql);
    return rc;
}

int mg_clone_my(struct mg_clone_result *out, const struct mg_clone_opts *o, struct mg_err *err)
{
    struct myc c;
    struct drv_result *lim = NULL;
    int rc;

    memset(&c, 0, sizeof(c));
    c.o = o;
    c.out = out;
    rc = open_source(&c, err);
    if (rc) {
        if (c.src)
            mg_err_context(err, "the source");
        goto out;
    }
    rc = open_destination(&c, err);
    if (rc)
        goto out;
    mg_info("reading the schema of %s with SHOW CREATE, in the snapshot the rows come from",
            c.src->info.database);
    out->shared_snapshot = 1;
    rc = create_tables(&c, err);
    if (!rc)
        rc = create_routines(&c, err);
    if (!rc)
        rc = create_views(&c, err);
    if (!rc)
        rc = copy_rows(&c, err);
    if (!rc)
        rc = copy_positions(&c, err);
    if (!rc) {
        mg_info("adding triggers and events");
        rc = create_triggers(&c, err);
    }
    if (!rc)
        rc = drv_query(c.dst, &lim, mg_sql("mysql", "clone_dest_limits"), NULL, 0, err);
    if (!rc)
        rc = create_events(&c, one(lim, 1) && !strcasecmp(one(lim, 1), "ON"), err);
    drv_result_free(lim);
    if (!rc)
        rc = analyze(&c, err);
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
    if (c.have_dst_url)
        mg_url_free(&c.dst_url);
    for (size_t i = 0; i < c.nobj; i++) {
        free(c.obj[i].name);
        free(c.obj[i].auto_increment);
    }
    free(c.obj);
    drv_result_free(c.cols);
    return rc;
}
