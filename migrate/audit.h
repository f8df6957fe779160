/*
 * audit.h — the audit trail around migrate_events: the pipeline metadata
 * every event carries, and the check of the hash chain that shows a row
 * altered or removed after the fact.
 *
 * Each event's hash is SHA-256 over the previous event's hash, 0x1f, and the
 * row's canonical text (mg_event_canonical in history.h).  A row edited in
 * place no longer matches its hash; a row deleted leaves the next row
 * pointing at a hash that is no longer its predecessor's.  Deleting the
 * newest rows leaves no trace in the chain itself: compare the head with one
 * kept elsewhere (mg_audit_check's `expect_head`).
 */
#ifndef MG_AUDIT_H
#define MG_AUDIT_H

#include <jansson.h>
#include <stddef.h>

#include "driver.h"
#include "err.h"

/*
 * The CI/CD variables of the environment that say which pipeline ran us
 * (GITHUB_SHA, GITHUB_RUN_ID, GITHUB_ACTOR, CI_COMMIT_SHA, CI_PIPELINE_ID,
 * GITLAB_USER_LOGIN and every MIGRATE_DEPLOY_*), as a new JSON object keyed
 * by variable name; empty when none is set.  Values longer than 1024 bytes
 * are cut.
 */
json_t *mg_audit_pipeline(void);

/* One row of migrate_events as stored (all text, NULL read as ""). */
struct mg_audit_row {
    long long id;
    /* at, run_id, action, outcome, version, name, checksum, os_user, db_user, host,
     * tool_version, meta: the order mg_event_canonical hashes */
    char *fields[12];
    char *prev_hash;
    char *hash;
};

struct mg_audit_rows {
    struct mg_audit_row *v;
    size_t n;
};

/* Reads every event in id order; a database without the table gives no rows. */
int mg_audit_load(struct mg_audit_rows *out, struct drv_conn *c, struct mg_err *err);
void mg_audit_rows_free(struct mg_audit_rows *rows);

enum mg_audit_kind {
    MG_AUDIT_ALTERED,   /* the row's content or prev_hash no longer matches its hash */
    MG_AUDIT_REMOVED,   /* rows are missing before this one (or the one before was rewritten) */
    MG_AUDIT_TRUNCATED, /* the expected head is not in the chain */
};

struct mg_audit_problem {
    enum mg_audit_kind kind;
    long long id;       /* the row where the break shows; 0 for TRUNCATED */
    long long after_id; /* REMOVED: the row before the gap, 0 when the gap is at the start */
    char msg[512];
};

struct mg_audit_report {
    size_t nrows;
    long long head_id; /* id of the newest row, 0 when none */
    char head[65];     /* its stored hash, "" when none */
    struct mg_audit_problem *v;
    size_t n, cap;
};

/*
 * Recomputes the chain over `rows` (id order) and lists every break, first
 * one first; after a break the check resynchronises on the stored hash so
 * one tampered row gives one problem.  `expect_head` (NULL: none) is a hash
 * taken from an earlier verify: it must still be in the chain.
 */
void mg_audit_check(struct mg_audit_report *out, const struct mg_audit_rows *rows,
                    const char *expect_head);
void mg_audit_report_free(struct mg_audit_report *r);
const char *mg_audit_kind_name(enum mg_audit_kind k);

#endif
