/*
 * mysql_estimate.c — what `migrate estimate` reads from MySQL and MariaDB:
 * who a database is, its tables and indexes with InnoDB's table and index
 * ids (a new id means the table or index was rebuilt), and sizes from
 * information_schema.TABLES.  The metadata locks of a session are read in
 * mysql.c, which keeps per connection where they can be read from.
 *
 * A relation's id is "table" or "table.index": the database's name is left
 * out, since the clone and the target are two databases with two names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "mysql_internal.h"
#include "util.h"

static int is_mariadb(const struct drv_conn *c)
{
    return !strcmp(c->info.product, "MariaDB");
}

static char *dup_cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return v ? mg_strdup(v) : NULL;
}

static long long ll_cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return v ? atoll(v) : -1;
}

int drv_my_db_identity(struct drv_conn *c, struct drv_db_identity *out, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    /*
     * MySQL's server_uuid survives a copy of the data directory (auto.cnf):
     * host, port and data directory tell a restored copy from its origin.
     * MariaDB has no server UUID.
     */
    rc = drv_query(c, &r,
                   is_mariadb(c) ? "SELECT CONCAT(@@hostname, ':', @@port, ':', @@datadir), "
                                   "DATABASE(), CONCAT(@@hostname, ':', @@port)"
                                 : "SELECT CONCAT(@@server_uuid, ':', @@hostname, ':', @@port, "
                                   "':', @@datadir), DATABASE(), CONCAT(@@hostname, ':', @@port)",
                   NULL, 0, err);
    if (rc)
        return rc;
    if (r->nrows == 1) {
        snprintf(out->server_id, sizeof(out->server_id), "%s",
                 drv_val(r, 0, 0) ? drv_val(r, 0, 0) : "");
        snprintf(out->database, sizeof(out->database), "%s",
                 drv_val(r, 0, 1) ? drv_val(r, 0, 1) : "");
        snprintf(out->address, sizeof(out->address), "%s",
                 drv_val(r, 0, 2) ? drv_val(r, 0, 2) : "");
    }
    drv_result_free(r);
    return 0;
}

/* The tables (and views) of the current database and their indexes. */
#define TABLES_SQL(idtable)                                                                        \
    "SELECT t.TABLE_NAME, IF(t.TABLE_TYPE = 'VIEW', 'v', 'r'), it.TABLE_ID, t.TABLE_ROWS "         \
    "FROM information_schema.TABLES t LEFT JOIN information_schema." idtable " it "                \
    "ON it.NAME = CONCAT(t.TABLE_SCHEMA, '/', t.TABLE_NAME) "                                      \
    "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME NOT LIKE '#sql%' ORDER BY t.TABLE_NAME"
#define INDEXES_SQL(idtable, ixtable)                                                              \
    "SELECT s.TABLE_NAME, s.INDEX_NAME, ii.INDEX_ID FROM (SELECT DISTINCT TABLE_SCHEMA, "          \
    "TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "              \
    "DATABASE()) s LEFT JOIN information_schema." idtable " it ON it.NAME = "                      \
    "CONCAT(s.TABLE_SCHEMA, '/', s.TABLE_NAME) LEFT JOIN information_schema." ixtable " ii "       \
    "ON ii.TABLE_ID = it.TABLE_ID AND ii.NAME = s.INDEX_NAME ORDER BY s.TABLE_NAME, "              \
    "s.INDEX_NAME"
#define TABLES_PLAIN_SQL                                                                           \
    "SELECT TABLE_NAME, IF(TABLE_TYPE = 'VIEW', 'v', 'r'), NULL, TABLE_ROWS FROM "                 \
    "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '#sql%' "   \
    "ORDER BY TABLE_NAME"
#define INDEXES_PLAIN_SQL                                                                          \
    "SELECT DISTINCT TABLE_NAME, INDEX_NAME, NULL FROM information_schema.STATISTICS WHERE "       \
    "TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME"

int drv_my_relation_files(struct drv_conn *c, struct drv_rels *out, struct mg_err *err)
{
    struct drv_result *t = NULL, *ix = NULL;
    struct mg_err e2;
    int rc;

    mg_err_clear(&e2);
    /* InnoDB's ids need the PROCESS privilege: without it, no rewrites can be seen */
    rc = drv_query(c, &t,
                   is_mariadb(c) ? TABLES_SQL("INNODB_SYS_TABLES") : TABLES_SQL("INNODB_TABLES"),
                   NULL, 0, &e2);
    if (!rc)
        rc = drv_query(c, &ix,
                       is_mariadb(c) ? INDEXES_SQL("INNODB_SYS_TABLES", "INNODB_SYS_INDEXES")
                                     : INDEXES_SQL("INNODB_TABLES", "INNODB_INDEXES"),
                       NULL, 0, &e2);
    if (rc == MG_ECONN) {
        mg_err_copy(err, &e2);
        drv_result_free(t);
        return rc;
    }
    if (rc) {
        drv_result_free(t);
        t = NULL;
        rc = drv_query(c, &t, TABLES_PLAIN_SQL, NULL, 0, err);
        if (!rc)
            rc = drv_query(c, &ix, INDEXES_PLAIN_SQL, NULL, 0, err);
        if (rc) {
            drv_result_free(t);
            return rc;
        }
    }
    out->v = mg_calloc(t->nrows + ix->nrows + 1, sizeof(*out->v));
    for (size_t i = 0; i < t->nrows; i++) {
        struct drv_rel *x = &out->v[out->n++];
        x->id = dup_cell(t, i, 0);
        x->schema = mg_strdup(""); /* clone and target are databases of other names */
        x->name = dup_cell(t, i, 0);
        x->kind = drv_val(t, i, 1) ? drv_val(t, i, 1)[0] : 'r';
        x->file = dup_cell(t, i, 2);
        x->bytes = x->total_bytes = x->pages = -1;
        x->rows = drv_val(t, i, 3) ? atof(drv_val(t, i, 3)) : -1;
    }
    for (size_t i = 0; i < ix->nrows; i++) {
        struct drv_rel *x = &out->v[out->n++];
        struct mg_buf id = MG_BUF_INIT;
        mg_buf_addf(&id, "%s.%s", drv_val(ix, i, 0), drv_val(ix, i, 1));
        x->id = mg_buf_detach(&id);
        x->schema = mg_strdup(""); /* clone and target are databases of other names */
        x->name = dup_cell(ix, i, 1);
        x->kind = DRV_REL_INDEX;
        x->table_id = dup_cell(ix, i, 0);
        x->file = dup_cell(ix, i, 2);
        x->bytes = x->total_bytes = x->pages = -1;
        x->rows = -1;
    }
    drv_result_free(t);
    drv_result_free(ix);
    return 0;
}

/* Splits `db`.`t`, db.t, `t` or t into its parts (malloc'ed; *schema NULL when absent). */
static void split_name(const char *s, char **schema, char **name)
{
    struct mg_buf part[2] = {MG_BUF_INIT, MG_BUF_INIT};
    int k = 0;

    while (*s && k < 2) {
        if (*s == '`') {
            for (s++; *s; s++) {
                if (*s == '`' && s[1] == '`') {
                    mg_buf_addch(&part[k], '`');
                    s++;
                } else if (*s == '`') {
                    s++;
                    break;
                } else {
                    mg_buf_addch(&part[k], *s);
                }
            }
        } else {
            while (*s && *s != '.')
                mg_buf_addch(&part[k], *s++);
        }
        if (*s == '.') {
            s++;
            k++;
        } else {
            break;
        }
    }
    if (k == 1) {
        *schema = mg_buf_detach(&part[0]);
        *name = mg_buf_detach(&part[1]);
    } else {
        *schema = NULL;
        *name = mg_buf_detach(&part[0]);
        mg_buf_free(&part[1]);
    }
}

int drv_my_relation_stats(struct drv_conn *c, const char *const *names, size_t n,
                          struct drv_rels *out, struct mg_err *err)
{
    struct drv_result *r;
    int rc = 0;

    /* MySQL 8 caches these figures for a day by default: read them fresh */
    if (!is_mariadb(c)) {
        rc = drv_query(c, &r, "SET SESSION information_schema_stats_expiry = 0", NULL, 0, err);
        drv_result_free(r);
        if (rc)
            return rc;
    }
    out->v = mg_calloc(n ? n : 1, sizeof(*out->v));
    for (size_t i = 0; i < n && !rc; i++) {
        char *schema, *name;
        split_name(names[i], &schema, &name);
        const char *p[2] = {schema, name};
        rc = drv_query(c, &r,
                       "SELECT TABLE_NAME, IF(TABLE_TYPE = 'VIEW', 'v', 'r'), DATA_LENGTH, "
                       "DATA_LENGTH + INDEX_LENGTH, TABLE_ROWS FROM information_schema.TABLES "
                       "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?",
                       p, 2, err);
        free(schema);
        free(name);
        if (rc)
            break;
        if (r->nrows) {
            struct drv_rel *x = &out->v[out->n++];
            x->id = dup_cell(r, 0, 0);
            x->schema = mg_strdup(""); /* clone and target are databases of other names */
            x->name = dup_cell(r, 0, 0);
            x->kind = drv_val(r, 0, 1) ? drv_val(r, 0, 1)[0] : 'r';
            x->bytes = ll_cell(r, 0, 2);
            x->total_bytes = ll_cell(r, 0, 3);
            /* InnoDB pages are 16 kB unless innodb_page_size says otherwise */
            x->pages = x->bytes >= 0 ? x->bytes / 16384 : -1;
            x->rows = drv_val(r, 0, 4) ? atof(drv_val(r, 0, 4)) : -1;
        }
        drv_result_free(r);
    }
    return rc;
}
