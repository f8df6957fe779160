/*
 * lint.c — the linter engine: reads the files in order, splits them with the
 * dialect's splitter, parses each PostgreSQL statement once (libpg_query's
 * raw parser, pg_parse.c) or tokenizes each MySQL statement once, runs every enabled rule
 * on it, and keeps what the files say about the schema so that later
 * statements and files are judged in context.  Also: ignore comments, the
 * findings list, and what runs at the end of a file and of the run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "driver.h"
#include "lint_int.h"
#include "my_int.h"
#include "problem.h"
#include "source.h"
#include "util.h"

/* ---------- hash map ---------- */

/*
 * Eight bytes a step: some keys are whole statements (report.c keys
 * fingerprints by them), where a byte-at-a-time hash showed in profiles.
 */
static size_t hash_str(const char *s)
{
    size_t n = strlen(s);
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t t = 0;
    memcpy(&t, s, n);
    h = (h ^ t) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return (size_t)h;
}

static size_t map_slot(const struct chk_map *m, const char *key, size_t h)
{
    size_t i = h & (m->cap - 1);
    while (m->keys[i] && (m->hashes[i] != h || strcmp(m->keys[i], key) != 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *chk_map_get(const struct chk_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = map_slot(m, key, hash_str(key));
    return m->keys[i] ? m->vals[i] : NULL;
}

static void map_grow(struct chk_map *m)
{
    struct chk_map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = mg_calloc(m->cap, sizeof(char *));
    m->vals = mg_calloc(m->cap, sizeof(void *));
    m->hashes = mg_calloc(m->cap, sizeof(size_t));
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i] && old.vals[i]) {
            size_t j = old.hashes[i] & (m->cap - 1);
            while (m->keys[j])
                j = (j + 1) & (m->cap - 1);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
            m->hashes[j] = old.hashes[i];
            m->n++;
        } else {
            free(old.keys[i]);
        }
    }
    free(old.keys);
    free(old.vals);
    free(old.hashes);
}

void *chk_map_put(struct chk_map *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    size_t h = hash_str(key);
    size_t i = map_slot(m, key, h);
    void *prev = m->keys[i] ? m->vals[i] : NULL;
    if (!m->keys[i]) {
        m->keys[i] = mg_strdup(key);
        m->hashes[i] = h;
        m->n++;
    }
    m->vals[i] = val;
    return prev;
}

void **chk_map_ref(struct chk_map *m, const char *key)
{
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    size_t h = hash_str(key);
    size_t i = map_slot(m, key, h);
    if (!m->keys[i]) {
        m->keys[i] = mg_strdup(key);
        m->hashes[i] = h;
        m->vals[i] = NULL;
        m->n++;
    }
    return &m->vals[i];
}

void chk_names_init(struct chk_names *s, size_t n)
{
    s->cap = MG_ARRAY_SIZE(s->small);
    while (s->cap < 2 * n)
        s->cap *= 2;
    s->slot = s->cap == MG_ARRAY_SIZE(s->small) ? s->small : mg_malloc(s->cap * sizeof(char *));
    memset(s->slot, 0, s->cap * sizeof(char *));
}

int chk_names_add(struct chk_names *s, const char *name)
{
    size_t i = hash_str(name) & (s->cap - 1);
    while (s->slot[i]) {
        if (!strcmp(s->slot[i], name))
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = name;
    return 0;
}

void chk_names_free(struct chk_names *s)
{
    if (s->slot != s->small)
        free(s->slot);
    s->slot = NULL;
}

/* Deleting keeps the key as a tombstone with a NULL value; the next grow drops it. */
void *chk_map_del(struct chk_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = map_slot(m, key, hash_str(key));
    if (!m->keys[i])
        return NULL;
    void *prev = m->vals[i];
    m->vals[i] = NULL;
    return prev;
}

void chk_map_free(struct chk_map *m, void (*free_val)(void *))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (m->vals[i] && free_val)
            free_val(m->vals[i]);
        free(m->keys[i]);
    }
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    memset(m, 0, sizeof(*m));
}

/* ---------- small helpers ---------- */

int chk_eq(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

void chk_strv_add(char ***v, size_t *n, size_t *cap, const char *s)
{
    mg_grow_array((void **)v, cap, *n + 1, sizeof(char *));
    (*v)[(*n)++] = mg_strdup(s);
}

int chk_strv_has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

static void strv_clear(char **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    *n = 0;
}

/* ---------- schema model ---------- */

static void table_free(void *p)
{
    struct chk_table *t = p;
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].type);
    }
    free(t->cols);
    for (size_t i = 0; i < t->nidx; i++)
        free(t->idx[i]);
    free(t->idx);
    free(t->name);
    free(t);
}

static void index_free(void *p)
{
    struct chk_index *x = p;
    free(x->name);
    free(x->table);
    free(x->cols);
    free(x);
}

static void nncheck_free(void *p)
{
    struct chk_nncheck *c = p;
    free(c->table);
    free(c->col);
    free(c);
}

struct chk_table *chk_table_get(const struct chk_run *r, const char *name)
{
    return name ? chk_map_get(&r->tables, name) : NULL;
}

int chk_table_is_new(const struct chk_run *r, const char *name)
{
    const struct chk_table *t = chk_table_get(r, name);
    if (!t)
        return 0;
    return t->file == r->file || r->res->files[t->file].is_new;
}

/* Indexes die with their table. */
static void drop_indexes_of(struct chk_run *r, struct chk_table *t)
{
    for (size_t i = 0; i < t->nidx; i++) {
        struct chk_index *x = chk_map_get(&r->indexes, t->idx[i]);
        if (x && !strcmp(x->table, t->name))
            index_free(chk_map_del(&r->indexes, t->idx[i]));
    }
}

struct chk_table *chk_table_create(struct chk_run *r, const char *name)
{
    struct chk_table *t = mg_calloc(1, sizeof(*t));
    t->name = mg_strdup(name);
    t->file = r->file;
    struct chk_table *old = chk_map_put(&r->tables, name, t);
    if (old) {
        /* the old table must have gone (CREATE would fail otherwise): so did its indexes */
        drop_indexes_of(r, old);
        table_free(old);
    }
    return t;
}

void chk_table_drop(struct chk_run *r, const char *name)
{
    struct chk_table *old = chk_map_del(&r->tables, name);
    if (old) {
        drop_indexes_of(r, old);
        table_free(old);
    }
}

void chk_table_rename(struct chk_run *r, const char *from, const char *to)
{
    struct chk_table *t = chk_map_del(&r->tables, from);
    if (!t)
        return;
    chk_table_drop(r, to);
    chk_map_put(&r->tables, to, t);
    for (size_t i = 0; i < t->nidx; i++) {
        struct chk_index *x = chk_map_get(&r->indexes, t->idx[i]);
        if (x && !strcmp(x->table, t->name)) {
            free(x->table);
            x->table = mg_strdup(to);
        }
    }
    free(t->name);
    t->name = mg_strdup(to);
}

struct chk_col *chk_col_get(struct chk_table *t, const char *name)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

struct chk_col *chk_col_append(struct chk_table *t, const char *name, const char *type)
{
    mg_grow_array((void **)&t->cols, &t->capcols, t->ncols + 1, sizeof(*t->cols));
    struct chk_col *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof(*c));
    c->name = mg_strdup(name);
    c->type = mg_strdup(type ? type : "");
    return c;
}

struct chk_col *chk_col_add(struct chk_table *t, const char *name, const char *type)
{
    struct chk_col *c = chk_col_get(t, name);
    if (!c)
        return chk_col_append(t, name, type);
    free(c->type);
    c->type = mg_strdup(type ? type : "");
    return c;
}

void chk_col_drop(struct chk_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->ncols; i++) {
        if (!strcmp(t->cols[i].name, name)) {
            free(t->cols[i].name);
            free(t->cols[i].type);
            memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - i - 1) * sizeof(*t->cols));
            t->ncols--;
            return;
        }
    }
}

void chk_index_add(struct chk_run *r, const char *name, const char *table, const char *cols,
                   int unique)
{
    struct chk_index *x = mg_calloc(1, sizeof(*x));
    char anon[64];
    if (!name || !name[0]) {
        /* unnamed keys still count for fk-without-index */
        snprintf(anon, sizeof(anon), "\x01%zu", r->indexes.n);
        name = anon;
    }
    x->name = mg_strdup(name);
    x->table = mg_strdup(table);
    x->cols = mg_strdup(cols);
    x->unique = unique;
    struct chk_index *old = chk_map_put(&r->indexes, name, x);
    if (old)
        index_free(old);
    struct chk_table *t = chk_table_get(r, table);
    if (t)
        chk_strv_add(&t->idx, &t->nidx, &t->capidx, name);
}

int chk_table_has_index(const struct chk_run *r, const char *table, const char *cols)
{
    size_t l = strlen(cols);
    const struct chk_table *t = chk_table_get(r, table);
    for (size_t i = 0; t && i < t->nidx; i++) {
        const struct chk_index *x = chk_map_get(&r->indexes, t->idx[i]);
        if (!x || strcmp(x->table, table) != 0)
            continue;
        if (!strncmp(x->cols, cols, l) && (x->cols[l] == '\0' || x->cols[l] == ','))
            return 1;
    }
    return 0;
}

void chk_fk_add(struct chk_run *r, const char *table, const char *cols, int loc)
{
    const struct chk_stmt *s = r->cur;
    if (!chk_on(r, R_FK_WITHOUT_INDEX) || !cols[0] || !chk_table_get(r, table))
        return; /* what indexes an unknown table has is not known: say nothing */
    mg_grow_array((void **)&r->fks, &r->capfks, r->nfks + 1, sizeof(*r->fks));
    struct chk_fk *f = &r->fks[r->nfks++];
    f->table = mg_strdup(table);
    f->cols = mg_strdup(cols);
    f->file = r->file;
    f->off = s->off + (loc >= 0 && (size_t)loc < s->len ? (size_t)loc : 0);
    f->stmt_off = s->off;
    f->stmt_len = s->len;
    f->ign_from = s->ign_from;
    f->ign_to = s->ign_to;
}

int chk_txn_altered(struct chk_run *r, const char *table)
{
    if (chk_strv_has(r->altered, r->naltered, table))
        return 1;
    chk_strv_add(&r->altered, &r->naltered, &r->capaltered, table);
    return 0;
}

void chk_txn_reset(struct chk_run *r)
{
    strv_clear(r->altered, &r->naltered);
    strv_clear(r->notvalid, &r->nnotvalid);
    r->strong_lock = -1;
    r->strong_table[0] = '\0';
    r->strong_told = 0;
}

void chk_check_ident(struct chk_run *r, const char *name, size_t len, int loc)
{
    if (!chk_on(r, R_IDENTIFIER_TOO_LONG) || !name)
        return;
    if (r->cfg->dialect == CHK_PG) {
        if (len > 63)
            chk_report(r, R_IDENTIFIER_TOO_LONG, loc,
                       "identifier '%.*s' is %zu bytes: PostgreSQL truncates it to 63", (int)len,
                       name, len);
        return;
    }
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)name[i] & 0xC0) != 0x80)
            chars++;
    if (chars > 64)
        chk_report(r, R_IDENTIFIER_TOO_LONG, loc,
                   "identifier '%.*s' is %zu characters: MySQL allows 64", (int)len, name, chars);
}

/* ---------- findings ---------- */

int chk_on(const struct chk_run *r, int rule)
{
    return r->cfg->sev[rule] != CHK_OFF;
}

/* Is the rule silenced by an ignore in [from, to)?  Marks the ignore used. */
static int ignored_by(struct chk_run *r, size_t from, size_t to, int rule)
{
    int hit = 0;
    for (size_t i = from; i < to; i++) {
        if (r->ign[i].rule == rule) {
            r->ign[i].used = 1;
            hit = 1;
        }
    }
    return hit;
}

/* Line and column (1-based, column in characters) of a byte offset. */
static void locate(const struct chk_file *f, size_t off, int *line, int *col)
{
    size_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (f->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    int c = 1;
    for (size_t i = f->lines[lo]; i < off && i < f->text.len; i++)
        if (((unsigned char)f->text.ptr[i] & 0xC0) != 0x80)
            c++;
    *line = (int)lo + 1;
    *col = c;
}

static void add_finding(struct chk_run *r, int rule, size_t file, size_t off, size_t stmt_off,
                        size_t stmt_len, char *msg)
{
    struct chk_result *res = r->res;
    mg_grow_array((void **)&res->v, &res->cap, res->n + 1, sizeof(*res->v));
    struct chk_finding *f = &res->v[res->n++];
    f->rule = rule;
    f->sev = r->cfg->sev[rule];
    f->file = file;
    f->off = off;
    f->msg = msg;
    f->stmt_off = stmt_off;
    f->stmt_len = stmt_len;
    locate(&res->files[file], off, &f->line, &f->col);
    res->count[f->sev]++;
}

static void report_va(struct chk_run *r, int rule, size_t off, const char *fmt, va_list ap)
{
    const struct chk_stmt *s = r->cur;
    struct mg_buf b = MG_BUF_INIT;

    if (!chk_on(r, rule))
        return;
    if (s && ignored_by(r, s->ign_from, s->ign_to, rule))
        return;
    if (ignored_by(r, r->file_ign_from, r->file_ign_to, rule))
        return;
    if (fmt)
        mg_buf_vaddf(&b, fmt, ap);
    else
        mg_buf_adds(&b, chk_rules[rule].message);
    add_finding(r, rule, r->file, off, s ? s->off : off, s ? s->len : 0, mg_buf_detach(&b));
}

void chk_report(struct chk_run *r, int rule, int loc, const char *fmt, ...)
{
    const struct chk_stmt *s = r->cur;
    va_list ap;
    size_t off = s->off + (loc >= 0 && (size_t)loc <= s->len ? (size_t)loc : 0);

    va_start(ap, fmt);
    report_va(r, rule, off, fmt, ap);
    va_end(ap);
}

void chk_report_off(struct chk_run *r, int rule, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report_va(r, rule, off, fmt, ap);
    va_end(ap);
}

/* ---------- ignores ---------- */

static void add_ignores(struct chk_run *r, const char *rules, size_t off, int file_scope)
{
    const char *p = rules;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l && (*p == ' ')) {
            p++;
            l--;
        }
        if (l) {
            mg_grow_array((void **)&r->ign, &r->capign, r->nign + 1, sizeof(*r->ign));
            struct chk_ignore *g = &r->ign[r->nign++];
            memset(g, 0, sizeof(*g));
            g->file = r->file;
            g->off = off;
            g->rule = chk_rule_lookup(p, l);
            g->name = mg_strndup(p, l);
            g->file_scope = file_scope;
        }
        if (!e)
            break;
        p = e + 1;
    }
}

/* Ignore comments in text[from, to): every "-- migrate:ignore" line. */
static void scan_ignores(struct chk_run *r, size_t from, size_t to, int file_scope)
{
    const char *t = r->text;
    size_t i = from;
    while (i + 1 < to) {
        if (t[i] == '-' && t[i + 1] == '-') {
            size_t e = i;
            while (e < to && t[e] != '\n')
                e++;
            struct mg_ignore ig;
            if (mg_parse_ignore(t + i, e - i, &ig)) {
                add_ignores(r, ig.rules, i, file_scope);
                free(ig.rules);
                free(ig.reason);
            }
            i = e;
        } else {
            i++;
        }
    }
}

/* End of the leading comment block, as mg_directives_parse reads it. */
static size_t leading_block_end(const char *t, size_t len)
{
    size_t p = 0, end = 0;
    while (p < len) {
        const char *nl = memchr(t + p, '\n', len - p);
        size_t le = nl ? (size_t)(nl - t) : len, s = p;
        while (s < le && (t[s] == ' ' || t[s] == '\t' || t[s] == '\r'))
            s++;
        if (s < le && !(le - s >= 2 && t[s] == '-' && t[s + 1] == '-'))
            break;
        p = nl ? le + 1 : len;
        end = p;
    }
    return end;
}

/* ---------- files ---------- */

static int cmp_finding(const void *a, const void *b)
{
    const struct chk_finding *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->rule - y->rule;
}

struct pending_file {
    char *path;
    uint64_t version;
    int has_version;
    char *name;
};

static int cmp_pending(const void *a, const void *b)
{
    const struct pending_file *x = a, *y = b;
    if (x->has_version != y->has_version)
        return x->has_version ? -1 : 1;
    if (x->has_version && x->version != y->version)
        return x->version < y->version ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The migration files of a directory in the order they run: up files by version, then others. */
static int expand_dir(const char *dir, struct pending_file **v, size_t *n, size_t *cap,
                      struct mg_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t first = *n;

    if (!d) {
        int e = errno;
        mg_err_set(err, MG_EINPUT, "cannot read the directory '%s': %s", dir, strerror(e));
        return err->code;
    }
    while ((de = readdir(d))) {
        uint64_t version = 0;
        char *title = NULL;
        int is_down = 0;
        const char *why = NULL;
        if (de->d_name[0] == '.' || !mg_str_ends_with(de->d_name, ".sql"))
            continue;
        int kind = mg_source_parse_name(de->d_name, &version, &title, &is_down, &why);
        free(title);
        if (kind == 1 && is_down)
            continue; /* down files undo the up by design; lint them by naming them */
        mg_grow_array((void **)v, cap, *n + 1, sizeof(**v));
        struct pending_file *p = &(*v)[(*n)++];
        struct mg_buf path = MG_BUF_INIT;
        mg_buf_addf(&path, "%s%s%s", dir, mg_str_ends_with(dir, "/") ? "" : "/", de->d_name);
        p->path = mg_buf_detach(&path);
        p->name = mg_strdup(de->d_name);
        p->version = version;
        p->has_version = kind == 1;
    }
    closedir(d);
    if (*n > first)
        qsort(*v + first, *n - first, sizeof(**v), cmp_pending);
    return 0;
}

/* Same file?  Compares resolved paths so "./m/1.up.sql" and "m/1.up.sql" match. */
static int same_file(const char *a, const char *b)
{
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    int same = ra && rb ? !strcmp(ra, rb) : !strcmp(a, b);
    free(ra);
    free(rb);
    return same;
}

static void index_lines(struct chk_file *f)
{
    size_t cap = 0;
    mg_grow_array((void **)&f->lines, &cap, 1, sizeof(size_t));
    f->lines[0] = 0;
    f->nlines = 1;
    for (size_t i = 0; i < f->text.len; i++) {
        if (f->text.ptr[i] == '\n') {
            mg_grow_array((void **)&f->lines, &cap, f->nlines + 1, sizeof(size_t));
            f->lines[f->nlines++] = i + 1;
        }
    }
}

static void stmt_free(struct chk_stmt *s)
{
    /* s->node lives in the file's tree context (chk_pg_trees_close) */
    chk_my_stmt_free(&s->my);
    free(s->sql);
}

/* Runs every enabled rule of the dialect on each statement, then updates the model. */
static void run_statements(struct chk_run *r, struct chk_stmt *v, size_t n)
{
    int pg = r->cfg->dialect == CHK_PG;
    chk_fn fns[CHK_NRULES];
    size_t nfns = 0;

    for (int i = 0; i < CHK_NRULES; i++) {
        chk_fn f = pg ? chk_rules[i].pg : chk_rules[i].my;
        if (f && chk_on(r, i))
            fns[nfns++] = f;
    }
    for (size_t i = 0; i < n; i++) {
        struct chk_stmt *s = &v[i];
        r->cur = s;
        s->in_txn = r->file_txn || r->txn_depth > 0;
        if (pg && !s->node)
            continue;
        for (size_t k = 0; k < nfns; k++)
            fns[k](r, s);
        if (pg)
            pg_model_update(r, s);
        else
            my_model_update(r, s);
    }
    r->cur = NULL;
}

static void lint_file(struct chk_run *r, struct chk_file *f)
{
    struct mg_directives dir;
    struct mg_problems probs = {0};
    struct chk_stmt *v = NULL;
    struct drv_stmt *ds = NULL;
    size_t n = 0;
    struct mg_err err;

    r->text = f->text.ptr;
    r->cur = NULL;
    r->txn_depth = 0;
    r->lock_timeout = r->statement_timeout = 0;
    r->lock_timeout_told = r->statement_timeout_told = 0;
    r->first_ddl = r->first_dml = -1;
    r->in_explicit_txn_ddl_told = 0;
    r->fk_checks_off = r->mixed_told = 0;
    strv_clear(r->dropped, &r->ndropped);
    chk_txn_reset(r);
    index_lines(f);

    /* directives and file-scope ignores: the leading comment block */
    mg_directives_parse(&dir, f->text.ptr, f->text.len, f->path, &probs);
    size_t lead = leading_block_end(f->text.ptr, f->text.len);
    r->file_ign_from = r->nign;
    scan_ignores(r, 0, lead, 1);
    r->file_ign_to = r->nign;
    if (dir.lock_timeout_ms > 0)
        r->lock_timeout = 1;
    for (size_t i = 0; i < probs.n; i++) {
        const struct mg_problem *p = &probs.v[i];
        if (!strcmp(p->code, "bad-directive") && p->line > 0 && (size_t)p->line <= f->nlines)
            chk_report_off(r, R_SYNTAX_ERROR, f->lines[p->line - 1], "%s", p->msg);
    }
    mg_problems_free(&probs);

    mg_err_clear(&err);
    if (r->cfg->dialect == CHK_PG) {
        int ver = r->cfg->pg_version * 10000 + (r->cfg->pg_minor > 0 ? r->cfg->pg_minor : 0);
        if (drv_split(drv_for_name("postgres"), &ds, &n, f->text.ptr, f->text.len, ver, &err)) {
            size_t off = err.line > 0 && (size_t)err.line <= f->nlines ? f->lines[err.line - 1] : 0;
            if (err.col > 0)
                off += (size_t)err.col - 1;
            chk_report_off(r, R_SYNTAX_ERROR, off, "%s", err.msg);
            mg_directives_free(&dir);
            return;
        }
        v = mg_calloc(n ? n : 1, sizeof(*v));
        for (size_t i = 0; i < n; i++) {
            v[i].off = ds[i].off;
            v[i].len = ds[i].len;
            v[i].flags = ds[i].flags;
            v[i].why = ds[i].why;
            v[i].sql = mg_strndup(f->text.ptr + ds[i].off, ds[i].len);
        }
        free(ds);
    } else {
        if (chk_my_split(&v, &n, f->text.ptr, f->text.len, &err)) {
            size_t off = err.line > 0 && (size_t)err.line <= f->nlines ? f->lines[err.line - 1] : 0;
            if (err.col > 0)
                off += (size_t)err.col - 1;
            chk_report_off(r, R_SYNTAX_ERROR, off, "%s", err.msg);
            mg_directives_free(&dir);
            return;
        }
    }
    f->nstmts = n;

    /* the runner's own decision: one transaction unless told otherwise or impossible */
    r->file_txn = r->cfg->dialect == CHK_PG && !dir.no_transaction;
    for (size_t i = 0; i < n; i++)
        if (v[i].flags & 1 /* DRV_STMT_NO_TXN */)
            r->file_txn = 0;
    f->transaction = r->file_txn;

    void *trees = r->cfg->dialect == CHK_PG ? chk_pg_trees_open() : NULL;
    size_t prev_end = lead;
    for (size_t i = 0; i < n; i++) {
        struct chk_stmt *s = &v[i];
        s->index = i;
        s->next = i + 1 < n ? &v[i + 1] : NULL;
        s->ign_from = r->nign;
        if (s->off > prev_end)
            scan_ignores(r, prev_end, s->off, 0);
        s->ign_to = r->nign;
        prev_end = s->off + s->len;
        if (r->cfg->dialect == CHK_PG)
            chk_pg_parse(r, s);
        else
            my_parse(r, s);
    }
    run_statements(r, v, n);

    /* end of file */
    if (r->txn_depth > 0) {
        size_t at = n ? v[n - 1].off : 0;
        for (size_t i = 0; i < n; i++)
            if (v[i].flags & DRV_STMT_TXN_CONTROL)
                at = v[i].off;
        chk_report_off(r, R_UNCOMMITTED_TXN, at, NULL);
    }
    for (size_t i = 0; i < n; i++)
        stmt_free(&v[i]);
    free(v);
    chk_pg_trees_close(trees);
    mg_directives_free(&dir);
}

static void run_init(struct chk_run *r, struct chk_result *out, const struct chk_config *cfg)
{
    memset(r, 0, sizeof(*r));
    memset(out, 0, sizeof(*out));
    r->cfg = cfg;
    r->res = out;
    r->strong_lock = -1;
}

/* What is left after the last file: foreign keys without an index, unused ignores. */
static void run_finish(struct chk_run *r)
{
    r->cur = NULL;
    for (size_t i = 0; i < r->nfks; i++) {
        struct chk_fk *k = &r->fks[i];
        if (!chk_table_has_index(r, k->table, k->cols) &&
            !ignored_by(r, k->ign_from, k->ign_to, R_FK_WITHOUT_INDEX)) {
            int file_hit = 0;
            for (size_t g = 0; g < r->nign; g++)
                if (r->ign[g].file == k->file && r->ign[g].file_scope &&
                    r->ign[g].rule == R_FK_WITHOUT_INDEX) {
                    r->ign[g].used = 1;
                    file_hit = 1;
                }
            if (!file_hit) {
                struct mg_buf b = MG_BUF_INIT;
                mg_buf_addf(&b,
                            "no index on %s (%s) starts with the foreign key's columns: "
                            "deletes on the referenced table scan %s",
                            k->table, k->cols, k->table);
                add_finding(r, R_FK_WITHOUT_INDEX, k->file, k->off, k->stmt_off, k->stmt_len,
                            mg_buf_detach(&b));
            }
        }
        free(k->table);
        free(k->cols);
    }
    free(r->fks);
    for (size_t i = 0; i < r->nign; i++) {
        struct chk_ignore *g = &r->ign[i];
        if (chk_on(r, R_UNUSED_IGNORE) && !g->used &&
            (g->rule < 0 || r->cfg->sev[g->rule] != CHK_OFF)) {
            struct mg_buf b = MG_BUF_INIT;
            if (g->rule < 0)
                mg_buf_addf(&b, "migrate:ignore names '%s', which is not a rule", g->name);
            else
                mg_buf_addf(&b, "migrate:ignore %s silences nothing %s", g->name,
                            g->file_scope ? "in this file" : "on the next statement");
            add_finding(r, R_UNUSED_IGNORE, g->file, g->off, g->off, 0, mg_buf_detach(&b));
        }
        free(g->name);
    }
    free(r->ign);
    chk_map_free(&r->tables, table_free);
    chk_map_free(&r->indexes, index_free);
    chk_map_free(&r->nnchecks, nncheck_free);
    strv_clear(r->altered, &r->naltered);
    strv_clear(r->notvalid, &r->nnotvalid);
    strv_clear(r->dropped, &r->ndropped);
    free(r->altered);
    free(r->notvalid);
    free(r->dropped);
    if (r->res->n)
        qsort(r->res->v, r->res->n, sizeof(*r->res->v), cmp_finding);
}

int chk_lint(struct chk_result *out, const struct chk_config *cfg, char *const *paths,
             size_t npaths, char *const *new_paths, size_t nnew, size_t max_file_size,
             struct mg_err *err)
{
    struct pending_file *pf = NULL;
    size_t npf = 0, cap = 0;
    struct chk_run r;
    int rc = 0;

    run_init(&r, out, cfg);
    for (size_t i = 0; i < npaths && !rc; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            int e = errno;
            mg_err_set(err, MG_EINPUT, "cannot read '%s': %s", paths[i], strerror(e));
            mg_err_hint(err, "name migration files or directories; the default is the "
                             "migrations directory (-p/--path, MIGRATE_PATH)");
            rc = err->code;
        } else if (S_ISDIR(st.st_mode)) {
            rc = expand_dir(paths[i], &pf, &npf, &cap, err);
        } else {
            mg_grow_array((void **)&pf, &cap, npf + 1, sizeof(*pf));
            pf[npf].path = mg_strdup(paths[i]);
            pf[npf].name = mg_strdup(paths[i]);
            pf[npf].has_version = 0;
            npf++;
        }
    }
    if (!rc) {
        out->files = mg_calloc(npf ? npf : 1, sizeof(*out->files));
        for (size_t i = 0; i < npf && !rc; i++) {
            struct chk_file *f = &out->files[i];
            f->path = mg_strdup(pf[i].path);
            mg_buf_init(&f->text);
            out->nfiles++;
            if (mg_read_file(&f->text, f->path, max_file_size ? max_file_size : (64u << 20), err) <
                0) {
                /* an unreadable or oversized file is bad input (exit 2), whatever the cause */
                err->code = MG_EINPUT;
                rc = MG_EINPUT;
                break;
            }
            for (size_t k = 0; k < nnew; k++)
                if (same_file(new_paths[k], f->path))
                    f->is_new = 1;
        }
    }
    for (size_t i = 0; i < npf; i++) {
        free(pf[i].path);
        free(pf[i].name);
    }
    free(pf);
    for (size_t i = 0; !rc && i < out->nfiles; i++) {
        r.file = i;
        lint_file(&r, &out->files[i]);
    }
    run_finish(&r);
    return rc;
}

int chk_lint_text(struct chk_result *out, const struct chk_config *cfg, const char *name,
                  const char *text, struct mg_err *err)
{
    struct chk_run r;

    (void)err;
    run_init(&r, out, cfg);
    out->files = mg_calloc(1, sizeof(*out->files));
    out->nfiles = 1;
    out->files[0].path = mg_strdup(name);
    mg_buf_init(&out->files[0].text);
    mg_buf_adds(&out->files[0].text, text);
    lint_file(&r, &out->files[0]);
    run_finish(&r);
    return 0;
}

void chk_result_free(struct chk_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        mg_buf_free(&r->files[i].text);
        free(r->files[i].lines);
    }
    free(r->files);
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].msg);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

size_t chk_result_failing(const struct chk_result *r, const struct chk_config *cfg)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].sev >= cfg->fail_on)
            n++;
    return n;
}
