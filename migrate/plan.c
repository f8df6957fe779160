/* plan.c — merging files with history, and planning up, down and goto. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *mg_state_name(enum mg_state s)
{
    switch (s) {
    case MG_ST_PENDING:
        return "pending";
    case MG_ST_APPLIED:
        return "applied";
    case MG_ST_FAILED:
        return "failed";
    case MG_ST_INTERRUPTED:
        return "interrupted";
    case MG_ST_REVERT_FAILED:
        return "revert_failed";
    case MG_ST_REVERTING:
        return "reverting";
    case MG_ST_MISSING:
        return "missing";
    }
    return "pending";
}

void mg_status_build(struct mg_status *out, const struct mg_source *src, const struct mg_history *h)
{
    size_t i = 0, j = 0, cap = src->n + h->n + 1;

    memset(out, 0, sizeof(*out));
    out->v = mg_calloc(cap, sizeof(*out->v));
    /* both lists are sorted by version: merge them */
    while (i < src->n || j < h->n) {
        struct mg_entry *e = &out->v[out->n++];
        const struct mg_migration *m = i < src->n ? &src->v[i] : NULL;
        const struct mg_hrow *r = j < h->n ? &h->v[j] : NULL;
        if (m && r && m->version == r->version) {
            i++;
            j++;
        } else if (m && (!r || m->version < r->version)) {
            i++;
            r = NULL;
        } else {
            j++;
            m = NULL;
        }
        e->version = m ? m->version : r->version;
        e->m = m;
        e->row = r;
        e->title = m ? m->title : r->name;
        if (!r) {
            e->state = MG_ST_PENDING;
            continue;
        }
        switch (r->status) {
        case MG_H_APPLIED:
            e->state = MG_ST_APPLIED;
            break;
        case MG_H_FAILED:
            e->state = MG_ST_FAILED;
            /* a failed transactional run left nothing behind */
            e->partial = (r->no_transaction && r->stmts_done > 0) ||
                         !strcmp(r->kind ? r->kind : "", "adopted");
            break;
        case MG_H_RUNNING:
            e->state = MG_ST_INTERRUPTED;
            e->partial = 1;
            break;
        case MG_H_REVERT_FAILED:
            e->state = MG_ST_REVERT_FAILED;
            e->partial = 1;
            break;
        case MG_H_REVERTING:
            e->state = MG_ST_REVERTING;
            e->partial = 1;
            break;
        }
        if (!m) {
            /* a baseline marker stands for versions that never had files here */
            if (e->state == MG_ST_APPLIED && strcmp(r->kind ? r->kind : "", "baseline") != 0)
                e->state = MG_ST_MISSING;
        } else if (e->state == MG_ST_APPLIED && m->up && m->up->checksum[0] && r->checksum &&
                   strcmp(r->kind ? r->kind : "migration", "migration") == 0 &&
                   strcmp(m->up->checksum, r->checksum) != 0) {
            e->edited = 1;
        }
        if (e->state == MG_ST_APPLIED || e->state == MG_ST_MISSING || e->partial)
            out->current = e->version > out->current ? e->version : out->current;
        if (e->partial)
            out->dirty = 1;
    }
    for (size_t k = 0; k < out->n; k++)
        if (out->v[k].state == MG_ST_PENDING && out->v[k].version < out->current)
            out->v[k].out_of_order = 1;
}

void mg_status_free(struct mg_status *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static void add_step(struct mg_plan *p, size_t *cap, const struct mg_entry *e, enum mg_dir dir,
                     int resume)
{
    mg_grow_array((void **)&p->v, cap, p->n + 1, sizeof(*p->v));
    p->v[p->n].e = e;
    p->v[p->n].dir = dir;
    p->v[p->n].resume = resume;
    p->n++;
}

/* Refuses when an applied file was edited (unless allowed). */
static int check_edited(const struct mg_status *st, const struct mg_plan_req *req,
                        struct mg_problems *warnings, struct mg_err *err)
{
    for (size_t i = 0; i < st->n; i++) {
        const struct mg_entry *e = &st->v[i];
        if (!e->edited)
            continue;
        if (req->allow_edited) {
            mg_problems_add(
                warnings, MG_SEV_WARNING, "edited-after-apply", e->m->up->path, 0, e->version, NULL,
                "'%s' changed after it was applied (allowed by --allow-edited)", e->m->up->name);
            continue;
        }
        mg_err_set(err, MG_EATTENTION, "'%s' was edited after it was applied", e->m->up->name);
        mg_err_detail(err, "applied checksum %.12s, file checksum now %.12s", e->row->checksum,
                      e->m->up->checksum);
        mg_err_hint(err, "undo the edit and put the change in a new migration; if the edit "
                         "changes nothing that ran (a comment), pass --allow-edited");
        return MG_EATTENTION;
    }
    return 0;
}

/* The partial entry, if any (at most one exists: runs stop at the first failure). */
static const struct mg_entry *partial_entry(const struct mg_status *st)
{
    for (size_t i = 0; i < st->n; i++)
        if (st->v[i].partial)
            return &st->v[i];
    return NULL;
}

static int refuse_partial(const struct mg_entry *e, int want_up, struct mg_err *err)
{
    const struct mg_hrow *r = e->row;
    int reverting = e->state == MG_ST_REVERTING || e->state == MG_ST_REVERT_FAILED;

    mg_err_set(err, MG_EATTENTION, "version %llu (%s) is %s at statement %d of %d of its %s file",
               (unsigned long long)e->version, e->title,
               e->state == MG_ST_INTERRUPTED || e->state == MG_ST_REVERTING ? "interrupted"
                                                                            : "failed",
               r->stmts_done + 1, r->stmts_total, reverting ? "down" : "up");
    if (reverting)
        mg_err_hint(err,
                    "run 'migrate down' to finish reverting it, or, once you have put the "
                    "database right by hand, record the truth with 'migrate force %llu' "
                    "(applied) or 'migrate force %llu' with the previous version",
                    (unsigned long long)e->version, (unsigned long long)e->version);
    else
        mg_err_hint(err,
                    "fix the file and run 'migrate up' to resume at statement %d, or put "
                    "the database right by hand and record it with 'migrate force'",
                    r->stmts_done + 1);
    (void)want_up;
    return MG_EATTENTION;
}

static int plan_up(struct mg_plan *out, size_t *cap, const struct mg_status *st,
                   const struct mg_plan_req *req, uint64_t limit, uint64_t current,
                   struct mg_problems *warnings, struct mg_err *err)
{
    const struct mg_entry *p = partial_entry(st);
    long left = req->count;

    if (p && (p->state == MG_ST_REVERTING || p->state == MG_ST_REVERT_FAILED))
        return refuse_partial(p, 1, err);
    for (size_t i = 0; i < st->n && left != 0; i++) {
        const struct mg_entry *e = &st->v[i];
        if (e->version > limit)
            break;
        if (e->state == MG_ST_MISSING) {
            mg_problems_add(warnings, MG_SEV_WARNING, "missing-file", NULL, 0, e->version,
                            "restore the file from version control",
                            "version %llu (%s) is applied but its file is gone",
                            (unsigned long long)e->version, e->title);
            continue;
        }
        int runnable =
            e->state == MG_ST_PENDING || e->state == MG_ST_FAILED || e->state == MG_ST_INTERRUPTED;
        if (!runnable)
            continue;
        if (!e->m || !e->m->up) {
            mg_err_set(err, MG_EINPUT, "version %llu (%s) is recorded as %s, but its file is gone",
                       (unsigned long long)e->version, e->title, mg_state_name(e->state));
            mg_err_hint(err, "restore the file, or record the truth with 'migrate force'");
            return MG_EINPUT;
        }
        if (e->state == MG_ST_PENDING && e->version < current && !req->allow_out_of_order) {
            mg_err_set(err, MG_EATTENTION,
                       "'%s' is pending but a later version (%llu) is already applied",
                       e->m->up->name, (unsigned long long)current);
            mg_err_hint(err,
                        "give it a version above %llu, or apply it out of order with "
                        "--allow-out-of-order if it does not depend on later migrations",
                        (unsigned long long)current);
            return MG_EATTENTION;
        }
        if (e->state == MG_ST_FAILED && !strcmp(e->row->kind ? e->row->kind : "", "adopted")) {
            mg_err_set(err, MG_EATTENTION,
                       "version %llu (%s) was left failed by the tool migrate adopted its "
                       "history from; how much of it ran is unknown",
                       (unsigned long long)e->version, e->title);
            mg_err_hint(err,
                        "repair the database by hand, then record the truth with 'migrate "
                        "force %llu' (applied) or 'migrate force' with the version before it",
                        (unsigned long long)e->version);
            return MG_EATTENTION;
        }
        add_step(out, cap, e, MG_UP, e->partial);
        if (left > 0)
            left--;
    }
    return 0;
}

static int plan_down(struct mg_plan *out, size_t *cap, const struct mg_status *st, long count,
                     uint64_t floor, struct mg_err *err)
{
    const struct mg_entry *p = partial_entry(st);
    long left = count;

    if (p && (p->state == MG_ST_INTERRUPTED || p->state == MG_ST_FAILED))
        return refuse_partial(p, 0, err);
    for (size_t i = st->n; i-- > 0 && left != 0;) {
        const struct mg_entry *e = &st->v[i];
        if (e->version <= floor)
            break;
        int revertable = e->state == MG_ST_APPLIED || e->state == MG_ST_REVERTING ||
                         e->state == MG_ST_REVERT_FAILED || e->state == MG_ST_MISSING;
        if (!revertable)
            continue;
        if (e->state == MG_ST_MISSING || !e->m->down) {
            mg_err_set(err, MG_EINPUT, "cannot revert version %llu (%s): it has no down file",
                       (unsigned long long)e->version, e->title);
            mg_err_hint(err, "write the down file, or record the state with 'migrate force' "
                             "after reverting by hand");
            return MG_EINPUT;
        }
        if (!strcmp(e->row->kind ? e->row->kind : "migration", "baseline")) {
            mg_err_set(err, MG_EINPUT,
                       "cannot revert version %llu (%s): it was recorded by "
                       "baseline, not applied by migrate",
                       (unsigned long long)e->version, e->title);
            return MG_EINPUT;
        }
        add_step(out, cap, e, MG_DOWN, e->partial);
        if (left > 0)
            left--;
    }
    return 0;
}

int mg_plan_build(struct mg_plan *out, const struct mg_status *st, const struct mg_plan_req *req,
                  struct mg_problems *warnings, struct mg_err *err)
{
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = check_edited(st, req, warnings, err);
    if (rc)
        return rc;
    switch (req->kind) {
    case MG_PLAN_UP:
        rc = plan_up(out, &cap, st, req, UINT64_MAX, st->current, warnings, err);
        break;
    case MG_PLAN_DOWN:
        rc = plan_down(out, &cap, st, req->count, 0, err);
        break;
    case MG_PLAN_GOTO: {
        int known = req->target == 0;
        for (size_t i = 0; i < st->n; i++)
            if (st->v[i].version == req->target)
                known = 1;
        if (!known) {
            mg_err_set(err, MG_EUSAGE, "there is no migration with version %llu",
                       (unsigned long long)req->target);
            mg_err_hint(err, "'migrate status' lists the versions; 0 reverts everything");
            return MG_EUSAGE;
        }
        rc = plan_down(out, &cap, st, -1, req->target, err);
        if (!rc) {
            struct mg_plan_req up = *req;
            uint64_t remaining = 0;
            up.count = -1;
            /* after the downs, versions above the target are gone: judge order from there */
            for (size_t i = 0; i < st->n; i++)
                if (st->v[i].version <= req->target && st->v[i].state != MG_ST_PENDING &&
                    st->v[i].state != MG_ST_FAILED)
                    remaining = st->v[i].version;
            rc = plan_up(out, &cap, st, &up, req->target, remaining, warnings, err);
        }
        break;
    }
    }
    if (rc)
        mg_plan_free(out);
    return rc;
}

void mg_plan_free(struct mg_plan *p)
{
    free(p->v);
    memset(p, 0, sizeof(*p));
}
