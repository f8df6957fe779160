/*
 * plan.h — what the files and the history say together, and what up, down
 * and goto would do.  Pure functions over a loaded source and history, so
 * every rule is unit-tested without a database.
 */
#ifndef MG_PLAN_H
#define MG_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "history.h"
#include "problem.h"
#include "source.h"

enum mg_state {
    MG_ST_PENDING,       /* file, no row */
    MG_ST_APPLIED,       /* row applied */
    MG_ST_FAILED,        /* up stopped at a statement (row failed) */
    MG_ST_INTERRUPTED,   /* up's runner died mid-file (row running, lock free) */
    MG_ST_REVERT_FAILED, /* down stopped at a statement */
    MG_ST_REVERTING,     /* down's runner died mid-file */
    MG_ST_MISSING,       /* row, no file */
};

struct mg_entry {
    uint64_t version;
    const char *title;
    const struct mg_migration *m; /* NULL when missing */
    const struct mg_hrow *row;    /* NULL when pending */
    enum mg_state state;
    int edited;       /* applied, and the up file's checksum differs */
    int out_of_order; /* pending, below the highest applied version */
    int partial;      /* some statements ran, some did not: needs finishing */
};

struct mg_status {
    struct mg_entry *v; /* sorted by version */
    size_t n;
    uint64_t current; /* highest version whose row is applied; 0 when none */
    int dirty;        /* some entry is partial */
};

const char *mg_state_name(enum mg_state s);

/* Merges files and rows.  out borrows from both; free with mg_status_free. */
void mg_status_build(struct mg_status *out, const struct mg_source *src,
                     const struct mg_history *h);
void mg_status_free(struct mg_status *s);

enum mg_dir { MG_UP, MG_DOWN };

struct mg_step {
    const struct mg_entry *e;
    enum mg_dir dir;
    int resume; /* finishes a partial run recorded in e->row */
};

struct mg_plan {
    struct mg_step *v;
    size_t n;
};

enum mg_plan_kind { MG_PLAN_UP, MG_PLAN_DOWN, MG_PLAN_GOTO };

struct mg_plan_req {
    enum mg_plan_kind kind;
    long count;      /* up/down: how many; -1 for all */
    uint64_t target; /* goto */
    int allow_out_of_order;
    int allow_edited;
};

/*
 * Builds the steps of one command, or fails with the reason (MG_EATTENTION
 * for recorded states a human must resolve, MG_EUSAGE for impossible
 * requests).  `warnings` receives what is allowed but worth saying.
 */
int mg_plan_build(struct mg_plan *out, const struct mg_status *st, const struct mg_plan_req *req,
                  struct mg_problems *warnings, struct mg_err *err);
void mg_plan_free(struct mg_plan *p);

#endif
