/*
 * osc_my.c — the MySQL/MariaDB backend of the online schema change engine.
 *
 * MySQL commits every DDL statement at once, so nothing here is one transaction the way the
 * PostgreSQL backend's setup and cut-over are; the job row is written first (phase setup) so
 * that every step can be resumed or undone:
 *  - The shadow is `CREATE TABLE _osc<id>_new_<t> LIKE t` (indexes keep their names), then
 *    the ALTER's specification runs on it.  The ALTER is read with a tokenizer that knows
 *    MySQL's quotes, backticks and comments; only the table name's tokens are replaced.
 *  - Three AFTER triggers read a one-row switch (`_osc<id>_pos`, LOCK IN SHARE MODE): while
 *    the copy runs they note changed keys in a change log (`_osc<id>_log`), afterwards they
 *    write the shadow themselves (INSERT ... ON DUPLICATE KEY UPDATE, DELETE by key).
 *  - The copy reads the original without locks (READ COMMITTED, row-based binary log), so it
 *    never waits for the application nor the application for it; a row changed meanwhile has
 *    its key in the log.  Single-column keys copy `ORDER BY key LIMIT n` and read the batch's
 *    end back from the shadow; other keys look the end up first (OFFSET).
 *  - The build replays the log without locks down to a few keys, then turns the switch on
 *    (which waits for every transaction that read it off); the rest is replayed under shared
 *    row locks, ordered with the triggers' own writes.
 *  - Verification compares count and a sum of CRC32 of each row's text per key range, both
 *    tables in one REPEATABLE READ snapshot.
 *  - The cut-over is one atomic `RENAME TABLE t TO old, shadow TO t` that waits for the
 *    metadata lock at most the cut-over lock timeout: MariaDB counts it in whole seconds, so
 *    anything under a second is NOWAIT; retried with backoff like the PostgreSQL one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mylex.h"
#include "osc_impl.h"
#include "run.h"
#include "sqltext.h"
#include "util.h"

#define MAX_KEYS   16
#define NAME_CHARS 64 /* MySQL identifiers: 64 characters */

/* ---------- tokens ---------- */

enum my_tk { T_END, T_WORD, T_QIDENT, T_STRING, T_PUNCT, T_EXEC, T_BAD };

struct my_tok {
    enum my_tk kind;
    size_t off, len; /* in the text */
};

/* The token at or after i (spaces and comments skipped); returns the offset after it. */
static size_t my_next(const char *s, size_t len, size_t i, struct my_tok *t)
{
    for (;;) {
        size_t next = i;
        const char *what = NULL;
        enum mg_mylex_tok k = i < len ? mg_mylex_next(s, i, len, &next, &what) : MG_MYLEX_SPACE;
        t->off = i;
        t->len = next - i;
        if (i >= len) {
            t->kind = T_END;
            return i;
        }
        switch (k) {
        case MG_MYLEX_SPACE:
        case MG_MYLEX_COMMENT:
            i = next;
            continue;
        case MG_MYLEX_EXEC_COMMENT:
            t->kind = T_EXEC; /* code only the server reads */
            return next;
        case MG_MYLEX_ERROR: /* next: where the unterminated quote or comment opens */
            t->kind = T_BAD;
            t->off = next;
            t->len = len - next;
            return len;
        case MG_MYLEX_QUOTED:
            t->kind = s[i] == '`' ? T_QIDENT : T_STRING;
            return next;
        case MG_MYLEX_WORD:
            t->kind = T_WORD;
            return next;
        case MG_MYLEX_OTHER:
            t->kind = T_PUNCT;
            return next;
        }
    }
}

static int tok_is(const char *s, const struct my_tok *t, const char *word)
{
    return t->kind == T_WORD && t->len == strlen(word) && !strncasecmp(s + t->off, word, t->len);
}

/* An identifier token's name: a word as written, a backticked one unquoted. */
static char *tok_ident(const char *s, const struct my_tok *t)
{
    struct mg_buf b = MG_BUF_INIT;

    if (t->kind == T_WORD) {
        mg_buf_add(&b, s + t->off, t->len);
    } else {
        for (size_t i = t->off + 1; i + 1 < t->off + t->len; i++) {
            mg_buf_addch(&b, s[i]);
            if (s[i] == '`')
                i++;
        }
    }
    return mg_buf_detach(&b);
}

/*
 * Reads "name" or "schema.name" (backticks allowed) from text[from, len); *end is the offset
 * after it.  Returns 0, or -1 when there is no name there.
 */
static int read_name(const char *s, size_t len, size_t from, char **schema, char **name,
                     size_t *start, size_t *end)
{
    struct my_tok a, dot, b;
    size_t i = my_next(s, len, from, &a);

    *schema = *name = NULL;
    if (a.kind != T_WORD && a.kind != T_QIDENT)
        return -1;
    *start = a.off;
    size_t j = my_next(s, len, i, &dot);
    if (dot.kind == T_PUNCT && s[dot.off] == '.') {
        size_t k = my_next(s, len, j, &b);
        if (b.kind != T_WORD && b.kind != T_QIDENT)
            return -1;
        *schema = tok_ident(s, &a);
        *name = tok_ident(s, &b);
        *end = k;
        return 0;
    }
    *name = tok_ident(s, &a);
    *end = i;
    return 0;
}

/* What the engine needs of a MySQL ALTER TABLE. */
struct my_alter {
    char *schema, *name; /* the target as written (schema may be NULL) */
    size_t spec_off;     /* where the alter specification starts */
    json_t *dropped_fks; /* names the ALTER drops with DROP FOREIGN KEY */
};

static void my_alter_free(struct my_alter *a)
{
    free(a->schema);
    free(a->name);
    json_decref(a->dropped_fks);
    memset(a, 0, sizeof(*a));
}

/*
 * Reads ALTER [ONLINE] [IGNORE] TABLE name [WAIT n | NOWAIT] spec.  Refuses what would
 * reach beyond the shadow table (RENAME to another name, EXCHANGE PARTITION, tablespaces),
 * executable comments and a second statement.
 */
static int my_alter_read(struct my_alter *a, const char *sql, struct mg_err *err)
{
    size_t len = strlen(sql), i, start, end;
    struct my_tok t;
    int depth = 0;

    memset(a, 0, sizeof(*a));
    i = my_next(sql, len, 0, &t);
    if (!tok_is(sql, &t, "ALTER"))
        goto not_alter;
    i = my_next(sql, len, i, &t);
    while (tok_is(sql, &t, "ONLINE") || tok_is(sql, &t, "IGNORE"))
        i = my_next(sql, len, i, &t);
    if (!tok_is(sql, &t, "TABLE"))
        goto not_alter;
    if (read_name(sql, len, i, &a->schema, &a->name, &start, &end))
        goto not_alter;
    i = my_next(sql, len, end, &t);
    if (tok_is(sql, &t, "NOWAIT")) {
        end = i;
    } else if (tok_is(sql, &t, "WAIT")) {
        i = my_next(sql, len, i, &t);
        end = i;
    }
    a->spec_off = end;
    a->dropped_fks = json_array();
    for (i = end;;) {
        size_t at = i;
        i = my_next(sql, len, i, &t);
        if (t.kind == T_END)
            break;
        if (t.kind == T_BAD) {
            mg_err_set(err, MG_EINPUT, "--alter has an unterminated quote or comment");
            my_alter_free(a);
            return MG_EINPUT;
        }
        if (t.kind == T_EXEC) {
            mg_err_set(err, MG_EUSAGE, "--alter has an executable comment (/*! ... */)");
            mg_err_hint(err, "write the change without it");
            my_alter_free(a);
            return MG_EUSAGE;
        }
        if (t.kind == T_PUNCT && sql[t.off] == '(')
            depth++;
        if (t.kind == T_PUNCT && sql[t.off] == ')')
            depth--;
        if (t.kind == T_PUNCT && sql[t.off] == ';') {
            struct my_tok rest;
            my_next(sql, len, i, &rest);
            if (rest.kind != T_END) {
                mg_err_set(err, MG_EUSAGE, "--alter must be exactly one ALTER TABLE statement");
                my_alter_free(a);
                return MG_EUSAGE;
            }
            continue;
        }
        if (depth)
            continue;
        if (tok_is(sql, &t, "RENAME")) {
            struct my_tok n;
            my_next(sql, len, i, &n);
            if (!tok_is(sql, &n, "COLUMN") && !tok_is(sql, &n, "INDEX") &&
                !tok_is(sql, &n, "KEY")) {
                mg_err_set(err, MG_EUSAGE, "the online schema change cannot rename the table");
                mg_err_hint(err, "rename it with a plain RENAME TABLE, before or after");
                my_alter_free(a);
                return MG_EUSAGE;
            }
        }
        if (tok_is(sql, &t, "RENAME") || tok_is(sql, &t, "CHANGE")) {
            /* RENAME COLUMN a TO b, CHANGE [COLUMN] [IF EXISTS] a b ...: the copy maps
               columns by name, so a renamed column would arrive empty */
            struct my_tok n, o;
            int rename = tok_is(sql, &t, "RENAME");
            size_t j = my_next(sql, len, i, &n);
            if (tok_is(sql, &n, "COLUMN"))
                j = my_next(sql, len, j, &n);
            else if (rename)
                n.kind = T_END; /* RENAME INDEX/KEY */
            if (!rename && tok_is(sql, &n, "IF")) {
                j = my_next(sql, len, j, &n); /* EXISTS */
                j = my_next(sql, len, j, &n);
            }
            j = my_next(sql, len, j, &o);
            if (rename && tok_is(sql, &o, "TO"))
                my_next(sql, len, j, &o);
            if (n.kind == T_WORD || n.kind == T_QIDENT) {
                char *from = tok_ident(sql, &n), *to = tok_ident(sql, &o);
                int differ = strcasecmp(from, to) != 0;
                if (differ) {
                    mg_err_set(err, MG_EUSAGE,
                               "the online schema change cannot rename column '%s' to '%s'", from,
                               to);
                    mg_err_detail(err, "the copy carries columns over by name");
                    mg_err_hint(err, "rename it with a plain ALTER TABLE ... RENAME COLUMN (it "
                                     "changes only metadata), before or after the online change");
                }
                free(from);
                free(to);
                if (differ) {
                    my_alter_free(a);
                    return MG_EUSAGE;
                }
            }
        }
        if (tok_is(sql, &t, "EXCHANGE") || tok_is(sql, &t, "DISCARD") ||
            tok_is(sql, &t, "IMPORT")) {
            mg_err_set(err, MG_EUSAGE, "the online schema change cannot apply %.*s", (int)t.len,
                       sql + t.off);
            mg_err_detail(err, "it works on tablespaces or other tables than the shadow copy");
            my_alter_free(a);
            return MG_EUSAGE;
        }
        if (tok_is(sql, &t, "DROP")) {
            struct my_tok f, k;
            size_t j = my_next(sql, len, i, &f);
            j = my_next(sql, len, j, &k);
            if (tok_is(sql, &f, "FOREIGN") && tok_is(sql, &k, "KEY")) {
                struct my_tok n;
                my_next(sql, len, j, &n);
                if (n.kind == T_WORD || n.kind == T_QIDENT) {
                    char *nm = tok_ident(sql, &n);
                    json_array_append_new(a->dropped_fks, json_string(nm));
                    free(nm);
                }
            }
        }
        (void)at;
    }
    {
        struct my_tok first;
        my_next(sql, len, a->spec_off, &first);
        if (first.kind == T_END) {
            mg_err_set(err, MG_EUSAGE, "--alter changes nothing");
            my_alter_free(a);
            return MG_EUSAGE;
        }
    }
    return 0;
not_alter:
    my_alter_free(a);
    mg_err_set(err, MG_EUSAGE, "--alter must be exactly one ALTER TABLE statement");
    mg_err_hint(err, "put several changes of one table into one statement, separated by commas");
    return MG_EUSAGE;
}

int osc_my_online_statement(const char *sql, size_t len, char **table)
{
    struct my_tok t;
    size_t i = my_next(sql, len, 0, &t), start, end;
    char *schema, *name;

    *table = NULL;
    if (!tok_is(sql, &t, "ALTER"))
        return 0;
    i = my_next(sql, len, i, &t);
    while (tok_is(sql, &t, "ONLINE") || tok_is(sql, &t, "IGNORE"))
        i = my_next(sql, len, i, &t);
    if (!tok_is(sql, &t, "TABLE") || read_name(sql, len, i, &schema, &name, &start, &end))
        return 0;
    struct mg_buf b = MG_BUF_INIT;
    if (schema) {
        drv_mysql_ops.quote_ident(&b, schema);
        mg_buf_addch(&b, '.');
    }
    drv_mysql_ops.quote_ident(&b, name);
    *table = mg_buf_detach(&b);
    free(schema);
    free(name);
    return 1;
}

/* Checks --backfill (SET ...) and --where: no second statement, no executable comment. */
static int my_backfill_read(const char *set, const char *where, struct mg_err *err)
{
    const char *texts[2] = {set, where};

    for (int k = 0; k < 2; k++) {
        const char *s = texts[k];
        size_t len, i = 0;
        struct my_tok t;
        if (!s)
            continue;
        len = strlen(s);
        i = my_next(s, len, 0, &t);
        if (k == 0 && !tok_is(s, &t, "SET")) {
            mg_err_set(err, MG_EUSAGE, "--backfill must be the SET clause of an UPDATE");
            mg_err_hint(err, "for example --backfill \"SET total = price * qty\"");
            return MG_EUSAGE;
        }
        int depth = 0;
        for (; t.kind != T_END; i = my_next(s, len, i, &t)) {
            /* parentheses must balance: "x) OR (1" would escape the batch's key range */
            if (t.kind == T_PUNCT && s[t.off] == '(')
                depth++;
            if (t.kind == T_PUNCT && s[t.off] == ')')
                depth--;
            if (depth < 0 || t.kind == T_BAD || t.kind == T_EXEC ||
                (t.kind == T_PUNCT && s[t.off] == ';') ||
                (k == 0 &&
                 (tok_is(s, &t, "WHERE") || tok_is(s, &t, "LIMIT") || tok_is(s, &t, "ORDER")))) {
                mg_err_set(err, MG_EUSAGE,
                           k ? "--where must be only a condition"
                             : "--backfill must be only the SET clause of an "
                               "UPDATE");
                mg_err_hint(err, "put the condition in --where; no semicolons or executable "
                                 "comments, and balanced parentheses");
                return MG_EUSAGE;
            }
        }
        if (depth) {
            mg_err_set(err, MG_EUSAGE, "%s has unbalanced parentheses",
                       k ? "--where" : "--backfill");
            return MG_EUSAGE;
        }
    }
    return 0;
}

/* ---------- helpers ---------- */

/* A statement the job may lack (NULL then): the one-pass batches of a single-column key. */
static const char *sqlt_opt(const struct osc_ctx *x, const char *name)
{
    return json_string_value(json_object_get(json_object_get(x->j->state, "sql"), name));
}

static const char *sqlf(const char *name)
{
    return mg_sql("mysql", name);
}

/* The table's definition fingerprint (osc_my_signature.sql), into *sig (malloc'd). */
static int signature(struct osc_ctx *x, char **sig, struct mg_err *err)
{
    const char *p[2] = {x->j->schema, x->j->table};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_my_signature"), p, 2, err);

    if (!rc)
        *sig = mg_strdup(r->nrows && drv_val(r, 0, 0) ? drv_val(r, 0, 0) : "");
    drv_result_free(r);
    return rc;
}

/* `prefix` + the table's name, cut to MySQL's 64 characters (UTF-8 aware). */
static char *job_name(long long id, const char *what, const char *table)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t chars = 0, i;

    mg_buf_addf(&b, "_osc%lld_%s_", id, what);
    chars = b.len;
    for (i = 0; table[i] && chars < NAME_CHARS; chars++) {
        size_t n = 1;
        unsigned char c = (unsigned char)table[i];
        if (c >= 0xF0)
            n = 4;
        else if (c >= 0xE0)
            n = 3;
        else if (c >= 0xC0)
            n = 2;
        mg_buf_add(&b, table + i, n);
        i += n;
    }
    return mg_buf_detach(&b);
}

/* The lock wait, in MySQL's whole seconds: under a second is NOWAIT (MariaDB's 0). */
static long lock_secs(const struct osc_ctx *x)
{
    return x->o->cutover_lock_ms < 1000 ? 0 : (x->o->cutover_lock_ms + 999) / 1000;
}

/* Sets lock_wait_timeout for the next DDL; MySQL (not MariaDB) has no 0, so it takes 1. */
static int set_lock_wait(struct osc_ctx *x, struct mg_err *err)
{
    char s[24];
    const char *p[1] = {s};
    long secs = lock_secs(x);

    if (!secs && !strcmp(x->c->info.product, "MySQL"))
        secs = 1;
    snprintf(s, sizeof(s), "%ld", secs);
    return osc_q0(x, sqlf("osc_my_lock_wait"), p, 1, err);
}

/* ---------- the catalog ---------- */

struct my_table {
    char *schema, *name, *type, *engine, *auto_inc, *fks_in;
    long long rows, bytes;
    int triggers;
};

static void my_table_free(struct my_table *t)
{
    free(t->schema);
    free(t->name);
    free(t->type);
    free(t->engine);
    free(t->auto_inc);
    free(t->fks_in);
    memset(t, 0, sizeof(*t));
}

static int read_table(struct osc_ctx *x, const char *schema, const char *name, struct my_table *t,
                      struct mg_err *err)
{
    const char *p[2] = {schema, name};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_my_table"), p, 2, err);

    memset(t, 0, sizeof(*t));
    if (rc)
        return rc;
    if (!r->nrows) {
        drv_result_free(r);
        mg_err_set(err, MG_ENOTFOUND, "table %s%s%s does not exist", schema ? schema : "",
                   schema ? "." : "", name);
        mg_err_hint(err, "check the name and the database; quote names with backticks");
        return MG_ENOTFOUND;
    }
    t->schema = mg_strdup(drv_val(r, 0, 0));
    t->name = mg_strdup(drv_val(r, 0, 1));
    t->type = mg_strdup(drv_val(r, 0, 2));
    t->engine = mg_strdup(drv_val(r, 0, 3));
    t->rows = atoll(drv_val(r, 0, 4));
    t->bytes = atoll(drv_val(r, 0, 5));
    t->auto_inc = drv_val(r, 0, 6) ? mg_strdup(drv_val(r, 0, 6)) : NULL;
    t->triggers = atoi(drv_val(r, 0, 7));
    t->fks_in = drv_val(r, 0, 8) ? mg_strdup(drv_val(r, 0, 8)) : NULL;
    drv_result_free(r);
    return 0;
}

static int check_table(const struct my_table *t, const char *qtable, struct mg_err *err)
{
    const char *why = NULL, *hint = NULL;

    if (!strcmp(t->type, "SYSTEM VERSIONED"))
        why = "it is system-versioned: the copy would give every row a new start time and "
              "leave its history behind";
    else if (strcmp(t->type, "BASE TABLE"))
        why = "it is not a base table";
    else if (strcasecmp(t->engine, "InnoDB"))
        why = "it is not an InnoDB table (the triggers and the copy need transactions)";
    else if (t->triggers) {
        why = "it has triggers of its own, which a renamed table would take along";
        hint = "drop them for the change and create them again after it";
    } else if (t->fks_in) {
        mg_err_set(err, MG_EUSAGE, "cannot change %s online: foreign keys point at it", qtable);
        mg_err_detail(err, "%s; InnoDB would move them with the old table when it is renamed",
                      t->fks_in);
        mg_err_hint(err, "drop those foreign keys for the change and add them back after it");
        return MG_EUSAGE;
    }
    if (!why)
        return 0;
    mg_err_set(err, MG_EUSAGE, "cannot change %s online: %s", qtable, why);
    if (hint)
        mg_err_hint(err, "%s", hint);
    return MG_EUSAGE;
}

/*
 * A backfill commits each batch together with the job's progress, which needs the table in
 * the same transaction: on a table without transactions a batch applied just before a failure
 * would be applied again by the retry or the resume (SET n = n + 1 twice).
 */
static int check_backfill_table(const struct my_table *t, const char *qtable, struct mg_err *err)
{
    /* a system-versioned table keeps its history of the updated rows, as any UPDATE does */
    if (strcmp(t->type, "BASE TABLE") && strcmp(t->type, "SYSTEM VERSIONED")) {
        mg_err_set(err, MG_EUSAGE, "cannot backfill %s: it is not a base table (%s)", qtable,
                   t->type);
        mg_err_hint(err, "backfill the table the view reads from");
        return MG_EUSAGE;
    }
    if (strcasecmp(t->engine, "InnoDB")) {
        mg_err_set(err, MG_EUSAGE, "cannot backfill %s: it is not an InnoDB table (engine %s)",
                   qtable, t->engine[0] ? t->engine : "unknown");
        mg_err_detail(err, "each batch is committed together with the job's progress, which "
                           "needs transactions: without them a batch cut short by an error or "
                           "a kill would be applied twice by the retry or the resume");
        mg_err_hint(err, "convert the table to InnoDB first, or run the UPDATE yourself");
        return MG_EUSAGE;
    }
    return 0;
}

struct my_col {
    char *name, *type, *base, *charset, *collation;
    int generated, is_unsigned, nullable, optional; /* optional: an INSERT may leave it out */
};

struct my_cols {
    struct my_col *v;
    size_t n;
};

static void my_cols_free(struct my_cols *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].type);
        free(c->v[i].base);
        free(c->v[i].charset);
        free(c->v[i].collation);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

static int read_cols(struct osc_ctx *x, const char *schema, const char *name, struct my_cols *out,
                     struct mg_err *err)
{
    const char *p[2] = {schema, name};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_my_columns"), p, 2, err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        struct my_col *c = &out->v[out->n++];
        c->name = mg_strdup(drv_val(r, i, 0));
        c->type = mg_strdup(drv_val(r, i, 1));
        c->base = mg_strdup(drv_val(r, i, 2));
        c->generated = osc_is_true(drv_val(r, i, 3));
        c->is_unsigned = osc_is_true(drv_val(r, i, 4));
        c->charset = mg_strdup(drv_val(r, i, 5));
        c->collation = mg_strdup(drv_val(r, i, 6));
        c->nullable = osc_is_true(drv_val(r, i, 7));
        c->optional = osc_is_true(drv_val(r, i, 8));
    }
    drv_result_free(r);
    return 0;
}

static const struct my_col *find_col(const struct my_cols *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcasecmp(c->v[i].name, name))
            return &c->v[i];
    return NULL;
}

static int int_type(const char *base)
{
    return !strcmp(base, "tinyint") || !strcmp(base, "smallint") || !strcmp(base, "mediumint") ||
           !strcmp(base, "int") || !strcmp(base, "bigint");
}

static int char_type(const char *base)
{
    return !strcmp(base, "char") || !strcmp(base, "varchar") || !strcmp(base, "tinytext") ||
           !strcmp(base, "text") || !strcmp(base, "mediumtext") || !strcmp(base, "longtext");
}

static int bin_type(const char *base)
{
    return !strcmp(base, "binary") || !strcmp(base, "varbinary") || !strcmp(base, "tinyblob") ||
           !strcmp(base, "blob") || !strcmp(base, "mediumblob") || !strcmp(base, "longblob");
}

/*
 * Whether a value keeps its text when it moves from column type a to b, so that the checksum
 * of the two sides can compare it: the same type, integers among integers, text among text
 * of one character set and collation, bytes among bytes.
 */
static int same_text(const struct my_col *a, const struct my_col *b)
{
    if (!strcmp(a->type, b->type) && !strcmp(a->collation, b->collation))
        return 1;
    if (int_type(a->base) && int_type(b->base))
        return 1;
    if (char_type(a->base) && char_type(b->base))
        return !strcmp(a->charset, b->charset) && !strcmp(a->collation, b->collation);
    return bin_type(a->base) && bin_type(b->base);
}

/* Whether the copy can walk a key column in order, its values passed as text (key_param). */
static int walkable(const struct my_col *c)
{
    static const char *const ok[] = {"decimal", "date", "datetime", "timestamp", "char", "varchar"};

    if (int_type(c->base))
        return 1;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(c->base, ok[i]))
            return 1;
    return 0;
}

/* The parameter of a key value in a comparison with column c. */
static int key_param(struct mg_buf *b, const struct my_col *c, struct mg_err *err)
{
    if (int_type(c->base))
        mg_buf_adds(b, c->is_unsigned ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)");
    else if (!strcmp(c->base, "decimal"))
        mg_buf_adds(b, "CAST(? AS DECIMAL(65,30))");
    else if (!strcmp(c->base, "date"))
        mg_buf_adds(b, "CAST(? AS DATE)");
    else if (!strcmp(c->base, "datetime") || !strcmp(c->base, "timestamp"))
        mg_buf_adds(b, "CAST(? AS DATETIME(6))");
    else if (!strcmp(c->base, "char") || !strcmp(c->base, "varchar"))
        mg_buf_addf(b, "CONVERT(? USING %s) COLLATE %s", c->charset, c->collation);
    else if (bin_type(c->base))
        return mg_err_set(err, MG_EUSAGE,
                          "key column '%s' has type %s: its bytes cannot travel as the text "
                          "the job keeps its position in",
                          c->name, c->type);
    else
        return mg_err_set(err, MG_EUSAGE,
                          "key column '%s' has type %s, which the online change cannot walk in "
                          "order on MySQL",
                          c->name, c->type);
    return 0;
}

/* ---------- the job's statements ---------- */

struct my_gen {
    struct osc_ctx *x;
    const char *qtable, *qshadow, *keyidx;
    size_t nk;
    const struct my_col *k[MAX_KEYS]; /* key columns in the original */
    const struct my_col **cols;       /* copied columns (original side) */
    const struct my_col **scols;      /* the same in the shadow */
    size_t ncols;
};

/*
 * key > bound, or key <= bound, lexicographic over the key columns and written out so that
 * the optimizer sees a range: "(k1 > ?) OR (k1 = ? AND k2 > ?)"; level i takes the bound's
 * first i values (range_params_my lays them out that way).
 */
static int kcond(struct mg_buf *b, const struct my_gen *g, const char *alias, int greater,
                 struct mg_err *err)
{
    int rc;

    mg_buf_adds(b, "(");
    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_adds(b, i ? " OR (" : "(");
        for (size_t j = 0; j < i; j++) {
            mg_buf_addf(b, "%s.", alias);
            osc_qi(g->x, b, g->k[j]->name);
            mg_buf_adds(b, " = ");
            rc = key_param(b, g->k[j], err);
            if (rc)
                return rc;
            mg_buf_adds(b, " AND ");
        }
        mg_buf_addf(b, "%s.", alias);
        osc_qi(g->x, b, g->k[i]->name);
        mg_buf_adds(b, greater ? " > " : i + 1 < g->nk ? " < " : " <= ");
        rc = key_param(b, g->k[i], err);
        if (rc)
            return rc;
        mg_buf_adds(b, ")");
    }
    mg_buf_adds(b, ")");
    return 0;
}

/* The WHERE of a key range: [key > lo AND] key <= hi. */
static int krange(struct mg_buf *b, const struct my_gen *g, const char *alias, int with_lo,
                  struct mg_err *err)
{
    int rc = 0;

    if (with_lo) {
        rc = kcond(b, g, alias, 1, err);
        mg_buf_adds(b, " AND ");
    }
    if (!rc)
        rc = kcond(b, g, alias, 0, err);
    return rc;
}

static void korder(struct mg_buf *b, const struct my_gen *g, const char *alias, const char *dir)
{
    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_addf(b, "%s%s.", i ? ", " : "", alias);
        osc_qi(g->x, b, g->k[i]->name);
        if (dir)
            mg_buf_addf(b, " %s", dir);
    }
}

static void col_list(struct mg_buf *b, const struct my_gen *g, const char *alias)
{
    for (size_t i = 0; i < g->ncols; i++) {
        mg_buf_adds(b, i ? ", " : "");
        if (alias)
            mg_buf_addf(b, "%s.", alias);
        osc_qi(g->x, b, g->cols[i]->name);
    }
}

/*
 * A row's CRC32 for the checksum: the compared columns joined by '#' (CONCAT_WS leaves NULLs
 * out), then which nullable ones were NULL as bits of a number, 60 columns a number.  Cheaper
 * than a mark beside every column: most columns are NOT NULL on both sides.
 */
static void row_text(struct mg_buf *b, const struct my_gen *g, const char *alias, int shadow)
{
    int any = 0;
    size_t bit = 0;

    mg_buf_adds(b, "CRC32(CONCAT_WS('#'");
    for (size_t i = 0; i < g->ncols; i++) {
        const struct my_col *c = shadow ? g->scols[i] : g->cols[i];
        if (!same_text(g->cols[i], g->scols[i]))
            continue;
        mg_buf_addf(b, ", %s.", alias);
        osc_qi(g->x, b, c->name);
        any = 1;
    }
    for (size_t i = 0; i < g->ncols; i++) {
        const struct my_col *c = shadow ? g->scols[i] : g->cols[i];
        if (!same_text(g->cols[i], g->scols[i]) || !(g->cols[i]->nullable || g->scols[i]->nullable))
            continue;
        mg_buf_adds(b, bit % 60 ? " | " : ", ");
        mg_buf_addf(b, "(ISNULL(%s.", alias);
        osc_qi(g->x, b, c->name);
        mg_buf_addf(b, ") << %zu)", bit % 60);
        bit++;
    }
    if (!any)
        mg_buf_adds(b, ", ''");
    mg_buf_adds(b, "))");
}

/*
 * Whether batches can find their end in the same pass as their work: a key of one column
 * (MAX() is its last value in key order) whose values keep their text in the shadow (the
 * shadow's last key is the original's).  Otherwise a batch first looks its end up (OFFSET).
 */
static int one_pass(const struct my_gen *g)
{
    if (g->nk != 1)
        return 0;
    for (size_t i = 0; i < g->ncols; i++)
        if (!strcasecmp(g->cols[i]->name, g->k[0]->name))
            return same_text(g->cols[i], g->scols[i]);
    return 0;
}

static void put(json_t *o, const char *key, struct mg_buf *b)
{
    json_object_set_new(o, key, json_string(b->ptr));
    mg_buf_reset(b);
}

/* The statements a job runs again and again; kept in its state for resumes. */
static int gen_sql(struct my_gen *g, json_t **out, struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT;
    json_t *o = json_object();
    int rc = 0;

    for (int lo = 0; !rc && lo < 2; lo++) {
        /* the end of the next range: OFFSET is written in by the batch */
        mg_buf_adds(&b, "SELECT ");
        korder(&b, g, "src", NULL);
        mg_buf_addf(&b, " FROM %s AS src FORCE INDEX (", g->qtable);
        osc_qi(g->x, &b, g->keyidx);
        mg_buf_adds(&b, ") WHERE ");
        rc = krange(&b, g, "src", lo, err);
        mg_buf_adds(&b, " ORDER BY ");
        korder(&b, g, "src", NULL);
        mg_buf_adds(&b, " LIMIT 1 OFFSET ");
        put(o, lo ? "boundary_next" : "boundary_first", &b);

        /* the copy: a consistent read without locks (READ COMMITTED), into a shadow that
           nothing else writes while it runs */
        for (int locked = 0; locked < 2; locked++) {
            mg_buf_addf(&b, "INSERT INTO %s (", g->qshadow);
            col_list(&b, g, NULL);
            mg_buf_adds(&b, ") SELECT ");
            col_list(&b, g, "src");
            mg_buf_addf(&b, " FROM %s AS src FORCE INDEX (", g->qtable);
            osc_qi(g->x, &b, g->keyidx);
            mg_buf_adds(&b, ") WHERE ");
            if (!rc)
                rc = krange(&b, g, "src", lo, err);
            if (locked)
                mg_buf_adds(&b, " LOCK IN SHARE MODE");
            put(o,
                locked ? (lo ? "recopy_next" : "recopy_first") : (lo ? "copy_next" : "copy_first"),
                &b);
        }
        /* a re-copy first locks the range's rows in the original, then replaces the shadow's */
        mg_buf_addf(&b, "SELECT COUNT(*) FROM %s AS src FORCE INDEX (", g->qtable);
        osc_qi(g->x, &b, g->keyidx);
        mg_buf_adds(&b, ") WHERE ");
        if (!rc)
            rc = krange(&b, g, "src", lo, err);
        mg_buf_adds(&b, " LOCK IN SHARE MODE");
        put(o, lo ? "lock_next" : "lock_first", &b);

        mg_buf_adds(&b, "SELECT CAST(a.n AS CHAR), CAST(a.h AS CHAR), CAST(b.n AS CHAR), "
                        "CAST(b.h AS CHAR) FROM (SELECT COUNT(*) AS n, COALESCE(SUM(");
        row_text(&b, g, "src", 0);
        mg_buf_addf(&b, "), 0) AS h FROM %s AS src WHERE ", g->qtable);
        if (!rc)
            rc = krange(&b, g, "src", lo, err);
        mg_buf_adds(&b, ") AS a JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(");
        row_text(&b, g, "s", 1);
        mg_buf_addf(&b, "), 0) AS h FROM %s AS s WHERE ", g->qshadow);
        if (!rc)
            rc = krange(&b, g, "s", lo, err);
        mg_buf_adds(&b, ") AS b");
        put(o, lo ? "verify_next" : "verify_first", &b);

        /* a range's re-copy: its rows, read again under shared locks */
        mg_buf_addf(&b, "DELETE FROM %s WHERE ", g->qshadow);
        if (!rc)
            rc = krange(&b, g, g->qshadow, lo, err);
        put(o, lo ? "clear_next" : "clear_first", &b);

        if (rc || !one_pass(g))
            continue;
        /* one pass per batch: copy the next N rows up to the max key (N written in) */
        mg_buf_addf(&b, "INSERT INTO %s (", g->qshadow);
        col_list(&b, g, NULL);
        mg_buf_adds(&b, ") SELECT ");
        col_list(&b, g, "src");
        mg_buf_addf(&b, " FROM %s AS src FORCE INDEX (", g->qtable);
        osc_qi(g->x, &b, g->keyidx);
        mg_buf_adds(&b, ") WHERE ");
        rc = krange(&b, g, "src", lo, err);
        mg_buf_adds(&b, " ORDER BY ");
        korder(&b, g, "src", NULL);
        mg_buf_adds(&b, " LIMIT ");
        put(o, lo ? "copyn_next" : "copyn_first", &b);
        /* ...and the original's side of a verification with the range's end: N and ") AS x"
           written in */
        mg_buf_adds(&b, "SELECT CAST(COUNT(*) AS CHAR), CAST(COALESCE(SUM(x.h), 0) AS CHAR), "
                        "CAST(MAX(x.k) AS CHAR) FROM (SELECT ");
        korder(&b, g, "src", NULL);
        mg_buf_adds(&b, " AS k, ");
        row_text(&b, g, "src", 0);
        mg_buf_addf(&b, " AS h FROM %s AS src FORCE INDEX (", g->qtable);
        osc_qi(g->x, &b, g->keyidx);
        mg_buf_adds(&b, ") WHERE ");
        if (!rc)
            rc = krange(&b, g, "src", lo, err);
        mg_buf_adds(&b, " ORDER BY ");
        korder(&b, g, "src", NULL);
        mg_buf_adds(&b, " LIMIT ");
        put(o, lo ? "vsrc_next" : "vsrc_first", &b);
        mg_buf_adds(&b, "SELECT CAST(COUNT(*) AS CHAR), CAST(COALESCE(SUM(");
        row_text(&b, g, "s", 1);
        mg_buf_addf(&b, "), 0) AS CHAR) FROM %s AS s WHERE ", g->qshadow);
        if (!rc)
            rc = krange(&b, g, "s", lo, err);
        put(o, lo ? "vshadow_next" : "vshadow_first", &b);
    }
    if (!rc && one_pass(g)) {
        /* the end of a copied batch: nothing but the copy writes the shadow until the build */
        mg_buf_adds(&b, "SELECT ");
        korder(&b, g, "s", NULL);
        mg_buf_addf(&b, " FROM %s AS s ORDER BY ", g->qshadow);
        korder(&b, g, "s", "DESC");
        mg_buf_adds(&b, " LIMIT 1");
        put(o, "shadow_last", &b);
    }
    mg_buf_adds(&b, "SELECT ");
    korder(&b, g, "src", NULL);
    mg_buf_addf(&b, " FROM %s AS src ORDER BY ", g->qtable);
    korder(&b, g, "src", "DESC");
    mg_buf_adds(&b, " LIMIT 1");
    put(o, "max_key", &b);
    mg_buf_free(&b);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* The names of one job's objects and their quoted forms. */
struct my_names {
    char *shadow, *old, *log, *pos, *ins, *upd, *del;
    struct mg_buf qshadow, qold, qlog, qpos;
};

static void my_names_init(struct osc_ctx *x, struct my_names *n, long long id, const char *schema,
                          const char *table)
{
    char buf[64];

    n->shadow = job_name(id, "new", table);
    n->old = job_name(id, "old", table);
    snprintf(buf, sizeof(buf), "_osc%lld_log", id);
    n->log = mg_strdup(buf);
    snprintf(buf, sizeof(buf), "_osc%lld_pos", id);
    n->pos = mg_strdup(buf);
    snprintf(buf, sizeof(buf), "_osc%lld_ins", id);
    n->ins = mg_strdup(buf);
    snprintf(buf, sizeof(buf), "_osc%lld_upd", id);
    n->upd = mg_strdup(buf);
    snprintf(buf, sizeof(buf), "_osc%lld_del", id);
    n->del = mg_strdup(buf);
    mg_buf_init(&n->qshadow);
    mg_buf_init(&n->qold);
    mg_buf_init(&n->qlog);
    mg_buf_init(&n->qpos);
    osc_qi(x, &n->qshadow, schema);
    mg_buf_addch(&n->qshadow, '.');
    osc_qi(x, &n->qshadow, n->shadow);
    osc_qi(x, &n->qold, schema);
    mg_buf_addch(&n->qold, '.');
    osc_qi(x, &n->qold, n->old);
    osc_qi(x, &n->qlog, schema);
    mg_buf_addch(&n->qlog, '.');
    osc_qi(x, &n->qlog, n->log);
    osc_qi(x, &n->qpos, schema);
    mg_buf_addch(&n->qpos, '.');
    osc_qi(x, &n->qpos, n->pos);
}

static void my_names_free(struct my_names *n)
{
    free(n->shadow);
    free(n->old);
    free(n->log);
    free(n->pos);
    free(n->ins);
    free(n->upd);
    free(n->del);
    mg_buf_free(&n->qshadow);
    mg_buf_free(&n->qold);
    mg_buf_free(&n->qlog);
    mg_buf_free(&n->qpos);
}

/*
 * The three triggers.  Each reads the switch with a shared lock: while the copy runs they
 * note the keys in the change log, afterwards they write the shadow (INSERT ... ON DUPLICATE
 * KEY UPDATE, DELETE by key).  Going live takes the switch's row exclusively, so it waits
 * for every transaction that read it off: none is left on the old side afterwards, and the
 * log only shrinks.  Before that the log is replayed down to a few keys without locks, so
 * that a delete in live mode almost never meets a key the shadow lacks (whose gap lock under
 * REPEATABLE READ would hold up other writers).
 */
static void gen_triggers(struct my_gen *g, const struct my_names *nm, json_t *list)
{
    struct mg_buf b = MG_BUF_INIT, up = MG_BUF_INIT, match_old = MG_BUF_INIT,
                  match_new = MG_BUF_INIT, same = MG_BUF_INIT, lcols = MG_BUF_INIT,
                  lold = MG_BUF_INIT, lnew = MG_BUF_INIT, head = MG_BUF_INIT, del_old = MG_BUF_INIT;

    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_adds(&match_old, i ? " AND " : "");
        osc_qi(g->x, &match_old, g->k[i]->name);
        mg_buf_adds(&match_old, " = OLD.");
        osc_qi(g->x, &match_old, g->k[i]->name);
        mg_buf_adds(&match_new, i ? " AND " : "");
        osc_qi(g->x, &match_new, g->k[i]->name);
        mg_buf_adds(&match_new, " = NEW.");
        osc_qi(g->x, &match_new, g->k[i]->name);
        mg_buf_adds(&same, i ? " AND " : "");
        mg_buf_adds(&same, "OLD.");
        osc_qi(g->x, &same, g->k[i]->name);
        mg_buf_adds(&same, " <=> NEW.");
        osc_qi(g->x, &same, g->k[i]->name);
        mg_buf_addf(&lcols, "%sk%zu", i ? ", " : "", i + 1);
        mg_buf_adds(&lold, i ? ", OLD." : "OLD.");
        osc_qi(g->x, &lold, g->k[i]->name);
        mg_buf_adds(&lnew, i ? ", NEW." : "NEW.");
        osc_qi(g->x, &lnew, g->k[i]->name);
    }
    /* the upsert of NEW: a current read of the key, whatever the writer's snapshot */
    mg_buf_addf(&up, "INSERT INTO %s (", g->qshadow);
    col_list(&up, g, NULL);
    mg_buf_adds(&up, ") VALUES (");
    col_list(&up, g, "NEW");
    mg_buf_adds(&up, ") ON DUPLICATE KEY UPDATE ");
    for (size_t i = 0; i < g->ncols; i++) {
        mg_buf_adds(&up, i ? ", " : "");
        osc_qi(g->x, &up, g->cols[i]->name);
        mg_buf_adds(&up, " = VALUES(");
        osc_qi(g->x, &up, g->cols[i]->name);
        mg_buf_adds(&up, ")");
    }
    mg_buf_adds(&up, ";");
    /* no alias in the trigger: MariaDB's stored programs then misname the table once */
    mg_buf_addf(&head,
                "FOR EACH ROW BEGIN DECLARE osc_live TINYINT; SELECT %s.`live` INTO "
                "osc_live FROM %s LOCK IN SHARE MODE; IF osc_live THEN ",
                nm->qpos.ptr, nm->qpos.ptr);
    mg_buf_addf(&del_old, "DELETE FROM %s WHERE %s;", g->qshadow, match_old.ptr);

    mg_buf_adds(&b, "CREATE TRIGGER ");
    osc_qi(g->x, &b, nm->ins);
    mg_buf_addf(&b, " AFTER INSERT ON %s %s %s ELSE INSERT INTO %s (%s) VALUES (%s); END IF; END",
                g->qtable, head.ptr, up.ptr, nm->qlog.ptr, lcols.ptr, lnew.ptr);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_reset(&b);
    mg_buf_adds(&b, "CREATE TRIGGER ");
    osc_qi(g->x, &b, nm->upd);
    mg_buf_addf(&b,
                " AFTER UPDATE ON %s %s IF NOT (%s) THEN %s END IF; %s "
                "ELSE IF NOT (%s) THEN INSERT INTO %s (%s) VALUES (%s); END IF; INSERT INTO %s "
                "(%s) VALUES (%s); END IF; END",
                g->qtable, head.ptr, same.ptr, del_old.ptr, up.ptr, same.ptr, nm->qlog.ptr,
                lcols.ptr, lold.ptr, nm->qlog.ptr, lcols.ptr, lnew.ptr);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_reset(&b);
    mg_buf_adds(&b, "CREATE TRIGGER ");
    osc_qi(g->x, &b, nm->del);
    mg_buf_addf(&b, " AFTER DELETE ON %s %s %s ELSE INSERT INTO %s (%s) VALUES (%s); END IF; END",
                g->qtable, head.ptr, del_old.ptr, nm->qlog.ptr, lcols.ptr, lold.ptr);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_free(&b);
    mg_buf_free(&up);
    mg_buf_free(&match_old);
    mg_buf_free(&match_new);
    mg_buf_free(&same);
    mg_buf_free(&lcols);
    mg_buf_free(&lold);
    mg_buf_free(&lnew);
    mg_buf_free(&head);
    mg_buf_free(&del_old);
}

/* ---------- a new job ---------- */

/* Picks the key: the first usable unique index; fills g->k from the original's columns. */
static int choose_key(struct osc_ctx *x, const struct my_table *t, const struct my_cols *tc,
                      struct my_gen *g, json_t **keycols, char **keyidx, struct mg_err *err)
{
    const char *p[2] = {t->schema, t->name};
    struct drv_result *r;
    json_error_t je;
    int rc = osc_q(x, &r, sqlf("osc_my_keys"), p, 2, err);
    const struct my_col *untyped = NULL; /* a key column of a type the copy cannot walk */

    *keycols = NULL;
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nrows && !*keycols; i++) {
        json_t *cols;
        if (!osc_is_true(drv_val(r, i, 3)))
            continue;
        cols = json_loads(drv_val(r, i, 1), 0, &je);
        int usable = json_is_array(cols) && json_array_size(cols) <= MAX_KEYS;
        for (size_t k = 0; usable && k < json_array_size(cols); k++) {
            const struct my_col *c = find_col(tc, json_string_value(json_array_get(cols, k)));
            usable = c && walkable(c);
            if (!usable && c && !untyped)
                untyped = c;
        }
        if (!usable) {
            json_decref(cols);
            continue;
        }
        *keycols = cols;
        *keyidx = mg_strdup(drv_val(r, i, 0));
    }
    int any = r->nrows > 0;
    drv_result_free(r);
    if (!*keycols) {
        if (untyped) {
            mg_err_set(err, MG_EUSAGE,
                       "cannot change %s online: none of its keys can be walked "
                       "in order",
                       x->qtable.ptr);
            mg_err_detail(err,
                          "its key column '%s' has type %s; the job keeps its position as text, "
                          "which integers, decimal, date, datetime, timestamp, char and varchar "
                          "allow",
                          untyped->name, untyped->type);
            mg_err_hint(err, "add a unique key over NOT NULL columns of those types (an "
                             "AUTO_INCREMENT id, for example)");
        } else {
            mg_err_set(err, MG_EUSAGE,
                       "cannot change %s online: it has no primary key or unique index over NOT "
                       "NULL columns",
                       x->qtable.ptr);
            mg_err_detail(err, any ? "its unique indexes have nullable or prefix columns"
                                   : "the copy walks the table in key order and the triggers "
                                     "find each changed row in the shadow table by its key");
            mg_err_hint(err, "add a primary key first");
        }
        return MG_EUSAGE;
    }
    g->nk = json_array_size(*keycols);
    for (size_t i = 0; i < g->nk; i++) {
        g->k[i] = find_col(tc, json_string_value(json_array_get(*keycols, i)));
        if (!g->k[i])
            return mg_err_set(err, MG_EFAIL, "the key column '%s' is not among the columns",
                              json_string_value(json_array_get(*keycols, i)));
    }
    return 0;
}

/* Appends the plan's column list and fills g->cols/scols with the copied columns. */
/*
 * A view that names a column the ALTER drops would fail after the swap (views find the new
 * table by name): refused up front.
 */
static int check_views(struct osc_ctx *x, const char *column, struct mg_err *err)
{
    struct mg_buf needle = MG_BUF_INIT;
    struct drv_result *r;
    int rc;

    osc_qi(x, &needle, x->j->schema);
    mg_buf_addch(&needle, '.');
    osc_qi(x, &needle, x->j->table);
    mg_buf_addch(&needle, '.');
    osc_qi(x, &needle, column);
    const char *p[1] = {needle.ptr};
    rc = osc_q(x, &r, sqlf("osc_my_views_using"), p, 1, err);
    mg_buf_free(&needle);
    if (rc)
        return rc;
    if (r->nrows) {
        struct mg_buf v = MG_BUF_INIT;
        osc_qi(x, &v, drv_val(r, 0, 0));
        mg_buf_addch(&v, '.');
        osc_qi(x, &v, drv_val(r, 0, 1));
        mg_err_set(err, MG_EUSAGE, "the ALTER drops column '%s', which view %s uses%s", column,
                   v.ptr, r->nrows > 1 ? " (and other views)" : "");
        mg_err_detail(err, "views find the new table by name after the swap and would fail on "
                           "the missing column");
        mg_err_hint(err, "change the view first (CREATE OR REPLACE VIEW without the column), "
                         "then make the change");
        mg_buf_free(&v);
        rc = MG_EUSAGE;
    }
    drv_result_free(r);
    return rc;
}

static int map_columns(struct osc_ctx *x, const struct my_cols *tc, const struct my_cols *sc,
                       struct my_gen *g, json_t *plan_cols, struct mg_err *err)
{
    g->cols = mg_calloc(sc->n ? sc->n : 1, sizeof(*g->cols));
    g->scols = mg_calloc(sc->n ? sc->n : 1, sizeof(*g->scols));
    for (size_t i = 0; i < sc->n; i++) {
        const struct my_col *S = &sc->v[i], *T = find_col(tc, S->name);
        if (!T && !S->generated && !S->optional) {
            /* ALTER fills it with the type's implicit default; the copy and the triggers'
               upserts leave it out, which strict mode refuses */
            mg_err_set(err, MG_EUSAGE, "the ALTER adds column '%s' as NOT NULL without a DEFAULT",
                       S->name);
            mg_err_detail(err, "the copy and the triggers insert rows without the new column");
            mg_err_hint(err, "give it a DEFAULT (it can be dropped in a plain ALTER afterwards, "
                             "which changes only metadata)");
            return MG_EUSAGE;
        }
        if (!T) {
            json_array_append_new(plan_cols, json_pack("{s:s,s:s,s:s}", "name", S->name, "action",
                                                       "new", "to", S->type));
            continue;
        }
        if (S->generated) {
            json_array_append_new(plan_cols, json_pack("{s:s,s:s,s:s}", "name", S->name, "action",
                                                       "generated", "to", S->type));
            continue;
        }
        g->cols[g->ncols] = T;
        g->scols[g->ncols++] = S;
        int changed = strcmp(T->type, S->type) || strcmp(T->collation, S->collation);
        json_array_append_new(plan_cols,
                              json_pack("{s:s,s:s,s:s,s:s}", "name", S->name, "action",
                                        !changed          ? "copy"
                                        : same_text(T, S) ? "convert"
                                                          : "convert (not in the checksum)",
                                        "from", T->type, "to", S->type));
    }
    for (size_t i = 0; i < tc->n; i++) {
        if (find_col(sc, tc->v[i].name))
            continue;
        json_array_append_new(plan_cols, json_pack("{s:s,s:s,s:s}", "name", tc->v[i].name, "action",
                                                   "drop", "from", tc->v[i].type));
        int rc = check_views(x, tc->v[i].name, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < g->nk; i++) {
        const struct my_col *S = find_col(sc, g->k[i]->name);
        if (!S || S->generated) {
            mg_err_set(err, MG_EUSAGE, "the ALTER drops key column '%s' of %s", g->k[i]->name,
                       x->qtable.ptr);
            return MG_EUSAGE;
        }
        if (strcmp(S->type, g->k[i]->type) && !(int_type(S->base) && int_type(g->k[i]->base)) &&
            !(char_type(S->base) && char_type(g->k[i]->base) && same_text(g->k[i], S))) {
            mg_err_set(err, MG_EUSAGE,
                       "the ALTER changes key column '%s' from %s to %s, which may order rows "
                       "differently",
                       g->k[i]->name, g->k[i]->type, S->type);
            return MG_EUSAGE;
        }
    }
    return 0;
}

/* The shadow's unique index over exactly the key columns, which the triggers' upsert needs. */
static int check_shadow_key(struct osc_ctx *x, const char *schema, const char *shadow,
                            const struct my_gen *g, struct mg_err *err)
{
    const char *p[2] = {schema, shadow};
    struct drv_result *r;
    json_error_t je;
    int rc = osc_q(x, &r, sqlf("osc_my_keys"), p, 2, err), found = 0;

    if (rc)
        return rc;
    for (size_t i = 0; i < r->nrows && !found; i++) {
        json_t *cols = json_loads(drv_val(r, i, 1), 0, &je);
        if (json_array_size(cols) == g->nk) {
            found = 1;
            for (size_t k = 0; k < g->nk; k++) {
                int has = 0;
                for (size_t c = 0; c < g->nk; c++)
                    has |= !strcasecmp(json_string_value(json_array_get(cols, c)), g->k[k]->name);
                found &= has;
            }
        }
        json_decref(cols);
    }
    drv_result_free(r);
    if (!found) {
        mg_err_set(err, MG_EUSAGE, "the ALTER leaves no unique index on the key (%s) of %s",
                   x->res->key, x->qtable.ptr);
        mg_err_hint(err, "keep the key's index in the change, or add the new key in one change "
                         "and drop the old one in the next");
        return MG_EUSAGE;
    }
    return 0;
}

/* Adds the original's foreign keys (those the ALTER does not drop) to the shadow as `_name`. */
static int add_fks(struct osc_ctx *x, const struct my_table *t, const struct my_alter *a,
                   const char *qshadow, json_t *plan, int run, struct mg_err *err)
{
    const char *p[2] = {t->schema, t->name};
    struct drv_result *r;
    json_error_t je;
    struct mg_buf b = MG_BUF_INIT;
    int rc = osc_q(x, &r, sqlf("osc_my_fks_out"), p, 2, err);

    for (size_t i = 0; !rc && i < r->nrows; i++) {
        const char *name = drv_val(r, i, 0);
        json_t *cols = json_loads(drv_val(r, i, 1), 0, &je),
               *rcols = json_loads(drv_val(r, i, 4), 0, &je);
        int dropped = 0;
        for (size_t k = 0; k < json_array_size(a->dropped_fks); k++)
            dropped |= !strcmp(json_string_value(json_array_get(a->dropped_fks, k)), name);
        if (!dropped && json_is_array(cols) && json_is_array(rcols)) {
            char nm[80];
            snprintf(nm, sizeof(nm), "_%s", name);
            mg_buf_reset(&b);
            mg_buf_addf(&b, "ALTER TABLE %s ADD CONSTRAINT ", qshadow);
            osc_qi(x, &b, nm);
            mg_buf_adds(&b, " FOREIGN KEY (");
            for (size_t k = 0; k < json_array_size(cols); k++) {
                mg_buf_adds(&b, k ? ", " : "");
                osc_qi(x, &b, json_string_value(json_array_get(cols, k)));
            }
            mg_buf_adds(&b, ") REFERENCES ");
            osc_qi(x, &b, drv_val(r, i, 2));
            mg_buf_addch(&b, '.');
            osc_qi(x, &b, drv_val(r, i, 3));
            mg_buf_adds(&b, " (");
            for (size_t k = 0; k < json_array_size(rcols); k++) {
                mg_buf_adds(&b, k ? ", " : "");
                osc_qi(x, &b, json_string_value(json_array_get(rcols, k)));
            }
            /* the rules are keywords from the catalog: RESTRICT, CASCADE, SET NULL ... */
            mg_buf_addf(&b, ") ON UPDATE %s ON DELETE %s", drv_val(r, i, 5), drv_val(r, i, 6));
            json_array_append_new(plan, json_string(b.ptr));
            if (run)
                rc = osc_ex(x, b.ptr, err);
        }
        json_decref(cols);
        json_decref(rcols);
    }
    drv_result_free(r);
    mg_buf_free(&b);
    return rc;
}

/* The options the job started with, for the job row. */
/* Inserts the job row (phase setup, or copy for a backfill); x->j->id gets its id. */
static int insert_job(struct osc_ctx *x, struct mg_err *err)
{
    struct drv_result *r;
    int rc = osc_job_insert(x, err);

    if (!rc)
        rc = osc_q(x, &r, sqlf("osc_my_last_id"), NULL, 0, err);
    if (!rc) {
        x->j->id = atoll(drv_val(r, 0, 0));
        drv_result_free(r);
    }
    return rc;
}

static void set_qtable(struct osc_ctx *x, const char *schema, const char *name)
{
    mg_buf_reset(&x->qtable);
    osc_qi(x, &x->qtable, schema);
    mg_buf_addch(&x->qtable, '.');
    osc_qi(x, &x->qtable, name);
}

/* Drops what a job made (triggers first, then the shadow), whatever of it exists. */
static int drop_objects(struct osc_ctx *x, const struct my_names *nm, struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *trig[3] = {nm->ins, nm->upd, nm->del};
    int rc = set_lock_wait(x, err);

    for (int i = 0; !rc && i < 3; i++) {
        mg_buf_reset(&b);
        mg_buf_adds(&b, "DROP TRIGGER IF EXISTS ");
        osc_qi(x, &b, x->j->schema);
        mg_buf_addch(&b, '.');
        osc_qi(x, &b, trig[i]);
        rc = osc_ex(x, b.ptr, err);
    }
    if (!rc) {
        mg_buf_reset(&b);
        mg_buf_addf(&b, "DROP TABLE IF EXISTS %s, %s, %s", nm->qshadow.ptr, nm->qlog.ptr,
                    nm->qpos.ptr);
        rc = osc_ex(x, b.ptr, err);
    }
    mg_buf_free(&b);
    return rc;
}

/*
 * Builds the shadow and the triggers for a job whose row exists (or, dry, a scratch shadow
 * that is dropped again).  Each DDL statement commits by itself; a failure leaves the job in
 * phase setup, which a resume starts again and an abort cleans up.
 */
static int my_setup(struct osc_ctx *x, const struct my_table *t, const struct my_alter *a,
                    const struct my_cols *tc, struct my_gen *g, const char *keyidx,
                    struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct my_names nm;
    struct my_cols sc = {0};
    json_t *setup = json_array(), *plan_cols = json_array(), *trigs = json_array(), *sql = NULL;
    struct mg_buf b = MG_BUF_INIT;
    int rc, dry = o->dry_run;

    my_names_init(x, &nm, x->j->id, t->schema, t->name);
    g->x = x;
    g->qtable = x->qtable.ptr;
    g->qshadow = nm.qshadow.ptr;
    g->keyidx = keyidx;
    rc = drop_objects(x, &nm, err); /* an earlier attempt's leftovers */
    if (!rc && !dry) {
        /* the definition the shadow is made from, for the cut-over to compare */
        char *sig = NULL;
        rc = signature(x, &sig, err);
        if (!rc)
            json_object_set_new(x->j->state, "signature", json_string(sig));
        free(sig);
    }
    mg_buf_addf(&b, "CREATE TABLE %s LIKE %s", nm.qshadow.ptr, x->qtable.ptr);
    json_array_append_new(setup, json_string(b.ptr));
    if (!rc)
        rc = osc_ex(x, b.ptr, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "ALTER TABLE %s %s", nm.qshadow.ptr, o->alter + a->spec_off);
    json_array_append_new(setup, json_string(b.ptr));
    if (!rc) {
        rc = osc_ex(x, b.ptr, err);
        if (rc)
            mg_err_context(err, "applying the ALTER to the shadow table: %s", b.ptr);
    }
    if (!rc)
        rc = read_cols(x, t->schema, nm.shadow, &sc, err);
    if (!rc)
        rc = map_columns(x, tc, &sc, g, plan_cols, err);
    if (!rc)
        rc = check_shadow_key(x, t->schema, nm.shadow, g, err);
    if (!rc)
        rc = add_fks(x, t, a, nm.qshadow.ptr, setup, !dry, err);
    if (!rc)
        rc = gen_sql(g, &sql, err);
    if (rc)
        goto out;
    gen_triggers(g, &nm, trigs);
    /* the change log (the key columns as the original has them) and the switch */
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE TABLE %s (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY",
                nm.qlog.ptr);
    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_addf(&b, ", k%zu %s", i + 1, g->k[i]->type);
        if (g->k[i]->charset[0])
            mg_buf_addf(&b, " CHARACTER SET %s COLLATE %s", g->k[i]->charset, g->k[i]->collation);
        mg_buf_adds(&b, " NOT NULL");
    }
    mg_buf_adds(&b, ", KEY (");
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&b, "%sk%zu", i ? ", " : "", i + 1);
    mg_buf_adds(&b, ")) ENGINE = InnoDB");
    json_array_append_new(setup, json_string(b.ptr));
    if (!dry)
        rc = osc_ex(x, b.ptr, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE TABLE %s (live TINYINT NOT NULL) ENGINE = InnoDB", nm.qpos.ptr);
    json_array_append_new(setup, json_string(b.ptr));
    if (!rc && !dry)
        rc = osc_ex(x, b.ptr, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "INSERT INTO %s VALUES (0)", nm.qpos.ptr);
    json_array_append_new(setup, json_string(b.ptr));
    if (!rc && !dry)
        rc = osc_ex(x, b.ptr, err);
    if (rc)
        goto out;
    if (dry) {
        json_t *plan = json_object(), *sqls = json_object();
        json_array_extend(setup, trigs);
        json_array_append(setup, json_object_get(sql, "max_key"));
        json_object_set_new(sqls, "setup", json_incref(setup));
        mg_buf_reset(&b);
        mg_buf_addf(&b, "%s<rows - 1>", json_string_value(json_object_get(sql, "boundary_next")));
        json_object_set_new(sqls, "batch",
                            json_pack("[s,O]", b.ptr, json_object_get(sql, "copy_next")));
        json_object_set_new(sqls, "verify", json_pack("[O]", json_object_get(sql, "verify_next")));
        mg_buf_reset(&b);
        mg_buf_adds(&b, "RENAME TABLE ");
        osc_qi(x, &b, t->schema);
        mg_buf_addch(&b, '.');
        osc_qi(x, &b, t->name);
        if (strcmp(x->c->info.product, "MySQL"))
            mg_buf_addf(&b, " WAIT %ld", lock_secs(x));
        mg_buf_addf(&b, " TO %s, %s TO %s", nm.qold.ptr, nm.qshadow.ptr, x->qtable.ptr);
        json_object_set_new(sqls, "cutover", json_pack("[s]", b.ptr));
        json_object_set_new(plan, "table", json_string(x->qtable.ptr));
        json_object_set_new(plan, "statement", json_string(o->alter));
        json_object_set_new(plan, "key", json_string(x->res->key));
        json_object_set_new(plan, "key_index", json_string(keyidx));
        json_object_set_new(plan, "rows_estimate", json_integer(t->rows));
        json_object_set_new(plan, "size_bytes", json_integer(t->bytes));
        json_object_set_new(plan, "shadow", json_string(nm.qshadow.ptr));
        json_object_set_new(plan, "columns", json_incref(plan_cols));
        json_object_set_new(plan, "dependents", json_array());
        json_object_set_new(plan, "sql", sqls);
        x->res->plan = plan;
        goto out;
    }
    json_object_set_new(x->j->state, "sql", json_incref(sql));
    json_object_set_new(x->j->state, "shadow", json_string(nm.shadow));
    {
        /* how a key value is written as a parameter, for the replay's lists of keys */
        json_t *casts = json_array();
        struct mg_buf c = MG_BUF_INIT;
        for (size_t i = 0; i < g->nk; i++) {
            mg_buf_reset(&c);
            key_param(&c, g->k[i], err);
            json_array_append_new(casts, json_string(c.ptr));
        }
        mg_buf_free(&c);
        json_object_set_new(x->j->state, "key_casts", casts);
        json_t *cc = json_array();
        for (size_t i = 0; i < g->ncols; i++)
            json_array_append_new(cc, json_string(g->cols[i]->name));
        json_object_set_new(x->j->state, "copy_columns", cc);
    }
    json_object_set_new(x->j->state, "old_name", json_string(nm.old));
    json_object_set_new(x->j->state, "columns", json_incref(plan_cols));
    rc = osc_job_save_phase(x, "setup", 1, err);
    /* the triggers take a moment's exclusive metadata lock on the table: short waits, retried */
    {
        int64_t deadline = mg_monotonic_ms() + o->cutover_timeout_ms;
        for (size_t i = 0; !rc && i < json_array_size(trigs); i++) {
            for (int attempt = 1;; attempt++) {
                rc = set_lock_wait(x, err);
                if (!rc)
                    rc = osc_ex(x, json_string_value(json_array_get(trigs, i)), err);
                if (!rc || osc_retry_wait(x, attempt, deadline, "creating the triggers", err))
                    break;
            }
        }
    }
    /* the copy's end, read after the triggers: later rows reach the shadow through them */
    if (!rc)
        rc = osc_read_max_key(x, osc_sqlt(x, "max_key"), err);
    if (!rc) {
        char id[24];
        char *maxk = x->j->max_key ? osc_json_text(x->j->max_key) : NULL;
        const char *p[2] = {id, maxk};
        snprintf(id, sizeof(id), "%lld", x->j->id);
        rc = osc_q0(x, sqlf("osc_job_max"), p, 2, err);
        free(maxk);
    }
    if (!rc)
        rc = osc_job_save_phase(x, x->j->max_key ? OSC_COPY : OSC_VERIFY, 0, err);
out:
    if (dry) {
        /* the scratch shadow goes, also when the dry run failed half way (the ALTER, a check) */
        struct mg_err e2;
        mg_err_clear(&e2);
        mg_buf_reset(&b);
        mg_buf_addf(&b, "DROP TABLE IF EXISTS %s", nm.qshadow.ptr);
        int drc = osc_ex(x, b.ptr, rc ? &e2 : err);
        if (drc && rc)
            mg_err_context(err, "the dry run's scratch table %s is left (%s): drop it by hand",
                           nm.qshadow.ptr, e2.msg);
        else if (drc)
            rc = drc;
    }
    my_cols_free(&sc);
    json_decref(setup);
    json_decref(plan_cols);
    json_decref(trigs);
    json_decref(sql);
    mg_buf_free(&b);
    my_names_free(&nm);
    return rc;
}

/*
 * Parameters of a range statement: for each bound (lo when given, then hi), level i of the
 * lexicographic condition takes the bound's first i values.
 */
static size_t range_params_my(const json_t *lo, const json_t *hi, size_t nk, const char **p)
{
    const json_t *b[2] = {lo, hi};
    size_t n = 0;

    for (int k = 0; k < 2; k++) {
        if (!b[k])
            continue;
        for (size_t i = 0; i < nk; i++)
            for (size_t j = 0; j <= i; j++)
                p[n++] = json_string_value(json_array_get(b[k], j));
    }
    return n;
}

#define MAX_PARAMS (MAX_KEYS * (MAX_KEYS + 1))

/*
 * A dry run learns the change on a scratch shadow named for job 0, and drops an earlier dry
 * run's leftovers by that name: two dry runs of one table at once (two pull requests' CI
 * against one database) take turns under an advisory lock instead.  A dry run takes about a
 * second; waiting a minute for another one is generous.
 */
static int dry_run_lock(struct osc_ctx *x, const char *schema, const char *table, int take,
                        struct mg_err *err)
{
    struct mg_buf name = MG_BUF_INIT;
    /* named for the scratch table: tables alike in their first 54 characters share it */
    char *scratch = job_name(0, "new", table);
    int got = 0, rc = 0;

    mg_buf_addf(&name, "migrate:osc:dry:%s.%s", schema, scratch);
    free(scratch);
    if (!take) {
        rc = drv_unlock(x->c, name.ptr, err);
        mg_buf_free(&name);
        return rc;
    }
    for (int64_t end = mg_monotonic_ms() + 60000;;) {
        rc = drv_try_lock(x->c, name.ptr, &got, err);
        if (rc || got)
            break;
        if (mg_run_interrupted()) {
            rc = mg_err_set(err, MG_ECANCELED, "interrupted while waiting for another dry run");
            break;
        }
        if (mg_monotonic_ms() >= end) {
            rc = mg_err_set(err, MG_ELOCKED, "another dry run of %s has been running for a minute",
                            x->qtable.ptr);
            mg_err_hint(err, "try again when it is done");
            break;
        }
        mg_sleep_ms(50);
    }
    mg_buf_free(&name);
    return rc;
}

static int my_start_alter(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct my_alter a;
    struct my_table t;
    struct my_cols tc = {0};
    struct my_gen g;
    json_t *keycols = NULL;
    char *keyidx = NULL, *schema = NULL, *name = NULL;
    int rc, dry_locked = 0;

    memset(&g, 0, sizeof(g));
    memset(&t, 0, sizeof(t));
    rc = my_alter_read(&a, o->alter, err);
    if (rc)
        return rc;
    if (o->table) {
        size_t start, end, len = strlen(o->table);
        struct my_tok rest;
        if (read_name(o->table, len, 0, &schema, &name, &start, &end) ||
            (my_next(o->table, len, end, &rest), rest.kind != T_END)) {
            mg_err_set(err, MG_EUSAGE, "--table '%s' is not a table name", o->table);
            mg_err_hint(err, "write it as MySQL does: orders, app.orders, `Order Items`");
            rc = MG_EUSAGE;
            goto out;
        }
        if (strcmp(name, a.name) || (a.schema && schema && strcmp(a.schema, schema)) ||
            (!a.schema != !schema)) {
            mg_err_set(err, MG_EUSAGE, "--table names %s, but the ALTER changes %s%s%s", o->table,
                       a.schema ? a.schema : "", a.schema ? "." : "", a.name);
            rc = MG_EUSAGE;
            goto out;
        }
    }
    rc = read_table(x, a.schema, a.name, &t, err);
    if (rc)
        goto out;
    set_qtable(x, t.schema, t.name);
    rc = check_table(&t, x->qtable.ptr, err);
    if (!rc) {
        struct drv_result *r;
        rc = osc_q(x, &r, sqlf("osc_my_binlog"), NULL, 0, err);
        if (!rc && osc_is_true(drv_val(r, 0, 0)) && drv_val(r, 0, 1) &&
            !strcasecmp(drv_val(r, 0, 1), "STATEMENT")) {
            mg_err_set(err, MG_EUSAGE, "cannot change %s online: binlog_format is STATEMENT",
                       x->qtable.ptr);
            mg_err_detail(err, "the copy reads without locks (READ COMMITTED), which statement-"
                               "based replication cannot reproduce");
            mg_err_hint(err, "use binlog_format ROW or MIXED");
            rc = MG_EUSAGE;
        }
        if (r)
            drv_result_free(r);
    }
    if (!rc)
        rc = read_cols(x, t.schema, t.name, &tc, err);
    if (!rc)
        rc = choose_key(x, &t, &tc, &g, &keycols, &keyidx, err);
    if (!rc)
        rc = osc_check_no_other_job(x, t.schema, t.name, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < g.nk; i++) {
        size_t l = strlen(x->res->key);
        snprintf(x->res->key + l, sizeof(x->res->key) - l, "%s%s", i ? ", " : "", g.k[i]->name);
    }
    x->j = osc_job_new(x, "alter", "setup", t.schema, t.name, keycols, t.rows);
    json_object_set_new(x->j->state, "key_index", json_string(keyidx));
    if (!o->dry_run) {
        rc = insert_job(x, err);
        if (rc)
            goto out;
        mg_info("osc job %lld: %s (~%lld rows, key %s)", x->j->id, o->alter, t.rows, x->res->key);
    }
    if (o->dry_run) {
        rc = dry_run_lock(x, t.schema, t.name, 1, err);
        if (rc)
            goto out;
        dry_locked = 1;
    }
    rc = my_setup(x, &t, &a, &tc, &g, keyidx, err);
    if (!rc && !o->dry_run)
        mg_info("osc job %lld: shadow table and triggers are in place", x->j->id);
    if (rc && !o->dry_run && x->j->id) {
        /*
         * The setup failed half way (MySQL commits each DDL statement): what it made goes
         * again and the job is closed, as the PostgreSQL setup's rollback would leave it.
         */
        struct mg_err e2;
        struct my_names nm;
        mg_err_clear(&e2);
        my_names_init(x, &nm, x->j->id, t.schema, t.name);
        if (!drop_objects(x, &nm, &e2) && !osc_job_save_phase(x, OSC_ABORTED, 0, &e2))
            x->j->id = 0;
        else
            mg_err_context(err,
                           "osc job %lld could not clean up (%s): remove it with 'migrate "
                           "osc --abort %lld'",
                           x->j->id, e2.msg, x->j->id);
        my_names_free(&nm);
    }
out:
    if (dry_locked) {
        struct mg_err e2;
        mg_err_clear(&e2);
        dry_run_lock(x, t.schema, t.name, 0, &e2);
    }
    if (rc && x->j && o->dry_run)
        x->j->id = 0;
    my_alter_free(&a);
    my_table_free(&t);
    my_cols_free(&tc);
    free(g.cols);
    free(g.scols);
    json_decref(keycols);
    free(keyidx);
    free(schema);
    free(name);
    return rc;
}

static int my_start_backfill(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct my_table t;
    struct my_cols tc = {0};
    struct my_gen g;
    struct mg_buf b = MG_BUF_INIT;
    json_t *keycols = NULL, *sql = json_object();
    char *keyidx = NULL, *schema = NULL, *name = NULL;
    size_t start, end;
    int rc;

    memset(&g, 0, sizeof(g));
    memset(&t, 0, sizeof(t));
    if (!o->table) {
        json_decref(sql);
        return mg_err_set(err, MG_EUSAGE, "--backfill needs --table");
    }
    rc = my_backfill_read(o->backfill, o->where, err);
    if (!rc && read_name(o->table, strlen(o->table), 0, &schema, &name, &start, &end)) {
        mg_err_set(err, MG_EUSAGE, "--table '%s' is not a table name", o->table);
        rc = MG_EUSAGE;
    }
    if (!rc)
        rc = read_table(x, schema, name, &t, err);
    if (!rc) {
        set_qtable(x, t.schema, t.name);
        rc = check_backfill_table(&t, x->qtable.ptr, err);
    }
    if (!rc)
        rc = read_cols(x, t.schema, t.name, &tc, err);
    if (!rc)
        rc = choose_key(x, &t, &tc, &g, &keycols, &keyidx, err);
    if (!rc)
        rc = osc_check_no_other_job(x, t.schema, t.name, err);
    if (rc)
        goto out;
    g.x = x;
    g.qtable = x->qtable.ptr;
    g.keyidx = keyidx;
    for (size_t i = 0; i < g.nk; i++) {
        size_t l = strlen(x->res->key);
        snprintf(x->res->key + l, sizeof(x->res->key) - l, "%s%s", i ? ", " : "", g.k[i]->name);
    }
    for (int lo = 0; !rc && lo < 2; lo++) {
        mg_buf_reset(&b);
        mg_buf_adds(&b, "SELECT ");
        korder(&b, &g, "src", NULL);
        mg_buf_addf(&b, " FROM %s AS src FORCE INDEX (", g.qtable);
        osc_qi(x, &b, keyidx);
        mg_buf_adds(&b, ") WHERE ");
        rc = krange(&b, &g, "src", lo, err);
        mg_buf_adds(&b, " ORDER BY ");
        korder(&b, &g, "src", NULL);
        mg_buf_adds(&b, " LIMIT 1 OFFSET ");
        json_object_set_new(sql, lo ? "boundary_next" : "boundary_first", json_string(b.ptr));
        mg_buf_reset(&b);
        mg_buf_addf(&b, "UPDATE %s AS src %s WHERE ", x->qtable.ptr, o->backfill);
        if (!rc)
            rc = krange(&b, &g, "src", lo, err);
        if (o->where)
            mg_buf_addf(&b, " AND (%s)", o->where);
        json_object_set_new(sql, lo ? "update_next" : "update_first", json_string(b.ptr));
    }
    mg_buf_reset(&b);
    mg_buf_adds(&b, "SELECT ");
    korder(&b, &g, "src", NULL);
    mg_buf_addf(&b, " FROM %s AS src ORDER BY ", g.qtable);
    korder(&b, &g, "src", "DESC");
    mg_buf_adds(&b, " LIMIT 1");
    json_object_set_new(sql, "max_key", json_string(b.ptr));
    if (rc)
        goto out;
    if (o->dry_run) {
        osc_backfill_plan(x, sql, json_string(keyidx), t.rows, t.bytes);
        goto out;
    }
    x->j = osc_job_new(x, "backfill", "setup", t.schema, t.name, keycols, t.rows);
    rc = osc_read_max_key(x, json_string_value(json_object_get(sql, "max_key")), err);
    json_object_set_new(x->j->state, "sql", json_incref(sql));
    json_object_set_new(x->j->state, "key_index", json_string(keyidx));
    snprintf(x->j->phase, sizeof(x->j->phase), "%s", x->j->max_key ? OSC_COPY : OSC_DONE);
    if (!rc)
        rc = insert_job(x, err);
    if (rc && x->j)
        x->j->id = 0;
    else
        mg_info("osc job %lld: backfill of %s (~%lld rows, key %s)", x->j->id, x->qtable.ptr,
                t.rows, x->res->key);
out:
    json_decref(sql);
    mg_buf_free(&b);
    my_table_free(&t);
    my_cols_free(&tc);
    json_decref(keycols);
    free(keyidx);
    free(schema);
    free(name);
    return rc;
}

/* ---------- running ---------- */

/* The end of the range of up to n rows after lo (NULL: the start), at most the max key. */
static int range_end(struct osc_ctx *x, const json_t *lo, long n, json_t **hi, struct mg_err *err)
{
    const char *p[MAX_PARAMS];
    size_t nk = json_array_size(x->j->keycols);
    size_t np = range_params_my(lo, x->j->max_key, nk, p);
    struct mg_buf b = MG_BUF_INIT;
    struct drv_result *r;
    int rc;

    *hi = NULL;
    /* OFFSET is our own number: written in, as MySQL takes no text parameter there */
    mg_buf_addf(&b, "%s%ld", osc_sqlt(x, lo ? "boundary_next" : "boundary_first"),
                n > 0 ? n - 1 : 0);
    rc = osc_q(x, &r, b.ptr, p, np, err);
    mg_buf_free(&b);
    if (rc)
        return rc;
    if (r->nrows) {
        const char *vals[MAX_KEYS];
        for (size_t i = 0; i < nk; i++)
            vals[i] = drv_val(r, 0, i);
        rc = osc_key_json(vals, nk, hi, err);
    } else {
        *hi = json_incref(x->j->max_key);
    }
    drv_result_free(r);
    return rc;
}

/*
 * One pass: the next n rows up to the max key copied (ORDER BY ... LIMIT), and the range's
 * end read back from the shadow, which nothing else writes during the copy; fewer than n
 * rows means the copy reached the max key.
 */
static int copy_n(struct osc_ctx *x, const json_t *lo, long n, long long *rows, json_t **hi,
                  struct mg_err *err)
{
    const char *p[MAX_PARAMS];
    size_t np = range_params_my(lo, x->j->max_key, 1, p);
    struct mg_buf b = MG_BUF_INIT;
    struct drv_result *r;
    int rc;

    *hi = NULL;
    mg_buf_addf(&b, "%s%ld", osc_sqlt(x, lo ? "copyn_next" : "copyn_first"), n);
    rc = osc_q(x, &r, b.ptr, p, np, err);
    mg_buf_free(&b);
    if (rc)
        return rc;
    *rows = r->affected > 0 ? r->affected : 0;
    drv_result_free(r);
    if (*rows < n) {
        *hi = json_incref(x->j->max_key);
        return 0;
    }
    rc = osc_q(x, &r, osc_sqlt(x, "shadow_last"), NULL, 0, err);
    if (rc)
        return rc;
    if (r->nrows && drv_val(r, 0, 0)) {
        const char *v = drv_val(r, 0, 0);
        rc = osc_key_json(&v, 1, hi, err);
    } else {
        rc = mg_err_set(err, MG_EFAIL, "the shadow table is empty after a batch of %lld rows",
                        *rows);
    }
    drv_result_free(r);
    return rc;
}

/*
 * Removes the shadow's rows beyond the job's last copied key.  During the copy nothing but the
 * copy writes the shadow; a round of several sessions (--threads) commits each range on its
 * own, and the job's row moves past them only once all are in: rows of a round that failed or
 * was killed part way are taken out again before the copy goes on.
 */
static int trim_shadow(struct osc_ctx *x, struct mg_err *err)
{
    const char *p[MAX_PARAMS];
    const json_t *lo = x->j->last_key;
    size_t np;
    long long gone = 0;
    struct drv_result *r = NULL;
    int rc;

    if (!x->j->max_key || strcmp(x->j->kind, "alter") || strcmp(x->j->phase, OSC_COPY))
        return 0;
    np = range_params_my(lo, x->j->max_key, json_array_size(x->j->keycols), p);
    rc = osc_q(x, &r, osc_sqlt(x, lo ? "clear_next" : "clear_first"), p, np, err);
    if (!rc)
        gone = r->affected;
    drv_result_free(r);
    if (!rc && gone > 0)
        mg_info("osc job %lld: removed %lld rows copied after the last recorded batch", x->j->id,
                gone);
    return rc;
}

/*
 * The ends of a round's ranges (--threads): b[0] is where the round starts (borrowed), b[1..*nr]
 * the ends of up to one range a session of n rows each, the last at most the max key (new
 * references, also when an error stops the lookups part way).
 */
/* A key of one signed integer column, as a number (0 when it is not one). */
static int int_key(const struct osc_ctx *x, const json_t *key, long long *v)
{
    const char *cast =
        json_string_value(json_array_get(json_object_get(x->j->state, "key_casts"), 0));
    const char *s = json_string_value(json_array_get(key, 0));
    char *end;

    if (json_array_size(x->j->keycols) != 1 || !cast || strcmp(cast, "CAST(? AS SIGNED)") || !s)
        return 0;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return !errno && end != s && !*end;
}

/*
 * After a round of nr ranges from b[0] to b[nr] that held `rows` rows, the largest range
 * `most`: the density the next round's ends are computed from.  Unknown (the next ends are
 * looked up) without an integer key, and after a range that held more than twice the rows
 * asked for, which says the rows are unevenly spread.
 */
static void round_measured(struct osc_ctx *x, json_t *const *b, size_t nr, long n, long long rows,
                           long long most)
{
    long long lo, hi;

    x->round_density = 0;
    if (nr && most <= 2LL * n && b[0] && int_key(x, b[0], &lo) && int_key(x, b[nr], &hi) &&
        hi > lo && rows > 0)
        x->round_density = (double)rows / (double)(hi - lo);
}

static int round_ends(struct osc_ctx *x, long n, json_t **b, size_t *nr, struct mg_err *err)
{
    int rc = drv_set_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
    long long lo, max;

    *nr = 0;
    /*
     * An integer key whose density the last round measured: the ends follow from the values
     * (a range holds about n rows), without reading the rows in between first.
     */
    if (!rc && x->round_density > 0 && b[0] && int_key(x, b[0], &lo) &&
        int_key(x, x->j->max_key, &max) && lo < max) {
        double want = (double)n / x->round_density;
        mg_debug("osc job %lld: range ends from the key values (%.4f rows a value)", x->j->id,
                 x->round_density);
        long long span = want < 1 ? 1 : want > 9e15 ? 9000000000000000LL : (long long)want;
        for (size_t k = 0; !rc && k < x->nworkers + 1; k++) {
            long long hi, step;
            char v[32];
            const char *vp = v;
            if (__builtin_mul_overflow(span, (long long)(k + 1), &step) ||
                __builtin_add_overflow(lo, step, &hi) || hi >= max) {
                b[k + 1] = json_incref(x->j->max_key);
                (*nr)++;
                break;
            }
            snprintf(v, sizeof(v), "%lld", hi);
            rc = osc_key_json(&vp, 1, &b[k + 1], err);
            if (!rc)
                (*nr)++;
        }
        return rc;
    }
    for (size_t k = 0; !rc && k < x->nworkers + 1; k++) {
        rc = range_end(x, b[k], n, &b[k + 1], err);
        if (rc)
            break;
        (*nr)++;
        if (osc_keys_equal(b[k + 1], x->j->max_key))
            break;
    }
    return rc;
}

/*
 * A round of the copy on several sessions at once: the next ranges of n rows each (their ends
 * read first), one a session, each committed on its own; then the job's row moves past all of
 * them.  A round that fails is trimmed away (trim_shadow) before the error goes up.
 */
static int copy_round(struct osc_ctx *x, long n, long long *rows, struct mg_err *err)
{
    size_t nk = json_array_size(x->j->keycols), nr = 0, k;
    json_t *b[OSC_MAX_THREADS + 1];
    const char *p[OSC_MAX_THREADS][MAX_PARAMS];
    struct osc_task t[OSC_MAX_THREADS];
    const char *rc_sql = sqlf("osc_my_read_committed");
    int rc;

    *rows = 0;
    memset(t, 0, sizeof(t));
    b[0] = x->j->last_key;
    rc = round_ends(x, n, b, &nr, err);
    for (k = 0; !rc && k < nr; k++) {
        t[k].pre = rc_sql;
        t[k].sql = osc_sqlt(x, b[k] ? "copy_next" : "copy_first");
        t[k].p = p[k];
        t[k].np = range_params_my(b[k], b[k + 1], nk, p[k]);
    }
    if (!rc) {
        mg_debug("osc job %lld: copying %zu ranges of %ld rows at once", x->j->id, nr, n);
        rc = osc_run_tasks(x, t, nr, err);
    }
    long long most = 0;
    for (k = 0; k < nr; k++) {
        if (t[k].r && t[k].r->affected > 0) {
            *rows += t[k].r->affected;
            most = t[k].r->affected > most ? t[k].r->affected : most;
        }
        drv_result_free(t[k].r);
    }
    if (!rc)
        round_measured(x, b, nr, n, *rows, most);
    if (!rc)
        rc = drv_begin(x->c, err);
    if (!rc && !(rc = osc_batch_commit(x, b[nr], *rows, err)))
        b[nr] = NULL; /* the job's now */
    if (rc) {
        struct mg_err e2;
        mg_err_clear(&e2);
        drv_rollback_quiet(x->c);
        if (trim_shadow(x, &e2))
            mg_err_context(err,
                           "the rows of the failed round are still in the shadow (%s); "
                           "resuming the job removes them",
                           e2.msg);
    }
    for (k = 1; k <= nr; k++)
        json_decref(b[k]);
    return rc;
}

static int my_batch(struct osc_ctx *x, long n, long long *rows, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    int backfill = !strcmp(x->j->kind, "backfill");
    if (!backfill && o->threads > 1 && !x->copy_checked) {
        const char *p[2] = {x->j->schema, osc_st_str(x, "shadow")};
        struct drv_result *r;
        int rc = osc_q(x, &r, sqlf("osc_my_autoinc_lock"), p, 2, err);
        if (rc)
            return rc;
        x->copy_alone = osc_is_true(drv_val(r, 0, 0));
        x->copy_checked = 1;
        drv_result_free(r);
        if (x->copy_alone)
            mg_warn("osc job %lld: --threads: the table has an AUTO_INCREMENT column and "
                    "innodb_autoinc_lock_mode is below 2, so InnoDB would run the copies one "
                    "after another (its AUTO-INC table lock); one session copies, the "
                    "verification still uses %d",
                    x->j->id, o->threads);
    }
    if (!backfill && o->threads > 1 && !x->copy_alone) {
        int64_t deadline = mg_monotonic_ms() + o->cutover_timeout_ms;
        int rc = osc_workers_open(x, err);
        for (int attempt = 1; !rc; attempt++) {
            /* a failed round's rows must be gone before the next (it trimmed them already,
               unless that failed too) */
            rc = attempt > 1 ? trim_shadow(x, err) : 0;
            if (!rc)
                rc = copy_round(x, n, rows, err);
            if (!rc || osc_retry_wait(x, attempt, deadline, "a batch", err))
                return rc;
            rc = 0;
        }
        return rc;
    }
    int one = !backfill && sqlt_opt(x, "copyn_first");
    const json_t *lo = x->j->last_key;
    size_t nk = json_array_size(x->j->keycols);
    int64_t deadline = mg_monotonic_ms() + o->cutover_timeout_ms;

    for (int attempt = 1;; attempt++) {
        json_t *hi = NULL;
        const char *p[MAX_PARAMS];
        struct drv_result *r;
        int rc;
        *rows = 0;
        rc = drv_set_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
        if (!rc && !backfill)
            rc = osc_q0(x, sqlf("osc_my_read_committed"), NULL, 0, err);
        if (!rc)
            rc = drv_begin(x->c, err);
        if (!rc && one) {
            rc = copy_n(x, lo, n, rows, &hi, err);
        } else if (!rc) {
            rc = range_end(x, lo, n, &hi, err);
            if (!rc) {
                size_t np = range_params_my(lo, hi, nk, p);
                rc = osc_q(x, &r,
                           osc_sqlt(x, backfill ? (lo ? "update_next" : "update_first")
                                                : (lo ? "copy_next" : "copy_first")),
                           p, np, err);
                if (!rc) {
                    *rows = r->affected > 0 ? r->affected : 0;
                    drv_result_free(r);
                }
            }
        }
        if (!rc && !(rc = osc_batch_commit(x, hi, *rows, err)))
            return 0;
        drv_rollback_quiet(x->c);
        json_decref(hi);
        if (osc_retry_wait(x, attempt, deadline, "a batch", err))
            return rc;
    }
}

static int replay_batch(struct osc_ctx *x, long n, int locking, long long *done, long long *left,
                        struct mg_err *err);

/*
 * After the copy: the switch goes on.  The UPDATE takes the switch's row exclusively, so it
 * waits (at most the lock timeout, retried) for every transaction whose trigger read it off;
 * from then on the triggers write the shadow, and the change log only shrinks.
 */
static int my_build(struct osc_ctx *x, struct mg_err *err)
{
    struct my_names nm;
    struct mg_buf b = MG_BUF_INIT;
    char secs[24];
    const char *p[1] = {secs};
    int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
    int rc;

    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    snprintf(secs, sizeof(secs), "%ld",
             lock_secs(x) || !strcmp(x->c->info.product, "MySQL")
                 ? (lock_secs(x) ? lock_secs(x) : 1)
                 : 0L);
    /* the log down to a few keys, without locks */
    for (int round = 0; round < 10000; round++) {
        long long done = 0, left = 0;
        rc = replay_batch(x, 5000, 0, &done, &left, err);
        if (rc) {
            mg_buf_free(&b);
            my_names_free(&nm);
            return rc;
        }
        x->j->rows_replayed += done;
        if (done < 100 || mg_run_interrupted())
            break;
    }
    mg_buf_addf(&b, "UPDATE %s SET live = 1", nm.qpos.ptr);
    for (int attempt = 1;; attempt++) {
        rc = osc_q0(x, sqlf("osc_my_row_lock_wait"), p, 1, err);
        if (!rc)
            rc = drv_begin(x->c, err);
        if (!rc)
            rc = osc_ex(x, b.ptr, err);
        if (!rc)
            rc = osc_job_save_phase(x, OSC_VERIFY, 0, err);
        if (!rc)
            rc = drv_commit(x->c, err);
        if (!rc)
            break;
        drv_rollback_quiet(x->c);
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", OSC_BUILD);
        if (osc_retry_wait(x, attempt, deadline, "switching the triggers to the shadow", err))
            break;
    }
    mg_buf_free(&b);
    my_names_free(&nm);
    return rc;
}

/*
 * Replays up to n log entries: their keys' rows are locked in the original (shared, which
 * also keeps absent keys from being inserted meanwhile), upserted into the shadow when they
 * exist and deleted from it when they do not, and the entries go, in one transaction.
 */
static int replay_batch(struct osc_ctx *x, long n, int locking, long long *done, long long *left,
                        struct mg_err *err)
{
    struct my_names nm;
    struct mg_buf b = MG_BUF_INIT, ids = MG_BUF_INIT, inlist = MG_BUF_INIT, krow = MG_BUF_INIT;
    struct drv_result *r = NULL, *rows = NULL;
    json_t *casts = json_object_get(x->j->state, "key_casts");
    size_t nk = json_array_size(x->j->keycols), nkeys = 0;
    const char **p = NULL;
    int rc;

    *done = 0;
    *left = 0;
    if (!strcmp(x->j->kind, "backfill") || !casts)
        return 0;
    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    mg_buf_adds(&krow, nk > 1 ? "(" : "");
    for (size_t i = 0; i < nk; i++) {
        mg_buf_adds(&krow, i ? ", " : "");
        osc_qi(x, &krow, json_string_value(json_array_get(x->j->keycols, i)));
    }
    mg_buf_adds(&krow, nk > 1 ? ")" : "");
    rc = drv_set_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
    /*
     * Before the switch, without locks (READ COMMITTED): a row changed after this read has
     * its key noted again.  After it, the rows are locked in the original (REPEATABLE READ,
     * so a missing key's gap too) to order the replay with the triggers' direct writes.
     */
    if (!rc && !locking)
        rc = osc_q0(x, sqlf("osc_my_read_committed"), NULL, 0, err);
    if (!rc)
        rc = drv_begin(x->c, err);
    /* the entries, and their distinct keys */
    if (!rc) {
        mg_buf_addf(&b, "SELECT CAST(id AS CHAR)");
        for (size_t i = 0; i < nk; i++)
            mg_buf_addf(&b, ", CAST(k%zu AS CHAR)", i + 1);
        mg_buf_addf(&b, " FROM %s ORDER BY id LIMIT %ld", nm.qlog.ptr, n);
        rc = osc_q(x, &r, b.ptr, NULL, 0, err);
    }
    if (rc || !r->nrows)
        goto out;
    p = mg_calloc(r->nrows * nk + 1, sizeof(*p));
    for (size_t i = 0; i < r->nrows; i++) {
        int dup = 0;
        mg_buf_addf(&ids, "%s%s", i ? "," : "", drv_val(r, i, 0));
        for (size_t j = 0; j < i && !dup; j++) {
            dup = 1;
            for (size_t k = 0; k < nk; k++)
                dup &= !strcmp(drv_val(r, i, k + 1), drv_val(r, j, k + 1));
        }
        if (dup)
            continue;
        mg_buf_adds(&inlist, nkeys ? ", " : "");
        mg_buf_adds(&inlist, nk > 1 ? "(" : "");
        for (size_t k = 0; k < nk; k++) {
            mg_buf_addf(&inlist, "%s%s", k ? ", " : "",
                        json_string_value(json_array_get(casts, k)));
            p[nkeys * nk + k] = drv_val(r, i, k + 1);
        }
        mg_buf_adds(&inlist, nk > 1 ? ")" : "");
        nkeys++;
    }
    /* lock them in the original and see which exist */
    mg_buf_reset(&b);
    mg_buf_adds(&b, "SELECT ");
    for (size_t k = 0; k < nk; k++) {
        mg_buf_adds(&b, k ? ", CAST(" : "CAST(");
        osc_qi(x, &b, json_string_value(json_array_get(x->j->keycols, k)));
        mg_buf_adds(&b, " AS CHAR)");
    }
    mg_buf_addf(&b, " FROM %s WHERE %s IN (%s)%s", x->qtable.ptr, krow.ptr, inlist.ptr,
                locking ? " LOCK IN SHARE MODE" : "");
    rc = osc_q(x, &rows, b.ptr, p, nkeys * nk, err);
    if (rc)
        goto out;
    /* upsert the ones that exist, from the locked rows */
    {
        json_t *cols = json_object_get(x->j->state, "copy_columns");
        mg_buf_reset(&b);
        mg_buf_addf(&b, "INSERT INTO %s (", nm.qshadow.ptr);
        for (size_t i = 0; i < json_array_size(cols); i++) {
            mg_buf_adds(&b, i ? ", " : "");
            osc_qi(x, &b, json_string_value(json_array_get(cols, i)));
        }
        mg_buf_adds(&b, ") SELECT ");
        for (size_t i = 0; i < json_array_size(cols); i++) {
            mg_buf_adds(&b, i ? ", src." : "src.");
            osc_qi(x, &b, json_string_value(json_array_get(cols, i)));
        }
        mg_buf_addf(&b, " FROM %s AS src WHERE %s IN (%s)%s ON DUPLICATE KEY UPDATE ",
                    x->qtable.ptr, krow.ptr, inlist.ptr, locking ? " LOCK IN SHARE MODE" : "");
        for (size_t i = 0; i < json_array_size(cols); i++) {
            const char *c = json_string_value(json_array_get(cols, i));
            mg_buf_addf(&b, "%s%s.", i ? ", " : "", nm.qshadow.ptr);
            osc_qi(x, &b, c);
            mg_buf_adds(&b, " = VALUES(");
            osc_qi(x, &b, c);
            mg_buf_adds(&b, ")");
        }
        rc = osc_q0(x, b.ptr, p, nkeys * nk, err);
    }
    /* delete the ones that do not: every listed key that the locked read did not return */
    if (!rc && rows->nrows < nkeys) {
        mg_buf_reset(&b);
        mg_buf_addf(&b, "DELETE FROM %s WHERE %s IN (%s)", nm.qshadow.ptr, krow.ptr, inlist.ptr);
        if (rows->nrows) {
            mg_buf_addf(&b, " AND %s NOT IN (", krow.ptr);
            for (size_t i = 0; i < rows->nrows; i++) {
                mg_buf_adds(&b, i ? ", " : "");
                mg_buf_adds(&b, nk > 1 ? "(" : "");
                for (size_t k = 0; k < nk; k++)
                    mg_buf_addf(&b, "%s%s", k ? ", " : "",
                                json_string_value(json_array_get(casts, k)));
                mg_buf_adds(&b, nk > 1 ? ")" : "");
            }
            mg_buf_adds(&b, ")");
        }
        const char **pp = mg_calloc(nkeys * nk + rows->nrows * nk + 1, sizeof(*pp));
        size_t np = 0;
        for (size_t i = 0; i < nkeys * nk; i++)
            pp[np++] = p[i];
        for (size_t i = 0; i < rows->nrows; i++)
            for (size_t k = 0; k < nk; k++)
                pp[np++] = drv_val(rows, i, k);
        rc = osc_q0(x, b.ptr, pp, np, err);
        free(pp);
    }
    if (!rc) {
        mg_buf_reset(&b);
        mg_buf_addf(&b, "DELETE FROM %s WHERE id IN (%s)", nm.qlog.ptr, ids.ptr);
        rc = osc_ex(x, b.ptr, err);
    }
    if (!rc)
        rc = osc_job_save_replayed(x, (long long)r->nrows, err);
    if (!rc) {
        *done = (long long)r->nrows;
        *left = (long)r->nrows >= n ? n : 0;
    }
out:
    if (!rc)
        rc = drv_commit(x->c, err);
    if (rc) {
        drv_rollback_quiet(x->c);
        if (mg_err_retryable(err)) {
            mg_debug("osc job %lld: replay postponed: %s", x->j->id, err->msg);
            mg_err_clear(err);
            *done = 0;
            *left = 1;
            rc = 0;
        }
    }
    free(p);
    drv_result_free(r);
    drv_result_free(rows);
    mg_buf_free(&b);
    mg_buf_free(&ids);
    mg_buf_free(&inlist);
    mg_buf_free(&krow);
    my_names_free(&nm);
    return rc;
}

static int my_replay(struct osc_ctx *x, long n, long long *done, long long *left,
                     struct mg_err *err)
{
    return replay_batch(x, n, 1, done, left, err);
}

/*
 * One pass: the original's next n rows up to the max key give count, checksum and the range's
 * end, then the shadow's rows in that range; both in one REPEATABLE READ snapshot.
 * Fills cnt/sum of each side (a: original, b: shadow) and *hi.
 */
static int verify_n(struct osc_ctx *x, const json_t *lo, long n, char cnt[2][32], char sum[2][32],
                    json_t **hi, struct mg_err *err)
{
    const char *p[MAX_PARAMS];
    size_t np = range_params_my(lo, x->j->max_key, 1, p);
    struct mg_buf b = MG_BUF_INIT;
    struct drv_result *r;
    int rc;

    mg_buf_addf(&b, "%s%ld) AS x", osc_sqlt(x, lo ? "vsrc_next" : "vsrc_first"), n);
    rc = osc_q(x, &r, b.ptr, p, np, err);
    mg_buf_free(&b);
    if (rc)
        return rc;
    snprintf(cnt[0], 32, "%s", drv_val(r, 0, 0));
    snprintf(sum[0], 32, "%s", drv_val(r, 0, 1));
    if (atoll(cnt[0]) < n || !drv_val(r, 0, 2)) {
        *hi = json_incref(x->j->max_key);
    } else {
        const char *v = drv_val(r, 0, 2);
        rc = osc_key_json(&v, 1, hi, err);
    }
    drv_result_free(r);
    if (rc)
        return rc;
    np = range_params_my(lo, *hi, 1, p);
    rc = osc_q(x, &r, osc_sqlt(x, lo ? "vshadow_next" : "vshadow_first"), p, np, err);
    if (rc)
        return rc;
    snprintf(cnt[1], 32, "%s", drv_val(r, 0, 0));
    snprintf(sum[1], 32, "%s", drv_val(r, 0, 1));
    drv_result_free(r);
    return 0;
}

/*
 * A round of the verification on several sessions at once (--threads): the next ranges of n
 * rows each, every one compared in a snapshot of its own session, then recorded in order up to
 * the first that differs (*mismatch; it is left for the one-session path to re-check and
 * re-copy).  *advanced: the ranges recorded, *rows their rows.
 */
static int verify_round(struct osc_ctx *x, long n, long long *rows, size_t *advanced, int *mismatch,
                        struct mg_buf *detail, struct mg_err *err)
{
    size_t nk = json_array_size(x->j->keycols), nr = 0, k;
    json_t *b[OSC_MAX_THREADS + 1];
    const char *p[OSC_MAX_THREADS][2 * MAX_PARAMS];
    struct osc_task t[OSC_MAX_THREADS];
    const char *rr_sql = sqlf("osc_my_repeatable_read");
    int rc;

    long long most = 0;

    *rows = 0;
    *advanced = 0;
    *mismatch = 0;
    memset(t, 0, sizeof(t));
    b[0] = json_incref(x->j->verified_key); /* recording a range replaces the job's */
    rc = round_ends(x, n, b, &nr, err);
    for (k = 0; !rc && k < nr; k++) {
        /* the statement reads both tables: the range's bounds twice */
        size_t np = range_params_my(b[k], b[k + 1], nk, p[k]);
        for (size_t i = 0; i < np; i++)
            p[k][np + i] = p[k][i];
        t[k].pre = rr_sql;
        t[k].sql = osc_sqlt(x, b[k] ? "verify_next" : "verify_first");
        t[k].p = p[k];
        t[k].np = 2 * np;
    }
    if (!rc) {
        mg_debug("osc job %lld: verifying %zu ranges of %ld rows at once", x->j->id, nr, n);
        rc = osc_run_tasks(x, t, nr, err);
    }
    for (k = 0; !rc && k < nr; k++) {
        const struct drv_result *r = t[k].r;
        const char *c0 = drv_val(r, 0, 0), *s0 = drv_val(r, 0, 1), *c1 = drv_val(r, 0, 2),
                   *s1 = drv_val(r, 0, 3);
        int m = 0;
        rc = drv_begin(x->c, err);
        if (!rc)
            rc = osc_range_compared(x, b[k], b[k + 1], c0 ? c0 : "0", s0 ? s0 : "0", c1 ? c1 : "0",
                                    s1 ? s1 : "0", &m, detail, err);
        if (rc || !m) {
            drv_rollback_quiet(x->c);
            *mismatch = !rc;
            break;
        }
        *rows += atoll(c0 ? c0 : "0");
        most = atoll(c0 ? c0 : "0") > most ? atoll(c0 ? c0 : "0") : most;
        (*advanced)++;
    }
    if (!rc && !*mismatch)
        round_measured(x, b, nr, n, *rows, most);
    for (k = 0; k < nr; k++) {
        drv_result_free(t[k].r);
        json_decref(b[k + 1]);
    }
    json_decref(b[0]);
    return rc;
}

static int my_verify(struct osc_ctx *x, long n, int *match, long long *rows, struct mg_buf *detail,
                     struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    const json_t *lo = x->j->verified_key;
    size_t nk = json_array_size(x->j->keycols);
    int one = sqlt_opt(x, "vsrc_first") != NULL;
    json_t *hi = NULL;
    const char *p[MAX_PARAMS];
    char cnt[2][32], sum[2][32];
    size_t np;
    int rc;

    *match = 0;
    *rows = 0;
    if (!x->j->max_key) {
        *match = 1;
        return osc_job_save_phase(x, OSC_CUTOVER, 0, err);
    }
    if (o->threads > 1 && !x->recopying) {
        size_t advanced = 0;
        int mismatch = 0;
        rc = osc_workers_open(x, err);
        if (!rc)
            rc = verify_round(x, n, rows, &advanced, &mismatch, detail, err);
        if (rc) {
            x->j->ranges_verified += (long long)advanced; /* recorded before the error */
            return rc;
        }
        if (!mismatch) {
            /* the engine counts one range a call */
            x->j->ranges_verified += advanced > 0 ? (long long)advanced - 1 : 0;
            *match = 1;
            return 0;
        }
        /* the ranges before the one that differs are recorded; that one is checked again in
           one snapshot below, and re-copied if it still differs */
        x->j->ranges_verified += (long long)advanced;
        mg_buf_reset(detail);
        lo = x->j->verified_key;
    }
    rc = drv_set_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
    if (!rc)
        rc = osc_q0(x, sqlf("osc_my_repeatable_read"), NULL, 0, err);
    if (!rc)
        rc = drv_begin(x->c, err);
    if (!rc && one) {
        rc = verify_n(x, lo, n, cnt, sum, &hi, err);
    } else if (!rc) {
        rc = range_end(x, lo, n, &hi, err);
        if (!rc) {
            /* both tables in one statement */
            const char *pp[2 * MAX_PARAMS];
            struct drv_result *r;
            np = range_params_my(lo, hi, nk, p);
            for (size_t i = 0; i < np; i++)
                pp[i] = pp[np + i] = p[i];
            rc = osc_q(x, &r, osc_sqlt(x, lo ? "verify_next" : "verify_first"), pp, 2 * np, err);
            if (!rc) {
                for (int k = 0; k < 2; k++) {
                    snprintf(cnt[k], 32, "%s", drv_val(r, 0, 2 * k));
                    snprintf(sum[k], 32, "%s", drv_val(r, 0, 2 * k + 1));
                }
                drv_result_free(r);
            }
        }
    }
    if (rc)
        goto out;
    *rows += atoll(cnt[0]);
    rc = osc_range_compared(x, lo, hi, cnt[0], sum[0], cnt[1], sum[1], match, detail, err);
    if (rc || *match)
        goto out;
    /* the re-copy: the range's rows locked in the original first, then replaced */
    np = range_params_my(lo, hi, nk, p);
    rc = osc_q0(x, osc_sqlt(x, lo ? "lock_next" : "lock_first"), p, np, err);
    if (!rc)
        rc = osc_q0(x, osc_sqlt(x, lo ? "clear_next" : "clear_first"), p, np, err);
    if (!rc)
        rc = osc_q0(x, osc_sqlt(x, lo ? "recopy_next" : "recopy_first"), p, np, err);
    if (!rc)
        rc = drv_commit(x->c, err);
out:
    if (rc)
        drv_rollback_quiet(x->c);
    json_decref(hi);
    return rc;
}

/* Where the job's objects are: table, shadow, old table, and the triggers on the table. */
static int state_check(struct osc_ctx *x, const struct my_names *nm, int *table, int *shadow,
                       int *old, int *triggers, struct mg_err *err)
{
    char pat[64];
    const char *p[5] = {x->j->schema, x->j->table, nm->shadow, nm->old, pat};
    struct drv_result *r;
    int rc;

    snprintf(pat, sizeof(pat), "\\_osc%lld\\_%%", x->j->id);
    rc = osc_q(x, &r, sqlf("osc_my_state_check"), p, 5, err);
    if (rc)
        return rc;
    *table = atoi(drv_val(r, 0, 0));
    *shadow = atoi(drv_val(r, 0, 1));
    *old = atoi(drv_val(r, 0, 2));
    *triggers = atoi(drv_val(r, 0, 3));
    drv_result_free(r);
    return 0;
}

/* After the rename: the triggers moved with the old table; they go, and the job says so. */
static int after_rename(struct osc_ctx *x, const struct my_names *nm, struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *trig[3] = {nm->ins, nm->upd, nm->del};
    int rc = 0;

    for (int i = 0; !rc && i < 3; i++) {
        mg_buf_reset(&b);
        mg_buf_adds(&b, "DROP TRIGGER IF EXISTS ");
        osc_qi(x, &b, x->j->schema);
        mg_buf_addch(&b, '.');
        osc_qi(x, &b, trig[i]);
        rc = osc_ex(x, b.ptr, err);
    }
    json_object_set_new(x->j->state, "old_table", json_string(nm->qold.ptr));
    if (!rc)
        rc = osc_job_save_phase(x, OSC_SWAPPED, 1, err);
    mg_buf_free(&b);
    return rc;
}

static int my_cutover(struct osc_ctx *x, struct mg_err *err)
{
    struct my_names nm;
    struct mg_buf b = MG_BUF_INIT;
    int table, shadow, old, triggers, rc;

    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    rc = state_check(x, &nm, &table, &shadow, &old, &triggers, err);
    if (rc)
        goto out;
    if (table && !shadow && old) {
        /*
         * An earlier attempt's RENAME went through and what follows it failed (dropping the
         * triggers waits for the old table's metadata lock): the swap is done, finish it.
         */
        mg_info("osc job %lld: the tables were swapped by the last attempt; finishing", x->j->id);
        rc = after_rename(x, &nm, err);
        goto out;
    }
    if (!table || !shadow) {
        rc = mg_err_set(err, MG_EATTENTION, "%s or its shadow table %s is gone", x->qtable.ptr,
                        nm.qshadow.ptr);
        mg_err_hint(err, "nothing was swapped; remove the job with 'migrate osc --abort %lld'",
                    x->j->id);
        goto out;
    }
    if (triggers != 3) {
        rc = mg_err_set(err, MG_EATTENTION, "the triggers of osc job %lld on %s were dropped",
                        x->j->id, x->qtable.ptr);
        mg_err_detail(err, "writes made without them are missing from the shadow table");
        mg_err_hint(err,
                    "nothing was swapped; remove the job with 'migrate osc --abort %lld' and "
                    "start again",
                    x->j->id);
        goto out;
    }
    {
        /* an ALTER of the table since the shadow was made would be lost by the swap */
        char *sig = NULL;
        rc = signature(x, &sig, err);
        if (!rc)
            rc = osc_check_signature(x, sig, "columns, indexes or foreign keys", err);
        free(sig);
        if (rc)
            goto out;
    }
    /* the change log must be empty: after the rename nothing could replay it */
    for (int round = 0; round < 1000; round++) {
        long long done = 0, left = 0;
        rc = my_replay(x, 10000, &done, &left, err);
        if (rc)
            goto out;
        if (!done && !left)
            break;
        if (!done) {
            rc = mg_err_set(err, MG_ELOCKTIMEOUT,
                            "the change log could not be replayed: a row "
                            "of it stays locked");
            goto out;
        }
    }
    /* the new table's AUTO_INCREMENT goes at least as far as the old one's */
    {
        struct my_table t;
        rc = read_table(x, x->j->schema, x->j->table, &t, err);
        if (!rc && t.auto_inc && t.auto_inc[0] >= '0' && t.auto_inc[0] <= '9') {
            int digits = 1;
            for (const char *c = t.auto_inc; *c; c++)
                digits &= *c >= '0' && *c <= '9';
            if (digits) {
                mg_buf_addf(&b, "ALTER TABLE %s AUTO_INCREMENT = %s", nm.qshadow.ptr, t.auto_inc);
                rc = osc_ex(x, b.ptr, err);
            }
        }
        my_table_free(&t);
        if (rc)
            goto out;
    }
    /* the swap: one atomic RENAME, waiting at most the lock timeout for the metadata lock */
    mg_buf_reset(&b);
    mg_buf_addf(&b, "RENAME TABLE %s", x->qtable.ptr);
    if (strcmp(x->c->info.product, "MySQL"))
        mg_buf_addf(&b, " WAIT %ld", lock_secs(x));
    mg_buf_addf(&b, " TO %s, %s TO %s", nm.qold.ptr, nm.qshadow.ptr, x->qtable.ptr);
    rc = set_lock_wait(x, err);
    if (!rc)
        rc = osc_ex(x, b.ptr, err);
    if (rc)
        goto out;
    rc = after_rename(x, &nm, err);
out:
    mg_buf_free(&b);
    my_names_free(&nm);
    return rc;
}

/*
 * The kept old table's own foreign keys would go on being checked: a parent row that only the
 * old table's rows still name could not be deleted (RESTRICT), or the delete would cascade into
 * it.  They are dropped once after the swap (metadata only); the new table has its own.
 */
static int drop_old_fks(struct osc_ctx *x, struct mg_err *err)
{
    struct my_names nm;
    struct drv_result *r = NULL;
    struct mg_buf b = MG_BUF_INIT;
    int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
    int rc;

    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    const char *p[2] = {x->j->schema, nm.old};
    rc = osc_q(x, &r, sqlf("osc_my_fks_out"), p, 2, err);
    if (!rc && r->nrows) {
        mg_buf_addf(&b, "ALTER TABLE %s", nm.qold.ptr);
        for (size_t i = 0; i < r->nrows; i++) {
            mg_buf_adds(&b, i ? ", DROP FOREIGN KEY " : " DROP FOREIGN KEY ");
            osc_qi(x, &b, drv_val(r, i, 0));
        }
        for (int attempt = 1;; attempt++) {
            rc = set_lock_wait(x, err);
            if (!rc)
                rc = osc_ex(x, b.ptr, err);
            if (!rc ||
                osc_retry_wait(x, attempt, deadline, "dropping the old table's foreign keys", err))
                break;
        }
        if (rc)
            mg_err_context(err, "dropping the foreign keys of the old table %s", nm.qold.ptr);
        else
            mg_info("osc job %lld: dropped the %zu foreign key(s) of the old table %s", x->j->id,
                    r->nrows, nm.qold.ptr);
    }
    if (!rc)
        json_object_set_new(x->j->state, "old_fks_dropped", json_true());
    drv_result_free(r);
    mg_buf_free(&b);
    my_names_free(&nm);
    return rc;
}

static int my_finish(struct osc_ctx *x, struct mg_err *err)
{
    if (!strcmp(x->j->kind, "backfill"))
        return osc_job_save_phase(x, OSC_DONE, 0, err);
    {
        /*
         * The change log and the switch go only now: a stored program's statement that was
         * prepared while the triggers existed may still open them once after the swap.
         */
        struct my_names nm;
        struct mg_buf b = MG_BUF_INIT;
        int rc;
        my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
        mg_buf_addf(&b, "DROP TABLE IF EXISTS %s, %s", nm.qlog.ptr, nm.qpos.ptr);
        rc = osc_ex(x, b.ptr, err);
        mg_buf_free(&b);
        my_names_free(&nm);
        if (rc)
            return rc;
    }
    if (!x->o->drop_old && !json_is_true(json_object_get(x->j->state, "old_dropped")) &&
        !json_is_true(json_object_get(x->j->state, "old_fks_dropped"))) {
        int rc = drop_old_fks(x, err);
        if (rc)
            return rc;
    }
    if (x->o->drop_old && !json_is_true(json_object_get(x->j->state, "old_dropped"))) {
        struct mg_buf b = MG_BUF_INIT;
        int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
        int rc;
        mg_buf_addf(&b, "DROP TABLE IF EXISTS %s", osc_st_str(x, "old_table"));
        for (int attempt = 1;; attempt++) {
            rc = set_lock_wait(x, err);
            if (!rc)
                rc = osc_ex(x, b.ptr, err);
            if (!rc || osc_retry_wait(x, attempt, deadline, "dropping the old table", err))
                break;
        }
        if (rc) {
            mg_err_context(err, "dropping the old table %s", osc_st_str(x, "old_table"));
            mg_buf_free(&b);
            return rc;
        }
        mg_buf_free(&b);
        json_object_set_new(x->j->state, "old_dropped", json_true());
        mg_info("osc job %lld: dropped the old table %s", x->j->id, osc_st_str(x, "old_table"));
    }
    return osc_job_save_phase(x, OSC_DONE, 1, err);
}

static int my_abort(struct osc_ctx *x, struct mg_err *err)
{
    struct my_names nm;
    int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
    int rc;

    if (!strcmp(x->j->kind, "backfill")) {
        mg_info("osc job %lld: the rows updated so far stay updated", x->j->id);
        return osc_job_save_phase(x, OSC_ABORTED, 0, err);
    }
    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    for (int attempt = 1;; attempt++) {
        rc = drop_objects(x, &nm, err);
        if (!rc || osc_retry_wait(x, attempt, deadline, "removing the triggers", err))
            break;
    }
    if (!rc)
        rc = osc_job_save_phase(x, OSC_ABORTED, 0, err);
    if (!rc)
        mg_info("osc job %lld: aborted; removed the triggers on %s and the shadow table %s",
                x->j->id, x->qtable.ptr, nm.qshadow.ptr);
    my_names_free(&nm);
    return rc;
}

static int my_check(struct osc_ctx *x, struct mg_err *err)
{
    struct my_names nm;
    int table, shadow, old, triggers, rc;

    if (!strcmp(x->j->kind, "backfill") || !strcmp(x->j->phase, OSC_DONE))
        return 0;
    my_names_init(x, &nm, x->j->id, x->j->schema, x->j->table);
    rc = state_check(x, &nm, &table, &shadow, &old, &triggers, err);
    if (rc)
        goto out;
    if (!strcmp(x->j->phase, OSC_SWAPPED))
        goto out;
    if (table && !shadow && old) {
        /* the rename went through and the run died before it could record it */
        mg_info("osc job %lld: the tables were swapped; recording it", x->j->id);
        rc = after_rename(x, &nm, err);
        goto out;
    }
    if (!strcmp(x->j->phase, "setup")) {
        rc = mg_err_set(err, MG_EATTENTION, "osc job %lld stopped while it set up its shadow table",
                        x->j->id);
        mg_err_hint(err, "remove it with 'migrate osc --abort %lld' and start the change again",
                    x->j->id);
        goto out;
    }
    if (!table || !shadow) {
        rc = mg_err_set(err, MG_EATTENTION, "%s or its shadow table %s is gone", x->qtable.ptr,
                        nm.qshadow.ptr);
        mg_err_hint(err, "remove the job with 'migrate osc --abort %lld'", x->j->id);
    } else if (triggers != 3) {
        rc = mg_err_set(err, MG_EATTENTION, "the triggers of osc job %lld on %s were dropped",
                        x->j->id, x->qtable.ptr);
        mg_err_detail(err, "writes made without them are missing from the shadow table");
        mg_err_hint(err, "remove the job with 'migrate osc --abort %lld' and start again",
                    x->j->id);
    } else {
        /* a round of --threads cut short leaves rows beyond the last recorded batch */
        rc = trim_shadow(x, err);
    }
out:
    my_names_free(&nm);
    return rc;
}

static void my_blockers(struct osc_ctx *x, struct mg_buf *out)
{
    struct drv_result *r;
    struct mg_err e;

    mg_err_clear(&e);
    if (drv_query(x->c, &r, sqlf("osc_my_blockers"), NULL, 0, &e))
        return;
    for (size_t i = 0; i < r->nrows; i++)
        mg_buf_addf(out, "%sthread %s (user %s, %s for %ss%s%s%s%s)", i ? "; " : "",
                    drv_val(r, i, 0), drv_val(r, i, 1), drv_val(r, i, 2), drv_val(r, i, 3),
                    drv_val(r, i, 4)[0] ? ", " : "", drv_val(r, i, 4),
                    drv_val(r, i, 5)[0] ? ": " : "", drv_val(r, i, 5));
    drv_result_free(r);
}

const struct osc_backend osc_my_backend = {
    .dialect = "mysql",
    .threads = 1,
    .start_alter = my_start_alter,
    .start_backfill = my_start_backfill,
    .check = my_check,
    .batch = my_batch,
    .build = my_build,
    .replay = my_replay,
    .verify = my_verify,
    .cutover = my_cutover,
    .finish = my_finish,
    .abort = my_abort,
    .blockers = my_blockers,
};
