/* snapshot.c — sorting catalog rows into a schema snapshot (see snapshot.h). */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct row {
    int rank;
    char *obj, *key, *line;
};

static int cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

static int cmp_row(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    int c;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if ((c = strcmp(a->obj, b->obj)))
        return c;
    if ((c = strcmp(a->key, b->key)))
        return c;
    return cmp_str(a->line, b->line);
}

/* Appends `s` with newlines written as "\n", for a block's first line. */
static void add_one_line(struct mg_buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            mg_buf_adds(out, "\\n");
        else
            mg_buf_addch(out, *s);
    }
}

/*
 * Appends one line of a block: two spaces, the text; a multi-line text
 * (definitions) continues with four spaces per line, and a line of the text
 * that is empty stays empty.  Trailing newlines are dropped.
 */
static void add_block_line(struct mg_buf *out, const char *s)
{
    size_t len = strlen(s);
    int first = 1;

    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    while (len || first) {
        const char *nl = memchr(s, '\n', len);
        size_t l = nl ? (size_t)(nl - s) : len;
        if (l)
            mg_buf_adds(out, first ? "  " : "    ");
        mg_buf_add(out, s, l);
        mg_buf_addch(out, '\n');
        first = 0;
        if (!nl)
            break;
        s = nl + 1;
        len -= l + 1;
    }
}

int drv_snapshot_collect(struct drv_conn *c, const struct drv_snapshot_spec *spec,
                         struct mg_buf *out, struct mg_err *err)
{
    struct row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    for (size_t q = 0; !rc && q < spec->nqueries; q++) {
        struct drv_result *r;
        rc = drv_query(c, &r, spec->queries[q], NULL, 0, err);
        if (rc) {
            mg_err_context(err, "reading the schema from the catalogs (query %zu)", q + 1);
            break;
        }
        for (size_t i = 0; i < r->nrows; i++) {
            mg_grow_array((void **)&rows, &cap, n + 1, sizeof(*rows));
            struct row *w = &rows[n++];
            w->rank = atoi(drv_val(r, i, 0));
            w->obj = mg_strdup(drv_val(r, i, 1));
            w->key = mg_strdup(drv_val(r, i, 2) ? drv_val(r, i, 2) : "");
            w->line = drv_val(r, i, 3) ? mg_strdup(drv_val(r, i, 3)) : NULL;
            if (w->rank < 1 || w->rank >= (int)spec->nkinds)
                w->rank = (int)spec->nkinds - 1;
        }
        drv_result_free(r);
    }
    if (!rc) {
        if (n)
            qsort(rows, n, sizeof(*rows), cmp_row);
        mg_buf_addf(out, "-- migrate schema snapshot 1 (%s)\n", spec->dialect);
        for (size_t i = 0; i < n; i++) {
            int new_obj = i == 0 || rows[i].rank != rows[i - 1].rank ||
                          strcmp(rows[i].obj, rows[i - 1].obj) != 0;
            if (new_obj) {
                mg_buf_addch(out, '\n');
                mg_buf_adds(out, spec->kinds[rows[i].rank]);
                mg_buf_addch(out, ' ');
                add_one_line(out, rows[i].obj);
                mg_buf_addch(out, '\n');
            }
            /* the same line twice (a row reached by two joins) is written once */
            if (rows[i].line && (new_obj || strcmp(rows[i].key, rows[i - 1].key) != 0 ||
                                 cmp_str(rows[i].line, rows[i - 1].line) != 0))
                add_block_line(out, rows[i].line);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(rows[i].obj);
        free(rows[i].key);
        free(rows[i].line);
    }
    free(rows);
    return rc;
}
