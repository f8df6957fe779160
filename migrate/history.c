/* history.c — reading and writing migrate_history and migrate_events. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "sqltext.h"
#include "util.h"

#ifndef MG_VERSION
#define MG_VERSION "dev"
#endif

static const char *dialect(struct drv_conn *c)
{
    return c->info.dialect;
}

const char *mg_hstatus_name(enum mg_hstatus s)
{
    switch (s) {
    case MG_H_APPLIED:
        return "applied";
    case MG_H_RUNNING:
        return "running";
    case MG_H_FAILED:
        return "failed";
    case MG_H_REVERTING:
        return "reverting";
    case MG_H_REVERT_FAILED:
        return "revert_failed";
    }
    return "applied";
}

static int parse_status(const char *s, enum mg_hstatus *out)
{
    static const enum mg_hstatus all[] = {MG_H_APPLIED, MG_H_RUNNING, MG_H_FAILED, MG_H_REVERTING,
                                          MG_H_REVERT_FAILED};
    for (size_t i = 0; i < MG_ARRAY_SIZE(all); i++)
        if (s && !strcmp(s, mg_hstatus_name(all[i]))) {
            *out = all[i];
            return 0;
        }
    return -1;
}

/* Splits and runs a script of the engine's own SQL. */
static int run_script(struct drv_conn *c, const char *sql, struct mg_err *err)
{
    struct drv_stmt *st;
    size_t n;
    int rc = drv_split(c->ops, &st, &n, sql, strlen(sql), c->info.version_num, err);

    for (size_t i = 0; !rc && i < n; i++)
        rc = drv_execn(c, sql + st[i].off, st[i].len, NULL, err);
    free(st);
    return rc;
}

int mg_history_ensure(struct drv_conn *c, struct mg_err *err)
{
    int rc = run_script(c, mg_sql(dialect(c), "schema"), err);
    if (rc)
        mg_err_context(err, "creating the history tables");
    return rc;
}

static char *dup_or_null(const char *s)
{
    return s ? mg_strdup(s) : NULL;
}

int mg_history_load(struct mg_history *out, struct drv_conn *c, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = drv_query(c, &r, mg_sql(dialect(c), "history_exists"), NULL, 0, err);
    if (rc)
        return rc;
    out->exists = drv_val(r, 0, 0) && (drv_val(r, 0, 0)[0] == 't' || drv_val(r, 0, 0)[0] == '1');
    drv_result_free(r);
    if (!out->exists)
        return 0;
    rc = drv_query(c, &r, mg_sql(dialect(c), "history_select"), NULL, 0, err);
    if (rc)
        return rc;
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        struct mg_hrow *h = &out->v[out->n];
        const char *ver = drv_val(r, i, 0);
        if (!ver || mg_parse_u64(&h->version, ver, strlen(ver)) < 0 ||
            parse_status(drv_val(r, i, 3), &h->status) < 0) {
            drv_result_free(r);
            mg_history_free(out);
            mg_err_set(err, MG_EFAIL, "the history table has a row it cannot read (version '%s')",
                       ver ? ver : "NULL");
            mg_err_hint(err, "the table migrate_history was changed by hand; fix the row");
            return MG_EFAIL;
        }
        h->name = dup_or_null(drv_val(r, i, 1));
        h->checksum = dup_or_null(drv_val(r, i, 2));
        h->kind = dup_or_null(drv_val(r, i, 4));
        h->stmts_done = atoi(drv_val(r, i, 5) ? drv_val(r, i, 5) : "0");
        h->stmts_total = atoi(drv_val(r, i, 6) ? drv_val(r, i, 6) : "0");
        h->done_hash = dup_or_null(drv_val(r, i, 7));
        h->no_transaction = drv_val(r, i, 8) && atoi(drv_val(r, i, 8));
        h->applied_at = dup_or_null(drv_val(r, i, 9));
        h->applied_by = dup_or_null(drv_val(r, i, 10));
        h->duration_ms = drv_val(r, i, 11) ? atoll(drv_val(r, i, 11)) : 0;
        h->run_id = dup_or_null(drv_val(r, i, 12));
        h->err_sqlstate = dup_or_null(drv_val(r, i, 13));
        h->err_message = dup_or_null(drv_val(r, i, 14));
        h->err_detail = dup_or_null(drv_val(r, i, 15));
        h->err_hint = dup_or_null(drv_val(r, i, 16));
        h->err_line = drv_val(r, i, 17) ? atoi(drv_val(r, i, 17)) : 0;
        h->err_statement = dup_or_null(drv_val(r, i, 18));
        h->err_stmt = drv_val(r, i, 19) ? atoi(drv_val(r, i, 19)) : 0;
        out->n++;
    }
    drv_result_free(r);
    return 0;
}

void mg_hrow_free(struct mg_hrow *h)
{
    free(h->name);
    free(h->checksum);
    free(h->kind);
    free(h->done_hash);
    free(h->applied_at);
    free(h->applied_by);
    free(h->run_id);
    free(h->err_sqlstate);
    free(h->err_message);
    free(h->err_detail);
    free(h->err_hint);
    free(h->err_statement);
}

void mg_history_free(struct mg_history *h)
{
    for (size_t i = 0; i < h->n; i++)
        mg_hrow_free(&h->v[i]);
    free(h->v);
    memset(h, 0, sizeof(*h));
}

const struct mg_hrow *mg_history_find(const struct mg_history *h, uint64_t version)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].version == version)
            return &h->v[i];
    return NULL;
}

/* The 20 parameters of history_upsert; `bufs` holds the numbers' text. */
static void hrow_params(const struct mg_hrow *h, char bufs[7][24], const char *p[20])
{
    snprintf(bufs[0], 24, "%llu", (unsigned long long)h->version);
    snprintf(bufs[1], 24, "%d", h->stmts_done);
    snprintf(bufs[2], 24, "%d", h->stmts_total);
    snprintf(bufs[3], 24, "%d", h->no_transaction ? 1 : 0);
    snprintf(bufs[4], 24, "%lld", h->duration_ms);
    snprintf(bufs[5], 24, "%d", h->err_line);
    snprintf(bufs[6], 24, "%d", h->err_stmt);
    p[0] = bufs[0];
    p[1] = h->name;
    p[2] = h->checksum;
    p[3] = mg_hstatus_name(h->status);
    p[4] = h->kind ? h->kind : "migration";
    p[5] = bufs[1];
    p[6] = bufs[2];
    p[7] = h->done_hash ? h->done_hash : "";
    p[8] = bufs[3];
    p[9] = h->applied_at;
    p[10] = h->applied_by;
    p[11] = bufs[4];
    p[12] = h->run_id;
    p[13] = h->err_sqlstate;
    p[14] = h->err_message;
    p[15] = h->err_detail;
    p[16] = h->err_hint;
    p[17] = h->err_line ? bufs[5] : NULL;
    p[18] = h->err_statement;
    p[19] = h->err_stmt ? bufs[6] : NULL;
}

int mg_history_upsert(struct drv_conn *c, const struct mg_hrow *h, struct mg_err *err)
{
    char bufs[7][24];
    const char *p[20];
    struct drv_result *r;
    int rc;

    hrow_params(h, bufs, p);
    rc = drv_query(c, &r, mg_sql(dialect(c), "history_upsert"), p, 20, err);
    drv_result_free(r);
    if (rc)
        mg_err_context(err, "recording version %s in migrate_history", bufs[0]);
    return rc;
}

int mg_history_progress(struct drv_conn *c, uint64_t version, int stmts_done, const char *done_hash,
                        long long duration_ms, struct mg_err *err)
{
    char ver[24], done[16], dur[24];
    const char *p[4] = {ver, done, done_hash, dur};
    struct drv_result *r;
    int rc;

    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)version);
    snprintf(done, sizeof(done), "%d", stmts_done);
    snprintf(dur, sizeof(dur), "%lld", duration_ms);
    rc = drv_query(c, &r, mg_sql(dialect(c), "history_progress"), p, 4, err);
    drv_result_free(r);
    if (rc)
        mg_err_context(err, "recording progress of version %s", ver);
    return rc;
}

int mg_history_delete(struct drv_conn *c, uint64_t version, struct mg_err *err)
{
    char ver[24];
    const char *p[1] = {ver};
    struct drv_result *r;
    int rc;

    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)version);
    rc = drv_query(c, &r, mg_sql(dialect(c), "history_delete"), p, 1, err);
    drv_result_free(r);
    if (rc)
        mg_err_context(err, "removing version %s from migrate_history", ver);
    return rc;
}

void mg_event_canonical(struct mg_buf *out, const char *const fields[12])
{
    for (int i = 0; i < 12; i++) {
        if (i)
            mg_buf_addch(out, '\x1f');
        mg_buf_adds(out, fields[i] ? fields[i] : "");
    }
}

/* The 12 parameters of event_insert; *meta (malloc'ed) and the buffers back them. */
static void event_params(struct drv_conn *c, const struct mg_event *ev, char at[40], char ver[24],
                         char **meta, const char *p[12])
{
    mg_now_iso(at);
    ver[0] = '\0';
    if (ev->version)
        snprintf(ver, 24, "%llu", (unsigned long long)ev->version);
    /* every event says which pipeline ran it: the CI variables join the caller's meta */
    json_t *full = ev->meta ? json_deep_copy(ev->meta) : json_object();
    json_t *pipeline = mg_audit_pipeline();
    if (json_object_size(pipeline))
        json_object_set(full, "pipeline", pipeline);
    json_decref(pipeline);
    *meta = json_dumps(full, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(full);
    p[0] = at;
    p[1] = ev->run_id;
    p[2] = ev->action;
    p[3] = ev->outcome;
    p[4] = ver;
    p[5] = ev->name ? ev->name : "";
    p[6] = ev->checksum ? ev->checksum : "";
    p[7] = mg_os_user();
    p[8] = c->info.user;
    p[9] = mg_host_name();
    p[10] = MG_VERSION;
    p[11] = *meta ? *meta : "{}";
}

int mg_event_append(struct drv_conn *c, const struct mg_event *ev, struct mg_err *err)
{
    struct drv_result *r;
    char at[40], ver[24];
    char *meta = NULL;
    const char *p[12];
    int rc;

    event_params(c, ev, at, ver, &meta, p);
    /* the server chains it: see sql/<dialect>/event_insert.sql */
    rc = drv_query(c, &r, mg_sql(dialect(c), "event_insert"), p, 12, err);
    drv_result_free(r);
    free(meta);
    if (rc)
        mg_err_context(err, "appending to migrate_events");
    return rc;
}

int mg_history_write_with_event(struct drv_conn *c, const struct mg_hrow *row,
                                uint64_t delete_version, const struct mg_event *ev, int commit,
                                struct mg_err *err)
{
    const char *both =
        mg_sql_find(dialect(c), row ? "history_upsert_event" : "history_delete_event");
    char bufs[7][24], at[40], ver[24], del[24];
    const char *p[32];
    char *meta = NULL;
    struct drv_result *r;
    size_t n;
    int rc;

    if (!both) {
        rc = row ? mg_history_upsert(c, row, err) : mg_history_delete(c, delete_version, err);
        if (!rc)
            rc = mg_event_append(c, ev, err);
        return rc || !commit ? rc : drv_commit(c, err);
    }
    /* one statement, one round trip: the history change and its event */
    if (row) {
        hrow_params(row, bufs, p);
        n = 20;
    } else {
        snprintf(del, sizeof(del), "%llu", (unsigned long long)delete_version);
        p[0] = del;
        n = 1;
    }
    event_params(c, ev, at, ver, &meta, p + n);
    if (commit) {
        rc = drv_query_commit(c, both, p, n + 12, err);
    } else {
        rc = drv_query(c, &r, both, p, n + 12, err);
        drv_result_free(r);
    }
    free(meta);
    if (rc)
        mg_err_context(err, "recording version %llu in migrate_history and migrate_events",
                       (unsigned long long)(row ? row->version : delete_version));
    return rc;
}
