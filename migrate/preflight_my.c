/*
 * preflight_my.c — the checks of `migrate preflight` on MySQL and MariaDB
 * (see docs/commands/preflight.md), read-only, from sql/mysql/preflight_*.sql:
 * old InnoDB transactions; sessions holding or awaiting locks on the touched
 * tables, from whatever this server shows of them (metadata locks in
 * performance_schema or MariaDB's METADATA_LOCK_INFO plugin, InnoDB locks in
 * performance_schema.data_locks or MariaDB's INNODB_LOCKS, waits in the
 * process list); replication as this server sees it; and room on disk for a
 * rebuilt table's copy when the server runs on this machine.  What the server
 * does not show is said in a note, and where that hides a risk (a session
 * idle in a transaction whose locks cannot be seen) it is a finding.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "preflight_int.h"
#include "relnames.h"
#include "sqltext.h"
#include "util.h"

/* Another session as the process list shows it, and its locks on the touched tables. */
struct my_sess {
    char *id, *user, *host, *db, *command, *state, *info;
    double time_s; /* in its current state */
    double xact_s; /* age of its InnoDB transaction; -1 none, or unknown */
    json_t *locks; /* [{relation, mode, granted, kind}] on touched tables */
    struct mg_buf text;
    int waiting;
};

struct my_pf {
    struct mg_preflight *p;
    struct drv_conn *c;
    const struct mg_preflight_opts *o;
    int mariadb;
    int innodb_trx; /* INNODB_TRX is readable (the PROCESS privilege) */
    struct my_sess *s;
    size_t ns;
};

static const char *cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return v ? v : "";
}

/* A query whose failure for lack of a privilege is a note, not an error: returns 1 then. */
static int query_or_note(struct my_pf *m, struct drv_result **out, const char *name,
                         const char *const *params, size_t nparams, struct mg_err *why,
                         struct mg_err *err)
{
    int rc;

    mg_err_clear(why);
    rc = drv_query(m->c, out, mg_sql("mysql", name), params, nparams, why);
    if (!rc)
        return 0;
    if (rc == MG_ECONN || rc == MG_ECANCELED) {
        mg_err_copy(err, why);
        return rc;
    }
    *out = NULL;
    return 1;
}

/* "idle in transaction", "idle", or "Query: <state>" as a reader expects it. */
static void describe_state(struct mg_buf *out, const char *command, const char *state,
                           double xact_s)
{
    if (!strcmp(command, "Sleep"))
        mg_buf_adds(out, xact_s >= 0 ? "idle in transaction" : "idle");
    else if (!command[0])
        mg_buf_adds(out, "no session: an internal or recovered transaction");
    else
        mg_buf_addf(out, "%s%s%s", command, state[0] ? ": " : "", state);
}

/* ---------- old transactions ---------- */

static int old_transactions(struct my_pf *m, struct mg_err *err)
{
    char secs[32];
    const char *params[1] = {secs};
    struct drv_result *r;
    struct mg_err why;
    int rc;

    snprintf(secs, sizeof(secs), "%.3f", (double)m->o->max_xact_age_ms / 1000);
    rc = query_or_note(m, &r, "preflight_old_xacts", params, 1, &why, err);
    if (rc < 0)
        return rc;
    if (rc) {
        m->innodb_trx = 0;
        mg_pf_add(m->p, 0, "old_transaction", json_pack("{s:s}", "reason", why.msg),
                  "not checked: %s (InnoDB's transactions show to users with the PROCESS "
                  "privilege)",
                  why.msg);
        return 0;
    }
    m->innodb_trx = 1;
    for (size_t i = 0; i < r->nrows; i++) {
        struct mg_buf st = MG_BUF_INIT;
        describe_state(&st, cell(r, i, 4), cell(r, i, 5), 0);
        const char *time_s = drv_val(r, i, 9);
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:o,s:s}", "pid", cell(r, i, 0), "user",
                              cell(r, i, 1), "application", "", "client", cell(r, i, 2), "database",
                              cell(r, i, 3), "state", st.ptr, "transaction_s", atof(cell(r, i, 6)),
                              "state_s", time_s ? json_real(atof(time_s)) : json_null(), "query",
                              cell(r, i, 7));
        mg_pf_add(m->p, 1, "old_transaction", j,
                  "a transaction has been open for %ss: thread %s (user '%s', from %s, "
                  "database %s, %s%s%s%s); DDL on a table it has touched waits for its metadata "
                  "lock, and everything queued behind the DDL waits too",
                  cell(r, i, 6), cell(r, i, 0), cell(r, i, 1),
                  cell(r, i, 2)[0] ? cell(r, i, 2) : "?", cell(r, i, 3)[0] ? cell(r, i, 3) : "none",
                  st.ptr, time_s ? " for " : "", time_s ? time_s : "", time_s ? "s" : "");
        mg_buf_free(&st);
    }
    if (!r->nrows) {
        struct mg_buf d = MG_BUF_INIT;
        mg_format_duration(&d, (double)m->o->max_xact_age_ms);
        mg_pf_add(m->p, 0, "old_transaction", NULL, "no transaction older than %s", d.ptr);
        mg_buf_free(&d);
    }
    drv_result_free(r);
    return 0;
}

/* ---------- locks ---------- */

static struct my_sess *session(struct my_pf *m, const char *id)
{
    for (size_t i = 0; i < m->ns; i++)
        if (!strcmp(m->s[i].id, id))
            return &m->s[i];
    /* a lock of a session the process list does not show this user */
    m->s = mg_realloc(m->s, (m->ns + 1) * sizeof(*m->s));
    struct my_sess *s = &m->s[m->ns++];
    memset(s, 0, sizeof(*s));
    s->id = mg_strdup(id);
    s->user = mg_strdup("");
    s->host = mg_strdup("");
    s->db = mg_strdup("");
    s->command = mg_strdup("");
    s->state = mg_strdup("");
    s->info = mg_strdup("");
    s->xact_s = -1;
    s->locks = json_array();
    mg_buf_init(&s->text);
    return s;
}

static int load_sessions(struct my_pf *m, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    rc = drv_query(
        m->c, &r,
        mg_sql("mysql", m->innodb_trx ? "preflight_sessions" : "preflight_sessions_plain"), NULL, 0,
        err);
    if (rc)
        return rc;
    m->s = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*m->s));
    for (size_t i = 0; i < r->nrows; i++) {
        struct my_sess *s = &m->s[m->ns++];
        s->id = mg_strdup(cell(r, i, 0));
        s->user = mg_strdup(cell(r, i, 1));
        s->host = mg_strdup(cell(r, i, 2));
        s->db = mg_strdup(cell(r, i, 3));
        s->command = mg_strdup(cell(r, i, 4));
        s->time_s = atof(cell(r, i, 5));
        s->state = mg_strdup(cell(r, i, 6));
        s->info = mg_strdup(cell(r, i, 7));
        s->xact_s = drv_val(r, i, 8) ? atof(drv_val(r, i, 8)) : -1;
        s->locks = json_array();
        mg_buf_init(&s->text);
    }
    drv_result_free(r);
    return 0;
}

static const struct mg_pf_table *touched(const struct my_pf *m, const char *schema,
                                         const char *name)
{
    for (size_t i = 0; i < m->p->ntables; i++)
        if (!strcmp(m->p->tables[i].schema, schema) && !strcmp(m->p->tables[i].name, name))
            return &m->p->tables[i];
    return NULL;
}

static void add_lock(struct my_sess *s, const struct mg_pf_table *t, const char *mode, int granted,
                     const char *kind)
{
    json_array_append_new(s->locks, json_pack("{s:s,s:s,s:b,s:s}", "relation", t->relation, "mode",
                                              mode, "granted", granted, "kind", kind));
    mg_buf_addf(&s->text, "%s%s %s%s", s->text.len ? ", " : "", mode, t->relation,
                granted ? "" : " (waiting)");
    s->waiting |= !granted;
}

/* `db`.`t` (MariaDB's INNODB_LOCKS.lock_table) into its parts; 0 when it is not that. */
static int split_quoted(const char *s, struct mg_buf *schema, struct mg_buf *name)
{
    struct mg_buf *part[2] = {schema, name};

    for (int k = 0; k < 2; k++) {
        if (*s != '`')
            return 0;
        for (s++; *s; s++) {
            if (*s == '`' && s[1] == '`')
                mg_buf_addch(part[k], *s++);
            else if (*s == '`')
                break;
            else
                mg_buf_addch(part[k], *s);
        }
        if (*s != '`')
            return 0;
        s++;
        if (k == 0 && *s++ != '.')
            return 0;
    }
    return 1;
}

/*
 * Rows of (thread id, schema, table, mode, GRANTED|PENDING), or when
 * `quoted` (thread id, `schema`.`table`, mode, type, GRANTED|PENDING): each
 * lock on a touched table goes to its session.
 */
static void take_locks(struct my_pf *m, const struct drv_result *r, int quoted, const char *kind)
{
    struct mg_buf schema = MG_BUF_INIT, name = MG_BUF_INIT, mode = MG_BUF_INIT;

    for (size_t i = 0; i < r->nrows; i++) {
        const struct mg_pf_table *t;
        mg_buf_reset(&schema);
        mg_buf_reset(&name);
        mg_buf_reset(&mode);
        if (quoted) {
            if (!split_quoted(cell(r, i, 1), &schema, &name))
                continue;
            mg_buf_addf(&mode, "%s %s", cell(r, i, 2), cell(r, i, 3));
        } else {
            mg_buf_adds(&schema, cell(r, i, 1));
            mg_buf_adds(&name, cell(r, i, 2));
            /* the plugin says MDL_SHARED_READ where performance_schema says SHARED_READ */
            mg_buf_adds(&mode, cell(r, i, 3) + (strncmp(cell(r, i, 3), "MDL_", 4) ? 0 : 4));
        }
        t = touched(m, schema.ptr, name.ptr);
        if (t)
            add_lock(session(m, cell(r, i, 0)), t, mode.ptr, !strcmp(cell(r, i, 4), "GRANTED"),
                     kind);
    }
    mg_buf_free(&schema);
    mg_buf_free(&name);
    mg_buf_free(&mode);
}

/*
 * A session the process list shows waiting for a metadata lock: on which
 * table, the server does not say there; its statement's words do, mostly.
 * Waits for the global read lock or a backup lock hold up every DDL.
 */
static void process_list_waits(struct my_pf *m, int mdl_pending_known)
{
    for (size_t i = 0; i < m->ns; i++) {
        struct my_sess *s = &m->s[i];
        if (!strncmp(s->state, "Waiting for table metadata lock", 31)) {
            /* performance_schema says which lock a session awaits: no guessing then */
            if (mdl_pending_known)
                continue;
            /* the table's name in the statement, and the session in its database or the
               statement naming that too: another database may have a table of that name */
            for (size_t k = 0; k < m->p->ntables; k++)
                if (mg_my_mentions(s->info, m->p->tables[k].name) &&
                    (!strcmp(s->db, m->p->tables[k].schema) ||
                     mg_my_mentions(s->info, m->p->tables[k].schema))) {
                    add_lock(s, &m->p->tables[k], "metadata lock", 0, "metadata");
                    break;
                }
        } else if (!strncmp(s->state, "Waiting for global read lock", 28) ||
                   !strncmp(s->state, "Waiting for backup lock", 23)) {
            json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:s}", "pid", s->id, "user", s->user,
                                  "application", "", "client", s->host, "state", s->state,
                                  "state_s", s->time_s, "query", s->info);
            mg_pf_add(m->p, 1, "lock_queue", j,
                      "thread %s waits for the global read lock or a backup lock (%s, for %.0fs): "
                      "FLUSH TABLES WITH READ LOCK or a backup holds it, and DDL would wait for "
                      "it too",
                      s->id, s->state, s->time_s);
        }
    }
}

/* Findings per session, as on PostgreSQL: waiting, idle holder, old holder, or normal traffic. */
static void classify(struct my_pf *m, size_t *reported)
{
    size_t busy = 0;

    for (size_t i = 0; i < m->ns; i++) {
        struct my_sess *s = &m->s[i];
        struct mg_buf st = MG_BUF_INIT;
        if (!json_array_size(s->locks))
            continue;
        describe_state(&st, s->command, s->state, s->xact_s);
        int idle = !strcmp(s->command, "Sleep");
        int old = s->xact_s >= 0 && s->xact_s * 1000 >= (double)m->o->max_xact_age_ms;
        json_t *j =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:f,s:O,s:s}", "pid", s->id, "user", s->user,
                      "application", "", "client", s->host, "database", s->db, "state", st.ptr,
                      "transaction_s", s->xact_s >= 0 ? json_real(s->xact_s) : json_null(),
                      "state_s", s->time_s, "locks", s->locks, "query", s->info);
        if (s->waiting) {
            mg_pf_add(m->p, 1, "lock_queue", j,
                      "thread %s already waits for a lock (%s): a migration's lock request would "
                      "queue behind it",
                      s->id, s->text.ptr);
            (*reported)++;
        } else if (idle) {
            struct mg_buf how = MG_BUF_INIT;
            if (s->xact_s >= 0)
                mg_buf_addf(&how, " in transaction (for %.0fs, transaction open %.0fs)", s->time_s,
                            s->xact_s);
            else
                mg_buf_addf(&how,
                            " (for %.0fs; outside an InnoDB transaction, or its age "
                            "cannot be seen: LOCK TABLES, HANDLER, a table of another "
                            "engine)",
                            s->time_s);
            mg_pf_add(m->p, 1, "idle_lock_holder", j,
                      "thread %s (user '%s', from %s) is idle%s and holds %s: DDL on these would "
                      "wait until that session ends its transaction, and block everything queued "
                      "behind it",
                      s->id, s->user, s->host[0] ? s->host : "?", how.ptr, s->text.ptr);
            mg_buf_free(&how);
            (*reported)++;
        } else if (old) {
            mg_pf_add(m->p, 1, "lock_holder", j,
                      "thread %s (%s) holds %s in a transaction open for %.0fs: DDL on these "
                      "would wait for that transaction",
                      s->id, st.ptr, s->text.ptr, s->xact_s);
            (*reported)++;
        } else {
            busy++;
            json_decref(j);
        }
        mg_buf_free(&st);
    }
    if (busy)
        mg_pf_add(m->p, 0, "lock_holder", json_pack("{s:I}", "sessions", (json_int_t)busy),
                  "%zu session%s with short, active transactions hold locks on the touched "
                  "tables (normal traffic; migrations run with a lock timeout)",
                  busy, busy == 1 ? "" : "s");
}

/*
 * Without a view of metadata locks, a session idle in a transaction may
 * hold one on a touched table, and nothing here can tell: one whose current
 * database holds a touched table is a finding, for someone to look at (one
 * elsewhere shows as an old transaction once it is old).
 */
static void idle_unknown(struct my_pf *m, size_t *reported)
{
    for (size_t i = 0; i < m->ns; i++) {
        struct my_sess *s = &m->s[i];
        int near = 0;
        if (json_array_size(s->locks) || strcmp(s->command, "Sleep") || s->xact_s < 0)
            continue;
        for (size_t k = 0; k < m->p->ntables && !near; k++)
            near = !strcmp(m->p->tables[k].schema, s->db);
        if (!near)
            continue;
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:f,s:[],s:s}", "pid", s->id, "user",
                              s->user, "application", "", "client", s->host, "database", s->db,
                              "state", "idle in transaction", "transaction_s", s->xact_s, "state_s",
                              s->time_s, "locks", "query", s->info);
        mg_pf_add(m->p, 1, "idle_in_transaction", j,
                  "thread %s (user '%s', from %s, database %s) is idle in a transaction open "
                  "%.0fs; whether it holds a metadata lock on a touched table cannot be seen on "
                  "this server: if it has touched one, DDL on it waits until that session ends "
                  "its transaction",
                  s->id, s->user, s->host[0] ? s->host : "?", s->db[0] ? s->db : "none", s->xact_s);
        (*reported)++;
    }
}

static int lock_holders(struct my_pf *m, struct mg_err *err)
{
    struct drv_result *r = NULL;
    struct mg_err why;
    struct mg_buf seen = MG_BUF_INIT, unseen = MG_BUF_INIT;
    size_t reported = 0;
    int rc, source = 0;

    rc = load_sessions(m, err);
    if (rc)
        return rc;

    /* metadata locks: what a DDL statement waits for */
    rc = query_or_note(m, &r, "preflight_mdl_source", NULL, 0, &why, err);
    if (rc < 0)
        return rc;
    if (!rc && r->nrows)
        source = atoi(cell(r, 0, 0));
    drv_result_free(r);
    r = NULL;
    if (rc) {
        mg_buf_addf(&unseen, "metadata locks: %s", why.msg);
    } else if (source) {
        rc = query_or_note(m, &r, source == 1 ? "preflight_mdl_ps" : "preflight_mdl_plugin", NULL,
                           0, &why, err);
        if (rc < 0)
            return rc;
        if (rc) {
            mg_buf_addf(&unseen, "metadata locks: %s", why.msg);
            source = 0;
        } else {
            take_locks(m, r, 0, "metadata");
            mg_buf_addf(&seen, "metadata locks from %s",
                        source == 1 ? "performance_schema.metadata_locks"
                                    : "information_schema.METADATA_LOCK_INFO");
        }
        drv_result_free(r);
        r = NULL;
    } else {
        mg_buf_addf(&unseen,
                    "metadata locks: performance_schema is off (or its "
                    "wait/lock/metadata/sql/mdl instrument)%s",
                    m->mariadb ? " and the METADATA_LOCK_INFO plugin is not installed "
                                 "(INSTALL SONAME 'metadata_lock_info' shows them)"
                               : "");
    }

    /* InnoDB's own locks: which rows and tables a transaction holds or awaits */
    const char *innodb = NULL;
    if (!m->mariadb)
        innodb = "preflight_innodb_locks_ps";
    else if (m->innodb_trx)
        innodb = "preflight_innodb_locks_mariadb";
    if (innodb) {
        rc = query_or_note(m, &r, innodb, NULL, 0, &why, err);
        if (rc < 0)
            return rc;
        if (rc) {
            mg_buf_addf(&unseen, "%sInnoDB locks: %s", unseen.len ? "; " : "", why.msg);
        } else if (!m->mariadb && !r->nrows && source != 1) {
            /* with performance_schema off, data_locks is empty rather than missing */
            mg_buf_addf(&unseen, "%sInnoDB locks: performance_schema is off",
                        unseen.len ? "; " : "");
        } else {
            take_locks(m, r, m->mariadb, "InnoDB");
            mg_buf_addf(&seen, "%sInnoDB locks from %s", seen.len ? "; " : "",
                        m->mariadb ? "INNODB_LOCKS (only those a transaction waits for)"
                                   : "performance_schema.data_locks");
        }
        drv_result_free(r);
        r = NULL;
    } else {
        mg_buf_addf(&unseen, "%sInnoDB locks: INNODB_LOCKS needs the PROCESS privilege",
                    unseen.len ? "; " : "");
    }
    process_list_waits(m, source == 1);
    classify(m, &reported);
    if (!source)
        idle_unknown(m, &reported);

    if (seen.len)
        mg_pf_add(m->p, 0, "lock_holder", NULL, "read %s%s", seen.ptr,
                  reported ? "" : ": no other session holds a lock on the touched tables");
    if (unseen.len)
        mg_pf_add(m->p, 0, "lock_holder", json_pack("{s:s}", "reason", unseen.ptr),
                  "not visible on this server: %s%s%s", unseen.ptr,
                  m->innodb_trx ? "" : "; the process list shows only this user's sessions",
                  source ? ""
                         : "; sessions idle in a transaction near the touched tables are "
                           "findings, since what they hold cannot be told");
    mg_buf_free(&seen);
    mg_buf_free(&unseen);
    return 0;
}

/* ---------- replication ---------- */

/* The column of `r` called one of `names` (MySQL renamed them in 8.0.22), or -1. */
static int col(const struct drv_result *r, const char *a, const char *b)
{
    for (size_t i = 0; r->names && i < r->ncols; i++)
        if (r->names[i] && (!strcmp(r->names[i], a) || (b && !strcmp(r->names[i], b))))
            return (int)i;
    return -1;
}

static const char *colval(const struct drv_result *r, size_t row, int c)
{
    return c < 0 ? NULL : drv_val(r, row, (size_t)c);
}

static int replication(struct my_pf *m, int read_only, struct mg_err *err)
{
    struct drv_result *r = NULL;
    struct mg_err why;
    int v8022 = !m->mariadb && m->c->info.version_num >= 80022;
    const char *show = m->mariadb ? "SHOW ALL SLAVES STATUS"
                       : v8022    ? "SHOW REPLICA STATUS"
                                  : "SHOW SLAVE STATUS";
    const char *sql = mg_sql("mysql", m->mariadb ? "preflight_replica_status_mariadb"
                                      : v8022    ? "preflight_replica_status"
                                                 : "preflight_slave_status");
    int rc;

    mg_err_clear(&why);
    rc = drv_query(m->c, &r, sql, NULL, 0, &why);
    if (rc == MG_ECONN || rc == MG_ECANCELED) {
        mg_err_copy(err, &why);
        return rc;
    }
    if (rc) {
        mg_pf_add(m->p, 0, "replication", json_pack("{s:s}", "reason", why.msg),
                  "not checked: %s (%s needs the %s privilege)", why.msg, show,
                  m->mariadb ? "REPLICA MONITOR (SLAVE MONITOR)" : "REPLICATION CLIENT");
    } else if (!r->nrows) {
        struct drv_result *n = NULL;
        long replicas;
        rc = drv_query(m->c, &n, mg_sql("mysql", "preflight_replicas"), NULL, 0, err);
        if (rc) {
            drv_result_free(r);
            return rc;
        }
        replicas = n->nrows ? atol(cell(n, 0, 0)) : 0;
        drv_result_free(n);
        mg_pf_add(m->p, 0, "replication",
                  json_pack("{s:b,s:I}", "replica", 0, "replicas_connected", (json_int_t)replicas),
                  "the target is not a replica (%s is empty): this checks the server itself; "
                  "%ld replica%s read%s its binary log now (as far as this user sees the process "
                  "list), and their lag shows only on them: run preflight against each",
                  show, replicas, replicas == 1 ? "" : "s", replicas == 1 ? "s" : "");
    } else {
        int c_name = col(r, "Connection_name", "Channel_Name");
        int c_host = col(r, "Master_Host", "Source_Host");
        int c_port = col(r, "Master_Port", "Source_Port");
        int c_io = col(r, "Slave_IO_Running", "Replica_IO_Running");
        int c_sql = col(r, "Slave_SQL_Running", "Replica_SQL_Running");
        int c_lag = col(r, "Seconds_Behind_Master", "Seconds_Behind_Source");
        int c_err = col(r, "Last_Error", NULL);
        for (size_t i = 0; i < r->nrows; i++) {
            const char *name = colval(r, i, c_name), *host = colval(r, i, c_host);
            const char *port = colval(r, i, c_port), *lag = colval(r, i, c_lag);
            const char *io = colval(r, i, c_io), *sq = colval(r, i, c_sql);
            const char *last = colval(r, i, c_err);
            struct mg_buf from = MG_BUF_INIT;
            mg_buf_addf(&from, "%s:%s", host ? host : "?", port ? port : "?");
            if (name && name[0])
                mg_buf_addf(&from, " (connection '%s')", name);
            json_t *j = json_pack("{s:s,s:s,s:s,s:o}", "source", from.ptr, "io_running",
                                  io ? io : "", "sql_running", sq ? sq : "", "lag_s",
                                  lag ? json_real(atof(lag)) : json_null());
            if (i == 0)
                mg_pf_add(m->p, 1, "standby", NULL,
                          "the target is a replica of %s: migrations run on its primary, and "
                          "reach the replica through replication",
                          from.ptr);
            if (!lag)
                mg_pf_add(m->p, 1, "replication", j,
                          "replication from %s is not running (IO thread %s, SQL thread %s%s%s): "
                          "its lag is unknown",
                          from.ptr, io ? io : "?", sq ? sq : "?",
                          last && last[0] ? "; last error: " : "", last && last[0] ? last : "");
            else if (atof(lag) * 1000 > (double)m->o->max_lag_ms)
                mg_pf_add(m->p, 1, "replication", j,
                          "the target applies %s's changes %ss behind: a rebuild adds its whole "
                          "work to what it must apply",
                          from.ptr, lag);
            else
                mg_pf_add(m->p, 0, "replication", j, "the target applies %s's changes %ss behind",
                          from.ptr, lag);
            mg_buf_free(&from);
        }
    }
    if (read_only && (rc || !r->nrows))
        mg_pf_add(m->p, 1, "standby", NULL,
                  "the target refuses writes (read_only = ON): migrations would fail there");
    drv_result_free(r);
    return 0;
}

/* ---------- disk ---------- */

/*
 * Whether the server runs on this machine: same host name, its data
 * directory here, and its pid file naming a live process whose working
 * directory (where mysqld runs) is that data directory when /proc tells.
 * Returns 1 with *free_bytes, or 0 with *why filled.
 */
static int local_free(const char *datadir, const char *host, const char *pid_file,
                      long long *free_bytes, struct mg_buf *why)
{
    char me[256] = "", line[64] = "", cwd[PATH_MAX], real[PATH_MAX];
    struct mg_buf proc = MG_BUF_INIT;
    struct statvfs vfs;
    FILE *f;
    long pid;
    ssize_t n;

    if (gethostname(me, sizeof(me) - 1) == 0 && strcmp(me, host)) {
        mg_buf_addf(why, "the server runs on host '%s', not here ('%s')", host, me);
        return 0;
    }
    if (statvfs(datadir, &vfs) < 0) {
        mg_buf_addf(why,
                    "the server's data directory %s is not on this machine (or not readable "
                    "here)",
                    datadir);
        return 0;
    }
    f = fopen(pid_file, "r");
    if (!f || !fgets(line, sizeof(line), f) || (pid = strtol(line, NULL, 10)) <= 0) {
        if (f)
            fclose(f);
        mg_buf_addf(why, "cannot read the server's pid file %s here to tell it is this server",
                    pid_file);
        return 0;
    }
    fclose(f);
    if (kill((pid_t)pid, 0) < 0 && errno != EPERM) {
        mg_buf_addf(why, "the pid file %s names no running process here: another server", pid_file);
        return 0;
    }
    mg_buf_addf(&proc, "/proc/%ld/cwd", pid);
    n = readlink(proc.ptr, cwd, sizeof(cwd) - 1);
    mg_buf_free(&proc);
    if (n > 0) {
        cwd[n] = '\0';
        if (!realpath(datadir, real) || strcmp(real, cwd)) {
            mg_buf_addf(why, "process %ld runs in %s, not in %s: another server", pid, cwd,
                        datadir);
            return 0;
        }
    }
    *free_bytes = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
    return 1;
}

static void disk_room(struct my_pf *m, const struct drv_result *srv)
{
    const char *datadir = srv && srv->nrows ? cell(srv, 0, 0) : "";
    const char *host = srv && srv->nrows ? cell(srv, 0, 1) : "";
    const char *pid_file = srv && srv->nrows ? cell(srv, 0, 2) : "";
    int per_table = srv && srv->nrows ? atoi(cell(srv, 0, 3)) : 1;
    int any = 0;

    for (size_t i = 0; i < m->p->ntables; i++) {
        const struct mg_pf_table *t = &m->p->tables[i];
        struct mg_buf need = MG_BUF_INIT, why = MG_BUF_INIT, have = MG_BUF_INIT;
        long long free_bytes = 0;
        const char *where = per_table ? ""
                                      : " (innodb_file_per_table is off: the copy grows "
                                        "the system tablespace, which never shrinks)";
        if (!t->may_rewrite)
            continue;
        any = 1;
        mg_pf_bytes(&need, t->total_bytes);
        int known = datadir[0] && local_free(datadir, host, pid_file, &free_bytes, &why);
        if (!datadir[0] && !why.len)
            mg_buf_adds(&why, "the server did not tell its data directory");
        json_t *j = json_pack("{s:s,s:s,s:I,s:b}", "relation", t->relation, "why", t->may_rewrite,
                              "needed_bytes", (json_int_t)t->total_bytes, "knowable", known);
        if (!known) {
            json_object_set_new(j, "reason", json_string(why.ptr));
            mg_pf_add(
                m->p, 0, "disk", j,
                "%s may be rebuilt (%s, %s): a second copy needs about %s with its indexes%s; "
                "free space not knowable from here: %s; check it on the server (df %s)",
                t->relation, t->where ? t->where : "?", t->may_rewrite, need.ptr, where, why.ptr,
                datadir[0] ? datadir : "on its data directory");
        } else {
            mg_pf_bytes(&have, free_bytes);
            json_object_set_new(j, "free_bytes", json_integer(free_bytes));
            mg_pf_add(m->p, free_bytes < t->total_bytes, "disk", j,
                      "%s may be rebuilt (%s): a second copy needs about %s with its indexes%s; "
                      "%s free in %s: %s",
                      t->relation, t->may_rewrite, need.ptr, where, have.ptr, datadir,
                      free_bytes < t->total_bytes ? "NOT ENOUGH" : "enough");
        }
        mg_buf_free(&need);
        mg_buf_free(&why);
        mg_buf_free(&have);
    }
    if (!any)
        mg_pf_add(m->p, 0, "disk", NULL,
                  "no pending statement rebuilds a table: no second copy needed");
}

int mg_preflight_my(struct mg_preflight *p, struct drv_conn *c, const struct mg_preflight_opts *o,
                    struct mg_err *err)
{
    struct my_pf m = {.p = p, .c = c, .o = o, .mariadb = !strcmp(c->info.product, "MariaDB")};
    struct drv_result *srv = NULL;
    int rc;

    rc = drv_exec(c, mg_sql("mysql", "preflight_session"), NULL, err);
    if (!rc)
        rc = old_transactions(&m, err);
    if (!rc && p->ntables)
        rc = lock_holders(&m, err);
    if (!rc)
        rc = drv_query(c, &srv, mg_sql("mysql", "preflight_server"), NULL, 0, err);
    if (!rc)
        rc = replication(&m, srv->nrows && atoi(cell(srv, 0, 4)) != 0, err);
    if (!rc)
        disk_room(&m, srv);
    drv_result_free(srv);
    for (size_t i = 0; i < m.ns; i++) {
        struct my_sess *s = &m.s[i];
        free(s->id);
        free(s->user);
        free(s->host);
        free(s->db);
        free(s->command);
        free(s->state);
        free(s->info);
        json_decref(s->locks);
        mg_buf_free(&s->text);
    }
    free(m.s);
    return rc;
}
