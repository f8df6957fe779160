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
    free(f->spans);
    free(f);
}

/* Reads one file and checks its encoding; problems go to the source's list. */
static struct mg_file *file_read(struct mg_source *src, const char *name, size_t max, int *ok)
{
    struct mg_file *f = mg_calloc(1, sizeof(*f));
    struct mg_err err;
    struct mg_buf path = MG_BUF_INIT;
    size_t bad;

    *ok = 0;
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
    *ok = 1;
    return f;
}

/* Reads the leading directives of a (section of a) file; usable when they are understood. */
static void file_finish(struct mg_source *src, struct mg_file *f)
{
    int no_txn = f->dir.no_transaction;
    struct mg_problems local = {0};

    if (mg_directives_parse(&f->dir, f->text.ptr, f->text.len, f->path, &local) == 0)
        f->usable = 1;
    /* directive lines count from the start of the file, not of the section */
    for (size_t i = 0; i < local.n; i++) {
        struct mg_problem *p = &local.v[i];
        mg_problems_add(&src->problems, p->sev, p->code, p->file,
                        p->line ? p->line + f->line_offset : 0, p->version, p->hint, "%s", p->msg);
    }
    mg_problems_free(&local);
    f->dir.no_transaction |= no_txn;
}

static struct mg_file *file_load(struct mg_source *src, const char *name, size_t max)
{
    int ok;
    struct mg_file *f = file_read(src, name, max, &ok);

    if (ok)
        file_finish(src, f);
    return f;
}

/* ---------- dbmate and goose: both directions in one file ---------- */

/* A new file holding text[from, to) of `whole`, which starts at 0-based line `line`. */
static struct mg_file *section(const struct mg_file *whole, size_t from, size_t to, int line)
{
    struct mg_file *f = mg_calloc(1, sizeof(*f));

    f->path = mg_strdup(whole->path);
    f->name = mg_strdup(whole->name);
    mg_buf_init(&f->text);
    mg_buf_add(&f->text, whole->text.ptr + from, to - from);
    f->line_offset = line;
    f->dir.lock_timeout_ms = -1;
    mg_checksum(f->checksum, f->text.ptr, f->text.len);
    return f;
}

/* Is line [s, e) the comment "-- <word...>" (case-insensitive after the dashes)? Returns the rest.
 */
static const char *marker(const char *s, const char *e, const char *word)
{
    size_t n = strlen(word);

    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if (e - s < 2 || s[0] != '-' || s[1] != '-')
        return NULL;
    s += 2;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    if ((size_t)(e - s) < n || strncasecmp(s, word, n) != 0)
        return NULL;
    s += n;
    if (s < e && !(*s == ' ' || *s == '\t' || *s == '\r'))
        return NULL;
    return s;
}

/*
 * Carves a dbmate or goose file into its up and down sections.  dbmate:
 * "-- migrate:up [transaction:false]" and "-- migrate:down".  goose:
 * "-- +goose Up", "-- +goose Down", "-- +goose NO TRANSACTION" and
 * "-- +goose StatementBegin/End" around statements that hold semicolons.
 */
static void carve(struct mg_source *src, struct mg_migration *m, struct mg_file *whole, int goose)
{
    const char *t = whole->text.ptr, *end = t + whole->text.len;
    const char *up_kw = goose ? "+goose up" : "migrate:up";
    const char *down_kw = goose ? "+goose down" : "migrate:down";
    size_t up_at = 0, down_at = 0, up_from = 0, down_from = 0;
    int up_line = -1, down_line = -1, line = 0, no_txn = 0, has_up = 0, has_down = 0;
    struct mg_span spans[2][256];
    size_t nspans[2] = {0, 0};
    size_t open_at = 0;
    int open = 0, open_line = 0;

    for (const char *p = t; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *rest;
        size_t off = (size_t)(p - t), next = nl ? (size_t)(nl + 1 - t) : whole->text.len;
        if ((rest = marker(p, le, up_kw)) && !has_up) {
            has_up = 1;
            up_at = off;
            up_from = next;
            up_line = line + 1;
            if (!goose && memmem(rest, (size_t)(le - rest), "transaction:false", 17))
                no_txn |= 1;
        } else if ((rest = marker(p, le, down_kw)) && !has_down) {
            has_down = 1;
            down_at = off;
            down_from = next;
            down_line = line + 1;
            if (!goose && memmem(rest, (size_t)(le - rest), "transaction:false", 17))
                no_txn |= 2;
        } else if (goose && marker(p, le, "+goose no transaction")) {
            no_txn |= 3;
        } else if (goose && marker(p, le, "+goose statementbegin")) {
            open = 1;
            open_at = next;
            open_line = line + 1;
        } else if (goose && marker(p, le, "+goose statementend")) {
            int dir = has_down && off >= down_from ? 1 : 0;
            if (open && nspans[dir] < 256) {
                size_t base = dir ? down_from : up_from;
                spans[dir][nspans[dir]].start = open_at - base;
                spans[dir][nspans[dir]].end = off - base;
                nspans[dir]++;
            }
            open = 0;
        }
        p = le + (nl ? 1 : 0);
        if (!nl)
            break;
    }
    (void)up_at;
    if (open)
        mg_problems_add(&src->problems, MG_SEV_ERROR, "bad-section", whole->path, open_line,
                        m->version, "close it with -- +goose StatementEnd",
                        "'-- +goose StatementBegin' at line %d is never closed", open_line);
    if (!has_up) {
        mg_problems_add(&src->problems, MG_SEV_ERROR, "bad-section", whole->path, 0, m->version,
                        goose ? "start the up part with a line '-- +goose Up'"
                              : "start the up part with a line '-- migrate:up'",
                        "'%s' has no %s section", whole->name,
                        goose ? "'-- +goose Up'" : "'-- migrate:up'");
        return;
    }
    if (has_down && down_at < up_from) {
        mg_problems_add(&src->problems, MG_SEV_ERROR, "bad-section", whole->path, down_line,
                        m->version, "put the up section first",
                        "'%s' has its down section before its up section", whole->name);
        return;
    }
    m->up = section(whole, up_from, has_down ? down_at : whole->text.len, up_line);
    if (has_down)
        m->down = section(whole, down_from, whole->text.len, down_line);
    struct mg_file *files[2] = {m->up, m->down};
    for (int d = 0; d < 2; d++) {
        struct mg_file *f = files[d];
        if (!f)
            continue;
        f->dir.no_transaction = (no_txn & (d ? 2 : 1)) != 0;
        if (nspans[d]) {
            f->spans = mg_calloc(nspans[d], sizeof(*f->spans));
            memcpy(f->spans, spans[d], nspans[d] * sizeof(*f->spans));
            f->nspans = nspans[d];
        }
        file_finish(src, f);
    }
}

/* {version}_{title}.sql, the names of dbmate and goose. */
static int parse_single_name(const char *name, uint64_t *version, char **title, const char **why)
{
    size_t len = strlen(name);
    const char *us = strchr(name, '_');

    *title = NULL;
    if (!mg_str_ends_with(name, ".sql"))
        return mg_str_ends_with(name, ".go") ? -2 : 0;
    if (!us || us == name) {
        *why = "the name does not start with a version number and '_'";
        return -1;
    }
    for (const char *p = name; p < us; p++)
        if (*p < '0' || *p > '9') {
            *why = "the version (before the first '_') is not a whole number";
            return -1;
        }
    if (mg_parse_u64(version, name, (size_t)(us - name)) < 0 || *version == 0) {
        *why = "the version is 0 or does not fit in 64 bits";
        return -1;
    }
    if (us + 1 >= name + len - 4) {
        *why = "the title after the version is empty";
        return -1;
    }
    *title = mg_strndup(us + 1, (size_t)(name + len - 4 - us - 1));
    return 1;
}

/* V{version}__{desc}.sql and U{version}__{desc}.sql, Flyway's names. */
static int parse_flyway_name(const char *name, uint64_t *version, char **title, int *is_down,
                             const char **why)
{
    const char *sep = strstr(name, "__");
    size_t len = strlen(name);

    *title = NULL;
    if (!mg_str_ends_with(name, ".sql"))
        return 0;
    if (name[0] == 'R' && sep == name + 1) {
        *why = "repeatable migrations (R__) are not supported";
        return -1;
    }
    if ((name[0] != 'V' && name[0] != 'U') || !sep || sep == name + 1) {
        *why = "Flyway names are V{version}__{description}.sql or U{version}__{description}.sql";
        return -1;
    }
    for (const char *p = name + 1; p < sep; p++)
        if (*p < '0' || *p > '9') {
            *why = (*p == '.' || *p == '_') ? "dotted versions (V1.2__) are not supported: "
                                              "versions are whole numbers"
                                            : "the version is not a whole number";
            return -1;
        }
    if (mg_parse_u64(version, name + 1, (size_t)(sep - name - 1)) < 0 || *version == 0) {
        *why = "the version is 0 or does not fit in 64 bits";
        return -1;
    }
    if (sep + 2 >= name + len - 4) {
        *why = "the description after '__' is empty";
        return -1;
    }
    *is_down = name[0] == 'U';
    *title = mg_strndup(sep + 2, (size_t)(name + len - 4 - sep - 2));
    return 1;
}

/* Which tool's layout a directory uses, from its names and, for single files, their markers. */
static const char *detect_layout(const char *dir, char **names, size_t n)
{
    int single = 0;

    for (size_t i = 0; i < n; i++)
        if (mg_str_ends_with(names[i], ".up.sql") || mg_str_ends_with(names[i], ".down.sql"))
            return "golang-migrate";
    for (size_t i = 0; i < n; i++)
        if ((names[i][0] == 'V' || names[i][0] == 'U' || names[i][0] == 'R') &&
            strstr(names[i], "__") && mg_str_ends_with(names[i], ".sql"))
            return "flyway";
    for (size_t i = 0; i < n; i++) {
        if (!mg_str_ends_with(names[i], ".sql") || names[i][0] < '0' || names[i][0] > '9')
            continue;
        single = 1;
        struct mg_buf path = MG_BUF_INIT, text = MG_BUF_INIT;
        struct mg_err err;
        mg_err_clear(&err);
        mg_buf_addf(&path, "%s/%s", dir, names[i]);
        const char *found = NULL;
        if (mg_read_file(&text, path.ptr, (size_t)64 << 20, &err) == 0) {
            for (const char *p = text.ptr; p && *p && !found;) {
                const char *nl = strchr(p, '\n');
                const char *le = nl ? nl : p + strlen(p);
                if (marker(p, le, "+goose up"))
                    found = "goose";
                else if (marker(p, le, "migrate:up"))
                    found = "dbmate";
                p = nl ? nl + 1 : NULL;
            }
        }
        mg_buf_free(&path);
        mg_buf_free(&text);
        if (found)
            return found;
    }
    return single ? "dbmate" : "golang-migrate";
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

    out->layout = detect_layout(dir, names, nnames);
    int layout_single = !strcmp(out->layout, "dbmate") || !strcmp(out->layout, "goose");
    int layout_flyway = !strcmp(out->layout, "flyway");
    for (size_t i = 0; i < nnames; i++) {
        const char *name = names[i];
        uint64_t version = 0;
        char *title = NULL;
        int is_down = 0;
        const char *why = NULL;
        struct mg_buf path = MG_BUF_INIT;
        int kind;

        if (layout_single)
            kind = parse_single_name(name, &version, &title, &why);
        else if (layout_flyway)
            kind = parse_flyway_name(name, &version, &title, &is_down, &why);
        else
            kind = mg_source_parse_name(name, &version, &title, &is_down, &why);

        mg_buf_addf(&path, "%s/%s", dir, name);
        if (kind == -2) {
            mg_problems_add(&out->problems, MG_SEV_ERROR, "unsupported-migration", path.ptr, 0, 0,
                            "rewrite it as a .sql migration",
                            "'%s' is a Go migration, which migrate cannot run", name);
            mg_buf_free(&path);
            continue;
        }
        if (kind < 0) {
            mg_problems_add(
                &out->problems, MG_SEV_ERROR, "bad-file-name", path.ptr, 0, 0,
                layout_single ? "name migration files {version}_{title}.sql"
                : layout_flyway
                    ? "name migration files V{version}__{description}.sql"
                    : "name migration files {version}_{title}.up.sql and "
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
        if (layout_single) {
            int ok;
            struct mg_file *whole = file_read(out, name, max, &ok);
            if (ok)
                carve(out, m, whole, !strcmp(out->layout, "goose"));
            if (!m->up) /* keep the file so the version still shows, unusable */
                m->up = whole;
            else
                file_free(whole);
            continue;
        }
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
