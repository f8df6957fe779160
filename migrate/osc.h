/*
 * osc.h — online schema change and batched backfills.
 *
 * A change that would lock or rewrite a large table (`ALTER TABLE ... TYPE`, a new primary
 * key, SET NOT NULL on many rows) runs as a job: a shadow table with the new definition,
 * triggers on the original that carry concurrent writes over, a copy in key-range batches
 * sized to a target time per batch, throttled by replication lag and load, a verification of
 * every range before the swap, and a cut-over under a short lock timeout that is retried until
 * it wins.  A backfill (`UPDATE ... SET` in key ranges) is the same job without the shadow.
 *
 * Every batch commits together with the job's row in migrate_osc_jobs, so a killed run
 * resumes at its last committed batch.  The dialect's work (SQL, triggers, cut-over) lives in
 * osc_<dialect>.c behind struct osc_backend (osc_impl.h); docs/osc.md describes the whole.
 */
#ifndef MG_OSC_H
#define MG_OSC_H

#include <jansson.h>
#include <stdint.h>

#include "driver.h"
#include "err.h"

/* What a job is asked to do, from the command line or a migration file. */
struct mg_osc_opts {
    const char *table;           /* --table: a name in SQL syntax (quoted parts allowed) */
    const char *alter;           /* --alter: one ALTER TABLE statement */
    const char *backfill;        /* --backfill: "SET col = expr, ..." */
    const char *where;           /* --where: a condition for the backfill */
    long chunk_ms;               /* --chunk-time: target time per batch (500ms) */
    long max_lag_ms;             /* --max-lag: pause while replicas lag more (0: off) */
    const char *const *replicas; /* --replica URL...: MySQL/MariaDB replicas to watch */
    size_t nreplicas;
    char **env_replicas; /* owned: the list of migrate.ini's osc.replicas, when it is used */
    int threads;         /* --threads: sessions that copy and verify at once (1; MariaDB/MySQL) */
    const char *url;     /* the database's URL, for the sessions beyond the first */
    long max_load;       /* --max-load: pause while more sessions are active (0: off) */
    long critical_load;  /* --critical-load: stop above this many (0: off) */
    const char *throttle_query; /* --throttle-query: pause while it returns true */
    const char *pause_file;     /* --pause-file: pause while this file exists */
    long cutover_timeout_ms;    /* --cut-over-timeout: give up retrying the swap (60s) */
    long cutover_lock_ms;       /* --cut-over-lock-timeout: lock_timeout of each try (100ms) */
    long statement_timeout_ms;  /* statement_timeout of the batches (0: off) */
    int dry_run;                /* --dry-run: print the plan and SQL, change nothing */
    int drop_old;               /* --drop-old: drop the original table after the swap */
    int no_verify;              /* --no-verify: swap without comparing checksums first */
    long long resume_id;        /* --resume ID (0: a new job) */
    const char *run_id;         /* the run's UUID, recorded with the job */
    /* set when the job runs one statement of a -- migrate:online file */
    int from_migration;
    uint64_t mig_version;
    int mig_statement; /* 1-based index in the file */
};

/* Sets the defaults above. */
void mg_osc_opts_init(struct mg_osc_opts *o);
/* Frees what mg_osc_opts_env allocated. */
void mg_osc_opts_free(struct mg_osc_opts *o);

/* The options mg_osc_opts_env may set, when the command line has not (its `given` bits). */
enum mg_osc_given {
    MG_OSC_GIVEN_MAX_LAG = 1 << 0,
    MG_OSC_GIVEN_REPLICAS = 1 << 1,
    MG_OSC_GIVEN_MAX_LOAD = 1 << 2,
    MG_OSC_GIVEN_CRITICAL_LOAD = 1 << 3,
    MG_OSC_GIVEN_CHUNK_TIME = 1 << 4,
    MG_OSC_GIVEN_THREADS = 1 << 5,
};

struct mg_env;
/*
 * The throttling an environment of migrate.ini sets for its online changes (osc.max_lag,
 * osc.replicas, osc.max_load, osc.critical_load, osc.chunk_time, osc.threads), for each option
 * not in
 * `given`; ${VAR} and @file: are resolved.  env may be NULL (no environment: nothing to do).
 */
int mg_osc_opts_env(struct mg_osc_opts *o, const struct mg_env *env, unsigned given,
                    struct mg_err *err);

/* What a job did (counts are the job's totals, times this run's); filled also on failure. */
struct mg_osc_result {
    long long job_id;
    char kind[16];  /* alter, backfill */
    char phase[16]; /* the job's phase at the end */
    char table[512];
    char key[512];         /* the key columns, comma separated */
    char old_table[512];   /* where the original table is kept after the swap ("" if dropped) */
    long long rows_copied; /* rows copied, or updated by a backfill */
    long long rows_estimate;
    long long rows_replayed; /* rows re-synchronised from the change log */
    long long batches;
    long batch_size; /* the last batch size */
    long long ranges_verified, ranges_recopied;
    int cutover_attempts;
    long long lock_held_ms; /* how long the cut-over held the table's lock */
    long long copy_ms, build_ms, verify_ms, cutover_ms, total_ms, throttled_ms;
    int resumed;
    int verify_skipped; /* --no-verify skipped the checksums */
    json_t *plan;       /* --dry-run: the plan and its SQL (owned) */
};

void mg_osc_result_free(struct mg_osc_result *r);
/* The result as the JSON summary of --format json (a new reference). */
json_t *mg_osc_result_json(const struct mg_osc_result *r);

/* Creates migrate_osc_jobs if missing (taking the runner lock for it when needed). */
int mg_osc_ensure_tables(struct drv_conn *c, struct mg_err *err);

/*
 * Starts a job (opts->alter or opts->backfill) or resumes one (opts->resume_id) and runs it
 * to its end.  Returns 0 when done; on failure the job stays resumable and err says how.
 * It stops after the current batch once mg_run_interrupted() (the caller installs the watch).
 */
int mg_osc_run(struct drv_conn *c, const struct mg_osc_opts *opts, struct mg_osc_result *out,
               struct mg_err *err);

/* Removes an unfinished job's shadow table, triggers and change log; the original stays. */
int mg_osc_abort(struct drv_conn *c, long long id, const struct mg_osc_opts *opts,
                 struct mg_osc_result *out, struct mg_err *err);

/* Every job as a JSON array (a new reference in *out). */
int mg_osc_list(struct drv_conn *c, json_t **out, struct mg_err *err);

/*
 * For `-- migrate:online` files: is this statement one the engine runs (an ALTER TABLE)?
 * Returns 1 and sets *table (malloc'ed, SQL syntax) when it is, 0 when it is not.
 */
int mg_osc_online_statement(const char *dialect, const char *sql, size_t len, char **table);

/*
 * Runs one ALTER TABLE of an online migration file: starts its job, resumes the unfinished
 * one started for the same statement, or returns at once when that job is done.
 */
int mg_osc_run_statement(struct drv_conn *c, const struct mg_osc_opts *base, const char *sql,
                         size_t len, struct mg_err *err);

/* --- pieces with unit tests --- */

/* The next batch size: scaled toward target_ms by the last batch's time, at most doubling. */
long mg_osc_next_batch(long size, long long took_ms, long target_ms);

#endif
