/*
 * history.h — the engine's record in the database: one row per version in
 * migrate_history, and the append-only, hash-chained migrate_events.
 *
 * Row statuses: applied; running (a no-transaction migration in progress, or
 * its runner died); failed (stopped at statement stmts_done+1); reverting and
 * revert_failed (the same for its down file).  Every write goes through here,
 * in the dialect's SQL from sql/<dialect>/.
 */
#ifndef MG_HISTORY_H
#define MG_HISTORY_H

#include <jansson.h>
#include <stdint.h>

#include "driver.h"

enum mg_hstatus {
    MG_H_APPLIED,
    MG_H_RUNNING,
    MG_H_FAILED,
    MG_H_REVERTING,
    MG_H_REVERT_FAILED,
};

struct mg_hrow {
    uint64_t version;
    char *name;
    char *checksum;
    enum mg_hstatus status;
    char *kind; /* migration, baseline, forced */
    int stmts_done, stmts_total;
    char *done_hash; /* SHA-256 over the statements already run (resume guard) */
    int no_transaction;
    char *applied_at; /* UTC ISO-8601 */
    char *applied_by;
    long long duration_ms;
    char *run_id;
    char *err_sqlstate, *err_message, *err_detail, *err_hint, *err_statement;
    int err_line;
    int err_stmt; /* 1-based index of the failing statement, or 0 */
};

struct mg_history {
    struct mg_hrow *v; /* sorted by version */
    size_t n;
    int exists; /* the tables exist */
};

const char *mg_hstatus_name(enum mg_hstatus s);

/* Creates the tables when missing (call with the runner lock held). */
int mg_history_ensure(struct drv_conn *c, struct mg_err *err);
/* Loads every row; missing tables give an empty history with exists = 0. */
int mg_history_load(struct mg_history *out, struct drv_conn *c, struct mg_err *err);
void mg_history_free(struct mg_history *h);
const struct mg_hrow *mg_history_find(const struct mg_history *h, uint64_t version);

/* Inserts or replaces the row of row->version (NULL strings are written as NULL). */
int mg_history_upsert(struct drv_conn *c, const struct mg_hrow *row, struct mg_err *err);
int mg_history_progress(struct drv_conn *c, uint64_t version, int stmts_done, const char *done_hash,
                        long long duration_ms, struct mg_err *err);
int mg_history_delete(struct drv_conn *c, uint64_t version, struct mg_err *err);
void mg_hrow_free(struct mg_hrow *r);

/* One entry of the audit trail. */
struct mg_event {
    const char *run_id;
    const char *action;  /* up, down, force, baseline, checkpoint ... */
    const char *outcome; /* ok, failed, ... */
    uint64_t version;    /* 0: none */
    const char *name;
    const char *checksum;
    json_t *meta; /* borrowed; may be NULL */
};

/*
 * Appends an event chained to the last one: hash = SHA-256 of the previous
 * hash and the row's canonical text (see mg_event_canonical).  The row gets
 * the OS user, database user, host and tool version; its meta gets the
 * pipeline's CI variables under "pipeline" (mg_audit_pipeline), so every
 * caller records them without asking.
 */
int mg_event_append(struct drv_conn *c, const struct mg_event *ev, struct mg_err *err);
/*
 * Writes a history change (upsert of `row`, or with row NULL the delete of
 * delete_version) and appends `ev`, in one statement where the dialect has
 * one (history_upsert_event, history_delete_event), else in two.  With
 * `commit`, the transaction is committed too (in the same round trip where
 * the driver can).
 */
int mg_history_write_with_event(struct drv_conn *c, const struct mg_hrow *row,
                                uint64_t delete_version, const struct mg_event *ev, int commit,
                                struct mg_err *err);
/* The canonical text an event hash covers; fields in table order, separated by 0x1f. */
void mg_event_canonical(struct mg_buf *out, const char *const fields[12]);

#endif
