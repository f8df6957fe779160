/*
 * estimate_run.c — running pending statements on a clone and observing
 * them (see estimate.h).
 *
 * A statement that may run in a transaction runs in its own: before the
 * commit the engine reads the locks its session holds (locks stay until the
 * end of the transaction, so none is missed), the rows it read and wrote,
 * and the storage identity of every relation (a new one means a rewrite).
 * A statement that cannot run in a transaction (CONCURRENTLY, VACUUM) runs
 * while a second session samples its locks.  That session first opens a
 * "gate": a snapshot and ACCESS SHARE on the statement's tables, which these
 * statements wait for by design (older snapshots, lockers of the table), so
 * its locks are seen however short the statement is on a small clone; the
 * gate is let go the moment the statement is seen waiting, and the time
 * spent waiting is not counted.
 *
 * Every migration is recorded in the clone's history as it runs: the
 * statements are committed there, so the clone is at the new version
 * afterwards (docs/estimate.md says why it is not rolled back).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "estimate.h"
#include "history.h"
#include "log.h"
#include "relnames.h"
#include "run.h"
#include "sqltext.h"
#include "util.h"

#define SAMPLE_MS 1
/* statements faster than this on the clone are measured more than once */
#define REPEAT_UNDER_MS 5000.0

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The clone around one statement. */
struct snap {
    struct drv_rels files;   /* every relation: storage identity */
    struct drv_rels sizes;   /* the statement's named relations and their indexes: sizes */
    struct drv_result *xact; /* rows read and written by this transaction so far, or NULL */
};

static void snap_free(struct snap *s)
{
    drv_rels_free(&s->files);
    drv_rels_free(&s->sizes);
    drv_result_free(s->xact);
    memset(s, 0, sizeof(*s));
}

/* Everything one statement's observation needs. */
struct obs {
    struct mg_est_env *env;
    struct drv_conn *c;
    const char *dialect;
    const char *sql;
    size_t len;
    struct mg_relnames named;
    const char **qnames;
    struct snap before, after;
    struct mg_est_stmt *st;
};

static int engine_table(const char *name)
{
    return name && (!strcmp(name, "migrate_history") || !strcmp(name, "migrate_events"));
}

static const struct drv_rel *find_rel(const struct obs *o, const char *id)
{
    const struct drv_rel *r = drv_rels_find(&o->before.files, id);
    return r ? r : drv_rels_find(&o->after.files, id);
}

static char *display(const char *schema, const char *name)
{
    struct mg_buf b = MG_BUF_INIT;
    /* MySQL relations come without a schema: clone and target are databases of other names */
    if (schema && !*schema)
        mg_buf_adds(&b, name ? name : "?");
    else
        mg_buf_addf(&b, "%s.%s", schema ? schema : "?", name ? name : "?");
    return mg_buf_detach(&b);
}

/* Reads the relations and, for the statement's named ones, their sizes. */
static int take_snap(struct obs *o, struct snap *s, int with_xact, struct mg_err *err)
{
    int rc = drv_relation_files(o->c, &s->files, err);

    if (!rc && o->named.n)
        rc = drv_relation_stats(o->c, o->qnames, o->named.n, &s->sizes, err);
    if (!rc && with_xact)
        rc = drv_query(o->c, &s->xact, mg_sql(o->dialect, "estimate_xact_stats"), NULL, 0, err);
    if (rc)
        mg_err_context(err, "reading the clone's catalog around the statement");
    return rc;
}

/* Adds one lock to the statement, merged with an equal one. */
static struct mg_est_lock *add_lock(struct obs *o, const char *rel_id, const char *schema,
                                    const char *name, char kind, const char *mode, int awaited,
                                    double held_fraction)
{
    const struct drv_rel *b = drv_rels_find(&o->before.files, rel_id);
    const struct drv_rel *a = drv_rels_find(&o->after.files, rel_id);
    const struct drv_rel *r = b ? b : a;
    struct mg_est_stmt *st = o->st;
    char *rel;

    /* a relation that neither existed before nor after: a rewrite's transient heap */
    if (!r && !name)
        return NULL;
    if (engine_table(r ? r->name : name))
        return NULL;
    rel = r ? display(r->schema, r->name) : display(schema, name);
    for (size_t i = 0; i < st->nlocks; i++) {
        struct mg_est_lock *l = &st->locks[i];
        if (!strcmp(l->relation, rel) && !strcmp(l->mode, mode)) {
            /* ALTER COLUMN TYPE drops an index and builds it anew under its name */
            l->created &= b == NULL;
            l->awaited |= awaited;
            if (held_fraction > l->held_fraction)
                l->held_fraction = held_fraction;
            free(rel);
            return l;
        }
    }
    st->locks = mg_realloc(st->locks, (st->nlocks + 1) * sizeof(*st->locks));
    struct mg_est_lock *l = &st->locks[st->nlocks++];
    memset(l, 0, sizeof(*l));
    l->relation = rel;
    l->kind = r ? r->kind : kind;
    l->mode = mg_strdup(mode);
    l->blocks = mg_lock_blocks(o->dialect, mode, NULL);
    l->created = b == NULL;
    l->awaited = awaited;
    l->held_fraction = held_fraction;
    if (r && (r->kind == DRV_REL_INDEX || r->kind == DRV_REL_PARTITIONED_INDEX) && r->table_id) {
        const struct drv_rel *t = find_rel(o, r->table_id);
        l->table = t ? display(t->schema, t->name) : NULL;
    } else {
        l->table = mg_strdup(rel);
    }
    return l;
}

static void add_rewrite(struct mg_est_stmt *st, const char *what, const struct drv_rel *r)
{
    struct mg_buf b = MG_BUF_INIT;
    char *name = display(r->schema, r->name);

    mg_buf_addf(&b, "%s %s", what, name);
    free(name);
    st->rewrites = mg_realloc(st->rewrites, (st->nrewrites + 1) * sizeof(char *));
    st->rewrites[st->nrewrites++] = mg_buf_detach(&b);
}

/* The size of table `t` on the clone before the statement: bytes when read, else pages. */
static void clone_size(const struct obs *o, const struct drv_rel *t, int total,
                       struct mg_est_work *w)
{
    const struct drv_rel *s = drv_rels_find(&o->before.sizes, t->id);

    w->total = total;
    if (!strcmp(o->dialect, "mysql")) {
        /*
         * InnoDB's DATA_LENGTH counts whole extents: a small table looks
         * bigger than it is, and the ratio comes out low.  Its row estimate
         * (from the persistent statistics) grows with the table.
         */
        w->by_rows = 1;
        w->clone_size = s && s->rows > 0 ? (long long)s->rows
                        : t->rows > 0    ? (long long)t->rows
                                         : 0;
    } else if (s && s->bytes >= 0) {
        w->by_pages = 0;
        w->clone_size = total && s->total_bytes >= 0 ? s->total_bytes : s->bytes;
    } else {
        w->by_pages = 1;
        w->clone_size = t->pages > 0 ? t->pages : 0;
    }
    w->target_size = -1;
}

/* The work item of kind k on table t, added when missing. */
static struct mg_est_work *work_on(struct obs *o, enum mg_work_kind k, const struct drv_rel *t,
                                   const struct drv_rel *what, int total)
{
    struct mg_est_stmt *st = o->st;

    for (size_t i = 0; i < st->nwork; i++)
        if (st->work[i].kind == k && !strcmp(st->work[i].schema, t->schema) &&
            !strcmp(st->work[i].name, t->name) && (!what || k != MG_WORK_INDEX_BUILD))
            return &st->work[i];
    st->work = mg_realloc(st->work, (st->nwork + 1) * sizeof(*st->work));
    struct mg_est_work *w = &st->work[st->nwork++];
    memset(w, 0, sizeof(*w));
    w->kind = k;
    w->relation = display(what ? what->schema : t->schema, what ? what->name : t->name);
    w->schema = mg_strdup(t->schema);
    w->name = mg_strdup(t->name);
    clone_size(o, t, total, w);
    return w;
}

static int is_table(char kind)
{
    return kind == DRV_REL_TABLE || kind == DRV_REL_MATVIEW;
}

static int is_index(char kind)
{
    return kind == DRV_REL_INDEX;
}

static long long size_of(const struct drv_rels *sizes, const char *id)
{
    const struct drv_rel *r = drv_rels_find(sizes, id);
    return r ? r->bytes : -1;
}

/* Was table t emptied by the statement (its indexes then start anew, which is no rebuild)? */
static int truncated(const struct mg_est_stmt *st, const struct drv_rel *t)
{
    for (size_t k = 0; k < st->nwork; k++)
        if (st->work[k].kind == MG_WORK_TRUNCATE && !strcmp(st->work[k].schema, t->schema) &&
            !strcmp(st->work[k].name, t->name))
            return 1;
    return 0;
}

/*
 * Rewrites, index builds, scans and writes, from the catalog before and
 * after the statement and the rows its transaction read and wrote.
 */
static void find_work(struct obs *o)
{
    const struct drv_rels *bf = &o->before.files, *af = &o->after.files;
    struct mg_est_stmt *st = o->st;

    /* tables first: their indexes are rebuilt with them and are not extra work */
    for (size_t i = 0; i < af->n; i++) {
        const struct drv_rel *a = &af->v[i], *b = drv_rels_find(bf, a->id);
        if (!b || !is_table(a->kind) || !a->file || !b->file || !strcmp(a->file, b->file) ||
            engine_table(a->name))
            continue;
        long long was = size_of(&o->before.sizes, a->id), now = size_of(&o->after.sizes, a->id);
        /* emptied: PostgreSQL's new file is empty, InnoDB's holds one page */
        if ((now == 0 && was != 0) || (now >= 0 && now <= 16384 && was > 16384)) {
            work_on(o, MG_WORK_TRUNCATE, b, NULL, 0);
            continue;
        }
        add_rewrite(st, "table", a);
        work_on(o, MG_WORK_REWRITE, b, NULL, 1);
    }
    for (size_t i = 0; i < af->n; i++) {
        const struct drv_rel *a = &af->v[i], *b = drv_rels_find(bf, a->id);
        if (!is_index(a->kind) || !a->table_id)
            continue;
        const struct drv_rel *t = drv_rels_find(bf, a->table_id);
        if (!t)
            continue; /* an index of a table the statement created: nothing to build from */
        int table_rewritten = 0;
        for (size_t k = 0; k < st->nwork; k++)
            if ((st->work[k].kind == MG_WORK_REWRITE || st->work[k].kind == MG_WORK_TRUNCATE) &&
                !strcmp(st->work[k].schema, t->schema) && !strcmp(st->work[k].name, t->name))
                table_rewritten = 1;
        if (b) {
            if (!a->file || !b->file || !strcmp(a->file, b->file))
                continue;
            if (!truncated(st, t))
                add_rewrite(st, "index", a);
        } else {
            /* new: REINDEX CONCURRENTLY builds a new index and gives it the old one's name */
            int replaces = 0;
            for (size_t k = 0; k < bf->n && !replaces; k++)
                replaces = is_index(bf->v[k].kind) && !strcmp(bf->v[k].schema, a->schema) &&
                           !strcmp(bf->v[k].name, a->name) && !drv_rels_find(af, bf->v[k].id);
            if (replaces)
                add_rewrite(st, "index", a);
        }
        if (!table_rewritten)
            work_on(o, MG_WORK_INDEX_BUILD, t, a, 0);
    }
    /* rows read and written, per table, as the difference over the statement */
    if (!o->before.xact || !o->after.xact)
        return;
    for (size_t i = 0; i < o->after.xact->nrows; i++) {
        const char *id = drv_val(o->after.xact, i, 0);
        long long rd = atoll(drv_val(o->after.xact, i, 1) ? drv_val(o->after.xact, i, 1) : "0");
        long long wr = atoll(drv_val(o->after.xact, i, 2) ? drv_val(o->after.xact, i, 2) : "0");
        for (size_t k = 0; k < o->before.xact->nrows; k++)
            if (id && drv_val(o->before.xact, k, 0) && !strcmp(id, drv_val(o->before.xact, k, 0))) {
                rd -= atoll(drv_val(o->before.xact, k, 1) ? drv_val(o->before.xact, k, 1) : "0");
                wr -= atoll(drv_val(o->before.xact, k, 2) ? drv_val(o->before.xact, k, 2) : "0");
            }
        const struct drv_rel *t = drv_rels_find(bf, id);
        if ((rd <= 0 && wr <= 0) || !t || engine_table(t->name))
            continue; /* nothing, or a table the statement created */
        struct mg_est_work *w = NULL;
        for (size_t k = 0; k < st->nwork && !w; k++)
            if (st->work[k].kind != MG_WORK_TRUNCATE && !strcmp(st->work[k].schema, t->schema) &&
                !strcmp(st->work[k].name, t->name))
                w = &st->work[k];
        if (!w)
            w = work_on(o, rd > 0 ? MG_WORK_SCAN : MG_WORK_WRITE, t, NULL, 0);
        w->rows_read += rd > 0 ? rd : 0;
        w->rows_written += wr > 0 ? wr : 0;
    }
}

/* ---------- running ---------- */

/* The statement's named relations, as quoted names for the driver. */
static void find_named(struct obs *o)
{
    struct mg_err perr;
    char *text = mg_strndup(o->sql, o->len);

    mg_err_clear(&perr);
    if (!strcmp(o->dialect, "mysql"))
        mg_my_relnames(&o->named, text);
    else if (mg_pg_relnames(&o->named, text, &perr))
        mg_debug("estimate: cannot find the relations the statement names (%s); sizes come "
                 "from the planner's page counts",
                 perr.msg);
    free(text);
    o->qnames = mg_calloc(o->named.n ? o->named.n : 1, sizeof(char *));
    for (size_t i = 0; i < o->named.n; i++)
        o->qnames[i] = o->named.v[i].qname;
}

/* One statement in a transaction of its own; `progress` runs before the commit. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*
 * One statement in a transaction of its own; `progress` runs before the
 * commit.  A short statement is run up to `repeat` times, all but the last
 * rolled back, and its duration is the median: a few milliseconds on a
 * busy machine are mostly noise, and the prediction multiplies them.
 */
static int observe_in_txn(struct obs *o, long lock_ms, long stmt_ms, int repeat,
                          int (*progress)(void *, struct mg_err *), void *parg, struct mg_err *err)
{
    struct drv_locks locks;
    int waiting, rc, runs = 0;
    long long rows = -1;
    double took[16];

    if (repeat < 1)
        repeat = 1;
    if (repeat > (int)MG_ARRAY_SIZE(took))
        repeat = (int)MG_ARRAY_SIZE(took);
    rc = take_snap(o, &o->before, 0, err);
    for (;;) {
        if (!rc)
            rc = drv_begin_timeouts(o->c, lock_ms, stmt_ms, err);
        if (rc)
            return rc;
        drv_result_free(o->before.xact);
        o->before.xact = NULL;
        rc = drv_query(o->c, &o->before.xact, mg_sql(o->dialect, "estimate_xact_stats"), NULL, 0,
                       err);
        if (rc) {
            drv_rollback_quiet(o->c);
            return rc;
        }
        double t0 = now_ms();
        rc = drv_execn(o->c, o->sql, o->len, &rows, err);
        took[runs++] = now_ms() - t0;
        if (rc) {
            o->st->clone_ms = took[runs - 1];
            drv_rollback_quiet(o->c);
            return rc;
        }
        if (runs >= repeat || took[runs - 1] >= REPEAT_UNDER_MS)
            break;
        /* measured: undo it and run it again (a broken connection shows at the next BEGIN) */
        drv_rollback_quiet(o->c);
    }
    qsort(took, (size_t)runs, sizeof(double), cmp_double);
    o->st->clone_ms = took[runs / 2];
    o->st->runs = runs;
    o->st->rows = rows;
    /* the locks first: the catalog reads below take locks of their own */
    rc = drv_session_locks(o->c, 0, &locks, &waiting, err);
    if (!rc)
        rc = take_snap(o, &o->after, 1, err);
    if (!rc) {
        for (size_t i = 0; i < locks.n; i++)
            add_lock(o, locks.v[i].rel_id, locks.v[i].schema, locks.v[i].name, locks.v[i].kind,
                     locks.v[i].mode, 0, 1.0);
        find_work(o);
    }
    drv_locks_free(&locks);
    if (!rc)
        rc = progress(parg, err);
    if (!rc)
        rc = drv_commit(o->c, err);
    if (rc)
        drv_rollback_quiet(o->c);
    return rc;
}

/*
 * A lock seen while sampling, and how long it was held: the time between two
 * samples that both show it granted counts whole, an interval in which it
 * came or went counts half.  A statement can take a lock, drop it and take
 * it again (MariaDB's online ALTER: exclusive at the start and at the end).
 */
struct seen {
    char *rel_id, *schema, *name, *mode;
    char kind;
    int awaited;
    int present; /* granted in the last sample */
    double held; /* ms */
};

struct sampling {
    struct seen *v;
    size_t n;
    double last_sample; /* the statement's start until the first sample */
};

static void seen_free(struct sampling *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].rel_id);
        free(s->v[i].schema);
        free(s->v[i].name);
        free(s->v[i].mode);
    }
    free(s->v);
}

static void record_sample(struct sampling *s, const struct drv_locks *l, double t)
{
    double gap = t - s->last_sample;
    int *now = mg_calloc(s->n + l->n + 1, sizeof(int));

    for (size_t i = 0; i < l->n; i++) {
        const struct drv_lock *x = &l->v[i];
        struct seen *e = NULL;
        size_t k;
        if (!x->rel_id || !x->mode)
            continue;
        for (k = 0; k < s->n && !e; k++)
            if (!strcmp(s->v[k].rel_id, x->rel_id) && !strcmp(s->v[k].mode, x->mode))
                e = &s->v[k];
        if (!e) {
            s->v = mg_realloc(s->v, (s->n + 1) * sizeof(*s->v));
            e = &s->v[s->n++];
            memset(e, 0, sizeof(*e));
            e->rel_id = mg_strdup(x->rel_id);
            e->mode = mg_strdup(x->mode);
            k = s->n;
        }
        if (!e->name && x->name) {
            e->schema = x->schema ? mg_strdup(x->schema) : NULL;
            e->name = mg_strdup(x->name);
            e->kind = x->kind;
        }
        if (!x->granted) {
            e->awaited = 1;
        } else {
            now[k - 1] = 1;
        }
    }
    for (size_t k = 0; k < s->n; k++) {
        struct seen *e = &s->v[k];
        if (now[k] && e->present)
            e->held += gap;
        else if (now[k] || e->present)
            e->held += gap / 2;
        e->present = now[k];
    }
    free(now);
    s->last_sample = t;
}

/* The run ended at t: a lock still there was held to the end. */
static void end_sampling(struct sampling *s, double t)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->v[k].present)
            s->v[k].held += t - s->last_sample;
    s->last_sample = t;
}

/* The existing tables among the statement's named relations (an index leads to its table). */
static const struct drv_rel *gate_table(const struct obs *o, size_t i)
{
    const struct drv_rel *r = &o->before.sizes.v[i];
    const struct drv_rel *t = r;

    if (r->kind == DRV_REL_INDEX || r->kind == DRV_REL_PARTITIONED_INDEX)
        t = r->table_id ? drv_rels_find(&o->before.files, r->table_id) : NULL;
    if (!t ||
        !(t->kind == DRV_REL_TABLE || t->kind == DRV_REL_PARTITIONED || t->kind == DRV_REL_MATVIEW))
        return NULL;
    return t;
}

/*
 * Opens a gate on g (see the file comment).  PostgreSQL: a snapshot and
 * ACCESS SHARE on the statement's tables; with `nowait` a table the
 * statement holds a stronger lock on makes it fail at once instead of wait.
 * MySQL: a transaction that has read each table, so it holds a shared
 * metadata lock on it, which an ALTER waits for when it needs an exclusive
 * one.
 */
static int open_gate(struct obs *o, struct drv_conn *g, int nowait, struct mg_err *err)
{
    struct mg_buf sql = MG_BUF_INIT;
    int mysql = !strcmp(o->dialect, "mysql"), rc;

    rc = drv_exec(g, mg_sql(o->dialect, "estimate_gate"), NULL, err);
    for (size_t i = 0; !rc && i < o->before.sizes.n; i++) {
        const struct drv_rel *t = gate_table(o, i);
        if (!t)
            continue;
        mg_buf_reset(&sql);
        if (mysql) {
            mg_buf_adds(&sql, "SELECT 1 FROM ");
            drv_quote_ident(g, &sql, t->name);
            mg_buf_adds(&sql, " LIMIT 1");
        } else {
            mg_buf_adds(&sql, "LOCK TABLE ");
            drv_quote_ident(g, &sql, t->schema);
            mg_buf_addch(&sql, '.');
            drv_quote_ident(g, &sql, t->name);
            mg_buf_adds(&sql, nowait ? " IN ACCESS SHARE MODE NOWAIT" : " IN ACCESS SHARE MODE");
        }
        rc = drv_exec(g, sql.ptr, NULL, err);
    }
    mg_buf_free(&sql);
    if (rc)
        drv_rollback_quiet(g);
    return rc;
}

static void close_gate(struct drv_conn *g)
{
    struct mg_err ignored;

    mg_err_clear(&ignored);
    if (drv_commit(g, &ignored))
        drv_rollback_quiet(g);
}

#define MAX_HANDOVERS 32

/* One sampled run of a statement: what it held and when, and how long it waited. */
struct sampled_run {
    struct sampling smp;
    double t0, t1, gate_opened, waited_ms;
    int samples;
    long long rows;
    char *no_sampling; /* why the locks could not be read, or NULL */
};

static void sampled_run_free(struct sampled_run *r)
{
    seen_free(&r->smp);
    free(r->no_sampling);
    memset(r, 0, sizeof(*r));
}

/*
 * Runs `sql` while a second session samples its locks.  Two gates take
 * turns (`relay`, PostgreSQL): when the statement is seen waiting, the other
 * gate is opened before the waited-for one closes, so the statement's next
 * wait (a statement works in phases: DROP INDEX CONCURRENTLY waits for the
 * table's lockers twice, DETACH CONCURRENTLY waits, then locks the
 * partition) is seen too.  Without `relay` (MySQL: a second gate would queue
 * behind the statement's pending exclusive lock) the one gate opens at the
 * first wait.
 */
static int run_sampled(struct obs *o, const char *sql, size_t len, int gated, int relay,
                       struct sampled_run *out, struct mg_err *err)
{
    struct drv_conn *g[2] = {o->env->sampler, relay ? o->env->gate : NULL};
    long pid = drv_backend_id(o->c);
    int rc, done = 0, sampling = 1, armed[2] = {0, 0}, handovers = 0, was_waiting = 0;
    double prev;

    memset(out, 0, sizeof(*out));
    out->rows = -1;
    out->gate_opened = -1;
    if (pid < 0)
        return mg_err_set(err, MG_EUSAGE,
                          "the %s driver cannot tell its session id, which sampling locks needs",
                          o->c->ops->name);
    if (gated) {
        struct mg_err gerr;
        mg_err_clear(&gerr);
        armed[0] = open_gate(o, g[0], 0, &gerr) == 0;
        if (!armed[0])
            mg_debug("estimate: no gate for the sampled statement: %s", gerr.msg);
    }
    out->t0 = prev = out->smp.last_sample = now_ms();
    rc = drv_exec_start(o->c, sql, len, err);
    while (!rc && !done) {
        rc = drv_exec_wait(o->c, SAMPLE_MS, &done, &out->rows, err);
        if (rc || done || !sampling)
            continue;
        struct drv_locks l;
        struct mg_err serr;
        int waiting = 0, handed_over = 0;
        double t = now_ms();
        mg_err_clear(&serr);
        if (drv_session_locks(g[0], pid, &l, &waiting, &serr)) {
            out->no_sampling = mg_strdup(serr.msg);
            sampling = 0;
            continue;
        }
        record_sample(&out->smp, &l, t);
        drv_locks_free(&l);
        out->samples++;
        if (waiting) {
            /* it began to wait somewhere since the last sample: count half of that */
            out->waited_ms += was_waiting ? t - prev : (t - prev) / 2;
            int cur = armed[0] ? 0 : armed[1] ? 1 : -1;
            handed_over = cur >= 0;
            if (cur >= 0) {
                int nxt = 1 - cur;
                struct mg_err gerr;
                mg_err_clear(&gerr);
                if (g[nxt] && handovers < MAX_HANDOVERS)
                    armed[nxt] = open_gate(o, g[nxt], 1, &gerr) == 0;
                handovers++;
                close_gate(g[cur]);
                armed[cur] = 0;
                out->gate_opened = now_ms();
                /* it waited for the gate until now; what it held meanwhile counts as held */
                out->waited_ms += out->gate_opened - t;
                t = out->gate_opened;
                for (size_t k = 0; k < out->smp.n; k++)
                    if (out->smp.v[k].present)
                        out->smp.v[k].held += t - out->smp.last_sample;
                out->smp.last_sample = t;
            }
        }
        was_waiting = waiting && !handed_over;
        prev = t;
    }
    out->t1 = now_ms();
    end_sampling(&out->smp, out->t1);
    for (int i = 0; i < 2; i++)
        if (armed[i])
            close_gate(g[i]);
    return rc;
}

/*
 * The locks a sampled run saw, each with the share of the run (waits left
 * out) it was held.  `to_end`: the statement keeps its locks to its end
 * whatever the samples say (everything but CONCURRENTLY on PostgreSQL).
 */
static void add_sampled_locks(struct obs *o, const struct sampled_run *r, int to_end, int switch_in)
{
    double busy = r->t1 - r->t0 - r->waited_ms;

    for (size_t i = 0; i < r->smp.n; i++) {
        const struct seen *s = &r->smp.v[i];
        double frac = to_end ? 1 : busy > 0 ? s->held / busy : 1;
        struct mg_est_lock *l =
            add_lock(o, s->rel_id, s->schema, s->name, s->kind, s->mode, s->awaited,
                     frac < 0   ? 0
                     : frac > 1 ? 1
                                : frac);
        if (!l)
            continue;
        if (s->held > l->held_ms)
            l->held_ms = s->held;
        /* an online ALTER's exclusive moments: switching the change in, not copying rows */
        if (switch_in && (l->blocks & MG_BLOCKS_SELECT))
            l->fixed = 1;
    }
}

/* Takes a sampled run's outcome into the statement. */
static void take_run(struct obs *o, const struct sampled_run *r)
{
    double elapsed = r->t1 - r->t0;

    o->st->sampled = 1;
    o->st->samples += r->samples;
    o->st->waited_ms += r->waited_ms;
    o->st->rows = r->rows;
    o->st->clone_ms = elapsed - r->waited_ms > 0 ? elapsed - r->waited_ms : 0;
}

/*
 * A PostgreSQL statement that cannot run in a transaction, its locks sampled
 * from a second session behind a gate.
 */
static int observe_sampled(struct obs *o, unsigned flags, long lock_ms, long stmt_ms,
                           struct mg_err *err)
{
    struct sampled_run run;
    int rc;

    o->st->sampled = 1;
    rc = take_snap(o, &o->before, 0, err);
    if (!rc)
        rc = drv_set_timeouts(o->c, lock_ms, stmt_ms, err);
    if (rc)
        return rc;
    rc = run_sampled(o, o->sql, o->len, 1, 1, &run, err);
    take_run(o, &run);
    if (run.no_sampling)
        mg_warn("estimate: sampling the locks stopped: %s", run.no_sampling);
    if (!rc) {
        /* back to the run's timeouts for the catalog reads and what follows */
        rc = drv_set_timeouts(o->c, o->env->ctx->lock_timeout_ms, 0, err);
        if (!rc)
            rc = take_snap(o, &o->after, 0, err);
    }
    if (!rc) {
        /* without CONCURRENTLY a statement keeps its locks to its end (VACUUM FULL) */
        add_sampled_locks(o, &run, !(flags & DRV_STMT_CONCURRENT), 0);
        find_work(o);
    }
    sampled_run_free(&run);
    return rc;
}

/* ---------- MySQL and MariaDB ---------- */

/* MySQL/MariaDB errors that mean "this ALGORITHM or LOCK is not possible for this change". */
enum {
    MY_ER_PARSE = 1064,
    MY_ER_ALTER_OPERATION_NOT_SUPPORTED = 1845,
    MY_ER_ALTER_OPERATION_NOT_SUPPORTED_REASON = 1846,
};

/*
 * The metadata lock the statement holds while it works, from the ALGORITHM
 * and LOCK the server accepted: LOCK=NONE lets reads and writes go on
 * (SHARED_UPGRADABLE, with an exclusive lock only for a moment at the start
 * and the end), SHARED and COPY let reads go on (SHARED_NO_WRITE), EXCLUSIVE
 * nothing, INSTANT changes only metadata (EXCLUSIVE, for its short run).
 */
static const char *my_mode(const char *algorithm, const char *lock)
{
    if (!strcmp(lock, "EXCLUSIVE"))
        return "SHARED_NO_READ_WRITE";
    if (!strcmp(algorithm, "INSTANT"))
        return "EXCLUSIVE";
    if (!strcmp(lock, "SHARED") || !strcmp(algorithm, "COPY"))
        return "SHARED_NO_WRITE";
    return "SHARED_UPGRADABLE";
}

/* Checks once whether the clone shows metadata locks; says why not when it does not. */
static int mdl_visible(struct obs *o)
{
    struct drv_locks l;
    struct mg_err e;
    int waiting;

    if (o->env->mdl_checked)
        return o->env->mdl_visible;
    mg_err_clear(&e);
    o->env->mdl_checked = 1;
    o->env->mdl_visible = drv_session_locks(o->env->sampler, 0, &l, &waiting, &e) == 0;
    if (o->env->mdl_visible)
        drv_locks_free(&l);
    else
        mg_info("estimate: metadata locks are not observed on the clone (%s); the locks reported "
                "follow from the ALGORITHM and LOCK the server accepts",
                e.msg);
    return o->env->mdl_visible;
}

/*
 * A MySQL or MariaDB statement.  An ALTER TABLE or CREATE/DROP INDEX without
 * its own ALGORITHM or LOCK is tried with the cheapest first: INSTANT, then
 * INPLACE with LOCK=NONE, INPLACE with LOCK=SHARED, then COPY; the server
 * refuses what it cannot do before doing anything, and the first it accepts
 * is what it runs, on the target too, where it picks the cheapest it can.
 * Metadata locks are sampled while it runs where the server shows them.
 */
static int observe_mysql(struct obs *o, long lock_ms, long stmt_ms, struct mg_err *err)
{
    static const struct {
        const char *algorithm, *lock;
    } tries[] = {{"INSTANT", ""}, {"INPLACE", "NONE"}, {"INPLACE", "SHARED"}, {"COPY", ""}};
    struct mg_my_stmt info;
    struct mg_buf text = MG_BUF_INIT, tried = MG_BUF_INIT;
    struct sampled_run run;
    int rc, searching, visible, ran = 0;
    char *plain = mg_strndup(o->sql, o->len);

    mg_my_statement(&info, plain);
    searching = (info.kind == MG_MY_ALTER_TABLE || info.kind == MG_MY_INDEX) &&
                !info.algorithm[0] && !info.lock[0];
    rc = take_snap(o, &o->before, 0, err);
    if (!rc)
        rc = drv_set_timeouts(o->c, lock_ms, stmt_ms, err);
    if (rc) {
        free(plain);
        return rc;
    }
    visible = mdl_visible(o);
    memset(&run, 0, sizeof(run));
    for (size_t k = 0; searching && k <= MG_ARRAY_SIZE(tries) && !ran; k++) {
        mg_buf_reset(&text);
        mg_buf_adds(&text, plain);
        if (k < MG_ARRAY_SIZE(tries)) {
            const char *sep = info.kind == MG_MY_ALTER_TABLE ? ", " : " ";
            mg_buf_addf(&text, "%sALGORITHM=%s", sep, tries[k].algorithm);
            if (tries[k].lock[0])
                mg_buf_addf(&text, "%sLOCK=%s", sep, tries[k].lock);
        }
        struct mg_err e;
        mg_err_clear(&e);
        rc = run_sampled(o, text.ptr, text.len, visible, 0, &run, &e);
        if (rc && k < MG_ARRAY_SIZE(tries) &&
            (e.server_code == MY_ER_ALTER_OPERATION_NOT_SUPPORTED ||
             e.server_code == MY_ER_ALTER_OPERATION_NOT_SUPPORTED_REASON ||
             e.server_code == MY_ER_PARSE)) {
            /* refused before it did anything: note why and try the next */
            mg_buf_addf(&tried, "%s%s%s%s: %s", tried.len ? "; " : "", tries[k].algorithm,
                        tries[k].lock[0] ? ", LOCK=" : "", tries[k].lock, e.msg);
            sampled_run_free(&run);
            rc = 0;
            continue;
        }
        if (rc) {
            mg_err_copy(err, &e);
        } else if (k < MG_ARRAY_SIZE(tries)) {
            o->st->algorithm = mg_strdup(tries[k].algorithm);
            o->st->lock_clause = tries[k].lock[0] ? mg_strdup(tries[k].lock) : NULL;
        } else {
            o->st->note = mg_strdup("the server refused every ALGORITHM the estimate tried; the "
                                    "statement ran as written");
        }
        ran = 1;
    }
    if (!searching) {
        rc = run_sampled(o, o->sql, o->len, visible, 0, &run, err);
        if (info.algorithm[0])
            o->st->algorithm = mg_strdup(info.algorithm);
        if (info.lock[0])
            o->st->lock_clause = mg_strdup(info.lock);
    }
    if (tried.len)
        o->st->tried = mg_buf_detach(&tried);
    take_run(o, &run);
    if (run.no_sampling && visible)
        mg_warn("estimate: sampling the metadata locks stopped: %s", run.no_sampling);
    if (!rc)
        rc = drv_set_timeouts(o->c, o->env->ctx->lock_timeout_ms, 0, err);
    if (!rc)
        rc = take_snap(o, &o->after, 0, err);
    if (!rc) {
        struct mg_relnames names = {0};
        const struct drv_rel *t = NULL;
        mg_my_relnames(&names, plain);
        if (names.n) {
            t = drv_rels_find(&o->before.files, names.v[0].name);
            if (!t)
                t = drv_rels_find(&o->after.files, names.v[0].name);
        }
        /* the lock its ALGORITHM and LOCK imply, on the table it changes */
        const char *mode = NULL;
        if (o->st->algorithm || o->st->lock_clause)
            mode = my_mode(o->st->algorithm ? o->st->algorithm : "",
                           o->st->lock_clause ? o->st->lock_clause : "");
        else if (info.kind == MG_MY_DROP_RENAME || info.kind == MG_MY_CREATE_TABLE)
            mode = "EXCLUSIVE";
        else if (info.kind == MG_MY_DML)
            mode = "SHARED_WRITE";
        if (mode && names.n)
            add_lock(o, t ? t->id : names.v[0].name, "", t ? t->name : names.v[0].name,
                     DRV_REL_TABLE, mode, 0, 1.0);
        /* with LOCK=NONE the data work runs beside reads and writes */
        add_sampled_locks(o, &run, 0, mode && !strcmp(mode, "SHARED_UPGRADABLE"));
        find_work(o);
        /* COPY copies the table even when InnoDB's ids cannot be read (no PROCESS privilege) */
        if (o->st->algorithm && !strcmp(o->st->algorithm, "COPY") && t && !t->file &&
            !o->st->nrewrites) {
            add_rewrite(o->st, "table", t);
            work_on(o, MG_WORK_REWRITE, t, NULL, 1);
        }
        /* rows an INSERT, UPDATE or DELETE touched grow with its table */
        if (info.kind == MG_MY_DML && t && o->st->rows > 0 && !o->st->nwork) {
            struct mg_est_work *w = work_on(o, MG_WORK_WRITE, t, NULL, 0);
            w->rows_written = o->st->rows;
        }
        mg_relnames_free(&names);
    }
    sampled_run_free(&run);
    mg_buf_free(&text);
    mg_buf_free(&tried);
    free(plain);
    return rc;
}

/* ---------- migrations and the clone's history ---------- */

struct mig_run {
    struct mg_est_env *env;
    const struct mg_step *step;
    const struct mg_file *f;
    struct drv_stmt *stmts;
    size_t n;
    char chain[65];
    int64_t t0;
    size_t done;
};

static void fill_row(struct mg_hrow *row, const struct mig_run *r, enum mg_hstatus status)
{
    char at[40];

    mg_now_iso(at);
    memset(row, 0, sizeof(*row));
    row->version = r->step->e->version;
    row->name = r->step->e->m->title;
    row->checksum = (char *)r->f->checksum;
    row->status = status;
    row->kind = (char *)"migration";
    row->stmts_done = (int)r->done;
    row->stmts_total = (int)r->n;
    row->done_hash = (char *)r->chain;
    row->no_transaction = 1; /* on the clone it ran statement by statement */
    row->applied_at = mg_strdup(at);
    row->applied_by = (char *)mg_os_user();
    row->duration_ms = mg_monotonic_ms() - r->t0;
    row->run_id = (char *)r->env->ctx->run_id;
}

static int write_row(struct mig_run *r, enum mg_hstatus status, const struct mg_err *failure,
                     size_t failed_at, struct mg_err *err)
{
    struct mg_hrow row;
    struct mg_buf excerpt = MG_BUF_INIT;
    int rc;

    fill_row(&row, r, status);
    if (failure) {
        const struct drv_stmt *s = &r->stmts[failed_at];
        mg_buf_add(&excerpt, r->f->text.ptr + s->off, s->len > 500 ? 500 : s->len);
        row.err_sqlstate = failure->sqlstate[0] ? (char *)failure->sqlstate : NULL;
        row.err_message = (char *)failure->msg;
        row.err_detail = failure->detail[0] ? (char *)failure->detail : NULL;
        row.err_hint = failure->hint[0] ? (char *)failure->hint : NULL;
        row.err_line = s->line;
        row.err_statement = excerpt.ptr;
        row.err_stmt = (int)failed_at + 1;
    }
    rc = mg_history_upsert(r->env->clone->conn, &row, err);
    free(row.applied_at);
    mg_buf_free(&excerpt);
    return rc;
}

static int write_event(struct mig_run *r, const char *outcome, const struct mg_err *failure,
                       struct mg_err *err)
{
    json_t *meta = json_object();
    struct mg_event ev = {
        .run_id = r->env->ctx->run_id,
        .action = "up",
        .outcome = outcome,
        .version = r->step->e->version,
        .name = r->step->e->m->title,
        .checksum = r->f->checksum,
        .meta = meta,
    };
    int rc;

    json_object_set_new(meta, "command", json_string("estimate"));
    json_object_set_new(meta, "statements", json_integer((json_int_t)r->n));
    json_object_set_new(meta, "transaction", json_false());
    json_object_set_new(meta, "duration_ms", json_integer(mg_monotonic_ms() - r->t0));
    if (failure)
        json_object_set_new(meta, "error", mg_err_json(failure));
    rc = mg_event_append(r->env->clone->conn, &ev, err);
    json_decref(meta);
    return rc;
}

/* Progress after statement r->done (1-based count), in the statement's transaction when it has one.
 */
static int progress(void *arg, struct mg_err *err)
{
    struct mig_run *r = arg;
    const struct drv_stmt *s = &r->stmts[r->done];
    char h[65];

    mg_stmt_chain(h, r->chain, r->f->text.ptr + s->off, s->len);
    int rc = mg_history_progress(r->env->clone->conn, r->step->e->version, (int)r->done + 1, h,
                                 mg_monotonic_ms() - r->t0, err);
    if (!rc) {
        memcpy(r->chain, h, sizeof(h));
        r->done++;
    }
    return rc;
}

static char *excerpt(const char *s, size_t len)
{
    struct mg_buf b = MG_BUF_INIT;
    int space = 0;

    for (size_t i = 0; i < len && b.len < 100; i++) {
        char c = s[i];
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = 1;
            continue;
        }
        if (space && b.len)
            mg_buf_addch(&b, ' ');
        space = 0;
        mg_buf_addch(&b, c);
    }
    if (b.len >= 100)
        mg_buf_adds(&b, " ...");
    return mg_buf_detach(&b);
}

/* Refuses files the estimate cannot run the way `up` would. */
static int check_file(const struct mig_run *r, struct mg_err *err)
{
    for (size_t k = 0; k < r->n; k++) {
        if (!(r->stmts[k].flags & DRV_STMT_TXN_CONTROL))
            continue;
        mg_err_set(err, MG_EINPUT, "'%s' controls transactions itself (line %d)", r->f->name,
                   r->stmts[k].line);
        mg_err_hint(err, "the estimate runs each statement in a transaction of its own and "
                         "cannot observe a file that begins and commits its own; remove BEGIN/"
                         "COMMIT (migrate runs each file in one transaction)");
        snprintf(err->file, sizeof(err->file), "%s", r->f->path);
        err->line = r->stmts[k].line;
        return MG_EINPUT;
    }
    if (r->f->dir.online) {
        mg_err_set(err, MG_EINPUT, "'%s' asks for an online schema change (-- migrate:online)",
                   r->f->name);
        mg_err_detail(err, "the online schema change engine is not part of this version, and "
                           "'migrate up' refuses the file too");
        snprintf(err->file, sizeof(err->file), "%s", r->f->path);
        return MG_EINPUT;
    }
    return 0;
}

static int run_migration(struct mg_estimate *out, struct mg_est_env *env,
                         const struct mg_step *step, struct mg_err *err)
{
    struct drv_conn *c = env->clone->conn;
    struct mig_run r;
    struct mg_est_mig *m;
    int rc, notx = 0;

    memset(&r, 0, sizeof(r));
    r.env = env;
    r.step = step;
    r.f = step->e->m->up;
    r.t0 = mg_monotonic_ms();
    rc = drv_split(c->ops, &r.stmts, &r.n, r.f->text.ptr, r.f->text.len, c->info.version_num, err);
    if (rc) {
        snprintf(err->file, sizeof(err->file), "%s", r.f->path);
        return rc;
    }
    rc = check_file(&r, err);
    if (rc) {
        free(r.stmts);
        return rc;
    }
    /* as run.c decides: one transaction unless the file or a statement forbids it */
    for (size_t k = 0; k < r.n; k++)
        if (r.stmts[k].flags & DRV_STMT_NO_TXN)
            notx = 1;
    notx = notx || r.f->dir.no_transaction || !c->info.transactional_ddl;
    long lock_ms =
        r.f->dir.lock_timeout_ms >= 0 ? r.f->dir.lock_timeout_ms : env->ctx->lock_timeout_ms;

    out->v = mg_realloc(out->v, (out->n + 1) * sizeof(*out->v));
    m = &out->v[out->n++];
    memset(m, 0, sizeof(*m));
    m->version = step->e->version;
    m->name = mg_strdup(step->e->m->title);
    m->file = mg_strdup(r.f->path);
    m->transaction = !notx;
    m->v = mg_calloc(r.n ? r.n : 1, sizeof(*m->v));

    mg_info("estimating %s (%zu statement%s)", r.f->name, r.n, r.n == 1 ? "" : "s");
    rc = write_row(&r, MG_H_RUNNING, NULL, 0, err);
    for (size_t k = 0; !rc && k < r.n; k++) {
        const struct drv_stmt *s = &r.stmts[k];
        struct mg_est_stmt *st = &m->v[m->n++];
        struct obs o;
        memset(st, 0, sizeof(*st));
        st->index = (int)k + 1;
        st->line = s->line;
        st->sql = excerpt(r.f->text.ptr + s->off, s->len);
        st->rows = -1;
        memset(&o, 0, sizeof(o));
        o.env = env;
        o.c = c;
        o.dialect = c->info.dialect;
        o.sql = r.f->text.ptr + s->off;
        o.len = s->len;
        o.st = st;
        find_named(&o);
        if (mg_run_interrupted()) {
            rc = mg_err_set(err, MG_ECANCELED, "interrupted before statement %zu", k + 1);
        } else if (!strcmp(o.dialect, "mysql")) {
            long l = (s->flags & DRV_STMT_CONCURRENT) ? 0 : lock_ms;
            rc = observe_mysql(&o, l, env->ctx->statement_timeout_ms, err);
            if (!rc)
                rc = progress(&r, err);
        } else if (s->flags & DRV_STMT_NO_TXN) {
            long l = (s->flags & DRV_STMT_CONCURRENT) ? 0 : lock_ms;
            rc = observe_sampled(&o, s->flags, l, env->ctx->statement_timeout_ms, err);
            if (!rc)
                rc = progress(&r, err);
        } else {
            rc = observe_in_txn(&o, lock_ms, env->ctx->statement_timeout_ms, env->repeat, progress,
                                &r, err);
        }
        if (rc && !st->error)
            st->error = mg_strdup(err->msg);
        snap_free(&o.before);
        snap_free(&o.after);
        mg_relnames_free(&o.named);
        free(o.qnames);
        if (rc) {
            struct mg_err e2;
            mg_err_clear(&e2);
            m->failed = 1;
            snprintf(err->file, sizeof(err->file), "%s", r.f->path);
            err->line = s->line;
            mg_err_context(err, "%s, statement %zu of %zu (line %d), on the clone", r.f->name,
                           k + 1, r.n, s->line);
            if (rc != MG_ECONN &&
                (write_row(&r, MG_H_FAILED, err, k, &e2) || write_event(&r, "failed", err, &e2)))
                mg_err_context(err, "the failure could not be recorded in the clone's history: %s",
                               e2.msg);
            else if (r.done)
                mg_err_context(err,
                               "statements 1 to %zu are applied on the clone and recorded in "
                               "its history",
                               r.done);
        }
    }
    if (!rc)
        rc = write_row(&r, MG_H_APPLIED, NULL, 0, err);
    if (!rc)
        rc = write_event(&r, "ok", NULL, err);
    free(r.stmts);
    return rc;
}

/* A round trip on the clone: the part of any statement's time that does not grow. */
static int measure_overhead(struct mg_estimate *out, struct drv_conn *c, struct mg_err *err)
{
    double t[5];

    for (int i = 0; i < 5; i++) {
        double t0 = now_ms();
        int rc = drv_exec(c, "SELECT 1", NULL, err);
        if (rc)
            return rc;
        t[i] = now_ms() - t0;
    }
    /* the median of five */
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            if (t[j] < t[i]) {
                double x = t[i];
                t[i] = t[j];
                t[j] = x;
            }
    out->overhead_ms = t[2];
    return 0;
}

int mg_estimate_run(struct mg_estimate *out, struct mg_est_env *env, const struct mg_plan *plan,
                    struct mg_err *err)
{
    struct drv_conn *c = env->clone->conn;
    int rc;

    out->sample_ms = SAMPLE_MS;
    rc = measure_overhead(out, c, err);
    if (!rc)
        rc = drv_set_timeouts(c, env->ctx->lock_timeout_ms, 0, err);
    if (rc)
        return rc;
    mg_run_watch(c);
    for (size_t i = 0; !rc && i < plan->n; i++)
        rc = run_migration(out, env, &plan->v[i], err);
    mg_run_watch(NULL);
    return rc;
}
