/* schema.c — parsing and comparing schema snapshots (see schema.h). */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "url.h"
#include "util.h"

#define SNAPSHOT_MAGIC "-- migrate schema snapshot "

/* Block kinds in snapshot order; a kind not listed sorts after them, by name. */
static const char *const kind_order[] = {
    "extension",         "schema",   "type",      "domain",    "sequence", "table", "view",
    "materialized view", "function", "procedure", "aggregate", "trigger",  "event",
};

static size_t kind_rank(const char *kind)
{
    for (size_t i = 0; i < MG_ARRAY_SIZE(kind_order); i++)
        if (!strcmp(kind_order[i], kind))
            return i;
    return MG_ARRAY_SIZE(kind_order);
}

static int cmp_obj(const struct mg_schema_obj *a, const struct mg_schema_obj *b)
{
    size_t ra = kind_rank(a->kind), rb = kind_rank(b->kind);
    int c;

    if (ra != rb)
        return ra < rb ? -1 : 1;
    if ((c = strcmp(a->kind, b->kind)))
        return c;
    return strcmp(a->name, b->name);
}

static int cmp_obj_ptr(const void *pa, const void *pb)
{
    return cmp_obj(*(const struct mg_schema_obj *const *)pa,
                   *(const struct mg_schema_obj *const *)pb);
}

/* Splits a block's first line into kind and name: the longest known kind, else the first word. */
static void split_header(struct mg_schema_obj *o, const char *line, size_t len)
{
    size_t best = 0;

    for (size_t i = 0; i < MG_ARRAY_SIZE(kind_order); i++) {
        size_t kl = strlen(kind_order[i]);
        if (kl > best && len > kl + 1 && !memcmp(line, kind_order[i], kl) && line[kl] == ' ')
            best = kl;
    }
    if (!best) {
        const char *sp = memchr(line, ' ', len);
        best = sp ? (size_t)(sp - line) : len;
    }
    o->kind = mg_strndup(line, best);
    o->name = best < len ? mg_strndup(line + best + 1, len - best - 1) : mg_strdup("");
}

static void add_line(struct mg_schema_obj *o, size_t *cap, const char *s, size_t len)
{
    mg_grow_array((void **)&o->lines, cap, o->n + 1, sizeof(char *));
    o->lines[o->n++] = mg_strndup(s, len);
}

/* Drops the blank lines at the end of a block: they separate blocks. */
static void trim_block(struct mg_schema_obj *o)
{
    while (o->n && !o->lines[o->n - 1][0])
        free(o->lines[--o->n]);
}

int mg_schema_parse(struct mg_schema *out, const char *text, size_t len, const char *source,
                    struct mg_err *err)
{
    size_t pos = 0, cap = 0, lcap = 0;
    int lineno = 0, seen_magic = 0;
    struct mg_schema_obj *cur = NULL;

    memset(out, 0, sizeof(*out));
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - s) : len - pos;
        pos += l + (nl ? 1 : 0);
        lineno++;
        if (l && s[l - 1] == '\r')
            l--;
        if (!seen_magic) {
            if (l == 0)
                continue;
            if (l < strlen(SNAPSHOT_MAGIC) || memcmp(s, SNAPSHOT_MAGIC, strlen(SNAPSHOT_MAGIC))) {
                mg_schema_free(out);
                mg_err_set(err, MG_EINPUT, "'%s' is not a schema snapshot", source);
                mg_err_detail(err, "line %d should start with '%s'", lineno, SNAPSHOT_MAGIC);
                mg_err_hint(err, "write one with 'migrate schema dump -d URL > FILE', or pass a "
                                 "database URL instead");
                return MG_EINPUT;
            }
            const char *open = memchr(s, '(', l), *close = memchr(s, ')', l);
            if (open && close && close > open + 1)
                out->dialect = mg_strndup(open + 1, (size_t)(close - open - 1));
            seen_magic = 1;
            continue;
        }
        if (l == 0) {
            /* a blank line inside a multi-line text, or between blocks: trimmed later */
            if (cur)
                add_line(cur, &lcap, "", 0);
            continue;
        }
        if (s[0] == ' ' || s[0] == '\t') {
            if (!cur) {
                mg_schema_free(out);
                mg_err_set(err, MG_EINPUT, "'%s' line %d: an indented line before any object",
                           source, lineno);
                mg_err_hint(err, "an object starts with 'KIND NAME' at the start of a line");
                return MG_EINPUT;
            }
            size_t skip = l >= 2 && s[0] == ' ' && s[1] == ' ' ? 2 : 1;
            add_line(cur, &lcap, s + skip, l - skip);
            continue;
        }
        if (s[0] == '-' && l > 1 && s[1] == '-' && !cur)
            continue; /* comments before the first object */
        if (cur)
            trim_block(cur);
        mg_grow_array((void **)&out->v, &cap, out->n + 1, sizeof(*out->v));
        cur = &out->v[out->n++];
        memset(cur, 0, sizeof(*cur));
        lcap = 0;
        split_header(cur, s, l);
    }
    if (cur)
        trim_block(cur);
    if (!seen_magic) {
        mg_err_set(err, MG_EINPUT, "'%s' is empty, not a schema snapshot", source);
        mg_err_hint(err, "write one with 'migrate schema dump -d URL > FILE'");
        return MG_EINPUT;
    }
    out->by = mg_calloc(out->n ? out->n : 1, sizeof(*out->by));
    for (size_t i = 0; i < out->n; i++)
        out->by[i] = &out->v[i];
    if (out->n)
        qsort(out->by, out->n, sizeof(*out->by), cmp_obj_ptr);
    for (size_t i = 1; i < out->n; i++) {
        if (cmp_obj(out->by[i - 1], out->by[i]) == 0) {
            mg_err_set(err, MG_EINPUT, "'%s' lists %s %s twice", source, out->by[i]->kind,
                       out->by[i]->name);
            mg_schema_free(out);
            return MG_EINPUT;
        }
    }
    return 0;
}

void mg_schema_free(struct mg_schema *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->v[i].n; k++)
            free(s->v[i].lines[k]);
        free(s->v[i].lines);
        free(s->v[i].kind);
        free(s->v[i].name);
    }
    free(s->v);
    free(s->by);
    free(s->dialect);
    memset(s, 0, sizeof(*s));
}

const struct mg_schema_obj *mg_schema_find(const struct mg_schema *s, const char *kind,
                                           const char *name)
{
    struct mg_schema_obj key = {.kind = (char *)kind, .name = (char *)name};
    const struct mg_schema_obj *kp = &key;
    struct mg_schema_obj **hit = bsearch(&kp, s->by, s->n, sizeof(*s->by), cmp_obj_ptr);

    return hit ? *hit : NULL;
}

int mg_schema_snapshot(struct mg_schema *out, struct mg_buf *text, struct drv_conn *c,
                       struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT;
    int rc = drv_schema_snapshot(c, &b, err);

    if (!rc && out)
        rc = mg_schema_parse(out, b.ptr, b.len, "the snapshot the driver wrote", err);
    if (!rc && text)
        mg_buf_add(text, b.ptr, b.len);
    mg_buf_free(&b);
    return rc;
}

int mg_schema_load(struct mg_schema *out, struct mg_buf *label, const char *src,
                   const struct mg_ctx *ctx, struct mg_err *err)
{
    struct mg_buf text = MG_BUF_INIT;
    int rc;

    memset(out, 0, sizeof(*out));
    if (strstr(src, "://")) {
        struct mg_ctx c2 = *ctx;
        struct mg_session s;
        c2.database_url = src;
        rc = mg_session_open(&s, &c2, 0, err);
        if (rc)
            return rc;
        mg_buf_adds(label, s.redacted_url);
        rc = mg_schema_snapshot(out, NULL, s.conn, err);
        if (rc)
            mg_err_context(err, "database %s", s.redacted_url);
        mg_session_close(&s);
        return rc;
    }
    if (!strcmp(src, "-")) {
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
            if (text.len + got > ((size_t)1 << 30)) {
                mg_buf_free(&text);
                return mg_err_set(err, MG_EINPUT, "the snapshot on standard input is over 1 GiB");
            }
            mg_buf_add(&text, chunk, got);
        }
        mg_buf_adds(label, "standard input");
    } else {
        rc = mg_read_file(&text, src, (size_t)1 << 30, err);
        if (rc) {
            mg_buf_free(&text);
            mg_err_hint(err, "pass a file written by 'migrate schema dump', or a database URL");
            return rc;
        }
        mg_buf_adds(label, src);
    }
    rc = mg_schema_parse(out, text.ptr, text.len, label->ptr, err);
    mg_buf_free(&text);
    return rc;
}

json_t *mg_schema_json(const struct mg_schema *s)
{
    json_t *doc = json_object(), *objs = json_array();

    json_object_set_new(doc, "format", json_integer(MG_SCHEMA_FORMAT));
    json_object_set_new(doc, "dialect", s->dialect ? json_string(s->dialect) : json_null());
    for (size_t i = 0; i < s->n; i++) {
        json_t *o = json_object(), *lines = json_array();
        json_object_set_new(o, "kind", json_string(s->v[i].kind));
        json_object_set_new(o, "name", json_string(s->v[i].name));
        for (size_t k = 0; k < s->v[i].n; k++)
            json_array_append_new(lines, json_string(s->v[i].lines[k]));
        json_object_set_new(o, "lines", lines);
        json_array_append_new(objs, o);
    }
    json_object_set_new(doc, "objects", objs);
    return doc;
}

/* ---------- comparing ---------- */

static int is_column(const char *line)
{
    return mg_str_starts_with(line, "column ");
}

static int cmp_line_ptr(const void *pa, const void *pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/*
 * The lines of an object as compared: its own lines, or with the column
 * lines of a table sorted when column order is ignored.
 */
static char **compared_lines(const struct mg_schema_obj *o, unsigned flags)
{
    char **v = mg_calloc(o->n ? o->n : 1, sizeof(char *));
    size_t i = 0;

    memcpy(v, o->lines, o->n * sizeof(char *));
    if (!(flags & MG_SCHEMA_IGNORE_COLUMN_ORDER))
        return v;
    while (i < o->n) {
        size_t j = i;
        while (j < o->n && is_column(v[j]))
            j++;
        if (j > i + 1)
            qsort(v + i, j - i, sizeof(char *), cmp_line_ptr);
        i = j > i ? j : i + 1;
    }
    return v;
}

static void add_edit(struct mg_schema_delta *d, size_t *cap, char op, const char *line)
{
    mg_grow_array((void **)&d->edits, cap, d->nedits + 1, sizeof(*d->edits));
    d->edits[d->nedits].op = op;
    d->edits[d->nedits].line = line;
    d->nedits++;
}

/*
 * The differing lines of two blocks: common head and tail trimmed, then a
 * longest common subsequence over the middle (small: a block's lines), so a
 * moved or changed line shows as one '-' and one '+'.  A middle too big for
 * the table shows as all '-' then all '+'.
 */
static void line_diff(struct mg_schema_delta *d, char **a, size_t na, char **b, size_t nb)
{
    size_t head = 0, tail = 0, cap = 0;

    while (head < na && head < nb && !strcmp(a[head], b[head]))
        head++;
    while (tail < na - head && tail < nb - head && !strcmp(a[na - 1 - tail], b[nb - 1 - tail]))
        tail++;
    char **x = a + head, **y = b + head;
    size_t n = na - head - tail, m = nb - head - tail;
    if (n == 0 || m == 0 || (n + 1) * (m + 1) > 4000000) {
        for (size_t i = 0; i < n; i++)
            add_edit(d, &cap, '-', x[i]);
        for (size_t j = 0; j < m; j++)
            add_edit(d, &cap, '+', y[j]);
        return;
    }
    /* L[i][j]: length of the LCS of x[i..] and y[j..] */
    unsigned *L = mg_calloc((n + 1) * (m + 1), sizeof(unsigned));
#define AT(i, j) L[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            AT(i, j) = !strcmp(x[i], y[j])            ? AT(i + 1, j + 1) + 1
                       : AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j)
                                                      : AT(i, j + 1);
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (!strcmp(x[i], y[j])) {
            i++;
            j++;
        } else if (AT(i + 1, j) >= AT(i, j + 1)) {
            add_edit(d, &cap, '-', x[i++]);
        } else {
            add_edit(d, &cap, '+', y[j++]);
        }
    }
#undef AT
    while (i < n)
        add_edit(d, &cap, '-', x[i++]);
    while (j < m)
        add_edit(d, &cap, '+', y[j++]);
    free(L);
}

/* True when the removed and the added lines are the same lines: only their order changed. */
static int same_lines(const struct mg_schema_delta *d)
{
    size_t nr = 0, na = 0;
    int same;

    for (size_t i = 0; i < d->nedits; i++)
        d->edits[i].op == '-' ? nr++ : na++;
    if (nr != na || !nr)
        return 0;
    char **r = mg_calloc(nr, sizeof(char *)), **a = mg_calloc(na, sizeof(char *));
    nr = na = 0;
    for (size_t i = 0; i < d->nedits; i++) {
        if (d->edits[i].op == '-')
            r[nr++] = (char *)d->edits[i].line;
        else
            a[na++] = (char *)d->edits[i].line;
    }
    if (nr)
        qsort(r, nr, sizeof(char *), cmp_line_ptr);
    if (na)
        qsort(a, na, sizeof(char *), cmp_line_ptr);
    same = 1;
    for (size_t i = 0; same && i < nr; i++)
        same = !strcmp(r[i], a[i]);
    free(r);
    free(a);
    return same;
}

static struct mg_schema_delta *new_delta(struct mg_schema_diff *out, size_t *cap,
                                         enum mg_schema_change ch, const struct mg_schema_obj *a,
                                         const struct mg_schema_obj *b)
{
    mg_grow_array((void **)&out->v, cap, out->n + 1, sizeof(*out->v));
    struct mg_schema_delta *d = &out->v[out->n++];
    memset(d, 0, sizeof(*d));
    d->change = ch;
    d->a = a;
    d->b = b;
    return d;
}

void mg_schema_diff(struct mg_schema_diff *out, const struct mg_schema *a,
                    const struct mg_schema *b, unsigned flags)
{
    size_t i = 0, j = 0, cap = 0;

    memset(out, 0, sizeof(*out));
    /* both `by` lists are sorted the same way: merge them */
    while (i < a->n || j < b->n) {
        int c = i >= a->n ? 1 : j >= b->n ? -1 : cmp_obj(a->by[i], b->by[j]);
        if (c < 0) {
            new_delta(out, &cap, MG_SCHEMA_REMOVED, a->by[i++], NULL);
            out->removed++;
        } else if (c > 0) {
            new_delta(out, &cap, MG_SCHEMA_ADDED, NULL, b->by[j++]);
            out->added++;
        } else {
            const struct mg_schema_obj *x = a->by[i++], *y = b->by[j++];
            char **lx = compared_lines(x, flags), **ly = compared_lines(y, flags);
            int same = x->n == y->n;
            for (size_t k = 0; same && k < x->n; k++)
                same = !strcmp(lx[k], ly[k]);
            if (!same) {
                struct mg_schema_delta *d = new_delta(out, &cap, MG_SCHEMA_CHANGED, x, y);
                line_diff(d, lx, x->n, ly, y->n);
                d->reordered = same_lines(d);
                out->changed++;
            }
            free(lx);
            free(ly);
        }
    }
}

void mg_schema_diff_free(struct mg_schema_diff *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].edits);
    free(d->v);
    memset(d, 0, sizeof(*d));
}

static const char *change_name(enum mg_schema_change c)
{
    switch (c) {
    case MG_SCHEMA_ADDED:
        return "added";
    case MG_SCHEMA_REMOVED:
        return "removed";
    case MG_SCHEMA_CHANGED:
        return "changed";
    }
    return "changed";
}

static const struct mg_schema_obj *delta_obj(const struct mg_schema_delta *d)
{
    return d->a ? d->a : d->b;
}

void mg_schema_diff_text(struct mg_buf *out, const struct mg_schema_diff *d, const char *indent)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct mg_schema_delta *x = &d->v[i];
        const struct mg_schema_obj *o = delta_obj(x);
        mg_buf_addf(out, "%s%s %s %s\n", indent, change_name(x->change), o->kind, o->name);
        for (size_t k = 0; k < x->nedits; k++) {
            if (x->edits[k].line[0])
                mg_buf_addf(out, "%s  %c %s\n", indent, x->edits[k].op, x->edits[k].line);
            else
                mg_buf_addf(out, "%s  %c\n", indent, x->edits[k].op);
        }
        if (x->reordered)
            mg_buf_addf(out, "%s  (the same lines in another order%s)\n", indent,
                        x->edits[0].line && is_column(x->edits[0].line)
                            ? "; --ignore-column-order accepts a different column order"
                            : "");
    }
}

json_t *mg_schema_diff_json(const struct mg_schema_diff *d)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < d->n; i++) {
        const struct mg_schema_delta *x = &d->v[i];
        const struct mg_schema_obj *o = delta_obj(x);
        json_t *e = json_object(), *rem = json_array(), *add = json_array();
        json_object_set_new(e, "change", json_string(change_name(x->change)));
        json_object_set_new(e, "kind", json_string(o->kind));
        json_object_set_new(e, "name", json_string(o->name));
        for (size_t k = 0; k < x->nedits; k++)
            json_array_append_new(x->edits[k].op == '-' ? rem : add, json_string(x->edits[k].line));
        json_object_set_new(e, "removed", rem);
        json_object_set_new(e, "added", add);
        if (x->change == MG_SCHEMA_CHANGED)
            json_object_set_new(e, "reordered", json_boolean(x->reordered));
        json_array_append_new(arr, e);
    }
    return arr;
}
