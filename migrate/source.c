/* source.c — reading a migration directory (see source.h). */
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define DEFAULT_MAX_FILE ((size_t)64 << 20)

int mg_source_parse_name(const char *name, uint64_t *version, char **title, int *is_down,
                         const char **why)
{
    size_t len = strlen(name);
    const char *us, *dot;

    *title = NULL;
    if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
        return 0;
    if (mg_str_ends_with(name, ".up.sql")) {
        *is_down = 0;
        dot = name + len - 7;
    } else if (mg_str_ends_with(name, ".down.sql")) {
        *is_down = 1;
        dot = name + len - 9;
    } else {
        *why = "the name does not end in .up.sql or .down.sql";
        return -1;
    }
    us = memchr(name, '_', (size_t)(dot - name));
    if (!us) {
        *why = "there is no '_' between the version and the title";
        return -1;
    }
    if (us == name) {
        *why = "the name does not start with a version number";
        return -1;
    }
    for (const char *p = name; p < us; p++) {
        if (*p < '0' || *p > '9') {
            *why = "the version (before the first '_') is not a whole number";
            return -1;
        }
    }
    if (mg_parse_u64(version, name, (size_t)(us - name)) < 0) {
        *why = "the version does not fit in 64 bits";
        return -1;
    }
    if (*version == 0) {
        *why = "version 0 is reserved: it means 'no migration applied'";
        return -1;
    }
    if (dot == us + 1) {
        *why = "the title after the version is empty";
        return -1;
    }
    *title = mg_strndup(us + 1, (size_t)(dot - us - 1));
    return 1;
}

void mg_checksum(char out[65], const char *text, size_t len)
{
    if (!memchr(text, '\r', len)) {
        mg_sha256_hex(out, text, len);
        return;
    }
    char *norm = mg_malloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        norm[o++] = text[i];
    }
    mg_sha256_hex(out, norm, o);
    free(norm);
}

int mg_parse_ignore(const char *line, size_t len, struct mg_ignore *out)
{
    const char *p = line, *end = line + len;
    const char *kw = "migrate:ignore";

    if (len < 2 || p[0] != '-' || p[1] != '-')
        return 0;
    p += 2;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < strlen(kw) || strncmp(p, kw, strlen(kw)) != 0)
        return 0;
    p += strlen(kw);
    if (p < end && *p != ' ' && *p != '\t')
        return 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *r = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
        p++;
    out->rules = mg_strndup(r, (size_t)(p - r));
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *e = end;
    while (e > p && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\n' || e[-1] == '\t'))
        e--;
    out->reason = mg_strndup(p, (size_t)(e - p));
    out->line = 0;
    return 1;
}

int mg_directives_parse(struct mg_directives *out, const char *text, size_t len, const char *path,
                        struct mg_problems *problems)
{
    const char *p = text, *end = text + len;
    int line = 0, rc = 0;
    size_t cap = 0;

    memset(out, 0, sizeof(*out));
    out->lock_timeout_ms = -1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p;
        line++;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == le) {
            p = nl ? nl + 1 : end;
            continue;
        }
        if (le - s < 2 || s[0] != '-' || s[1] != '-')
            break; /* the first statement ends the leading comment block */
        const char *d = s + 2;
        while (d < le && (*d == ' ' || *d == '\t'))
            d++;
        if ((size_t)(le - d) >= 8 && !strncmp(d, "migrate:", 8)) {
            const char *name = d + 8, *ne = name;
            while (ne < le && *ne != ' ' && *ne != '\t' && *ne != '\r')
                ne++;
            const char *arg = ne;
            while (arg < le && (*arg == ' ' || *arg == '\t'))
                arg++;
            const char *ae = le;
            while (ae > arg && (ae[-1] == ' ' || ae[-1] == '\r' || ae[-1] == '\t'))
                ae--;
            size_t nl_len = (size_t)(ne - name);
            if (nl_len == 14 && !strncmp(name, "no-transaction", 14) && arg == ae) {
                out->no_transaction = 1;
            } else if (nl_len == 6 && !strncmp(name, "online", 6) && arg == ae) {
                out->online = 1;
            } else if (nl_len == 12 && !strncmp(name, "lock-timeout", 12)) {
                char *v = mg_strndup(arg, (size_t)(ae - arg));
                struct mg_err e;
                mg_err_clear(&e);
                if (mg_parse_duration(&out->lock_timeout_ms, v, &e) < 0) {
                    mg_problems_add(problems, MG_SEV_ERROR, "bad-directive", path, line, 0,
                                    "write it as -- migrate:lock-timeout 2s",
                                    "migrate:lock-timeout has an invalid duration '%s'", v);
                    rc = -1;
                }
                free(v);
            } else if (nl_len == 6 && !strncmp(name, "ignore", 6)) {
                struct mg_ignore ig;
                if (mg_parse_ignore(s, (size_t)(le - s), &ig) && ig.rules[0]) {
                    mg_grow_array((void **)&out->ignores, &cap, out->nignores + 1,
                                  sizeof(*out->ignores));
                    ig.line = line;
                    out->ignores[out->nignores++] = ig;
                } else {
                    if (ig.rules) {
                        free(ig.rules);
                        free(ig.reason);
                    }
                    mg_problems_add(problems, MG_SEV_ERROR, "bad-directive", path, line, 0,
                                    "write it as -- migrate:ignore RULE[,RULE] reason",
                                    "migrate:ignore names no rule");
                    rc = -1;
                }
            } else {
                mg_problems_add(problems, MG_SEV_ERROR, "bad-directive", path, line, 0,
                                "known directives: migrate:no-transaction, migrate:online, "
                                "migrate:lock-timeout DUR, migrate:ignore RULE reason",
                                "unknown or malformed directive 'migrate:%.*s'", (int)(ae - name),
                                name);
                rc = -1;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return rc;
}

void mg_directives_free(struct mg_directives *d)
{
    for (size_t i = 0; i < d->nignores; i++) {
        free(d->ignores[i].rules);
        free(d->ignores[i].reason);
    }
    free(d->ignores);
    memset(d, 0, sizeof(*d));
}

static void file_free(struct mg_file *f)
{
    if (!f)
        return;
    free(f->path);
    free(f->name);
    mg_buf_free(&f->text);
    mg_directives_free(&f->dir);
    free(f);
}

/* Reads and checks one file; problems go to the source's list. */
static struct mg_file *file_load(struct mg_source *src, const char *name, size_t max)
{
    struct mg_file *f = mg_calloc(1, sizeof(*f));
    struct mg_err err;
    struct mg_buf path = MG_BUF_INIT;
    size_t bad;

    mg_buf_addf(&path, "%s/%s", src->dir, name);
    f->path = mg_buf_detach(&path);
    f->name = mg_strdup(name);
    mg_buf_init(&f->text);
    f->dir.lock_timeout_ms = -1;
    mg_err_clear(&err);
    if (mg_read_file(&f->text, f->path, max, &err) < 0) {
        mg_problems_add(&src->problems, MG_SEV_ERROR, "unreadable-file", f->path, 0, 0,
                        err.hint[0] ? err.hint : NULL, "%s", err.msg);
        return f;
    }
    mg_checksum(f->checksum, f->text.ptr, f->text.len);
    if (!mg_utf8_valid(f->text.ptr, f->text.len, &bad)) {
        int line, col;
        mg_line_col(f->text.ptr, bad, &line, &col);
        mg_problems_add(&src->problems, MG_SEV_ERROR, "invalid-utf8", f->path, line, 0,
                        "save the file as UTF-8", "invalid UTF-8 at line %d, column %d", line, col);
        return f;
    }
    if (memchr(f->text.ptr, '\0', f->text.len)) {
        int line, col;
        mg_line_col(f->text.ptr, strlen(f->text.ptr), &line, &col);
        mg_problems_add(&src->problems, MG_SEV_ERROR, "nul-byte", f->path, line, 0,
                        "remove the NUL byte; SQL text cannot contain one",
                        "the file contains a NUL byte at line %d", line);
        return f;
    }
    if (mg_directives_parse(&f->dir, f->text.ptr, f->text.len, f->path, &src->problems) < 0)
        return f;
    f->usable = 1;
    return f;
}

static int only_space(const struct mg_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->ptr[i] != ' ' && b->ptr[i] != '\n' && b->ptr[i] != '\r' && b->ptr[i] != '\t')
            return 0;
    return 1;
}

static int cmp_migration(const void *a, const void *b)
{
    const struct mg_migration *x = a, *y = b;
    return x->version < y->version ? -1 : x->version > y->version;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int mg_source_load(struct mg_source *out, const char *dir, const struct mg_source_opts *opts,
                   struct mg_err *err)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t nnames = 0, namecap = 0, cap = 0;
    size_t max = opts && opts->max_file_size ? opts->max_file_size : DEFAULT_MAX_FILE;

    memset(out, 0, sizeof(*out));
    out->layout = "golang-migrate";
    d = opendir(dir);
    if (!d) {
        int e = errno;
        mg_err_set(err, e == ENOENT ? MG_ENOTFOUND : MG_EFAIL,
                   "cannot read the migrations directory '%s': %s", dir, strerror(e));
        mg_err_hint(err, "pass the directory with -p/--path or MIGRATE_PATH (default "
                         "./migrations), or create it with 'migrate create NAME'");
        return err->code;
    }
    out->dir = mg_strdup(dir);
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        mg_grow_array((void **)&names, &namecap, nnames + 1, sizeof(char *));
        names[nnames++] = mg_strdup(de->d_name);
    }
    closedir(d);
    /* a stable order makes problems and duplicate handling deterministic */
    if (nnames)
        qsort(names, nnames, sizeof(char *), cmp_str);

    for (size_t i = 0; i < nnames; i++) {
        const char *name = names[i];
        uint64_t version;
        char *title = NULL;
        int is_down = 0;
        const char *why = NULL;
        struct mg_buf path = MG_BUF_INIT;
        int kind = mg_source_parse_name(name, &version, &title, &is_down, &why);

        mg_buf_addf(&path, "%s/%s", dir, name);
        if (kind < 0) {
            mg_problems_add(&out->problems, MG_SEV_ERROR, "bad-file-name", path.ptr, 0, 0,
                            "name migration files {version}_{title}.up.sql and "
                            "{version}_{title}.down.sql, e.g. 20261130120000_add_users.up.sql",
                            "'%s' is not a valid migration file name: %s", name, why);
            mg_buf_free(&path);
            continue;
        }
        if (kind == 0) {
            struct stat st;
            if (stat(path.ptr, &st) == 0 && S_ISREG(st.st_mode) &&
                !mg_strcase_eq(name, "README.md") && !mg_str_ends_with(name, ".md") &&
                !mg_str_ends_with(name, ".txt"))
                mg_problems_add(&out->problems, MG_SEV_WARNING, "unknown-file", path.ptr, 0, 0,
                                "move files that are not migrations out of the directory",
                                "'%s' is not a migration file and is ignored", name);
            mg_buf_free(&path);
            continue;
        }
        mg_buf_free(&path);

        struct mg_migration *m = NULL;
        for (size_t k = 0; k < out->n; k++)
            if (out->v[k].version == version)
                m = &out->v[k];
        if (!m) {
            mg_grow_array((void **)&out->v, &cap, out->n + 1, sizeof(*out->v));
            m = &out->v[out->n++];
            memset(m, 0, sizeof(*m));
            m->version = version;
            m->title = title;
            title = NULL;
        }
        struct mg_file **slot = is_down ? &m->down : &m->up;
        if (*slot || (m->title && title && strcmp(m->title, title) != 0)) {
            int said = 0;
            for (size_t k = 0; k < out->problems.n; k++)
                if (out->problems.v[k].version == version &&
                    !strcmp(out->problems.v[k].code, "duplicate-version"))
                    said = 1;
            if (said) {
                free(title);
                continue;
            }
            const char *other = *slot ? (*slot)->name
                                      : (m->up     ? m->up->name
                                         : m->down ? m->down->name
                                                   : "");
            mg_problems_add(&out->problems, MG_SEV_ERROR, "duplicate-version", NULL, 0, version,
                            "give every migration its own version; rename one of the files",
                            "version %llu is used by both '%s' and '%s'",
                            (unsigned long long)version, other, name);
            free(title);
            continue;
        }
        free(title);
        *slot = file_load(out, name, max);
    }
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);

    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), cmp_migration);
    char prev[65] = "";
    for (size_t i = 0; i < out->n; i++) {
        struct mg_migration *m = &out->v[i];
        if (!m->up) {
            mg_problems_add(&out->problems, MG_SEV_ERROR, "down-without-up", m->down->path, 0,
                            m->version, "add the up file, or delete the down file",
                            "'%s' has no matching up file", m->down->name);
        } else {
            char both[130];
            snprintf(both, sizeof(both), "%s%s", prev, m->up->checksum);
            mg_sha256_hex(m->chain, both, strlen(both));
            memcpy(prev, m->chain, sizeof(prev));
            if (m->up->usable && only_space(&m->up->text))
                mg_problems_add(&out->problems, MG_SEV_ERROR, "empty-migration", m->up->path, 0,
                                m->version, "write the SQL of the change, or delete the files",
                                "'%s' is empty", m->up->name);
            if (!m->down)
                mg_problems_add(&out->problems, MG_SEV_WARNING, "missing-down", m->up->path, 0,
                                m->version,
                                "add a down file that undoes the up, so the change can be "
                                "rolled back",
                                "'%s' has no down file: it cannot be reverted", m->up->name);
        }
        if (m->down && m->down->usable && only_space(&m->down->text))
            mg_problems_add(&out->problems, MG_SEV_WARNING, "empty-down", m->down->path, 0,
                            m->version, "write the SQL that undoes the up file",
                            "'%s' is empty: reverting it changes nothing but the history",
                            m->down->name);
    }
    return 0;
}

void mg_source_free(struct mg_source *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].title);
        file_free(s->v[i].up);
        file_free(s->v[i].down);
    }
    free(s->v);
    free(s->dir);
    mg_problems_free(&s->problems);
    memset(s, 0, sizeof(*s));
}

const struct mg_migration *mg_source_find(const struct mg_source *s, uint64_t version)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid].version == version)
            return &s->v[mid];
        if (s->v[mid].version < version)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
