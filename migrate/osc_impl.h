/*
 * osc_impl.h — what the online schema change engine (osc.c) and its dialect backends
 * (osc_pg.c, ...) share: the job as stored in migrate_osc_jobs, the running context, and the
 * table of a backend's operations.  Private to migrate/osc*.c.
 *
 * Division of work: the engine owns the job's life (phases, batch sizes, throttling,
 * progress, retries, resume, the JSON summary); a backend owns every statement sent to the
 * server, and commits each batch together with the job row through osc_job_save_*().
 */
#ifndef MG_OSC_IMPL_H
#define MG_OSC_IMPL_H

#include <jansson.h>

#include "buf.h"
#include "osc.h"

/* Phases, as stored in migrate_osc_jobs.phase. */
#define OSC_COPY    "copy"    /* copying batches (a backfill: updating them) */
#define OSC_BUILD   "build"   /* building the shadow's indexes; the triggers go live after */
#define OSC_VERIFY  "verify"  /* comparing ranges of the shadow with the original */
#define OSC_CUTOVER "cutover" /* verified; the swap is next */
#define OSC_SWAPPED "swapped" /* swapped; constraints to validate, old table to drop */
#define OSC_DONE    "done"
#define OSC_ABORTED "aborted"

/* A job as stored; strings and JSON are owned. */
struct osc_job {
    long long id;
    char kind[16];
    char phase[16];
    char *schema, *table; /* the table's exact names */
    char *statement;      /* the ALTER, or the backfill's SET ... */
    char *where;          /* the backfill's condition, or NULL */
    json_t *keycols;      /* array of column names */
    json_t *last_key;     /* array of text values, or NULL before the first batch */
    json_t *max_key;      /* array: the copy ends here; NULL when the table was empty */
    json_t *verified_key; /* array, or NULL before the first verified range */
    long batch_size;
    long long batches, rows_copied, rows_estimate, rows_replayed;
    long long ranges_verified, ranges_recopied;
    json_t *state;   /* the backend's details (object) */
    json_t *options; /* the options it started with (object) */
    int from_migration;
    uint64_t mig_version;
    int mig_statement;
    char run_id[40];
    char started_at[32], updated_at[32];
    char *error;
};

struct osc_backend;

/* A replica named by --replica, whose own lag --max-lag watches. */
struct osc_replica {
    const char *url;
    struct drv_conn *c; /* NULL while it cannot be reached */
    char name[256];     /* the URL without its password, for messages */
};

/* One job while it runs. */
struct osc_ctx {
    struct drv_conn *c;
    const struct mg_osc_opts *o;
    struct osc_job *j;
    struct mg_osc_result *res;
    const struct osc_backend *be;
    struct mg_buf qtable;         /* the table, schema-qualified and quoted */
    int recopying;                /* the range being verified was queued for a re-copy before */
    int locked;                   /* this process holds the job's advisory lock */
    int lag_warned;               /* said that --max-lag sees no replication link */
    struct osc_replica *replicas; /* the --replica connections (opts->nreplicas of them) */
    struct drv_conn **workers;    /* --threads: the sessions beyond x->c (opened when needed) */
    size_t nworkers;
    int copy_checked;     /* the backend looked whether --threads can help the copy */
    int copy_alone;       /* ...and found it cannot: the copy uses one session */
    double round_density; /* rows a key value in the last round (integer keys); 0 unknown */
};

struct osc_backend {
    const char *dialect;
    int threads; /* copies and verifies with several sessions at once (--threads) */
    /*
     * A new ALTER job: resolves the table, refuses what cannot be done safely (with the
     * reason), creates the shadow table, change log and triggers and inserts the job row, all
     * in one transaction under the cut-over lock timeout.  With o->dry_run, fills res->plan and
     * rolls everything back.  Fills x->j.
     */
    int (*start_alter)(struct osc_ctx *x, struct mg_err *err);
    /* A new backfill job (or its plan with o->dry_run). */
    int (*start_backfill)(struct osc_ctx *x, struct mg_err *err);
    /* Resuming: checks the table, shadow and triggers are still as the job left them. */
    int (*check)(struct osc_ctx *x, struct mg_err *err);
    /*
     * Copies (or, for a backfill, updates) the next batch of up to n rows after j->last_key,
     * and commits it with the job row; sets *rows and advances j (phase too, at the end).
     */
    int (*batch)(struct osc_ctx *x, long n, long long *rows, struct mg_err *err);
    /*
     * Builds the shadow's indexes and constraints after the copy, then switches the triggers
     * from noting keys to writing the shadow directly; phase verify.
     */
    int (*build)(struct osc_ctx *x, struct mg_err *err);
    /*
     * Re-synchronises up to n keys of the change log (after the build): *done is how many,
     * *left how many entries may remain.
     */
    int (*replay)(struct osc_ctx *x, long n, long long *done, long long *left, struct mg_err *err);
    /*
     * Compares the next range of up to n rows after j->verified_key in one snapshot.  A match
     * advances j and commits the job row; a mismatch (*match = 0, *detail says how) queues the
     * range's keys for replay and leaves j where it was.
     */
    int (*verify)(struct osc_ctx *x, long n, int *match, long long *rows, struct mg_buf *detail,
                  struct mg_err *err);
    /* One cut-over attempt in one transaction; fails with MG_ELOCKTIMEOUT to be retried. */
    int (*cutover)(struct osc_ctx *x, struct mg_err *err);
    /* After the swap: validates constraints, drops the old table when asked; phase done. */
    int (*finish)(struct osc_ctx *x, struct mg_err *err);
    /* Drops the shadow, log and triggers of an unfinished job; phase aborted. */
    int (*abort)(struct osc_ctx *x, struct mg_err *err);
    /* Describes the sessions holding locks on the table (for a failed cut-over). */
    void (*blockers)(struct osc_ctx *x, struct mg_buf *out);
};

extern const struct osc_backend osc_pg_backend;
extern const struct osc_backend osc_my_backend;
/* mg_osc_online_statement for MySQL/MariaDB: ALTER [ONLINE] [IGNORE] TABLE, by its tokens. */
int osc_my_online_statement(const char *sql, size_t len, char **table);
/* What the engine needs to know about the user's ALTER TABLE. */
struct pg_alter {
    char *schema, *relname; /* the target as written (schema may be NULL) */
    json_t *using;          /* column name -> USING expression (deparsed) */
    json_t *fk_cmds;        /* constraint names the ALTER drops, alters or validates */
    char *retargeted;       /* the ALTER aimed at the shadow (after pg_alter_retarget) */
};

/*
 * Reads the user's ALTER with libpg_query: exactly one ALTER TABLE whose subcommands the engine
 * can apply to a shadow table; fills the target as written, the USING expressions (deparsed)
 * and the constraints the ALTER names.  Free with osc_pg_alter_free.
 */
int osc_pg_alter_read(struct pg_alter *a, const char *sql, struct mg_err *err);
void osc_pg_alter_free(struct pg_alter *a);
/*
 * The ALTER aimed at schema.relname in its parse tree, without the subcommands on the
 * constraints named in `skip` (JSON array or NULL), deparsed (*out malloc'ed); *empty when no
 * subcommand is left.
 */
int osc_pg_alter_retarget(char **out, const char *sql, const char *schema, const char *relname,
                          const json_t *skip, int *empty, struct mg_err *err);
/* Checks --backfill (an UPDATE's SET clause) and --where (a condition, may be NULL). */
int osc_pg_backfill_read(const char *set, const char *where, struct mg_err *err);
/* mg_osc_online_statement for PostgreSQL: an ALTER TABLE, by libpg_query's parse tree. */
int osc_pg_online_statement(const char *sql, size_t len, char **table);

/* ---------- what both backends use (osc.c) ---------- */

/*
 * One statement of a round that several sessions run at once (--threads): `pre` (a SET of the
 * next transaction's isolation, or NULL), then `sql` with its parameters in a transaction of
 * its own, committed.  The result is the task's, to free; an error leaves r NULL.
 */
#define OSC_MAX_THREADS 16

struct osc_task {
    const char *pre, *sql;
    const char *const *p;
    size_t np;
    struct drv_result *r;
    int rc;
    struct mg_err err;
};

/*
 * Opens the sessions beyond the job's own (--threads - 1 of them, once per run) on the same
 * database; none when --threads is 1.
 */
int osc_workers_open(struct osc_ctx *x, struct mg_err *err);
/*
 * Runs tasks[0] on the job's session and tasks[1..n) on the other sessions, at once, and waits
 * for all (n at most x->nworkers + 1).  Returns the first task's error that is not
 * retryable, else the first retryable one, else 0; every task's own outcome stays in it.
 */
int osc_run_tasks(struct osc_ctx *x, struct osc_task *tasks, size_t n, struct mg_err *err);

/* Appends an identifier, quoted for the job's server. */
void osc_qi(struct osc_ctx *x, struct mg_buf *b, const char *ident);
/* A string of the job's state, or NULL. */
const char *osc_st_str(const struct osc_ctx *x, const char *key);
/* A statement the job generated at its start (state.sql.NAME); one it lacks is a bug. */
const char *osc_sqlt(const struct osc_ctx *x, const char *name);
/* A query on the job's connection. */
int osc_q(struct osc_ctx *x, struct drv_result **r, const char *sql, const char *const *p, size_t n,
          struct mg_err *err);
/* A query run for its effect only. */
int osc_q0(struct osc_ctx *x, const char *sql, const char *const *p, size_t n, struct mg_err *err);
/* A statement without parameters (logged at debug level). */
int osc_ex(struct osc_ctx *x, const char *sql, struct mg_err *err);
/* A boolean cell as the servers write it ('t', '1'). */
int osc_is_true(const char *v);
/*
 * Before retry `attempt` of a lock-bound step: a retryable error (a lock or statement
 * timeout) with time left before `deadline` is warned about and cleared, and the backoff slept;
 * returns 0 to retry, else the error's code (interrupted, out of time, or not retryable).
 */
int osc_retry_wait(struct osc_ctx *x, int attempt, int64_t deadline, const char *what,
                   struct mg_err *err);

void osc_job_free(struct osc_job *j);
/* Reads the job with this id (MG_ENOTFOUND when there is none). */
int osc_job_get(struct drv_conn *c, long long id, struct osc_job **out, struct mg_err *err);
/* The key values as text parameters (pointers into the JSON array). */
size_t osc_key_params(const json_t *key, const char **out, size_t max);
/* *out: a JSON array of the text values (NULL cells become JSON null); refuses text that is
   not UTF-8. */
int osc_key_json(const char *const *vals, size_t n, json_t **out, struct mg_err *err);
/* Writes the job's row after a batch (inside the batch's transaction). */
int osc_job_save_batch(struct osc_ctx *x, long long rows, struct mg_err *err);
/*
 * Reads the job's max key (x->j->max_key; NULL when the query returns no row, an empty table)
 * by a query whose first columns are the key columns.
 */
int osc_read_max_key(struct osc_ctx *x, const char *sql, struct mg_err *err);
/*
 * A backfill's dry-run plan into x->res->plan, from its generated statements (max_key,
 * boundary_next, update_next); key_index (a JSON string, taken) may be NULL.
 */
void osc_backfill_plan(struct osc_ctx *x, const json_t *sql, json_t *key_index,
                       long long rows_estimate, long long bytes);
/*
 * Ends a batch that reached `hi` (a key array) after `rows` rows: moves the job there (the phase
 * too, at the max key), writes its row and commits the batch's transaction.  Committed, the job
 * owns hi; otherwise the job is left where it was, the caller still owns hi and rolls back.
 */
int osc_batch_commit(struct osc_ctx *x, json_t *hi, long long rows, struct mg_err *err);
/* Writes the job's row after a verified range (inside its transaction). */
int osc_job_save_verified(struct osc_ctx *x, int recopied, struct mg_err *err);
/* Writes a phase change; state too when `with_state`. */
int osc_job_save_phase(struct osc_ctx *x, const char *phase, int with_state, struct mg_err *err);
/* Adds to the job's count of replayed rows. */
int osc_job_save_replayed(struct osc_ctx *x, long long n, struct mg_err *err);
/* A new job of this run's options (statement, condition, limits) on a table. */
struct osc_job *osc_job_new(struct osc_ctx *x, const char *kind, const char *phase,
                            const char *schema, const char *table, json_t *keycols,
                            long long rows_estimate);
/*
 * Writes x->j as a new row of the job table; an id of 0 lets the server number it (MySQL's
 * AUTO_INCREMENT), which the caller then reads back.
 */
int osc_job_insert(struct osc_ctx *x, struct mg_err *err);
/* A second job on a table must wait until the first is done or aborted. */
int osc_check_no_other_job(struct osc_ctx *x, const char *schema, const char *name,
                           struct mg_err *err);
/*
 * The table's definition fingerprint now against the one in the job's state ("signature"),
 * taken when the shadow was made; different, an error that says the table was altered (what:
 * which parts the fingerprint covers).
 */
int osc_check_signature(struct osc_ctx *x, const char *now, const char *what, struct mg_err *err);
/* Whether two keys (arrays of text values) are the same; NULL is no key. */
int osc_keys_equal(const json_t *a, const json_t *b);
/*
 * A verified range's counts and checksums, the original's and the shadow's: equal, the range
 * is recorded as verified (the phase becomes cutover at the max key) and committed, *match set;
 * different, what differs is added to detail.
 */
int osc_range_compared(struct osc_ctx *x, const json_t *lo, json_t *hi, const char *count_t,
                       const char *sum_t, const char *count_s, const char *sum_s, int *match,
                       struct mg_buf *detail, struct mg_err *err);
/* A JSON text for storing (caller frees), compact and key-sorted. */
char *osc_json_text(const json_t *v);

/* The job's advisory lock name, held while a process runs it. */
void osc_lock_name(char *out, size_t size, long long id);

#endif
