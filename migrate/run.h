/*
 * run.h — executing a plan: one transaction per migration where possible,
 * statement by statement with recorded progress where not, lock_timeout on
 * every statement, retry with backoff on lock timeouts and deadlocks,
 * resume of partial runs, and the history and event rows for each step.
 */
#ifndef MG_RUN_H
#define MG_RUN_H

#include <jansson.h>

#include "ctx.h"
#include "plan.h"

struct mg_step_result {
    uint64_t version;
    const char *title;
    enum mg_dir dir;
    int ok;
    int transaction; /* ran in one transaction */
    int stmts_total; /* statements in the file */
    int first_stmt;  /* 1-based statement it started at (> 1 when resuming) */
    int attempts;    /* 1 + retries used */
    long long duration_ms;
    long long lock_wait_ms; /* time lost to lock timeouts before retries */
};

struct mg_run_report {
    struct mg_step_result *v;
    size_t n, cap;
};

/*
 * Runs the steps in order on a session that holds the runner lock; stops at
 * the first failure, which is recorded in the history before returning.
 */
int mg_run_plan(struct mg_session *s, const struct mg_ctx *ctx, const struct mg_plan *plan,
                struct mg_run_report *rep, struct mg_err *err);
void mg_run_report_free(struct mg_run_report *rep);
/* The report as JSON (a new reference). */
json_t *mg_run_report_json(const struct mg_run_report *rep);

/*
 * Makes split statements the file's: line numbers counted from the start of
 * the file (dbmate and goose sections start further down), and statements
 * inside an explicit span (goose StatementBegin/End) merged into one.
 */
void mg_run_fix_statements(const struct mg_file *f, struct drv_stmt *v, size_t *n);

/* Statement chain hash: SHA-256 over the previous hash and the statement text. */
void mg_stmt_chain(char out[65], const char *prev, const char *stmt, size_t len);

/* Installs SIGINT/SIGTERM handlers that cancel the running statement of `c` (NULL: none). */
void mg_run_watch(struct drv_conn *c);
/* True once SIGINT or SIGTERM arrived. */
int mg_run_interrupted(void);

#endif
