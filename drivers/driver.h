/*
 * driver.h — the only interface between the engine and a database.
 *
 * A driver is a table of function pointers (struct drv_ops), like SQLite's
 * VFS.  A connection is a struct whose first member is struct drv_conn, so the
 * driver "subclasses" it.  The engine calls drivers only through the drv_*
 * wrappers below, which check the contract (optional methods, error filled on
 * failure) in one place.
 *
 * Contract for every method that can fail: return 0 or a negative MG_E* code,
 * and on failure fill the caller's struct mg_err with the server's own words
 * (message, SQLSTATE, detail, hint, position).  A driver never prints, never
 * exits, and never includes anything from migrate/ but the utility headers
 * (buf.h, err.h, util.h, url.h, mylex.h; log.h is not allowed either).
 */
#ifndef DRV_DRIVER_H
#define DRV_DRIVER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "url.h"

#define DRV_API_VERSION 1

/* The replication lag drv_replica_lag reports for a replication link that is stopped: no
   real lag reaches it. */
#define DRV_LAG_STOPPED LONG_MAX

/* Flags of one statement, from the dialect's own classification. */
enum drv_stmt_flag {
    DRV_STMT_NO_TXN = 1 << 0,      /* cannot run inside a transaction block */
    DRV_STMT_TXN_CONTROL = 1 << 1, /* BEGIN, COMMIT, ROLLBACK, SAVEPOINT ... */
    DRV_STMT_DDL = 1 << 2,         /* changes the schema (implicit commit on MySQL) */
    DRV_STMT_DML = 1 << 3,         /* reads or changes rows */
    DRV_STMT_CONCURRENT = 1 << 4,  /* waits for other transactions by design (CONCURRENTLY) */
    DRV_STMT_DELIMITER = 1 << 5,   /* a client-side directive (MySQL DELIMITER); never sent */
};

/* One statement inside a larger text; offsets index that text. */
struct drv_stmt {
    size_t off;      /* first byte sent to the server */
    size_t len;      /* bytes sent (no terminating ';' or delimiter) */
    size_t start;    /* first byte of the first token, after leading comments */
    int line, col;   /* 1-based position of `start` in the text */
    unsigned flags;  /* enum drv_stmt_flag */
    const char *why; /* static text: why DRV_STMT_NO_TXN is set, or NULL */
};

/* What a connection learns about its server at connect time. */
struct drv_info {
    char dialect[16];         /* "postgres" or "mysql" */
    char product[32];         /* "PostgreSQL", "MySQL" or "MariaDB" */
    char server_version[128]; /* as the server reports it */
    int version_num;          /* 150004, 80035, 101106 ... */
    int transactional_ddl;    /* DDL can be rolled back */
    char database[256];       /* current database */
    char user[256];           /* user the session runs as */
};

struct drv_connect_opts {
    const char *application_name; /* shown to other sessions; NULL for "migrate" */
    long connect_timeout_ms;      /* 0: the driver's default (10s) */
};

/* A query result held in memory: nrows x ncols cells, NULL cells are SQL NULL. */
struct drv_result {
    size_t nrows, ncols;
    size_t cap; /* rows allocated */
    char **names;
    char **cells;
    long long affected; /* rows an INSERT, UPDATE or DELETE wrote (an UPDATE: the rows it
                           found, changed or not); -1 when not known */
};

/*
 * Where a server's change log stands (checkpoint feature): the WAL on
 * PostgreSQL, the binary log on MySQL/MariaDB.  Initialise with
 * drv_log_pos_init and release with drv_log_pos_free.  A field the server
 * cannot tell stays empty (0 or ""); `note` says why in words for the user.
 */
enum drv_log_kind {
    DRV_LOG_NONE,   /* the server keeps no log to point into (binary logging off) */
    DRV_LOG_WAL,    /* PostgreSQL write-ahead log */
    DRV_LOG_BINLOG, /* MySQL/MariaDB binary log */
};

struct drv_log_pos {
    enum drv_log_kind kind;
    char note[512];               /* why a part is missing ("" when nothing is) */
    int in_recovery;              /* a standby / replica replaying another server's log */
    char system_id[32];           /* PostgreSQL: pg_control_system().system_identifier */
    char server_uuid[64];         /* MySQL: @@server_uuid ("" on MariaDB, which has none) */
    unsigned long long server_id; /* MySQL/MariaDB: @@server_id */
    /* DRV_LOG_WAL */
    char lsn[32];       /* insert position (primary) or last replayed position (standby) */
    char wal_file[64];  /* the WAL segment file holding `lsn` ("" on a standby) */
    long timeline;      /* timeline of the latest checkpoint */
    char wal_level[16]; /* minimal, replica or logical */
    /* DRV_LOG_BINLOG */
    char binlog_file[256];
    unsigned long long binlog_pos;
    char gtid_var[32];      /* the variable gtid_set came from: gtid_executed, gtid_binlog_pos */
    struct mg_buf gtid_set; /* may be long; "" when GTIDs are not in use */
};

struct drv_conn;

/* --- types of the estimate, clone and preflight methods (see the end of drv_ops) --- */

/*
 * Relation kinds, PostgreSQL's relkind letters (a MySQL driver uses 'r' and
 * 'i'): 'r' table, 'p' partitioned table, 'i' index, 'I' partitioned index,
 * 'm' materialized view, 'S' sequence, 'v' view, 'f' foreign table, 't' TOAST.
 */
enum drv_rel_kind {
    DRV_REL_TABLE = 'r',
    DRV_REL_PARTITIONED = 'p',
    DRV_REL_INDEX = 'i',
    DRV_REL_PARTITIONED_INDEX = 'I',
    DRV_REL_MATVIEW = 'm',
    DRV_REL_SEQUENCE = 'S',
    DRV_REL_VIEW = 'v',
    DRV_REL_FOREIGN = 'f',
    DRV_REL_TOAST = 't',
};

/* One relation as the catalog describes it.  Strings are malloc'ed; NULL when unknown. */
struct drv_rel {
    char *id;        /* the driver's id, stable within one database (PostgreSQL: oid) */
    char *schema;    /* schema (MySQL: database) */
    char *name;      /* relation name */
    char kind;       /* enum drv_rel_kind */
    char *table_id;  /* an index's table; NULL for everything else */
    char *file;      /* storage identity (relfilenode): a new value means the data was rewritten */
    long long bytes; /* the relation's own size on disk; -1 unknown */
    long long total_bytes; /* tables: with indexes and TOAST; otherwise = bytes; -1 unknown */
    long long pages;       /* the planner's page count (relpages); -1 unknown */
    double rows;           /* the planner's row estimate (reltuples); -1 unknown */
};

struct drv_rels {
    struct drv_rel *v;
    size_t n;
};

/* A lock on a relation, held (granted) or waited for, by one session. */
struct drv_lock {
    char *rel_id; /* as drv_rel.id */
    char *schema; /* NULL when the sampling session cannot see the relation yet */
    char *name;
    char kind;  /* enum drv_rel_kind, or 0 when unknown */
    char *mode; /* the server's name of the lock mode ("AccessExclusiveLock", "EXCLUSIVE") */
    int granted;
};

struct drv_locks {
    struct drv_lock *v;
    size_t n;
};

/* Who a database is: tells a clone from its origin even under a different URL. */
struct drv_db_identity {
    char server_id[64];   /* PostgreSQL system identifier, MySQL server_uuid; "" when unreadable */
    char started[64];     /* when the server process started: a restored copy differs */
    char database_id[32]; /* PostgreSQL database oid; "" where databases have none */
    char database[256];   /* database name */
    char address[160];    /* where the server says it listens ("local socket:5432") */
};

/* Receives one chunk of COPY data; nonzero stops the copy (the sink fills err). */
typedef int (*drv_copy_sink)(void *arg, const char *data, size_t len, struct mg_err *err);

/*
 * One value with its length, binary-safe (row transport of the MySQL clone).
 * v NULL is SQL NULL.  `binary`, for a parameter: the bytes have no character
 * set (BLOB, BINARY, BIT, spatial columns) and are not converted as text.
 */
struct drv_value {
    const char *v;
    size_t len;
    int binary;
};

/* Receives one row of query_rows (valid until it returns); nonzero stops (the sink fills err). */
typedef int (*drv_row_sink)(void *arg, const struct drv_value *row, size_t ncols,
                            struct mg_err *err);

struct drv_ops {
    int api_version;            /* DRV_API_VERSION */
    const char *name;           /* "postgres", "mysql" */
    const char *const *schemes; /* URL schemes, NULL-terminated */

    /* --- dialect: no connection needed --- */

    /*
     * Splits `sql` (len bytes, NUL-terminated) into statements and classifies
     * each.  `server_version` (0: newest) changes version-dependent flags.
     * *out is a malloc'ed array the caller frees; statements that hold only
     * comments are dropped.  A lexical error (unterminated quote ...) fails
     * with MG_EINPUT and its line and column in err.
     */
    int (*split)(struct drv_stmt **out, size_t *n, const char *sql, size_t len, int server_version,
                 struct mg_err *err);
    /* Appends `ident` quoted as an identifier. */
    void (*quote_ident)(struct mg_buf *out, const char *ident);

    /* --- connections --- */

    /* Opens a session; *out is closed with close(). */
    int (*connect)(struct drv_conn **out, const struct mg_url *url,
                   const struct drv_connect_opts *opts, struct mg_err *err);
    void (*close)(struct drv_conn *c);
    /* Runs one statement without parameters; *rows (may be NULL) gets the rows it touched. */
    int (*exec)(struct drv_conn *c, const char *sql, size_t len, long long *rows,
                struct mg_err *err);
    /* Runs one statement with text parameters ($1.. on PostgreSQL, ? on MySQL). */
    int (*query)(struct drv_conn *c, struct drv_result **out, const char *sql,
                 const char *const *params, size_t nparams, struct mg_err *err);
    int (*begin)(struct drv_conn *c, struct mg_err *err);
    int (*commit)(struct drv_conn *c, struct mg_err *err);
    /* Must work on a session whose transaction failed; a no-op outside a transaction. */
    int (*rollback)(struct drv_conn *c, struct mg_err *err);

    /*
     * The runner lock: session-level, dies with the session.  try_lock never
     * waits: *got is 1 when taken.  holder describes who holds it (pid,
     * application, since when) for the message, or leaves `out` empty.
     */
    int (*try_lock)(struct drv_conn *c, const char *name, int *got, struct mg_err *err);
    int (*unlock)(struct drv_conn *c, const char *name, struct mg_err *err);
    int (*lock_holder)(struct drv_conn *c, const char *name, struct mg_buf *out,
                       struct mg_err *err);

    /* Session lock timeout and statement timeout in ms; 0 disables. */
    int (*set_timeouts)(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err);
    /* Asks the server to cancel the running statement.  Async-signal-safe. */
    void (*cancel)(struct drv_conn *c);

    /* --- optional --- */

    /*
     * Begins a transaction whose lock and statement timeouts (ms, 0 disables)
     * last until it ends, in one round trip.  NULL: set_timeouts then begin.
     */
    int (*begin_timeouts)(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err);
    /*
     * Dry run: from now on every statement the connection would send is
     * appended to `sink` (with its parameters) instead of being sent, and
     * succeeds with an empty result.  NULL sink ends it.
     */
    int (*dry_run)(struct drv_conn *c, struct mg_buf *sink, struct mg_err *err);
    /* Makes the session read-only: any write the server would refuse. */
    int (*read_only)(struct drv_conn *c, struct mg_err *err);
    /*
     * Runs a statement with parameters (no result wanted) and commits the
     * transaction, in one round trip where the protocol allows.  NULL: query
     * then commit.
     */
    int (*query_commit)(struct drv_conn *c, const char *sql, const char *const *params,
                        size_t nparams, struct mg_err *err);
    /* The server's id of this session (PostgreSQL backend pid, MySQL thread id), or -1. */
    long (*backend_id)(struct drv_conn *c);
    /*
     * Read on a second connection (`monitor`): how far the statement that
     * session `backend` runs has come, as a short text ("building index:
     * scanning table, 42%"), or nothing when the server cannot tell.
     */
    int (*progress)(struct drv_conn *monitor, long backend, struct mg_buf *out, struct mg_err *err);

    /* --- checkpoints (migrate/checkpoint.c); both optional --- */

    /*
     * Reads the log position now, and the server's identity (system
     * identifier, server UUID/ID).  *out was initialised by the caller.  A
     * server without a log (binary logging off) is not an error: kind
     * DRV_LOG_NONE with a note.
     */
    int (*log_position)(struct drv_conn *c, struct drv_log_pos *out, struct mg_err *err);
    /*
     * Creates a named point in the log that recovery can stop at; `pos` gets
     * the position the server reports for it.  Fails with the server's words
     * (not permitted, wrong wal_level, a standby ...).
     */
    int (*create_restore_point)(struct drv_conn *c, const char *name, struct mg_buf *pos,
                                struct mg_err *err);

    /* --- schema snapshots: schema dump/diff, test-rollback, drift (optional) --- */

    /*
     * Appends a deterministic text snapshot of the connected database's
     * schema to `out` (format: docs/schema-snapshot.md): one block per object,
     * sorted, read from the catalogs; no OIDs, sizes or other values that
     * change while the schema does not.  Leaves out the server's own schemas
     * and the engine's tables (migrate_*).  Runs outside a transaction and
     * leaves none open.
     */
    int (*schema_snapshot)(struct drv_conn *c, struct mg_buf *out, struct mg_err *err);
    /*
     * Fingerprints the rows of every table the snapshot lists: *out gets one
     * row per table with columns table (qualified, quoted), rows (count) and
     * checksum (a digest of all rows in a fixed order; NULL when the table
     * has more than max_rows rows).  Same rules as schema_snapshot.
     */
    int (*data_fingerprint)(struct drv_conn *c, struct drv_result **out, long long max_rows,
                            struct mg_err *err);

    /* --- estimate, clone and preflight (migrate/estimate.c, clone.c, preflight.c); optional --- */

    /* Who the connected database is. */
    int (*db_identity)(struct drv_conn *c, struct drv_db_identity *out, struct mg_err *err);
    /*
     * Relation locks of session `backend` (0: this session), granted and
     * awaited, on relations outside the server's own schemas (catalogs and
     * TOAST).  A relation the reading session cannot see yet comes with
     * NULL names.  *waiting is set when that session waits for any lock at all,
     * not only a relation lock.  Read-only; takes no locks on relations.
     */
    int (*session_locks)(struct drv_conn *c, long long backend, struct drv_locks *out, int *waiting,
                         struct mg_err *err);
    /*
     * Every relation of the connected database outside the server's own
     * schemas: id, names, kind, storage identity and the planner's page and
     * row counts (bytes -1: sizes need relation_stats).  Read-only; takes no
     * lock on any relation, so it is cheap on schemas of any size.
     */
    int (*relation_files)(struct drv_conn *c, struct drv_rels *out, struct mg_err *err);
    /*
     * Size, pages and row estimate of the named relations (names as SQL
     * writes them, qualified or not) and of their indexes.  Names that do
     * not exist are left out.  Read-only.
     */
    int (*relation_stats)(struct drv_conn *c, const char *const *names, size_t n,
                          struct drv_rels *out, struct mg_err *err);
    /* Sends one statement and returns without waiting for its end. */
    int (*exec_start)(struct drv_conn *c, const char *sql, size_t len, struct mg_err *err);
    /*
     * Waits up to timeout_ms for the statement exec_start sent.  *done is 1
     * once it ended; then the return code and *rows are its outcome.
     */
    int (*exec_wait)(struct drv_conn *c, long timeout_ms, int *done, long long *rows,
                     struct mg_err *err);
    /* Runs a COPY ... TO STDOUT and hands its data to `sink` chunk by chunk. */
    int (*copy_out)(struct drv_conn *c, const char *sql, drv_copy_sink sink, void *arg,
                    struct mg_err *err);
    /* COPY ... FROM STDIN: copy_in_start once, copy_in_put any times, copy_in_end once. */
    int (*copy_in_start)(struct drv_conn *c, const char *sql, struct mg_err *err);
    int (*copy_in_put)(struct drv_conn *c, const char *data, size_t len, struct mg_err *err);
    /* Ends the copy; `abort` throws the rows away.  *rows (may be NULL) gets how many arrived. */
    int (*copy_in_end)(struct drv_conn *c, int abort, long long *rows, struct mg_err *err);

    /* --- clone without COPY: MySQL/MariaDB rows (migrate/clone_my.c); optional --- */

    /*
     * Runs a query without parameters and hands its rows to `sink` one at a
     * time as the server sends them: a table of any size streams through one
     * row of memory.  Values keep their bytes (binary columns, NULs inside).
     * The connection serves nothing else until it returns.
     */
    int (*query_rows)(struct drv_conn *c, const char *sql, drv_row_sink sink, void *arg,
                      struct mg_err *err);
    /*
     * Runs one statement with parameters given with their lengths (binary-safe;
     * see drv_value.binary); *rows (may be NULL) gets the rows it changed.
     */
    int (*exec_values)(struct drv_conn *c, const char *sql, const struct drv_value *params,
                       size_t nparams, long long *rows, struct mg_err *err);

    /* --- optional: online schema change (migrate/osc.c) throttling --- */

    /*
     * The largest replication lag the server knows of, in ms (*lag_ms, 0 when none lags),
     * and how many replication links that covers (*replicas).  PostgreSQL: its replicas'
     * replay lag as the primary sees it (lag the session may not see counts as 0).
     * MySQL/MariaDB: the server's own lag as a replica, one link per channel (a link whose
     * replication is stopped counts DRV_LAG_STOPPED); a primary knows nothing of its replicas'
     * lag and reports 0 links.
     */
    int (*replica_lag)(struct drv_conn *c, long *lag_ms, int *replicas, struct mg_err *err);
    /* Sessions running a statement on the server, this one excluded. */
    int (*active_sessions)(struct drv_conn *c, long *n, struct mg_err *err);
};

/*
 * Called by exec while a statement runs, about every `every_ms` (0: never),
 * from the same thread; it must not use the connection that is busy.
 */
struct drv_waiter {
    void (*fn)(void *arg, long long elapsed_ms);
    void *arg;
    long every_ms;
};

/* The base of every driver's connection struct. */
struct drv_conn {
    const struct drv_ops *ops;
    struct drv_info info;
    struct drv_waiter waiter; /* set by the engine */
};

/* --- registry --- */

extern const struct drv_ops drv_postgres_ops;
extern const struct drv_ops drv_mysql_ops; /* MySQL and MariaDB */

/* The driver for a URL scheme ("postgres", "mysql" ...), or NULL. */
const struct drv_ops *drv_for_scheme(const char *scheme);
/* The driver for a name given on the command line ("postgres", "mysql", "mariadb"), or NULL. */
const struct drv_ops *drv_for_name(const char *name);

/* --- checked wrappers: the engine calls these, never ops directly --- */

/* Parses the URL, finds the driver and connects. */
int drv_open(struct drv_conn **out, const char *url, const struct drv_connect_opts *opts,
             struct mg_err *err);
void drv_close(struct drv_conn *c);
int drv_split(const struct drv_ops *ops, struct drv_stmt **out, size_t *n, const char *sql,
              size_t len, int server_version, struct mg_err *err);
int drv_exec(struct drv_conn *c, const char *sql, long long *rows, struct mg_err *err);
int drv_execn(struct drv_conn *c, const char *sql, size_t len, long long *rows, struct mg_err *err);
int drv_query(struct drv_conn *c, struct drv_result **out, const char *sql,
              const char *const *params, size_t nparams, struct mg_err *err);
int drv_begin(struct drv_conn *c, struct mg_err *err);
/* Begins a transaction with these timeouts for its duration. */
int drv_begin_timeouts(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err);
int drv_commit(struct drv_conn *c, struct mg_err *err);
/* A statement with parameters, then COMMIT: in one round trip where the driver can. */
int drv_query_commit(struct drv_conn *c, const char *sql, const char *const *params, size_t nparams,
                     struct mg_err *err);
/* Rolls back, keeping `err` (the reason for the rollback) intact. */
void drv_rollback_quiet(struct drv_conn *c);
int drv_try_lock(struct drv_conn *c, const char *name, int *got, struct mg_err *err);
int drv_unlock(struct drv_conn *c, const char *name, struct mg_err *err);
int drv_lock_holder(struct drv_conn *c, const char *name, struct mg_buf *out, struct mg_err *err);
int drv_set_timeouts(struct drv_conn *c, long lock_ms, long stmt_ms, struct mg_err *err);
void drv_cancel(struct drv_conn *c);
int drv_dry_run(struct drv_conn *c, struct mg_buf *sink, struct mg_err *err);
int drv_read_only(struct drv_conn *c, struct mg_err *err);
long drv_backend_id(struct drv_conn *c);
/* How far `backend`'s statement has come, read on `monitor`; empty when unknown. */
int drv_progress(struct drv_conn *monitor, long backend, struct mg_buf *out, struct mg_err *err);
void drv_quote_ident(const struct drv_conn *c, struct mg_buf *out, const char *ident);
/* Online schema change throttling; "not supported by this driver" when the driver lacks them. */
int drv_replica_lag(struct drv_conn *c, long *lag_ms, int *replicas, struct mg_err *err);
int drv_active_sessions(struct drv_conn *c, long *n, struct mg_err *err);

/* --- checkpoints: optional methods; "not supported by this driver" when absent --- */

void drv_log_pos_init(struct drv_log_pos *p);
void drv_log_pos_free(struct drv_log_pos *p);
int drv_log_position(struct drv_conn *c, struct drv_log_pos *out, struct mg_err *err);
int drv_create_restore_point(struct drv_conn *c, const char *name, struct mg_buf *pos,
                             struct mg_err *err);

/* --- schema snapshots: optional methods; "not supported by this driver" when absent --- */

int drv_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err);
int drv_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                         struct mg_err *err);

/*
 * Estimate, clone and preflight: optional methods.  Each fails with
 * "... is not supported by the <driver> driver" when missing.
 */
int drv_db_identity(struct drv_conn *c, struct drv_db_identity *out, struct mg_err *err);
/* *out is filled (free with drv_locks_free) even on failure, then empty. */
int drv_session_locks(struct drv_conn *c, long long backend, struct drv_locks *out, int *waiting,
                      struct mg_err *err);
/* *out is filled (free with drv_rels_free) even on failure, then empty. */
int drv_relation_files(struct drv_conn *c, struct drv_rels *out, struct mg_err *err);
int drv_relation_stats(struct drv_conn *c, const char *const *names, size_t n, struct drv_rels *out,
                       struct mg_err *err);
int drv_exec_start(struct drv_conn *c, const char *sql, size_t len, struct mg_err *err);
int drv_exec_wait(struct drv_conn *c, long timeout_ms, int *done, long long *rows,
                  struct mg_err *err);
int drv_copy_out(struct drv_conn *c, const char *sql, drv_copy_sink sink, void *arg,
                 struct mg_err *err);
int drv_copy_in_start(struct drv_conn *c, const char *sql, struct mg_err *err);
int drv_copy_in_put(struct drv_conn *c, const char *data, size_t len, struct mg_err *err);
int drv_copy_in_end(struct drv_conn *c, int abort, long long *rows, struct mg_err *err);
/* True when the driver has the method (so a caller can choose another way). */
int drv_has_copy(const struct drv_conn *c);
/* Clone without COPY: "... is not supported by the <driver> driver" when missing. */
int drv_query_rows(struct drv_conn *c, const char *sql, drv_row_sink sink, void *arg,
                   struct mg_err *err);
int drv_exec_values(struct drv_conn *c, const char *sql, const struct drv_value *params,
                    size_t nparams, long long *rows, struct mg_err *err);
void drv_rels_free(struct drv_rels *r);
void drv_locks_free(struct drv_locks *l);
/* The relation with this id, or NULL. */
const struct drv_rel *drv_rels_find(const struct drv_rels *r, const char *id);

/* --- results --- */

/* Allocates an empty result; drivers fill it with drv_result_add_*. */
struct drv_result *drv_result_new(size_t ncols);
void drv_result_set_name(struct drv_result *r, size_t col, const char *name);
/* Appends a row of ncols cells (copied; NULL for SQL NULL). */
void drv_result_add_row(struct drv_result *r, const char *const *cells, const size_t *lens);
void drv_result_free(struct drv_result *r);
/* The cell at (row, col) or NULL for SQL NULL; out of range is a programming error. */
const char *drv_val(const struct drv_result *r, size_t row, size_t col);

#endif
