/*
 * estimate.c — the estimate's model and report (see estimate.h and
 * docs/estimate.md): what a lock mode blocks, scaling a duration from the
 * clone's sizes to the target's, how long locks stay held on the target,
 * verdicts, and the text and JSON output.  Pure functions over what
 * estimate_run.c observed, so the model is unit-tested without a server.
 */
#include "estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---------- lock modes ---------- */

struct lockmode {
    const char *name;  /* the server's name */
    const char *label; /* as SQL writes it */
    unsigned blocks;
};

/*
 * PostgreSQL's table-level lock modes, weakest first.  SELECT takes ACCESS
 * SHARE, INSERT/UPDATE/DELETE take ROW EXCLUSIVE; a mode blocks a statement
 * when it conflicts with the mode the statement takes (the conflict table of
 * the "Explicit Locking" chapter).  SHARE UPDATE EXCLUSIVE and stronger
 * conflict with VACUUM, ANALYZE and other schema changes.
 */
static const struct lockmode pg_modes[] = {
    {"AccessShareLock", "ACCESS SHARE", 0},
    {"RowShareLock", "ROW SHARE", 0},
    {"RowExclusiveLock", "ROW EXCLUSIVE", 0},
    {"ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE", MG_BLOCKS_DDL},
    {"ShareLock", "SHARE", MG_BLOCKS_WRITES | MG_BLOCKS_DDL},
    {"ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE", MG_BLOCKS_WRITES | MG_BLOCKS_DDL},
    {"ExclusiveLock", "EXCLUSIVE", MG_BLOCKS_WRITES | MG_BLOCKS_DDL},
    {"AccessExclusiveLock", "ACCESS EXCLUSIVE", MG_BLOCKS_DML | MG_BLOCKS_DDL},
};

/*
 * MySQL/MariaDB metadata lock types (performance_schema.metadata_locks).
 * SELECT takes SHARED_READ, DML takes SHARED_WRITE; online DDL holds
 * SHARED_UPGRADABLE and upgrades to EXCLUSIVE briefly at its start and end.
 */
static const struct lockmode my_modes[] = {
    {"INTENTION_EXCLUSIVE", "INTENTION EXCLUSIVE", 0},
    {"SHARED", "SHARED", 0},
    {"SHARED_HIGH_PRIO", "SHARED HIGH PRIORITY", 0},
    {"SHARED_READ", "SHARED READ", 0},
    {"SHARED_WRITE", "SHARED WRITE", 0},
    {"SHARED_WRITE_LOW_PRIO", "SHARED WRITE LOW PRIORITY", 0},
    {"SHARED_UPGRADABLE", "SHARED UPGRADABLE", MG_BLOCKS_DDL},
    {"SHARED_READ_ONLY", "SHARED READ ONLY", MG_BLOCKS_WRITES | MG_BLOCKS_DDL},
    {"SHARED_NO_WRITE", "SHARED NO WRITE", MG_BLOCKS_WRITES | MG_BLOCKS_DDL},
    {"SHARED_NO_READ_WRITE", "SHARED NO READ WRITE", MG_BLOCKS_DML | MG_BLOCKS_DDL},
    {"EXCLUSIVE", "EXCLUSIVE", MG_BLOCKS_DML | MG_BLOCKS_DDL},
};

static const struct lockmode *modes_of(const char *dialect, size_t *n)
{
    if (dialect && !strcmp(dialect, "mysql")) {
        *n = MG_ARRAY_SIZE(my_modes);
        return my_modes;
    }
    *n = MG_ARRAY_SIZE(pg_modes);
    return pg_modes;
}

static const struct lockmode *find_mode(const char *dialect, const char *mode, int *rank)
{
    size_t n;
    const struct lockmode *m = modes_of(dialect, &n);

    for (size_t i = 0; mode && i < n; i++)
        if (!strcmp(m[i].name, mode)) {
            if (rank)
                *rank = (int)i + 1;
            return &m[i];
        }
    if (rank)
        *rank = 0;
    return NULL;
}

unsigned mg_lock_blocks(const char *dialect, const char *mode, int *known)
{
    const struct lockmode *m = find_mode(dialect, mode, NULL);

    if (known)
        *known = m != NULL;
    return m ? m->blocks : MG_BLOCKS_DML | MG_BLOCKS_DDL;
}

const char *mg_lock_label(const char *dialect, const char *mode)
{
    const struct lockmode *m = find_mode(dialect, mode, NULL);
    return m ? m->label : mode;
}

int mg_lock_rank(const char *dialect, const char *mode)
{
    int rank;
    find_mode(dialect, mode, &rank);
    return rank;
}

void mg_blocks_text(struct mg_buf *out, unsigned blocks)
{
    static const struct {
        unsigned bit;
        const char *name;
    } ops[] = {{MG_BLOCKS_SELECT, "SELECT"},
               {MG_BLOCKS_INSERT, "INSERT"},
               {MG_BLOCKS_UPDATE, "UPDATE"},
               {MG_BLOCKS_DELETE, "DELETE"}};
    int any = 0;

    for (size_t i = 0; i < MG_ARRAY_SIZE(ops); i++) {
        if (!(blocks & ops[i].bit))
            continue;
        mg_buf_addf(out, "%s%s", any ? ", " : "", ops[i].name);
        any = 1;
    }
    if (!any)
        mg_buf_adds(out, "nothing");
}

const char *mg_work_name(enum mg_work_kind k)
{
    switch (k) {
    case MG_WORK_REWRITE:
        return "rewrite";
    case MG_WORK_INDEX_BUILD:
        return "index_build";
    case MG_WORK_SCAN:
        return "scan";
    case MG_WORK_WRITE:
        return "write";
    case MG_WORK_TRUNCATE:
        return "truncate";
    }
    return "scan";
}

/* ---------- lifetime ---------- */

void mg_estimate_init(struct mg_estimate *e, const char *dialect)
{
    memset(e, 0, sizeof(*e));
    e->dialect = dialect;
    e->max_blocking_ms = -1;
}

static void stmt_free(struct mg_est_stmt *s)
{
    for (size_t i = 0; i < s->nlocks; i++) {
        free(s->locks[i].relation);
        free(s->locks[i].table);
        free(s->locks[i].mode);
    }
    for (size_t i = 0; i < s->nwork; i++) {
        free(s->work[i].relation);
        free(s->work[i].schema);
        free(s->work[i].name);
    }
    mg_strv_free(s->rewrites, s->nrewrites);
    free(s->locks);
    free(s->work);
    free(s->sql);
    free(s->error);
    free(s->scale_basis);
    free(s->verdict_text);
    free(s->algorithm);
    free(s->lock_clause);
    free(s->tried);
    free(s->note);
}

void mg_estimate_free(struct mg_estimate *e)
{
    for (size_t i = 0; i < e->n; i++) {
        struct mg_est_mig *m = &e->v[i];
        for (size_t k = 0; k < m->n; k++)
            stmt_free(&m->v[k]);
        free(m->v);
        free(m->name);
        free(m->file);
        free(m->worst);
        free(m->verdict_text);
    }
    free(e->v);
    memset(e, 0, sizeof(*e));
}

void mg_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---------- scaling ---------- */

void mg_estimate_tables(const struct mg_estimate *e, struct drv_conn *quoter, char ***out,
                        size_t *n)
{
    struct mg_buf q = MG_BUF_INIT;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k < e->v[i].n; k++)
            for (size_t w = 0; w < e->v[i].v[k].nwork; w++) {
                const struct mg_est_work *x = &e->v[i].v[k].work[w];
                int seen = 0;
                mg_buf_reset(&q);
                if (x->schema[0]) {
                    drv_quote_ident(quoter, &q, x->schema);
                    mg_buf_addch(&q, '.');
                }
                drv_quote_ident(quoter, &q, x->name);
                for (size_t j = 0; j < *n && !seen; j++)
                    seen = !strcmp((*out)[j], q.ptr);
                if (seen)
                    continue;
                mg_grow_array((void **)out, &cap, *n + 1, sizeof(char *));
                (*out)[(*n)++] = mg_strdup(q.ptr);
            }
    mg_buf_free(&q);
}

void mg_estimate_set_target(struct mg_estimate *e, const struct drv_rels *target)
{
    e->scaled = 1;
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k < e->v[i].n; k++)
            for (size_t w = 0; w < e->v[i].v[k].nwork; w++) {
                struct mg_est_work *x = &e->v[i].v[k].work[w];
                x->target_size = -1;
                for (size_t r = 0; r < target->n; r++) {
                    const struct drv_rel *t = &target->v[r];
                    if (!t->schema || !t->name || strcmp(t->schema, x->schema) ||
                        strcmp(t->name, x->name) || t->kind == DRV_REL_INDEX)
                        continue;
                    if (x->by_rows)
                        x->target_size = t->rows >= 0 ? (long long)t->rows : 0;
                    else if (x->by_pages)
                        x->target_size = t->pages >= 0 ? t->pages : 0;
                    else
                        x->target_size = x->total ? t->total_bytes : t->bytes;
                    break;
                }
            }
}

/* A size as the work item measures it: pages, rows (kind 2) or bytes. */
static void human_bytes(struct mg_buf *out, long long b, int pages)
{
    if (pages == 2) {
        mg_buf_addf(out, "%lld rows", b);
        return;
    }
    if (pages) {
        mg_buf_addf(out, "%lld pages", b);
        return;
    }
    if (b < 10 * 1024)
        mg_buf_addf(out, "%lld bytes", b);
    else if (b < 10LL * 1024 * 1024)
        mg_buf_addf(out, "%.0f kB", (double)b / 1024);
    else if (b < 10LL * 1024 * 1024 * 1024)
        mg_buf_addf(out, "%.0f MB", (double)b / (1024 * 1024));
    else
        mg_buf_addf(out, "%.1f GB", (double)b / (1024.0 * 1024 * 1024));
}

/*
 * The duration on the target: a fixed part (a round trip: parsing, catalog
 * changes) that does not grow, and the rest, which grows with the size of
 * the tables the statement rewrote, scanned, indexed or wrote, as the ratio
 * of their summed sizes on the target and on the clone.
 */
static void scale_stmt(const struct mg_estimate *e, struct mg_est_stmt *s)
{
    struct mg_buf basis = MG_BUF_INIT;
    double sum_c = 0, sum_t = 0;
    int any = 0;

    s->factor = 1;
    s->unscalable = 0;
    for (size_t w = 0; w < s->nwork; w++) {
        const struct mg_est_work *x = &s->work[w];
        if (x->kind == MG_WORK_TRUNCATE)
            continue;
        long long c = x->clone_size > 0 ? x->clone_size : 0;
        long long t = !e->scaled ? c : x->target_size >= 0 ? x->target_size : c;
        int dup = 0;
        /* one table counts once even when the statement did several kinds of work on it */
        for (size_t j = 0; j < w; j++)
            if (s->work[j].kind != MG_WORK_TRUNCATE && !strcmp(s->work[j].schema, x->schema) &&
                !strcmp(s->work[j].name, x->name) && s->work[j].total == x->total)
                dup = 1;
        if (dup)
            continue;
        sum_c += (double)c;
        sum_t += (double)t;
        if (any)
            mg_buf_adds(&basis, "; ");
        mg_buf_addf(&basis, "%s%s%s%s ", x->schema, x->schema[0] ? "." : "", x->name,
                    x->total ? " with indexes" : "");
        if (!e->scaled) {
            human_bytes(&basis, c, x->by_rows ? 2 : x->by_pages);
            mg_buf_adds(&basis, " on the clone");
        } else if (x->target_size < 0) {
            mg_buf_adds(&basis, "not on the target yet: same size as on the clone");
        } else {
            human_bytes(&basis, t, x->by_rows ? 2 : x->by_pages);
            mg_buf_adds(&basis, " on the target, ");
            human_bytes(&basis, c, x->by_rows ? 2 : x->by_pages);
            mg_buf_adds(&basis, " on the clone");
        }
        any = 1;
    }
    if (!any) {
        mg_buf_adds(&basis, "metadata only: does not grow with table size");
    } else if (!e->scaled) {
        mg_buf_adds(&basis, " (no target given: not scaled)");
    } else if (sum_c <= 0 && sum_t > 0) {
        s->unscalable = 1;
        mg_buf_adds(&basis, " (empty on the clone: cannot scale)");
    } else if (sum_c > 0) {
        s->factor = sum_t / sum_c;
    }
    free(s->scale_basis);
    s->scale_basis = mg_buf_detach(&basis);
    if (s->error) {
        s->predicted_ms = -1;
        return;
    }
    if (s->unscalable) {
        s->predicted_ms = -1;
        return;
    }
    double fixed = s->clone_ms < e->overhead_ms ? s->clone_ms : e->overhead_ms;
    s->predicted_ms = fixed + (s->clone_ms - fixed) * s->factor;
}

/* "~1.2s", "~350ms", "<1ms" */
static void approx(struct mg_buf *out, double ms)
{
    if (ms < 0) {
        mg_buf_adds(out, "unknown");
        return;
    }
    if (ms < 1) {
        mg_buf_adds(out, "<1ms");
        return;
    }
    mg_buf_addch(out, '~');
    mg_format_duration(out, ms);
}

static void set_verdict(const char **code, char **text, double reads, double writes, int blocks_r,
                        int blocks_w)
{
    struct mg_buf b = MG_BUF_INIT;

    free(*text);
    if (blocks_r) {
        *code = "blocks_reads_writes";
        mg_buf_adds(&b, "blocks reads and writes ");
        if (reads < 0 || writes < 0) {
            mg_buf_adds(&b, "for an unknown time");
        } else if (writes > reads + 0.5) {
            approx(&b, writes);
            mg_buf_adds(&b, " (writes), ");
            approx(&b, reads);
            mg_buf_adds(&b, " (reads)");
        } else {
            approx(&b, reads);
        }
    } else if (blocks_w) {
        *code = "blocks_writes";
        mg_buf_adds(&b, "blocks writes ");
        if (writes < 0)
            mg_buf_adds(&b, "for an unknown time");
        else
            approx(&b, writes);
    } else {
        *code = "safe";
        mg_buf_adds(&b, "safe");
    }
    *text = mg_buf_detach(&b);
}

/* What the statement's own locks block, ignoring relations it created. */
/*
 * What the statement's own locks block (relations it created left out), and
 * for how long each kind of access waits when the statement holds its locks
 * for only a part of its run: the predicted duration times the share held,
 * or, for a lock taken only for the moment its change is switched in (an
 * online ALTER's exclusive phases), the time it was held on the clone.
 */
static void stmt_blocks(const struct mg_est_stmt *s, int *reads, int *writes, double *win_r,
                        double *win_w)
{
    double p = s->predicted_ms;

    *reads = *writes = 0;
    *win_r = *win_w = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        const struct mg_est_lock *l = &s->locks[i];
        if (l->created)
            continue;
        double win = l->fixed ? l->held_ms : p < 0 ? -1 : p * l->held_fraction;
        if (l->blocks & MG_BLOCKS_SELECT) {
            if (!*reads || win < 0 || (*win_r >= 0 && win > *win_r))
                *win_r = win;
            *reads = 1;
        }
        if (l->blocks & MG_BLOCKS_WRITES) {
            if (!*writes || win < 0 || (*win_w >= 0 && win > *win_w))
                *win_w = win;
            *writes = 1;
        }
    }
}

/* The table the statement blocks for the longest, for the migration summary. */
static const char *blocked_table(const struct mg_est_stmt *s, int reads)
{
    const char *best = NULL;
    int best_rank = 0;

    for (size_t i = 0; i < s->nlocks; i++) {
        const struct mg_est_lock *l = &s->locks[i];
        unsigned want = reads ? MG_BLOCKS_SELECT : MG_BLOCKS_WRITES;
        if (l->created || !(l->blocks & want))
            continue;
        int rank = (l->blocks & MG_BLOCKS_SELECT) ? 2 : 1;
        if (rank > best_rank) {
            best_rank = rank;
            best = l->table ? l->table : l->relation;
        }
    }
    return best;
}

/*
 * Folds a statement's window into the migration's longest; an unknown (-1)
 * one wins.  Returns 1 when v became the longest.
 */
static int merge_window(double *acc, int *has, double v)
{
    if (!*has) {
        *has = 1;
        *acc = v;
        return 1;
    }
    if (*acc < 0)
        return 0;
    if (v < 0 || v > *acc) {
        *acc = v;
        return 1;
    }
    return 0;
}

void mg_estimate_finish(struct mg_estimate *e)
{
    for (size_t i = 0; i < e->n; i++) {
        struct mg_est_mig *m = &e->v[i];
        double suffix = 0;
        int suffix_unknown = 0;
        for (size_t k = 0; k < m->n; k++)
            scale_stmt(e, &m->v[k]);
        m->predicted_ms = 0;
        m->window_reads_ms = m->window_writes_ms = 0;
        free(m->worst);
        m->worst = NULL;
        int mr = 0, mw = 0;
        /* walk backwards: in one transaction a lock stays until the last statement ends */
        for (size_t k = m->n; k-- > 0;) {
            struct mg_est_stmt *s = &m->v[k];
            int r, w;
            double fr, fw;
            if (s->predicted_ms < 0)
                suffix_unknown = 1;
            else
                suffix += s->predicted_ms;
            stmt_blocks(s, &r, &w, &fr, &fw);
            if (m->transaction && !s->sampled) {
                double win = suffix_unknown ? -1 : suffix;
                s->window_reads_ms = r ? win : 0;
                s->window_writes_ms = w ? win : 0;
                s->until_commit = k + 1 < m->n && (r || w);
            } else {
                s->window_reads_ms = r ? fr : 0;
                s->window_writes_ms = w ? fw : 0;
                s->until_commit = 0;
            }
            set_verdict(&s->verdict, &s->verdict_text, s->window_reads_ms, s->window_writes_ms, r,
                        w);
            /* the migration: the longest window of any of its statements (unknown wins) */
            if (r && merge_window(&m->window_reads_ms, &mr, s->window_reads_ms)) {
                free(m->worst);
                m->worst = blocked_table(s, 1) ? mg_strdup(blocked_table(s, 1)) : NULL;
            }
            if (w && merge_window(&m->window_writes_ms, &mw, s->window_writes_ms) && !mr) {
                free(m->worst);
                m->worst = blocked_table(s, 0) ? mg_strdup(blocked_table(s, 0)) : NULL;
            }
        }
        m->predicted_ms = suffix_unknown ? -1 : suffix;
        set_verdict(&m->verdict, &m->verdict_text, m->window_reads_ms, m->window_writes_ms, mr, mw);
    }
}

size_t mg_estimate_exceeding(const struct mg_estimate *e, struct mg_buf *first)
{
    size_t count = 0;

    if (e->max_blocking_ms < 0)
        return 0;
    for (size_t i = 0; i < e->n; i++)
        for (size_t k = 0; k < e->v[i].n; k++) {
            const struct mg_est_stmt *s = &e->v[i].v[k];
            double win =
                s->window_writes_ms > s->window_reads_ms ? s->window_writes_ms : s->window_reads_ms;
            int blocks = strcmp(s->verdict ? s->verdict : "safe", "safe") != 0;
            int unknown = blocks && (s->window_reads_ms < 0 || s->window_writes_ms < 0);
            if (!unknown && !(blocks && win > (double)e->max_blocking_ms))
                continue;
            if (!count && first) {
                mg_buf_addf(first, "%s:%d: %s", e->v[i].file, s->line, s->verdict_text);
                if (unknown)
                    mg_buf_adds(first, " (counted as too long)");
            }
            count++;
        }
    return count;
}

/* ---------- identity ---------- */

int mg_refuse_same_database(struct drv_conn *a, const char *a_what, struct drv_conn *b,
                            const char *b_what, struct mg_err *err)
{
    struct drv_db_identity ia, ib;
    int rc;

    rc = drv_db_identity(a, &ia, err);
    if (!rc)
        rc = drv_db_identity(b, &ib, err);
    if (rc)
        return rc;
    if (strcmp(ia.server_id, ib.server_id) || strcmp(ia.started, ib.started) ||
        strcmp(ia.database_id, ib.database_id) || strcmp(ia.database, ib.database))
        return 0;
    mg_err_set(err, MG_EUSAGE, "the %s and the %s are the same database", a_what, b_what);
    mg_err_detail(err,
                  "both reach database '%s' (oid %s) on the server with system identifier %s, "
                  "started %s (%s)",
                  ia.database, ia.database_id[0] ? ia.database_id : "unknown",
                  ia.server_id[0] ? ia.server_id : "unknown", ia.started, ia.address);
    mg_err_hint(err,
                "the %s is changed by this command; give a copy: a restored snapshot, a "
                "staging database, or one made with 'migrate clone --from URL --sandbox'",
                a_what);
    return MG_EUSAGE;
}

/* ---------- output ---------- */

static json_t *ms_json(double ms)
{
    return ms < 0 ? json_null() : json_real(floor(ms * 10 + 0.5) / 10);
}

static const char *kind_name(char kind)
{
    switch (kind) {
    case DRV_REL_TABLE:
        return "table";
    case DRV_REL_PARTITIONED:
        return "partitioned table";
    case DRV_REL_INDEX:
        return "index";
    case DRV_REL_PARTITIONED_INDEX:
        return "partitioned index";
    case DRV_REL_MATVIEW:
        return "materialized view";
    case DRV_REL_SEQUENCE:
        return "sequence";
    case DRV_REL_VIEW:
        return "view";
    case DRV_REL_FOREIGN:
        return "foreign table";
    default:
        return "relation";
    }
}

static json_t *blocks_json(unsigned blocks)
{
    json_t *a = json_array();
    if (blocks & MG_BLOCKS_SELECT)
        json_array_append_new(a, json_string("SELECT"));
    if (blocks & MG_BLOCKS_INSERT)
        json_array_append_new(a, json_string("INSERT"));
    if (blocks & MG_BLOCKS_UPDATE)
        json_array_append_new(a, json_string("UPDATE"));
    if (blocks & MG_BLOCKS_DELETE)
        json_array_append_new(a, json_string("DELETE"));
    return a;
}

static json_t *stmt_json(const struct mg_estimate *e, const struct mg_est_stmt *s)
{
    json_t *o = json_object(), *locks = json_array(), *work = json_array(), *rw = json_array();
    long long read = 0, written = 0;

    json_object_set_new(o, "index", json_integer(s->index));
    json_object_set_new(o, "line", json_integer(s->line));
    json_object_set_new(o, "sql", json_string(s->sql));
    json_object_set_new(o, "sampled", json_boolean(s->sampled));
    if (s->sampled)
        json_object_set_new(o, "samples", json_integer(s->samples));
    else
        json_object_set_new(o, "runs", json_integer(s->runs));
    for (size_t i = 0; i < s->nlocks; i++) {
        const struct mg_est_lock *l = &s->locks[i];
        json_t *x = json_object();
        json_object_set_new(x, "relation", json_string(l->relation));
        json_object_set_new(x, "kind", json_string(kind_name(l->kind)));
        json_object_set_new(x, "table", l->table ? json_string(l->table) : json_null());
        json_object_set_new(x, "mode", json_string(l->mode));
        json_object_set_new(x, "mode_sql", json_string(mg_lock_label(e->dialect, l->mode)));
        json_object_set_new(x, "blocks", blocks_json(l->created ? 0 : l->blocks));
        json_object_set_new(x, "blocks_ddl_and_vacuum",
                            json_boolean(!l->created && (l->blocks & MG_BLOCKS_DDL)));
        json_object_set_new(x, "created", json_boolean(l->created));
        if (s->sampled) {
            json_object_set_new(x, "awaited", json_boolean(l->awaited));
            json_object_set_new(x, "held_fraction",
                                json_real(floor(l->held_fraction * 100 + 0.5) / 100));
            json_object_set_new(x, "held_ms", ms_json(l->held_ms));
            json_object_set_new(x, "switch_in_only", json_boolean(l->fixed));
        }
        json_array_append_new(locks, x);
    }
    json_object_set_new(o, "locks", locks);
    if (s->algorithm || s->lock_clause) {
        json_object_set_new(o, "algorithm", s->algorithm ? json_string(s->algorithm) : json_null());
        json_object_set_new(o, "lock", s->lock_clause ? json_string(s->lock_clause) : json_null());
    }
    if (s->tried)
        json_object_set_new(o, "refused", json_string(s->tried));
    if (s->note)
        json_object_set_new(o, "note", json_string(s->note));
    for (size_t i = 0; i < s->nrewrites; i++)
        json_array_append_new(rw, json_string(s->rewrites[i]));
    json_object_set_new(o, "rewrite", json_boolean(s->nrewrites > 0));
    json_object_set_new(o, "rewrites", rw);
    for (size_t i = 0; i < s->nwork; i++) {
        const struct mg_est_work *w = &s->work[i];
        json_t *x = json_object();
        json_object_set_new(x, "kind", json_string(mg_work_name(w->kind)));
        json_object_set_new(x, "relation", json_string(w->relation));
        json_object_set_new(x, "schema", json_string(w->schema));
        json_object_set_new(x, "table", json_string(w->name));
        json_object_set_new(x, "measure",
                            json_string(w->by_rows    ? "rows"
                                        : w->by_pages ? "pages"
                                        : w->total    ? "total_bytes"
                                                      : "bytes"));
        json_object_set_new(x, "clone_size", json_integer(w->clone_size));
        json_object_set_new(x, "target_size",
                            e->scaled && w->target_size >= 0 ? json_integer(w->target_size)
                                                             : json_null());
        json_object_set_new(x, "rows_read", json_integer(w->rows_read));
        json_object_set_new(x, "rows_written", json_integer(w->rows_written));
        read += w->rows_read;
        written += w->rows_written;
        json_array_append_new(work, x);
    }
    json_object_set_new(o, "work", work);
    json_object_set_new(o, "rows",
                        json_pack("{s:I,s:I,s:I}", "reported", (json_int_t)s->rows, "read",
                                  (json_int_t)read, "written", (json_int_t)written));
    json_object_set_new(o, "clone_ms", ms_json(s->clone_ms));
    if (s->sampled)
        json_object_set_new(o, "waited_ms", ms_json(s->waited_ms));
    json_object_set_new(o, "factor", json_real(floor(s->factor * 1000 + 0.5) / 1000));
    json_object_set_new(o, "scaled_by", json_string(s->scale_basis ? s->scale_basis : ""));
    json_object_set_new(o, "predicted_ms", ms_json(s->predicted_ms));
    json_object_set_new(o, "blocking",
                        json_pack("{s:o,s:o,s:b}", "reads_ms", ms_json(s->window_reads_ms),
                                  "writes_ms", ms_json(s->window_writes_ms), "until_commit",
                                  s->until_commit));
    json_object_set_new(o, "verdict", json_string(s->verdict ? s->verdict : "safe"));
    json_object_set_new(o, "verdict_text", json_string(s->verdict_text ? s->verdict_text : "safe"));
    if (s->error)
        json_object_set_new(o, "error", json_string(s->error));
    return o;
}

json_t *mg_estimate_json(const struct mg_estimate *e)
{
    json_t *migs = json_array();
    double total = 0, longest = 0;
    int total_unknown = 0;
    size_t nstmts = 0;

    for (size_t i = 0; i < e->n; i++) {
        const struct mg_est_mig *m = &e->v[i];
        json_t *o = json_object(), *st = json_array();
        json_object_set_new(o, "version", json_integer((json_int_t)m->version));
        json_object_set_new(o, "name", json_string(m->name));
        json_object_set_new(o, "file", json_string(m->file));
        json_object_set_new(o, "transaction", json_boolean(m->transaction));
        for (size_t k = 0; k < m->n; k++)
            json_array_append_new(st, stmt_json(e, &m->v[k]));
        nstmts += m->n;
        json_object_set_new(o, "statements", st);
        json_object_set_new(o, "failed", json_boolean(m->failed));
        json_object_set_new(o, "predicted_ms", ms_json(m->predicted_ms));
        json_object_set_new(o, "blocking",
                            json_pack("{s:o,s:o,s:o}", "reads_ms", ms_json(m->window_reads_ms),
                                      "writes_ms", ms_json(m->window_writes_ms), "relation",
                                      m->worst ? json_string(m->worst) : json_null()));
        json_object_set_new(o, "verdict", json_string(m->verdict ? m->verdict : "safe"));
        json_object_set_new(o, "verdict_text",
                            json_string(m->verdict_text ? m->verdict_text : "safe"));
        json_array_append_new(migs, o);
        if (m->predicted_ms < 0)
            total_unknown = 1;
        else
            total += m->predicted_ms;
        if (m->window_reads_ms > longest)
            longest = m->window_reads_ms;
        if (m->window_writes_ms > longest)
            longest = m->window_writes_ms;
    }
    struct mg_buf first = MG_BUF_INIT;
    size_t over = mg_estimate_exceeding(e, &first);
    json_t *summary =
        json_pack("{s:I,s:I,s:o,s:o,s:o,s:I}", "migrations", (json_int_t)e->n, "statements",
                  (json_int_t)nstmts, "predicted_ms", ms_json(total_unknown ? -1 : total),
                  "longest_blocking_ms", ms_json(longest), "max_blocking_ms",
                  e->max_blocking_ms < 0 ? json_null() : json_integer(e->max_blocking_ms),
                  "exceeding", (json_int_t)over);
    mg_buf_free(&first);
    return json_pack("{s:b,s:o,s:o,s:o}", "scaled", e->scaled, "overhead_ms",
                     ms_json(e->overhead_ms), "migrations", migs, "summary", summary);
}

/* What a mode that blocks schema changes blocks besides DML, in the dialect's words. */
static const char *ddl_text(const struct mg_estimate *e, int only)
{
    int my = e->dialect && !strcmp(e->dialect, "mysql");
    if (only)
        return my ? " of DML; other DDL" : " of DML; VACUUM, DDL";
    return my ? ", other DDL" : ", VACUUM, DDL";
}

/* The strongest mode per relation, one line each; locks that block nothing are counted. */
static void text_locks(const struct mg_estimate *e, const struct mg_est_stmt *s, struct mg_buf *out)
{
    int first = 1, weak = 0;

    for (size_t i = 0; i < s->nlocks; i++) {
        const struct mg_est_lock *l = &s->locks[i];
        int stronger = 0;
        for (size_t j = 0; j < s->nlocks && !stronger; j++) {
            const struct mg_est_lock *o = &s->locks[j];
            if (j == i || strcmp(o->relation, l->relation))
                continue;
            int ro = mg_lock_rank(e->dialect, o->mode), rl = mg_lock_rank(e->dialect, l->mode);
            stronger = ro > rl || (ro == rl && j < i);
        }
        if (stronger)
            continue;
        if (!l->created && !(l->blocks & (MG_BLOCKS_DML | MG_BLOCKS_DDL))) {
            weak++;
            continue;
        }
        mg_buf_addf(out, "    %s %s", first ? "locks:   " : "         ", l->relation);
        if ((l->kind == DRV_REL_INDEX || l->kind == DRV_REL_PARTITIONED_INDEX) && l->table)
            mg_buf_addf(out, " (index of %s)", l->table);
        mg_buf_addf(out, " %s", mg_lock_label(e->dialect, l->mode));
        if (l->created) {
            mg_buf_adds(out, " (created by the statement)");
        } else {
            mg_buf_adds(out, ": blocks ");
            mg_blocks_text(out, l->blocks);
            if (l->blocks & MG_BLOCKS_DDL)
                mg_buf_adds(out, (l->blocks & MG_BLOCKS_DML) ? ddl_text(e, 0) : ddl_text(e, 1));
        }
        if (s->sampled && l->awaited)
            mg_buf_adds(out, " (waited for it)");
        if (l->fixed)
            mg_buf_adds(out, " (only to switch the change in: held ");
        if (l->fixed) {
            mg_format_duration(out, l->held_ms);
            mg_buf_adds(out, " on the clone, not scaled)");
        }
        mg_buf_addch(out, '\n');
        first = 0;
    }
    if (weak)
        mg_buf_addf(out, "    %s %d weaker lock%s that block%s nothing\n",
                    first ? "locks:   " : "         ", weak, weak == 1 ? "" : "s",
                    weak == 1 ? "s" : "");
    else if (first)
        mg_buf_addf(out, "    locks:    none%s\n",
                    s->sampled ? " seen (sampled; a lock held between two samples is missed)" : "");
}

static void text_stmt(const struct mg_estimate *e, const struct mg_est_mig *m,
                      const struct mg_est_stmt *s, struct mg_buf *out)
{
    mg_buf_addf(out, "  %s:%d: %s\n", m->file, s->line, s->sql);
    if (s->error) {
        mg_buf_addf(out, "    FAILED on the clone: %s\n", s->error);
        return;
    }
    if (s->algorithm || s->lock_clause) {
        mg_buf_addf(out, "    algorithm: %s", s->algorithm ? s->algorithm : "DEFAULT");
        if (s->lock_clause)
            mg_buf_addf(out, ", LOCK=%s", s->lock_clause);
        if (s->tried)
            mg_buf_addf(out, " (refused: %s)", s->tried);
        mg_buf_addch(out, '\n');
    }
    if (s->note)
        mg_buf_addf(out, "    note:     %s\n", s->note);
    text_locks(e, s, out);
    mg_buf_adds(out, "    rewrite:  ");
    if (!s->nrewrites)
        mg_buf_adds(out, "no");
    for (size_t i = 0; i < s->nrewrites; i++)
        mg_buf_addf(out, "%s%s", i ? ", " : "", s->rewrites[i]);
    mg_buf_addch(out, '\n');
    for (size_t i = 0; i < s->nwork; i++) {
        const struct mg_est_work *w = &s->work[i];
        mg_buf_addf(out, "    %s %s of %s", i ? "         " : "work:    ",
                    w->kind == MG_WORK_REWRITE       ? "rewrite"
                    : w->kind == MG_WORK_INDEX_BUILD ? "index build"
                    : w->kind == MG_WORK_SCAN        ? "scan"
                    : w->kind == MG_WORK_WRITE       ? "row writes"
                                                     : "truncation",
                    w->relation);
        if (w->rows_read || w->rows_written)
            mg_buf_addf(out, " (%lld rows read, %lld written)", w->rows_read, w->rows_written);
        mg_buf_addch(out, '\n');
    }
    mg_buf_adds(out, "    clone:    ");
    mg_format_duration(out, s->clone_ms);
    if (s->runs > 1)
        mg_buf_addf(out, " (median of %d runs)", s->runs);
    if (s->sampled && s->waited_ms >= 1) {
        mg_buf_adds(out, " (plus ");
        mg_format_duration(out, s->waited_ms);
        mg_buf_adds(out, " waiting for other sessions, not counted)");
    }
    if (s->rows >= 0)
        mg_buf_addf(out, ", %lld rows", s->rows);
    mg_buf_adds(out, "\n    target:   ");
    approx(out, s->predicted_ms);
    if (s->factor != 1 || s->unscalable || s->nwork)
        mg_buf_addf(out, " (x%.3g: %s)", s->factor, s->scale_basis);
    else
        mg_buf_addf(out, " (%s)", s->scale_basis);
    mg_buf_adds(out, "\n    blocking: ");
    if (!s->window_reads_ms && !s->window_writes_ms) {
        mg_buf_adds(out, "none");
    } else {
        if (s->window_writes_ms) {
            mg_buf_adds(out, "writes ");
            approx(out, s->window_writes_ms);
        }
        if (s->window_reads_ms) {
            mg_buf_adds(out, ", reads ");
            approx(out, s->window_reads_ms);
        } else {
            mg_buf_adds(out, "; reads go on");
        }
        if (s->until_commit)
            mg_buf_adds(out, " (held until the migration commits)");
    }
    mg_buf_addf(out, "\n    verdict:  %s\n", s->verdict_text ? s->verdict_text : "safe");
}

void mg_estimate_text(const struct mg_estimate *e, struct mg_buf *out)
{
    for (size_t i = 0; i < e->n; i++) {
        const struct mg_est_mig *m = &e->v[i];
        mg_buf_addf(out, "%llu_%s (%s): %s, %zu statement%s\n", (unsigned long long)m->version,
                    m->name, m->file,
                    m->transaction ? "one transaction" : "statement by statement, no transaction",
                    m->n, m->n == 1 ? "" : "s");
        for (size_t k = 0; k < m->n; k++)
            text_stmt(e, m, &m->v[k], out);
        mg_buf_adds(out, "  summary:  ");
        approx(out, m->predicted_ms);
        mg_buf_addf(out, " on the target; %s", m->verdict_text ? m->verdict_text : "safe");
        if (m->worst)
            mg_buf_addf(out, " (%s)", m->worst);
        if (m->failed)
            mg_buf_adds(out, "; FAILED on the clone, the rest was not observed");
        mg_buf_adds(out, "\n\n");
    }
    if (!e->n)
        mg_buf_adds(out, "no pending migrations: nothing to estimate\n");
}
