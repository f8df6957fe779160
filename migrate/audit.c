/* audit.c — pipeline metadata for events and the hash-chain check (see audit.h). */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "history.h"
#include "sqltext.h"
#include "util.h"

/* The variables CI systems set that identify a run; MIGRATE_DEPLOY_* is added by prefix. */
static const char *const pipeline_vars[] = {
    "GITHUB_SHA",    "GITHUB_RUN_ID",  "GITHUB_ACTOR",
    "CI_COMMIT_SHA", "CI_PIPELINE_ID", "GITLAB_USER_LOGIN",
};

#define PIPELINE_PREFIX "MIGRATE_DEPLOY_"
#define PIPELINE_MAX    1024

static void add_var(json_t *o, const char *name, const char *value)
{
    size_t len = strlen(value);
    size_t bad;

    if (len > PIPELINE_MAX)
        len = PIPELINE_MAX;
    /* JSON strings are UTF-8: a value that is not is cut at its first bad byte */
    if (!mg_utf8_valid(value, len, &bad))
        len = bad;
    json_object_set_new(o, name, json_stringn(value, len));
}

json_t *mg_audit_pipeline(void)
{
    json_t *o = json_object();

    for (size_t i = 0; i < MG_ARRAY_SIZE(pipeline_vars); i++) {
        const char *v = getenv(pipeline_vars[i]);
        if (v && *v)
            add_var(o, pipeline_vars[i], v);
    }
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || !mg_str_starts_with(*e, PIPELINE_PREFIX) || !eq[1])
            continue;
        size_t nlen = (size_t)(eq - *e);
        if (nlen == strlen(PIPELINE_PREFIX) || nlen > 128)
            continue;
        char name[129];
        memcpy(name, *e, nlen);
        name[nlen] = '\0';
        add_var(o, name, eq + 1);
    }
    return o;
}

static char *dup_cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return mg_strdup(v ? v : "");
}

int mg_audit_load(struct mg_audit_rows *out, struct drv_conn *c, struct mg_err *err)
{
    struct drv_result *r;
    int rc, exists;

    memset(out, 0, sizeof(*out));
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "history_exists"), NULL, 0, err);
    if (rc)
        return rc;
    exists = r->ncols > 1 && drv_val(r, 0, 1) &&
             (drv_val(r, 0, 1)[0] == 't' || drv_val(r, 0, 1)[0] == '1');
    drv_result_free(r);
    if (!exists)
        return 0;
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "event_select"), NULL, 0, err);
    if (rc) {
        mg_err_context(err, "reading migrate_events");
        return rc;
    }
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        struct mg_audit_row *row = &out->v[i];
        const char *id = drv_val(r, i, 0);
        row->id = id ? atoll(id) : 0;
        for (int f = 0; f < 12; f++)
            row->fields[f] = dup_cell(r, i, (size_t)f + 1);
        row->prev_hash = dup_cell(r, i, 13);
        row->hash = dup_cell(r, i, 14);
    }
    out->n = r->nrows;
    drv_result_free(r);
    return 0;
}

void mg_audit_rows_free(struct mg_audit_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        for (int f = 0; f < 12; f++)
            free(rows->v[i].fields[f]);
        free(rows->v[i].prev_hash);
        free(rows->v[i].hash);
    }
    free(rows->v);
    memset(rows, 0, sizeof(*rows));
}

const char *mg_audit_kind_name(enum mg_audit_kind k)
{
    switch (k) {
    case MG_AUDIT_ALTERED:
        return "altered";
    case MG_AUDIT_REMOVED:
        return "removed";
    case MG_AUDIT_TRUNCATED:
        return "truncated";
    }
    return "altered";
}

static struct mg_audit_problem *add_problem(struct mg_audit_report *r, enum mg_audit_kind kind,
                                            long long id, long long after_id)
{
    mg_grow_array((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
    struct mg_audit_problem *p = &r->v[r->n++];
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    p->id = id;
    p->after_id = after_id;
    return p;
}

/* The hash a row should have: over its own prev_hash and canonical text. */
static void row_hash(char out[65], const struct mg_audit_row *row)
{
    struct mg_buf canon = MG_BUF_INIT;

    mg_buf_adds(&canon, row->prev_hash);
    mg_buf_addch(&canon, '\x1f');
    mg_event_canonical(&canon, (const char *const *)row->fields);
    mg_sha256_hex(out, canon.ptr, canon.len);
    mg_buf_free(&canon);
}

static void short_hash(char out[13], const char *h)
{
    snprintf(out, 13, "%.12s", h[0] ? h : "(none)");
}

void mg_audit_check(struct mg_audit_report *out, const struct mg_audit_rows *rows,
                    const char *expect_head)
{
    const char *expected_prev = "";
    long long prev_id = 0;
    int head_seen = 0;

    memset(out, 0, sizeof(*out));
    out->nrows = rows->n;
    for (size_t i = 0; i < rows->n; i++) {
        const struct mg_audit_row *row = &rows->v[i];
        char h[65], a[13], b[13];

        row_hash(h, row);
        if (strcmp(h, row->hash) != 0) {
            struct mg_audit_problem *p = add_problem(out, MG_AUDIT_ALTERED, row->id, prev_id);
            snprintf(p->msg, sizeof(p->msg),
                     "event id %lld was altered: its content no longer matches its hash", row->id);
        } else if (strcmp(row->prev_hash, expected_prev) != 0) {
            struct mg_audit_problem *p = add_problem(out, MG_AUDIT_REMOVED, row->id, prev_id);
            short_hash(a, row->prev_hash);
            short_hash(b, expected_prev);
            if (!prev_id)
                snprintf(p->msg, sizeof(p->msg),
                         "events before id %lld were removed: it follows hash %s..., but it is "
                         "the first row",
                         row->id, a);
            else if (row->id - prev_id == 2)
                snprintf(p->msg, sizeof(p->msg),
                         "event id %lld was removed (or id %lld was rewritten): id %lld follows "
                         "hash %s..., id %lld has %s...",
                         prev_id + 1, prev_id, row->id, a, prev_id, b);
            else
                snprintf(p->msg, sizeof(p->msg),
                         "events between id %lld and id %lld were removed (or id %lld was "
                         "rewritten): id %lld follows hash %s..., id %lld has %s...",
                         prev_id, row->id, prev_id, row->id, a, prev_id, b);
        }
        if (expect_head && !strcmp(row->hash, expect_head))
            head_seen = 1;
        /* resynchronise on what is stored, so the next row is judged on its own */
        expected_prev = row->hash;
        prev_id = row->id;
    }
    if (rows->n) {
        out->head_id = rows->v[rows->n - 1].id;
        snprintf(out->head, sizeof(out->head), "%s", rows->v[rows->n - 1].hash);
    }
    if (expect_head && *expect_head && !head_seen) {
        struct mg_audit_problem *p = add_problem(out, MG_AUDIT_TRUNCATED, 0, 0);
        char a[13];
        short_hash(a, expect_head);
        snprintf(p->msg, sizeof(p->msg),
                 "the chain no longer contains the expected head %s...: the events up to it were "
                 "removed or altered",
                 a);
    }
}

void mg_audit_report_free(struct mg_audit_report *r)
{
    free(r->v);
    memset(r, 0, sizeof(*r));
}
