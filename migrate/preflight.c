/*
 * preflight.c — the checks of `migrate preflight` (see preflight.h and
 * docs/commands/preflight.md), the tables they look at, and the output.  On
 * PostgreSQL every query is a read of the server's views (pg_stat_activity,
 * pg_locks, pg_stat_replication, pg_class) from sql/postgres/preflight_*.sql;
 * the tables come from the pending files' parse trees.  MySQL and MariaDB
 * have their checks in preflight_my.c; their tables come from the
 * statements' words (relnames.c).
 */
#include "preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "log.h"
#include "preflight_int.h"
#include "relnames.h"
#include "sqltext.h"
#include "util.h"

void mg_pf_add(struct mg_preflight *p, int finding, const char *check, json_t *json,
               const char *fmt, ...)
{
    struct mg_buf b = MG_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    mg_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    p->v = mg_realloc(p->v, (p->n + 1) * sizeof(*p->v));
    p->v[p->n].finding = finding;
    p->v[p->n].check = check;
    p->v[p->n].text = mg_buf_detach(&b);
    p->v[p->n].json = json ? json : json_object();
    p->n++;
}

void mg_pf_bytes(struct mg_buf *out, long long b)
{
    if (b < 10 * 1024)
        mg_buf_addf(out, "%lld bytes", b);
    else if (b < 10LL * 1024 * 1024)
        mg_buf_addf(out, "%.0f kB", (double)b / 1024);
    else if (b < 10LL * 1024 * 1024 * 1024)
        mg_buf_addf(out, "%.0f MB", (double)b / (1024 * 1024));
    else
        mg_buf_addf(out, "%.1f GB", (double)b / (1024.0 * 1024 * 1024));
}

/* The JSON array of the touched relations' ids (tables and their indexes). */
static char *id_list(const struct drv_rels *rels)
{
    json_t *a = json_array();
    for (size_t i = 0; i < rels->n; i++)
        json_array_append_new(a, json_string(rels->v[i].id));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/*
 * MySQL and MariaDB: each name the statements use, looked up on its own (a
 * name without a database is in the target's), so that a table keeps the
 * database it is in: the driver's relations leave it out.
 */
static int my_tables(struct mg_preflight *p, struct drv_conn *c, const struct mg_relnames *all,
                     char *const *where, struct mg_err *err)
{
    for (size_t j = 0; j < all->n; j++) {
        const struct mg_relname *x = &all->v[j];
        const char *names[1] = {x->qname};
        const char *schema = x->schema ? x->schema : c->info.database;
        struct drv_rels one;
        struct mg_pf_table *t = NULL;
        int rc = drv_relation_stats(c, names, 1, &one, err);
        if (rc)
            return rc;
        if (one.n != 1 || one.v[0].kind == DRV_REL_VIEW) {
            drv_rels_free(&one);
            continue; /* not there yet (created by a pending migration), or a view */
        }
        for (size_t i = 0; i < p->ntables && !t; i++)
            if (!strcmp(p->tables[i].schema, schema) && !strcmp(p->tables[i].name, one.v[0].name))
                t = &p->tables[i];
        if (!t) {
            struct mg_buf b = MG_BUF_INIT;
            p->tables = mg_realloc(p->tables, (p->ntables + 1) * sizeof(*p->tables));
            t = &p->tables[p->ntables++];
            memset(t, 0, sizeof(*t));
            mg_buf_addf(&b, "%s.%s", schema, one.v[0].name);
            t->relation = mg_buf_detach(&b);
            t->schema = mg_strdup(schema);
            t->name = mg_strdup(one.v[0].name);
            t->id = mg_strdup(one.v[0].name);
            t->bytes = one.v[0].bytes;
            t->total_bytes = one.v[0].total_bytes;
            t->where = mg_strdup(where[j]);
        }
        if (x->may_rewrite && !t->may_rewrite)
            t->may_rewrite = x->may_rewrite;
        drv_rels_free(&one);
    }
    return 0;
}

/* The tables (and indexes) that the pending files name, as they exist on the target. */
static int find_tables(struct mg_preflight *p, struct drv_conn *c, const struct mg_status *st,
                       struct drv_rels *rels, struct mg_err *err)
{
    struct mg_relnames all = {0};
    char **where = NULL;
    size_t nwhere = 0;
    int rc = 0, my = !strcmp(c->info.dialect, "mysql");

    for (size_t i = 0; i < st->n; i++) {
        const struct mg_entry *e = &st->v[i];
        struct drv_stmt *stmts;
        size_t n;
        if (!(e->state == MG_ST_PENDING || e->state == MG_ST_FAILED ||
              e->state == MG_ST_INTERRUPTED) ||
            !e->m || !e->m->up)
            continue;
        p->pending++;
        const struct mg_file *f = e->m->up;
        struct mg_err serr;
        mg_err_clear(&serr);
        if (drv_split(c->ops, &stmts, &n, f->text.ptr, f->text.len, c->info.version_num, &serr)) {
            mg_warn("%s: %s; its tables are not checked", f->path, serr.msg);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (stmts[k].flags & DRV_STMT_DELIMITER)
                continue;
            char *text = mg_strndup(f->text.ptr + stmts[k].off, stmts[k].len);
            size_t before = all.n;
            mg_err_clear(&serr);
            if (my)
                mg_my_relnames(&all, text);
            else if (mg_pg_relnames(&all, text, &serr))
                mg_warn("%s:%d: %s; the tables of this statement are not checked", f->path,
                        stmts[k].line, serr.msg);
            free(text);
            for (size_t j = before; j < all.n; j++) {
                struct mg_buf w = MG_BUF_INIT;
                mg_buf_addf(&w, "%s:%d", f->path, stmts[k].line);
                where = mg_realloc(where, (nwhere + 1) * sizeof(char *));
                where[nwhere++] = mg_buf_detach(&w);
            }
        }
        free(stmts);
    }
    if (my) {
        memset(rels, 0, sizeof(*rels));
        rc = my_tables(p, c, &all, where, err);
        goto out;
    }
    const char **names = mg_calloc(all.n ? all.n : 1, sizeof(char *));
    for (size_t i = 0; i < all.n; i++)
        names[i] = all.v[i].qname;
    rc = drv_relation_stats(c, names, all.n, rels, err);
    free(names);
    if (!rc) {
        /* a table once, with the first statement naming it or one of its indexes */
        for (size_t i = 0; i < rels->n; i++) {
            const struct drv_rel *r = &rels->v[i];
            if (r->kind == DRV_REL_INDEX || r->kind == DRV_REL_PARTITIONED_INDEX ||
                r->kind == DRV_REL_SEQUENCE || r->kind == DRV_REL_VIEW)
                continue;
            p->tables = mg_realloc(p->tables, (p->ntables + 1) * sizeof(*p->tables));
            struct mg_pf_table *t = &p->tables[p->ntables++];
            memset(t, 0, sizeof(*t));
            struct mg_buf b = MG_BUF_INIT;
            mg_buf_addf(&b, "%s.%s", r->schema, r->name);
            t->relation = mg_buf_detach(&b);
            t->schema = mg_strdup(r->schema);
            t->name = mg_strdup(r->name);
            t->id = mg_strdup(r->id);
            t->bytes = r->bytes;
            t->total_bytes = r->total_bytes;
            for (size_t j = 0; j < all.n; j++) {
                const struct mg_relname *x = &all.v[j];
                int same =
                    !strcmp(x->name, r->name) && (!x->schema || !strcmp(x->schema, r->schema));
                /* an index named in a statement leads to its table */
                for (size_t k = 0; !same && k < rels->n; k++)
                    same = rels->v[k].table_id && !strcmp(rels->v[k].table_id, r->id) &&
                           !strcmp(rels->v[k].name, x->name) &&
                           (!x->schema || !strcmp(x->schema, rels->v[k].schema));
                if (!same)
                    continue;
                if (!t->where)
                    t->where = mg_strdup(where[j]);
                if (x->may_rewrite && !t->may_rewrite)
                    t->may_rewrite = x->may_rewrite;
            }
        }
    }
out:
    for (size_t i = 0; i < nwhere; i++)
        free(where[i]);
    free(where);
    mg_relnames_free(&all);
    return rc;
}

static int old_transactions(struct mg_preflight *p, struct drv_conn *c,
                            const struct mg_preflight_opts *o, struct mg_err *err)
{
    char secs[32];
    const char *params[1] = {secs};
    struct drv_result *r;
    int rc;

    snprintf(secs, sizeof(secs), "%.3f", (double)o->max_xact_age_ms / 1000);
    rc = drv_query(c, &r, mg_sql("postgres", "preflight_old_xacts"), params, 1, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nrows; i++) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:s}", "pid", drv_val(r, i, 0), "user",
                              drv_val(r, i, 1), "application", drv_val(r, i, 2), "client",
                              drv_val(r, i, 3), "state", drv_val(r, i, 4), "transaction_s",
                              atof(drv_val(r, i, 5)), "query", drv_val(r, i, 6));
        mg_pf_add(p, 1, "old_transaction", j,
                  "a transaction has been open for %ss: pid %s (user '%s', application '%s', "
                  "from %s, %s); DDL on a table it has touched waits for it, CREATE INDEX "
                  "CONCURRENTLY waits for it anyway, and everything queued behind the DDL waits "
                  "too",
                  drv_val(r, i, 5), drv_val(r, i, 0), drv_val(r, i, 1), drv_val(r, i, 2),
                  drv_val(r, i, 3), drv_val(r, i, 4)[0] ? drv_val(r, i, 4) : "state unknown");
    }
    if (!r->nrows) {
        struct mg_buf d = MG_BUF_INIT;
        mg_format_duration(&d, (double)o->max_xact_age_ms);
        mg_pf_add(p, 0, "old_transaction", NULL, "no transaction older than %s", d.ptr);
        mg_buf_free(&d);
    }
    drv_result_free(r);
    return 0;
}

static int lock_holders(struct mg_preflight *p, struct drv_conn *c, const struct drv_rels *rels,
                        const struct mg_preflight_opts *o, struct mg_err *err)
{
    struct drv_result *r;
    char *ids = id_list(rels);
    const char *params[1] = {ids};
    size_t busy = 0, reported = 0;
    int rc;

    rc = drv_query(c, &r, mg_sql("postgres", "preflight_lock_holders"), params, 1, err);
    free(ids);
    if (rc)
        return rc;
    /* one result per session: its rows are next to each other (ordered by transaction, pid) */
    for (size_t i = 0; i < r->nrows;) {
        const char *pid = drv_val(r, i, 0), *state = drv_val(r, i, 3);
        const char *xact = drv_val(r, i, 4), *since = drv_val(r, i, 5);
        struct mg_buf locks = MG_BUF_INIT;
        json_t *jl = json_array();
        int waiting = 0;
        size_t k = i;
        for (; k < r->nrows && !strcmp(drv_val(r, k, 0), pid); k++) {
            int granted = drv_val(r, k, 8) && drv_val(r, k, 8)[0] == 't';
            waiting |= !granted;
            mg_buf_addf(&locks, "%s%s %s%s", locks.len ? ", " : "", drv_val(r, k, 7),
                        drv_val(r, k, 6), granted ? "" : " (waiting)");
            json_array_append_new(jl, json_pack("{s:s,s:s,s:b}", "relation", drv_val(r, k, 6),
                                                "mode", drv_val(r, k, 7), "granted", granted));
        }
        int idle = !strncmp(state, "idle in transaction", 19);
        int old = xact && atof(xact) * 1000 >= (double)o->max_xact_age_ms;
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "pid", pid, "user",
                              drv_val(r, i, 1), "application", drv_val(r, i, 2), "state", state,
                              "transaction_s", xact ? json_real(atof(xact)) : json_null(),
                              "state_s", since ? json_real(atof(since)) : json_null(), "locks", jl,
                              "query", drv_val(r, i, 9));
        if (waiting) {
            mg_pf_add(p, 1, "lock_queue", j,
                      "pid %s already waits for a lock (%s): a migration's lock request would "
                      "queue behind it",
                      pid, locks.ptr);
            reported++;
        } else if (idle) {
            mg_pf_add(p, 1, "idle_lock_holder", j,
                      "pid %s is idle in transaction (for %ss, transaction open %ss) and holds "
                      "%s: DDL on these would wait until that session ends its transaction, and "
                      "block everything queued behind it",
                      pid, since ? since : "?", xact ? xact : "?", locks.ptr);
            reported++;
        } else if (old) {
            mg_pf_add(p, 1, "lock_holder", j,
                      "pid %s (%s) holds %s in a transaction open for %ss: DDL on these would "
                      "wait for that transaction",
                      pid, state, locks.ptr, xact);
            reported++;
        } else {
            busy++;
            json_decref(j);
        }
        mg_buf_free(&locks);
        i = k;
    }
    drv_result_free(r);
    if (busy)
        mg_pf_add(p, 0, "lock_holder", json_pack("{s:I}", "sessions", (json_int_t)busy),
                  "%zu session%s with short, active transactions hold locks on the touched "
                  "tables (normal traffic; migrations run with a lock timeout)",
                  busy, busy == 1 ? "" : "s");
    else if (!reported)
        mg_pf_add(p, 0, "lock_holder", NULL, "no other session holds a lock on the touched tables");
    return 0;
}

static int replication(struct mg_preflight *p, struct drv_conn *c,
                       const struct mg_preflight_opts *o, struct mg_err *err)
{
    struct drv_result *r;
    int rc = drv_query(c, &r, mg_sql("postgres", "preflight_replication"), NULL, 0, err);
    size_t standbys = 0;

    if (rc)
        return rc;
    if (r->nrows && drv_val(r, 0, 0) && !strcmp(drv_val(r, 0, 0), "true"))
        mg_pf_add(p, 1, "standby", NULL,
                  "the target is a standby in recovery: it is read-only, migrations run on its "
                  "primary");
    for (size_t i = 0; i < r->nrows; i++) {
        const char *name = drv_val(r, i, 1), *lag = drv_val(r, i, 4);
        if (!drv_val(r, i, 3))
            continue; /* the row of (SELECT 1) when nothing streams */
        standbys++;
        json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:s}", "application", name ? name : "", "client",
                              drv_val(r, i, 2), "state", drv_val(r, i, 3), "replay_lag_s",
                              lag ? json_real(atof(lag)) : json_null(), "sync_state",
                              drv_val(r, i, 5) ? drv_val(r, i, 5) : "");
        if (!lag)
            mg_pf_add(p, 0, "replication", j,
                      "standby '%s' (%s): replay lag unknown (the server shows it to superusers "
                      "and pg_monitor; or the standby is idle)",
                      name ? name : "", drv_val(r, i, 2));
        else if (atof(lag) * 1000 > (double)o->max_lag_ms)
            mg_pf_add(p, 1, "replication", j,
                      "standby '%s' (%s) replays %ss behind: a rewrite adds its whole size to the "
                      "WAL it must catch up with",
                      name ? name : "", drv_val(r, i, 2), lag);
        else
            mg_pf_add(p, 0, "replication", j, "standby '%s' (%s) replays %ss behind",
                      name ? name : "", drv_val(r, i, 2), lag);
    }
    if (!standbys)
        mg_pf_add(p, 0, "replication", NULL,
                  "no standby streams from the target (or this user cannot see them)");
    drv_result_free(r);
    return 0;
}

/*
 * Free bytes where the server keeps `folder`, when that folder is on this
 * machine and belongs to this very server (its postmaster.pid names the same
 * port and start time).  Returns 0 with *why filled when it cannot be known.
 */
static int local_free(const char *datadir, const char *port, const char *started,
                      const char *folder, long long *free_bytes, struct mg_buf *why)
{
    struct mg_buf path = MG_BUF_INIT;
    char line[4][1024];
    struct statvfs vfs;
    FILE *f;
    int n = 0;

    mg_buf_addf(&path, "%s/postmaster.pid", datadir);
    f = fopen(path.ptr, "r");
    if (!f) {
        mg_buf_addf(why,
                    "the server's data directory %s is not on this machine (or not readable "
                    "here)",
                    datadir);
        mg_buf_free(&path);
        return 0;
    }
    while (n < 4 && fgets(line[n], sizeof(line[n]), f)) {
        line[n][strcspn(line[n], "\n")] = '\0';
        n++;
    }
    fclose(f);
    mg_buf_free(&path);
    /* postmaster.pid: pid, data directory, start time (epoch), port, ... */
    if (n < 4 || strcmp(line[2], started) || strcmp(line[3], port)) {
        mg_buf_addf(why, "%s on this machine belongs to another server than the target", datadir);
        return 0;
    }
    if (statvfs(folder, &vfs) < 0) {
        mg_buf_addf(why, "cannot read the free space of %s here", folder);
        return 0;
    }
    *free_bytes = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
    return 1;
}

static int disk_room(struct mg_preflight *p, struct drv_conn *c, struct mg_err *err)
{
    json_t *ids = json_array();
    struct drv_result *r;
    int rc, any = 0;

    for (size_t i = 0; i < p->ntables; i++)
        if (p->tables[i].may_rewrite) {
            json_array_append_new(ids, json_string(p->tables[i].id));
            any = 1;
        }
    if (!any) {
        json_decref(ids);
        mg_pf_add(p, 0, "disk", NULL,
                  "no pending statement rewrites a table: no second copy needed");
        return 0;
    }
    char *list = json_dumps(ids, JSON_COMPACT);
    const char *params[1] = {list};
    json_decref(ids);
    rc = drv_query(c, &r, mg_sql("postgres", "preflight_disk"), params, 1, err);
    free(list);
    if (rc)
        return rc;
    for (size_t i = 0; i < p->ntables; i++) {
        const struct mg_pf_table *t = &p->tables[i];
        const char *datadir = NULL, *port = NULL, *started = NULL, *space = "";
        struct mg_buf need = MG_BUF_INIT, why = MG_BUF_INIT, have = MG_BUF_INIT;
        long long free_bytes = 0;
        if (!t->may_rewrite)
            continue;
        for (size_t k = 0; k < r->nrows; k++)
            if (drv_val(r, k, 3) && !strcmp(drv_val(r, k, 3), t->id)) {
                datadir = drv_val(r, k, 0);
                port = drv_val(r, k, 1);
                started = drv_val(r, k, 2);
                space = drv_val(r, k, 4) ? drv_val(r, k, 4) : "";
            }
        mg_pf_bytes(&need, t->total_bytes);
        int known = 0;
        if (!datadir)
            mg_buf_adds(&why, "the server tells its data directory only to superusers and "
                              "pg_read_all_settings, and never its free space over SQL");
        else
            known = local_free(datadir, port ? port : "", started ? started : "",
                               space[0] ? space : datadir, &free_bytes, &why);
        json_t *j = json_pack("{s:s,s:s,s:I,s:b}", "relation", t->relation, "why", t->may_rewrite,
                              "needed_bytes", (json_int_t)t->total_bytes, "knowable", known);
        if (!known) {
            json_object_set_new(j, "reason", json_string(why.ptr));
            mg_pf_add(p, 0, "disk", j,
                      "%s may be rewritten (%s, %s): a second copy needs about %s plus its WAL; "
                      "free space not knowable from here: %s; check it on the server (df)",
                      t->relation, t->where ? t->where : "?", t->may_rewrite, need.ptr, why.ptr);
        } else {
            mg_pf_bytes(&have, free_bytes);
            json_object_set_new(j, "free_bytes", json_integer(free_bytes));
            /* the copy plus as much WAL again */
            mg_pf_add(p, free_bytes < 2 * t->total_bytes, "disk", j,
                      "%s may be rewritten (%s): a second copy needs about %s plus as much WAL; "
                      "%s free: %s",
                      t->relation, t->may_rewrite, need.ptr, have.ptr,
                      free_bytes < 2 * t->total_bytes ? "NOT ENOUGH" : "enough");
        }
        mg_buf_free(&need);
        mg_buf_free(&why);
        mg_buf_free(&have);
    }
    drv_result_free(r);
    return 0;
}

int mg_preflight_run(struct mg_preflight *out, struct drv_conn *target, const struct mg_status *st,
                     const struct mg_preflight_opts *o, struct mg_err *err)
{
    struct drv_rels rels;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = find_tables(out, target, st, &rels, err);
    if (!rc && !strcmp(target->info.dialect, "mysql")) {
        drv_rels_free(&rels);
        return mg_preflight_my(out, target, o, err);
    }
    if (!rc)
        rc = old_transactions(out, target, o, err);
    if (!rc && rels.n)
        rc = lock_holders(out, target, &rels, o, err);
    if (!rc)
        rc = replication(out, target, o, err);
    if (!rc)
        rc = disk_room(out, target, err);
    drv_rels_free(&rels);
    return rc;
}

size_t mg_preflight_findings(const struct mg_preflight *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += p->v[i].finding != 0;
    return n;
}

json_t *mg_preflight_json(const struct mg_preflight *p)
{
    json_t *findings = json_array(), *notes = json_array(), *tables = json_array();

    for (size_t i = 0; i < p->n; i++) {
        json_t *o = json_deep_copy(p->v[i].json);
        json_object_set_new(o, "check", json_string(p->v[i].check));
        json_object_set_new(o, "message", json_string(p->v[i].text));
        json_array_append_new(p->v[i].finding ? findings : notes, o);
    }
    for (size_t i = 0; i < p->ntables; i++) {
        const struct mg_pf_table *t = &p->tables[i];
        json_array_append_new(tables,
                              json_pack("{s:s,s:I,s:I,s:o,s:o}", "relation", t->relation, "bytes",
                                        (json_int_t)t->bytes, "total_bytes",
                                        (json_int_t)t->total_bytes, "may_rewrite",
                                        t->may_rewrite ? json_string(t->may_rewrite) : json_null(),
                                        "first", t->where ? json_string(t->where) : json_null()));
    }
    return json_pack("{s:I,s:o,s:o,s:o}", "pending", (json_int_t)p->pending, "tables", tables,
                     "findings", findings, "notes", notes);
}

void mg_preflight_text(const struct mg_preflight *p, struct mg_buf *out)
{
    mg_buf_addf(out, "pending migrations: %zu; tables they touch on the target: %zu\n", p->pending,
                p->ntables);
    for (size_t i = 0; i < p->ntables; i++) {
        const struct mg_pf_table *t = &p->tables[i];
        mg_buf_addf(out, "  %s (", t->relation);
        mg_pf_bytes(out, t->total_bytes);
        mg_buf_addf(out, "; %s)%s%s\n", t->where ? t->where : "?",
                    t->may_rewrite ? ": may be rewritten: " : "",
                    t->may_rewrite ? t->may_rewrite : "");
    }
    for (size_t i = 0; i < p->n; i++)
        mg_buf_addf(out, "%-8s %-16s %s\n", p->v[i].finding ? "FINDING" : "ok", p->v[i].check,
                    p->v[i].text);
    size_t f = mg_preflight_findings(p);
    if (f)
        mg_buf_addf(out, "%zu finding%s: wait, or deal with them, before the migrations run\n", f,
                    f == 1 ? "" : "s");
    else
        mg_buf_adds(out, "no findings\n");
}

void mg_preflight_free(struct mg_preflight *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].text);
        json_decref(p->v[i].json);
    }
    for (size_t i = 0; i < p->ntables; i++) {
        free(p->tables[i].relation);
        free(p->tables[i].schema);
        free(p->tables[i].name);
        free(p->tables[i].id);
        free(p->tables[i].where);
    }
    free(p->v);
    free(p->tables);
    memset(p, 0, sizeof(*p));
}
