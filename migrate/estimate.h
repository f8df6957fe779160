/*
 * estimate.h — what pending migrations will lock on the target, and for how
 * long, measured on a clone.
 *
 * estimate_run.c runs each pending statement on the clone and observes it:
 * its relation locks (read from the server before the statement's own
 * transaction commits; for statements that cannot run in a transaction, a
 * second session samples them while they run), rewrites (a relation's
 * storage identity changed), rows read and written, and its duration.
 * estimate.c holds the model: which client statements a lock mode blocks,
 * how a duration scales from the clone's relation sizes to the target's,
 * how long the locks stay held on the target (until the migration commits
 * when it runs in one transaction), the verdict, and the report.  The model
 * and its limits are described in docs/estimate.md.
 */
#ifndef MG_ESTIMATE_H
#define MG_ESTIMATE_H

#include <jansson.h>
#include <stdint.h>

#include "ctx.h"
#include "driver.h"
#include "plan.h"

/* Client statements a lock blocks (on its table; a lock on an index blocks its table's). */
enum mg_blocks {
    MG_BLOCKS_SELECT = 1 << 0,
    MG_BLOCKS_INSERT = 1 << 1,
    MG_BLOCKS_UPDATE = 1 << 2,
    MG_BLOCKS_DELETE = 1 << 3,
    MG_BLOCKS_DDL = 1 << 4, /* VACUUM, ANALYZE and other schema changes (not client DML) */
};
#define MG_BLOCKS_WRITES (MG_BLOCKS_INSERT | MG_BLOCKS_UPDATE | MG_BLOCKS_DELETE)
#define MG_BLOCKS_DML    (MG_BLOCKS_SELECT | MG_BLOCKS_WRITES)

/*
 * What a lock mode (the server's name, as the driver reports it) blocks, in
 * `dialect`; an unknown mode is assumed to block everything (and *known is
 * 0 when given).
 */
unsigned mg_lock_blocks(const char *dialect, const char *mode, int *known);
/* The mode as SQL writes it ("ACCESS EXCLUSIVE"), or the mode itself. */
const char *mg_lock_label(const char *dialect, const char *mode);
/* Strength order of a mode (higher blocks more); 0 for unknown. */
int mg_lock_rank(const char *dialect, const char *mode);
/* Appends "SELECT, INSERT, UPDATE, DELETE" for the DML bits of `blocks`, or "nothing". */
void mg_blocks_text(struct mg_buf *out, unsigned blocks);

/* A relation lock the statement held (or waited for and then held). */
struct mg_est_lock {
    char *relation; /* "schema.name" */
    char kind;      /* enum drv_rel_kind, 0 unknown */
    char *table;    /* the table whose statements it blocks: itself, or an index's table */
    char *mode;     /* the server's name */
    unsigned blocks;
    int created;          /* the statement created the relation: nobody else can wait for it */
    int awaited;          /* sampled: the statement was seen waiting for it */
    double held_fraction; /* part of the statement's run it was held: 1 in a transaction */
    double held_ms;       /* sampled: how long it was held on the clone */
    int fixed;            /* held only to switch the change in: its time does not grow */
};

enum mg_work_kind {
    MG_WORK_REWRITE,     /* the table (and its indexes) was written anew */
    MG_WORK_INDEX_BUILD, /* an index was built or rebuilt from its table */
    MG_WORK_SCAN,        /* rows were read (validation, NOT NULL check, a query) */
    MG_WORK_WRITE,       /* rows were written (INSERT, UPDATE, DELETE) */
    MG_WORK_TRUNCATE,    /* the table was emptied: no work in proportion to its size */
};

const char *mg_work_name(enum mg_work_kind k);

/* Work the statement did in proportion to a table's size. */
struct mg_est_work {
    enum mg_work_kind kind;
    char *relation;        /* "schema.name" of what was worked on (the index, for builds) */
    char *schema, *name;   /* the table whose size drives the cost */
    int total;             /* the measure is the table's size with indexes and TOAST */
    int by_pages;          /* sizes are planner page counts: the clone's byte size was not read */
    int by_rows;           /* sizes are row estimates (MySQL: InnoDB sizes count whole extents) */
    long long clone_size;  /* on the clone, before the statement */
    long long target_size; /* on the target; -1 when the target does not have the table */
    long long rows_read, rows_written;
};

/* One statement, observed and predicted. */
struct mg_est_stmt {
    int index; /* 1-based within the file */
    int line;
    char *sql;   /* one-line excerpt */
    int sampled; /* ran outside a transaction while a second session sampled its locks */
    int samples;
    int runs;         /* in a transaction: how often it ran (all but the last rolled back) */
    double clone_ms;  /* its run on the clone, without waits for other sessions */
    double waited_ms; /* sampled: time it waited for other sessions on the clone (not counted) */
    long long rows;   /* rows the command reports, -1 when it reports none */
    struct mg_est_lock *locks;
    size_t nlocks;
    struct mg_est_work *work;
    size_t nwork;
    char **rewrites; /* "table public.t", "index public.t_pkey" */
    size_t nrewrites;
    char *error;       /* the server's message when it failed on the clone */
    char *algorithm;   /* MySQL/MariaDB: the cheapest ALGORITHM the clone accepted, or NULL */
    char *lock_clause; /* and the LOCK with it, or NULL */
    char *tried;       /* the cheaper ones it refused, with the server's reasons, or NULL */
    char *note;        /* how it was observed, when the reader should know; or NULL */
    /* mg_estimate_finish */
    double factor;     /* target/clone size ratio applied to the part of the duration that scales */
    char *scale_basis; /* how the factor came about, in words */
    int unscalable;    /* a table worked on is empty on the clone but not on the target */
    double predicted_ms;                      /* on the target; -1 unknown */
    double window_reads_ms, window_writes_ms; /* how long reads / writes would wait; -1 unknown */
    int until_commit;                         /* its locks stay held until the migration commits */
    const char *verdict;                      /* "safe", "blocks_writes", "blocks_reads_writes" */
    char *verdict_text;                       /* "blocks writes ~2.1s" */
};

struct mg_est_mig {
    uint64_t version;
    char *name;
    char *file;
    int transaction; /* runs in one transaction on the target (as `up` would) */
    struct mg_est_stmt *v;
    size_t n;
    int failed; /* a statement failed on the clone: the rest was not observed */
    /* mg_estimate_finish */
    double predicted_ms;
    double window_reads_ms, window_writes_ms;
    char *worst; /* the relation blocked longest, or NULL */
    const char *verdict;
    char *verdict_text;
};

struct mg_estimate {
    const char *dialect;
    struct mg_est_mig *v;
    size_t n;
    double overhead_ms;   /* a round trip on the clone: the part of a duration that never scales */
    int scaled;           /* sizes were read from a target */
    long max_blocking_ms; /* --max-blocking, -1 when not given */
    double sample_ms;     /* sampling interval for statements outside a transaction */
};

void mg_estimate_init(struct mg_estimate *e, const char *dialect);
void mg_estimate_free(struct mg_estimate *e);

/*
 * The names ("schema"."name", quoted by `quote`) of every table whose size
 * the prediction needs; *out is malloc'ed strings the caller frees with
 * mg_strv_free.
 */
void mg_estimate_tables(const struct mg_estimate *e, struct drv_conn *quoter, char ***out,
                        size_t *n);
void mg_strv_free(char **v, size_t n);
/* Fills the target sizes of the work items from the target's relation stats. */
void mg_estimate_set_target(struct mg_estimate *e, const struct drv_rels *target);
/* Predictions, blocking windows and verdicts from what was observed. */
void mg_estimate_finish(struct mg_estimate *e);
/*
 * The statements whose predicted blocking window exceeds max_blocking_ms
 * (or is unknown while they block): how many, and a description of the
 * first in `first` (may be NULL).
 */
size_t mg_estimate_exceeding(const struct mg_estimate *e, struct mg_buf *first);

json_t *mg_estimate_json(const struct mg_estimate *e);
void mg_estimate_text(const struct mg_estimate *e, struct mg_buf *out);

/*
 * Refuses (MG_EUSAGE) when connections a and b reach the same database,
 * whatever their URLs say: same server (system identifier and start time)
 * and same database (oid and name).  A physical copy of a server has the
 * same system identifier but not the same start time.
 */
int mg_refuse_same_database(struct drv_conn *a, const char *a_what, struct drv_conn *b,
                            const char *b_what, struct mg_err *err);

/* --- observing on the clone (estimate_run.c) --- */

struct mg_est_env {
    struct mg_session *clone; /* holds the runner lock; history tables exist */
    struct drv_conn *sampler; /* a second session on the clone: samples locks, holds a gate */
    struct drv_conn *gate;    /* a third session: the other gate (may be NULL) */
    const struct mg_ctx *ctx;
    int repeat; /* runs of a short statement in a transaction; the median counts */
    /* MySQL: whether the clone shows metadata locks (asked once) */
    int mdl_checked, mdl_visible;
};

/*
 * Runs the plan's steps (all MG_UP) on the clone, one transaction per
 * statement where the statement allows it, observing each; records every
 * migration in the clone's history as it goes (applied, or failed at the
 * statement that failed).  On failure out holds what was observed up to it.
 */
int mg_estimate_run(struct mg_estimate *out, struct mg_est_env *env, const struct mg_plan *plan,
                    struct mg_err *err);

#endif
