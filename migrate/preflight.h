/*
 * preflight.h — what on the target would make pending migrations dangerous
 * right now, read without changing anything: old transactions the DDL would
 * queue behind, sessions holding locks on the tables the migrations touch
 * (idle in transaction above all), replication lag, and for statements that
 * may rewrite a table, whether the disk has room for a second copy when
 * that can be known from here.  PostgreSQL, MySQL and MariaDB.
 */
#ifndef MG_PREFLIGHT_H
#define MG_PREFLIGHT_H

#include <jansson.h>

#include "driver.h"
#include "plan.h"

struct mg_preflight_opts {
    long max_xact_age_ms; /* transactions at least this old are findings */
    long max_lag_ms;      /* replication lag above this is a finding */
};

/* One result line: a finding (something to act on) or a note (what was checked). */
struct mg_pf_item {
    int finding;
    const char *check; /* "old_transaction", "lock_holder", "replication", "disk", ... */
    char *text;
    json_t *json; /* the facts, as an object */
};

/* A table the pending migrations touch, as the target has it. */
struct mg_pf_table {
    char *relation; /* schema.name */
    char *schema;   /* its parts (MySQL: the database) */
    char *name;
    char *id;
    long long bytes, total_bytes;
    const char *may_rewrite; /* static text, or NULL */
    char *where;             /* "file:line" of the first statement naming it */
};

struct mg_preflight {
    struct mg_pf_item *v;
    size_t n;
    struct mg_pf_table *tables;
    size_t ntables;
    size_t pending; /* pending migrations looked at */
};

/*
 * Runs the checks on `target` (a read-only session) for the pending entries
 * of `st`.  Findings are results, not errors: the caller decides the exit.
 */
int mg_preflight_run(struct mg_preflight *out, struct drv_conn *target, const struct mg_status *st,
                     const struct mg_preflight_opts *o, struct mg_err *err);
size_t mg_preflight_findings(const struct mg_preflight *p);
json_t *mg_preflight_json(const struct mg_preflight *p);
void mg_preflight_text(const struct mg_preflight *p, struct mg_buf *out);
void mg_preflight_free(struct mg_preflight *p);

#endif
