/*
 * driver.c — driver registry, the checked wrappers every engine call goes
 * through, and in-memory query results.
 */
#include "driver.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct drv_ops *const drivers[] = {
    &drv_postgres_ops,
    &drv_mysql_ops,
};

const struct drv_ops *drv_for_scheme(const char *scheme)
{
    for (size_t i = 0; i < MG_ARRAY_SIZE(drivers); i++)
        for (const char *const *s = drivers[i]->schemes; *s; s++)
            if (!strcmp(*s, scheme))
                return drivers[i];
    return NULL;
}

const struct drv_ops *drv_for_name(const char *name)
{
    if (!strcmp(name, "postgresql") || !strcmp(name, "pg"))
        name = "postgres";
    if (!strcmp(name, "mariadb"))
        name = "mysql";
    for (size_t i = 0; i < MG_ARRAY_SIZE(drivers); i++)
        if (!strcmp(drivers[i]->name, name))
            return drivers[i];
    return NULL;
}

/* Checks the contract after a call: failure comes with a filled error. */
static int checked(int rc, struct mg_err *err)
{
    assert(rc <= 0);
    if (rc < 0 && !err->code)
        mg_err_set(err, rc, "the database driver failed without saying why");
    return rc;
}

int drv_open(struct drv_conn **out, const char *url, const struct drv_connect_opts *opts,
             struct mg_err *err)
{
    struct mg_url u;
    const struct drv_ops *ops;
    int rc;

    *out = NULL;
    rc = mg_url_parse(&u, url, err);
    if (rc)
        return rc;
    ops = drv_for_scheme(u.scheme);
    if (!ops) {
        mg_err_set(err, MG_EUSAGE, "unsupported database URL scheme '%s://'", u.scheme);
        mg_err_hint(err, "use postgres://, postgresql://, mysql:// or mariadb://");
        mg_url_free(&u);
        return MG_EUSAGE;
    }
    assert(ops->api_version == DRV_API_VERSION);
    rc = checked(ops->connect(out, &u, opts, err), err);
    mg_url_free(&u);
    if (!rc)
        assert(*out && (*out)->ops == ops);
    return rc;
}

void drv_close(struct drv_conn *c)
{
    if (c)
        c->ops->close(c);
}

int drv_split(const struct drv_ops *ops, struct drv_stmt **out, size_t *n, const char *sql,
              size_t len, int server_version, struct mg_err *err)
{
    *out = NULL;
    *n = 0;
    return checked(ops->split(out, n, sql, len, server_version, err), err);
}

int drv_exec(struct drv_conn *c, const char *sql, long long *rows, struct mg_err *err)
{
    return drv_execn(c, sql, strlen(sql), rows, err);
}

int drv_execn(struct drv_conn *c, const char *sql, size_t len, long long *rows, struct mg_err *err)
{
    if (rows)
        *rows = -1;
    return checked(c->ops->exec(c, sql, len, rows, err), err);
}

int drv_query(struct drv_conn *c, struct drv_result **out, const char *sql,
              const char *const *params, size_t nparams, struct mg_err *err)
{
    int rc;

    *out = NULL;
    rc = checked(c->ops->query(c, out, sql, params, nparams, err), err);
    assert(rc || *out);
    return rc;
}

int drv_begin(struct drv_conn *c, struct mg_err *err)
{
    return checked(c->ops->begin(c, err), err);
}

int drv_begin_timeouts(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err)
{
    int rc;

    assert(lock_ms >= 0 && stmt_ms >= 0);
    if (c->ops->begin_timeouts)
        return checked(c->ops->begin_timeouts(c, lock_ms, stmt_ms, err), err);
    rc = drv_set_timeouts(c, lock_ms, stmt_ms, err);
    return rc ? rc : drv_begin(c, err);
}

int drv_query_commit(struct drv_conn *c, const char *sql, const char *const *params, size_t nparams,
                     struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    if (c->ops->query_commit)
        return checked(c->ops->query_commit(c, sql, params, nparams, err), err);
    rc = drv_query(c, &r, sql, params, nparams, err);
    drv_result_free(r);
    return rc ? rc : drv_commit(c, err);
}

int drv_commit(struct drv_conn *c, struct mg_err *err)
{
    return checked(c->ops->commit(c, err), err);
}

void drv_rollback_quiet(struct drv_conn *c)
{
    struct mg_err ignored;

    mg_err_clear(&ignored);
    c->ops->rollback(c, &ignored);
}

int drv_try_lock(struct drv_conn *c, const char *name, int *got, struct mg_err *err)
{
    *got = 0;
    return checked(c->ops->try_lock(c, name, got, err), err);
}

int drv_unlock(struct drv_conn *c, const char *name, struct mg_err *err)
{
    return checked(c->ops->unlock(c, name, err), err);
}

int drv_lock_holder(struct drv_conn *c, const char *name, struct mg_buf *out, struct mg_err *err)
{
    return checked(c->ops->lock_holder(c, name, out, err), err);
}

int drv_set_timeouts(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err)
{
    assert(lock_ms >= 0 && stmt_ms >= 0);
    return checked(c->ops->set_timeouts(c, lock_ms, stmt_ms, err), err);
}

int drv_dry_run(struct drv_conn *c, struct mg_buf *sink, struct mg_err *err)
{
    if (!c->ops->dry_run)
        return mg_err_set(err, MG_EUSAGE, "the %s driver cannot do a dry run", c->ops->name);
    return checked(c->ops->dry_run(c, sink, err), err);
}

int drv_read_only(struct drv_conn *c, struct mg_err *err)
{
    if (!c->ops->read_only)
        return mg_err_set(err, MG_EUSAGE, "the %s driver cannot make a session read-only",
                          c->ops->name);
    return checked(c->ops->read_only(c, err), err);
}

long drv_backend_id(struct drv_conn *c)
{
    return c->ops->backend_id ? c->ops->backend_id(c) : -1;
}

int drv_progress(struct drv_conn *monitor, long backend, struct mg_buf *out, struct mg_err *err)
{
    if (!monitor->ops->progress || backend < 0)
        return 0;
    return checked(monitor->ops->progress(monitor, backend, out, err), err);
}

void drv_cancel(struct drv_conn *c)
{
    if (c && c->ops->cancel)
        c->ops->cancel(c);
}

void drv_quote_ident(const struct drv_conn *c, struct mg_buf *out, const char *ident)
{
    c->ops->quote_ident(out, ident);
}

void drv_log_pos_init(struct drv_log_pos *p)
{
    memset(p, 0, sizeof(*p));
    mg_buf_init(&p->gtid_set);
}

void drv_log_pos_free(struct drv_log_pos *p)
{
    mg_buf_free(&p->gtid_set);
}

/* The error of an optional method the driver lacks. */
static int unsupported(const struct drv_conn *c, const char *what, struct mg_err *err)
{
    mg_err_set(err, MG_EFAIL, "%s is not supported by the %s driver", what, c->ops->name);
    return MG_EFAIL;
}

int drv_log_position(struct drv_conn *c, struct drv_log_pos *out, struct mg_err *err)
{
    if (!c->ops->log_position)
        return unsupported(c, "reading the log position", err);
    return checked(c->ops->log_position(c, out, err), err);
}

int drv_create_restore_point(struct drv_conn *c, const char *name, struct mg_buf *pos,
                             struct mg_err *err)
{
    if (!c->ops->create_restore_point)
        return unsupported(c, "creating a restore point", err);
    return checked(c->ops->create_restore_point(c, name, pos, err), err);
}

int drv_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err)
{
    if (!c->ops->schema_snapshot)
        return unsupported(c, "a schema snapshot", err);
    return checked(c->ops->schema_snapshot(c, out, err), err);
}

int drv_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                         struct mg_err *err)
{
    int rc;

    *out = NULL;
    assert(max_rows >= 0);
    if (!c->ops->data_fingerprint)
        return unsupported(c, "fingerprinting table rows", err);
    rc = checked(c->ops->data_fingerprint(c, out, max_rows, err), err);
    assert(rc || (*out && (*out)->ncols == 3));
    return rc;
}

int drv_replica_lag(struct drv_conn *c, long *lag_ms, int *replicas, struct mg_err *err)
{
    *lag_ms = 0;
    *replicas = 0;
    if (!c->ops->replica_lag)
        return unsupported(c, "reading the replication lag", err);
    return checked(c->ops->replica_lag(c, lag_ms, replicas, err), err);
}

int drv_active_sessions(struct drv_conn *c, long *n, struct mg_err *err)
{
    *n = 0;
    if (!c->ops->active_sessions)
        return unsupported(c, "counting active sessions", err);
    return checked(c->ops->active_sessions(c, n, err), err);
}

struct drv_result *drv_result_new(size_t ncols)
{
    struct drv_result *r = mg_calloc(1, sizeof(*r));

    r->ncols = ncols;
    r->affected = -1;
    r->names = mg_calloc(ncols ? ncols : 1, sizeof(char *));
    return r;
}

void drv_result_set_name(struct drv_result *r, size_t col, const char *name)
{
    assert(col < r->ncols);
    free(r->names[col]);
    r->names[col] = mg_strdup(name);
}

void drv_result_add_row(struct drv_result *r, const char *const *cells, const size_t *lens)
{
    if (r->nrows + 1 > r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->cells = mg_realloc(r->cells, r->cap * (r->ncols ? r->ncols : 1) * sizeof(char *));
    }
    for (size_t i = 0; i < r->ncols; i++) {
        const char *v = cells[i];
        r->cells[r->nrows * r->ncols + i] =
            v ? (lens ? mg_strndup(v, lens[i]) : mg_strdup(v)) : NULL;
    }
    r->nrows++;
}

void drv_result_free(struct drv_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    for (size_t i = 0; i < r->ncols; i++)
        free(r->names[i]);
    free(r->cells);
    free(r->names);
    free(r);
}

const char *drv_val(const struct drv_result *r, size_t row, size_t col)
{
    assert(row < r->nrows && col < r->ncols);
    return r->cells[row * r->ncols + col];
}

/* ---------- estimate, clone and preflight: optional methods ---------- */

int drv_db_identity(struct drv_conn *c, struct drv_db_identity *out, struct mg_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!c->ops->db_identity)
        return unsupported(c, "telling databases apart", err);
    return checked(c->ops->db_identity(c, out, err), err);
}

int drv_session_locks(struct drv_conn *c, long long backend, struct drv_locks *out, int *waiting,
                      struct mg_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    *waiting = 0;
    if (!c->ops->session_locks)
        return unsupported(c, "reading the locks of a session", err);
    rc = checked(c->ops->session_locks(c, backend, out, waiting, err), err);
    if (rc)
        drv_locks_free(out);
    return rc;
}

int drv_relation_files(struct drv_conn *c, struct drv_rels *out, struct mg_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (!c->ops->relation_files)
        return unsupported(c, "listing relations and their storage", err);
    rc = checked(c->ops->relation_files(c, out, err), err);
    if (rc)
        drv_rels_free(out);
    return rc;
}

int drv_relation_stats(struct drv_conn *c, const char *const *names, size_t n, struct drv_rels *out,
                       struct mg_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (!c->ops->relation_stats)
        return unsupported(c, "reading relation sizes", err);
    if (!n)
        return 0;
    rc = checked(c->ops->relation_stats(c, names, n, out, err), err);
    if (rc)
        drv_rels_free(out);
    return rc;
}

int drv_exec_start(struct drv_conn *c, const char *sql, size_t len, struct mg_err *err)
{
    if (!c->ops->exec_start || !c->ops->exec_wait)
        return unsupported(c, "running a statement in the background", err);
    return checked(c->ops->exec_start(c, sql, len, err), err);
}

int drv_exec_wait(struct drv_conn *c, long timeout_ms, int *done, long long *rows,
                  struct mg_err *err)
{
    *done = 0;
    if (rows)
        *rows = -1;
    if (!c->ops->exec_wait)
        return unsupported(c, "running a statement in the background", err);
    return checked(c->ops->exec_wait(c, timeout_ms, done, rows, err), err);
}

int drv_has_copy(const struct drv_conn *c)
{
    return c->ops->copy_out && c->ops->copy_in_start && c->ops->copy_in_put && c->ops->copy_in_end;
}

int drv_copy_out(struct drv_conn *c, const char *sql, drv_copy_sink sink, void *arg,
                 struct mg_err *err)
{
    if (!c->ops->copy_out)
        return unsupported(c, "COPY TO STDOUT", err);
    return checked(c->ops->copy_out(c, sql, sink, arg, err), err);
}

int drv_copy_in_start(struct drv_conn *c, const char *sql, struct mg_err *err)
{
    if (!drv_has_copy(c))
        return unsupported(c, "COPY FROM STDIN", err);
    return checked(c->ops->copy_in_start(c, sql, err), err);
}

int drv_copy_in_put(struct drv_conn *c, const char *data, size_t len, struct mg_err *err)
{
    if (!c->ops->copy_in_put)
        return unsupported(c, "COPY FROM STDIN", err);
    return checked(c->ops->copy_in_put(c, data, len, err), err);
}

int drv_copy_in_end(struct drv_conn *c, int abort, long long *rows, struct mg_err *err)
{
    if (rows)
        *rows = -1;
    if (!c->ops->copy_in_end)
        return unsupported(c, "COPY FROM STDIN", err);
    return checked(c->ops->copy_in_end(c, abort, rows, err), err);
}

int drv_query_rows(struct drv_conn *c, const char *sql, drv_row_sink sink, void *arg,
                   struct mg_err *err)
{
    if (!c->ops->query_rows)
        return unsupported(c, "streaming rows", err);
    return checked(c->ops->query_rows(c, sql, sink, arg, err), err);
}

int drv_exec_values(struct drv_conn *c, const char *sql, const struct drv_value *params,
                    size_t nparams, long long *rows, struct mg_err *err)
{
    if (rows)
        *rows = -1;
    if (!c->ops->exec_values)
        return unsupported(c, "statements with binary parameters", err);
    return checked(c->ops->exec_values(c, sql, params, nparams, rows, err), err);
}

void drv_rels_free(struct drv_rels *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].id);
        free(r->v[i].schema);
        free(r->v[i].name);
        free(r->v[i].table_id);
        free(r->v[i].file);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

void drv_locks_free(struct drv_locks *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].rel_id);
        free(l->v[i].schema);
        free(l->v[i].name);
        free(l->v[i].mode);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

const struct drv_rel *drv_rels_find(const struct drv_rels *r, const char *id)
{
    for (size_t i = 0; id && i < r->n; i++)
        if (r->v[i].id && !strcmp(r->v[i].id, id))
            return &r->v[i];
    return NULL;
}
