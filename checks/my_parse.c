/*
 * my_parse.c — turns a MySQL statement's tokens into struct my_info once:
 * PCRE2 patterns (compiled once, JIT) classify the statement and each
 * clause of ALTER TABLE on the normalised text; column definitions and key
 * lists are read from the tokens.  Unknown syntax becomes MY_OTHER or
 * MC_OTHER: the rules say nothing about what they do not understand.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"
#include "util.h"

enum {
    P_CREATE_TABLE,
    P_ALTER_TABLE,
    P_DROP_TABLE,
    P_DROP_DB,
    P_TRUNCATE,
    P_RENAME,
    P_CREATE_INDEX,
    P_DROP_INDEX,
    P_UPDATE,
    P_DELETE,
    P_INSERT,
    P_BEGIN,
    P_COMMIT,
    P_SET_FK_OFF,
    P_SET_LOCK_WAIT,
    P_SET,
    P_CREATE,
    P_DROP,
    P_ALTER,
    P_ALGORITHM_COPY,
    P_LOCK_BLOCKING,
    P_WHERE,
    P_C_ADD_PAREN,
    P_C_ADD_PK,
    P_C_ADD_FK,
    P_C_ADD_CHECK,
    P_C_ADD_UNIQUE,
    P_C_ADD_FULLTEXT,
    P_C_ADD_INDEX,
    P_C_ADD_COLUMN,
    P_C_DROP_PK,
    P_C_DROP_FK,
    P_C_DROP_CHECK,
    P_C_DROP_INDEX,
    P_C_DROP_VERSIONING,
    P_C_DROP_PARTITION,
    P_C_DROP_COLUMN,
    P_C_MODIFY,
    P_C_CHANGE,
    P_C_RENAME_COLUMN,
    P_C_RENAME_INDEX,
    P_C_RENAME_TABLE,
    P_C_ALTER_DEFAULT,
    P_C_CONVERT,
    P_C_ENGINE,
    P_C_PARTITION,
    P_NOT_ENFORCED,
    P_COUNT
};

/* Anchored patterns run at a token boundary; the unanchored ones search the statement. */
static const struct {
    const char *src;
    int anchored;
} pat_src[P_COUNT] = {
    [P_CREATE_TABLE] = {"CREATE (?:OR REPLACE )?(?:TEMPORARY )?TABLE (IF NOT EXISTS )?", 1},
    [P_ALTER_TABLE] = {"ALTER (?:ONLINE |OFFLINE |IGNORE )*TABLE (?:IF EXISTS )?", 1},
    [P_DROP_TABLE] = {"DROP (?:TEMPORARY )?TABLES? (?:IF EXISTS )?", 1},
    [P_DROP_DB] = {"DROP (DATABASE|SCHEMA) (?:IF EXISTS )?", 1},
    [P_TRUNCATE] = {"TRUNCATE (?:TABLE )?", 1},
    [P_RENAME] = {"RENAME TABLES? ", 1},
    [P_CREATE_INDEX] =
        {"CREATE (?:OR REPLACE )?(?:ONLINE |OFFLINE )?(?:(UNIQUE|FULLTEXT|SPATIAL) )?"
         "INDEX ",
         1},
    [P_DROP_INDEX] = {"DROP INDEX (?:IF EXISTS )?", 1},
    [P_UPDATE] = {"UPDATE (?:LOW_PRIORITY )?(?:IGNORE )?", 1},
    [P_DELETE] = {"DELETE (?:LOW_PRIORITY )?(?:QUICK )?(?:IGNORE )?FROM ", 1},
    [P_INSERT] = {"(?:INSERT|REPLACE|LOAD DATA)\\b", 1},
    [P_BEGIN] = {"(?:BEGIN(?: WORK)?|START TRANSACTION)(?: |$)(?!NOT ATOMIC)", 1},
    [P_COMMIT] = {"(?:COMMIT|ROLLBACK)(?: WORK)?(?! TO\\b)(?: |$)", 1},
    [P_SET_FK_OFF] = {"SET (?:SESSION |LOCAL )?(?:@@(?:SESSION\\.)?)?FOREIGN_KEY_CHECKS ?= ?"
                      "(?:0|OFF|FALSE)\\b",
                      1},
    [P_SET_LOCK_WAIT] = {"SET (?:SESSION |LOCAL )?(?:@@(?:SESSION\\.)?)?LOCK_WAIT_TIMEOUT\\b", 1},
    [P_SET] = {"SET ", 1},
    [P_CREATE] = {"CREATE ", 1},
    [P_DROP] = {"DROP ", 1},
    [P_ALTER] = {"ALTER ", 1},
    [P_ALGORITHM_COPY] = {"\\bALGORITHM ?=? ?COPY\\b", 0},
    [P_LOCK_BLOCKING] = {"\\bLOCK ?=? ?(?:SHARED|EXCLUSIVE)\\b", 0},
    [P_WHERE] = {"\\bWHERE\\b", 0},
    [P_C_ADD_PAREN] = {"ADD (?:COLUMN )?(?:IF NOT EXISTS )?\\(", 1},
    [P_C_ADD_PK] = {"ADD (?:CONSTRAINT (?:\\S+ )?)?PRIMARY KEY", 1},
    [P_C_ADD_FK] = {"ADD (?:CONSTRAINT (?:\\S+ )?)?FOREIGN KEY", 1},
    [P_C_ADD_CHECK] = {"ADD (?:CONSTRAINT (?:\\S+ )?)?CHECK\\b", 1},
    [P_C_ADD_UNIQUE] = {"ADD (?:CONSTRAINT (?:\\S+ )?)?UNIQUE\\b", 1},
    [P_C_ADD_FULLTEXT] = {"ADD (?:FULLTEXT|SPATIAL)\\b", 1},
    [P_C_ADD_INDEX] = {"ADD (?:INDEX|KEY)\\b", 1},
    [P_C_ADD_COLUMN] = {"ADD (?:COLUMN )?(?:IF NOT EXISTS )?", 1},
    [P_C_DROP_PK] = {"DROP PRIMARY KEY", 1},
    [P_C_DROP_FK] = {"DROP FOREIGN KEY", 1},
    [P_C_DROP_CHECK] = {"DROP (?:CHECK|CONSTRAINT)\\b", 1},
    [P_C_DROP_INDEX] = {"DROP (?:INDEX|KEY)\\b", 1},
    [P_C_DROP_VERSIONING] = {"DROP SYSTEM VERSIONING", 1},
    [P_C_DROP_PARTITION] = {"DROP PARTITION\\b", 1},
    [P_C_DROP_COLUMN] = {"DROP (?:COLUMN )?(?:IF EXISTS )?", 1},
    [P_C_MODIFY] = {"MODIFY (?:COLUMN )?(?:IF EXISTS )?", 1},
    [P_C_CHANGE] = {"CHANGE (?:COLUMN )?(?:IF EXISTS )?", 1},
    [P_C_RENAME_COLUMN] = {"RENAME COLUMN ", 1},
    [P_C_RENAME_INDEX] = {"RENAME (?:INDEX|KEY) ", 1},
    [P_C_RENAME_TABLE] = {"RENAME (?:TO |AS )?", 1},
    [P_C_ALTER_DEFAULT] = {"ALTER (?:COLUMN )?\\S+ (DROP|SET) DEFAULT", 1},
    [P_C_CONVERT] = {"CONVERT TO (?:CHARACTER SET|CHARSET)", 1},
    [P_C_ENGINE] = {"ENGINE ?=? ?", 1},
    [P_C_PARTITION] = {"(?:PARTITION BY|REMOVE PARTITIONING|REORGANIZE PARTITION)\\b", 1},
    [P_NOT_ENFORCED] = {"\\bNOT ENFORCED\\b", 0},
};

static pcre2_code *pats[P_COUNT];
static pcre2_match_data *md;

/* Compiles every pattern once; a pattern that does not compile is a programming error. */
static void compile_patterns(void)
{
    if (md)
        return;
    for (int i = 0; i < P_COUNT; i++) {
        int ec;
        PCRE2_SIZE eo;
        pats[i] = pcre2_compile((PCRE2_SPTR)pat_src[i].src, PCRE2_ZERO_TERMINATED,
                                pat_src[i].anchored ? PCRE2_ANCHORED : 0, &ec, &eo, NULL);
        if (!pats[i])
            mg_die_oom("a linter pattern that does not compile");
        pcre2_jit_compile(pats[i], PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    }
    md = pcre2_match_data_create(4, NULL);
}

/*
 * Matches pattern p on tokens [from, to) of m.  Returns 1 on a match with
 * *end the first token after it (NULL allowed), else 0.
 */
static int match(int p, const struct my_stmt *m, size_t from, size_t to, size_t *end)
{
    if (from >= to || from >= m->n)
        return 0;
    size_t a = m->pos[from], b = to < m->n ? m->pos[to] - 1 : m->pos[m->n];
    int rc = pcre2_match(pats[p], (PCRE2_SPTR)(m->norm + a), b - a, 0, 0, md, NULL);
    if (rc < 0)
        return 0;
    if (end) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t e = a + ov[1], i = from;
        while (i < m->n && m->pos[i] < e)
            i++;
        *end = i;
    }
    return 1;
}

/* Normalised text of token i (upper-cased words), compared with a keyword. */
static int kw(const struct my_stmt *m, size_t i, const char *word)
{
    if (i >= m->n)
        return 0;
    size_t l = strlen(word), len = m->pos[i + 1] - m->pos[i] - (i + 1 < m->n ? 1 : 0);
    return len == l && !memcmp(m->norm + m->pos[i], word, l);
}

static int punct(const struct chk_run *r, const struct my_stmt *m, size_t i, char c)
{
    return i < m->n && m->t[i].kind == MT_PUNCT && r->text[m->t[i].off] == c;
}

static int is_ident(const struct my_stmt *m, size_t i)
{
    return i < m->n && (m->t[i].kind == MT_WORD || m->t[i].kind == MT_QIDENT);
}

/* Reads a possibly qualified name at *i (db.table): returns the last part, lower-cased. */
static char *qualified(const struct chk_run *r, const struct my_stmt *m, size_t *i)
{
    if (!is_ident(m, *i))
        return NULL;
    size_t last = *i;
    while (punct(r, m, last + 1, '.') && is_ident(m, last + 2))
        last += 2;
    *i = last + 1;
    return my_ident(r->text, &m->t[last]);
}

/* The token after the parenthesis that opens at i. */
static size_t skip_parens(const struct chk_run *r, const struct my_stmt *m, size_t i, size_t to)
{
    int depth = 0;
    for (; i < to; i++) {
        if (punct(r, m, i, '('))
            depth++;
        else if (punct(r, m, i, ')') && --depth == 0)
            return i + 1;
    }
    return to;
}

/* Column names of the first parenthesised list at or after i: "a,b". */
static char *key_cols(const struct chk_run *r, const struct my_stmt *m, size_t i, size_t to)
{
    struct mg_buf b = MG_BUF_INIT;
    while (i < to && !punct(r, m, i, '('))
        i++;
    size_t end = skip_parens(r, m, i, to);
    int depth = 0, expect = 1;
    for (size_t k = i; k < end; k++) {
        if (punct(r, m, k, '(')) {
            depth++;
            continue;
        }
        if (punct(r, m, k, ')')) {
            depth--;
            continue;
        }
        if (depth == 1 && punct(r, m, k, ',')) {
            expect = 1;
            continue;
        }
        if (depth == 1 && expect && is_ident(m, k)) {
            char *c = my_ident(r->text, &m->t[k]);
            if (b.len)
                mg_buf_addch(&b, ',');
            mg_buf_adds(&b, c);
            free(c);
            expect = 0;
        }
    }
    return mg_buf_detach(&b);
}

static void coldef_free(struct my_coldef *c)
{
    free(c->name);
    free(c->type);
    free(c->base);
    for (size_t i = 0; i < c->nvals; i++)
        free(c->vals[i]);
    free(c->vals);
}

/* Parses "name type [(args)] attributes..." from tokens [i, to). */
static void parse_coldef(const struct chk_run *r, const struct my_stmt *m, size_t i, size_t to,
                         struct my_coldef *c)
{
    struct mg_buf ty = MG_BUF_INIT;
    size_t cap = 0;

    memset(c, 0, sizeof(*c));
    c->len = -1;
    if (!is_ident(m, i))
        return;
    c->name_tok = i;
    c->name = my_ident(r->text, &m->t[i++]);
    if (i >= to || m->t[i].kind != MT_WORD)
        return;
    c->base = my_ident(r->text, &m->t[i++]);
    mg_buf_adds(&ty, c->base);
    if (punct(r, m, i, '(')) {
        size_t end = skip_parens(r, m, i, to);
        mg_buf_addch(&ty, '(');
        for (size_t k = i + 1; k + 1 < end; k++) {
            const struct my_tok *t = &m->t[k];
            if (t->kind == MT_NUMBER && c->len < 0)
                c->len = strtol(r->text + t->off, NULL, 10);
            if (t->kind == MT_STRING) {
                mg_grow_array((void **)&c->vals, &cap, c->nvals + 1, sizeof(char *));
                c->vals[c->nvals++] = mg_strndup(r->text + t->off + 1, t->len - 2);
            }
            mg_buf_add(&ty, r->text + t->off, t->len);
        }
        mg_buf_addch(&ty, ')');
        i = end;
    }
    while (i < to && (kw(m, i, "UNSIGNED") || kw(m, i, "ZEROFILL") || kw(m, i, "SIGNED"))) {
        mg_buf_addch(&ty, ' ');
        char *w = my_ident(r->text, &m->t[i++]);
        mg_buf_adds(&ty, w);
        free(w);
    }
    for (; i < to; i++) {
        if (kw(m, i, "NOT") && kw(m, i + 1, "NULL")) {
            c->not_null = 1;
            i++;
        } else if (kw(m, i, "NULL")) {
            c->null = 1;
        } else if (kw(m, i, "DEFAULT")) {
            c->has_default = 1;
            c->default_tok = i;
            if (punct(r, m, i + 1, '('))
                c->default_expr = 1;
            if (kw(m, i + 1, "NULL"))
                i++;
        } else if (kw(m, i, "AUTO_INCREMENT")) {
            c->auto_inc = 1;
        } else if (kw(m, i, "STORED") || kw(m, i, "PERSISTENT")) {
            c->stored = 1;
        } else if (kw(m, i, "GENERATED") || (kw(m, i, "AS") && punct(r, m, i + 1, '('))) {
            c->generated_tok = i;
        } else if (kw(m, i, "REFERENCES")) {
            c->references = 1;
            c->references_tok = i;
        } else if (kw(m, i, "PRIMARY") && kw(m, i + 1, "KEY")) {
            c->primary = 1;
        } else if ((kw(m, i, "CHARACTER") && kw(m, i + 1, "SET")) || kw(m, i, "CHARSET")) {
            size_t k = kw(m, i, "CHARSET") ? i + 1 : i + 2;
            if (punct(r, m, k, '='))
                k++;
            if (k < to)
                c->charset_bytes = my_charset_bytes(r->text + m->t[k].off, m->t[k].len);
        }
        if (punct(r, m, i, '('))
            i = skip_parens(r, m, i, to) - 1;
    }
    c->type = mg_buf_detach(&ty);
}

/* Splits tokens [from, to) at top-level commas; calls back for each part. */
typedef void (*part_fn)(struct chk_run *r, struct chk_stmt *s, size_t from, size_t to);

static void each_part(struct chk_run *r, struct chk_stmt *s, size_t from, size_t to, part_fn fn)
{
    const struct my_stmt *m = &s->my;
    int depth = 0;
    size_t st = from;
    for (size_t i = from; i <= to; i++) {
        if (i < to && punct(r, m, i, '('))
            depth++;
        else if (i < to && punct(r, m, i, ')'))
            depth--;
        if (i == to || (depth == 0 && punct(r, m, i, ','))) {
            if (i > st)
                fn(r, s, st, i);
            st = i + 1;
        }
    }
}

static struct my_clause *new_clause(struct my_info *x, enum my_clause_kind kind, size_t from,
                                    size_t to)
{
    x->cl = mg_realloc(x->cl, (x->ncl + 1) * sizeof(*x->cl));
    struct my_clause *c = &x->cl[x->ncl++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->from = from;
    c->to = to;
    return c;
}

/* One element of CREATE TABLE (...): a column, or a key or constraint. */
static void create_part(struct chk_run *r, struct chk_stmt *s, size_t from, size_t to)
{
    const struct my_stmt *m = &s->my;
    struct my_info *x = m->info;
    size_t i = from;
    if (kw(m, i, "CONSTRAINT"))
        i += is_ident(m, i + 1) && !kw(m, i + 1, "PRIMARY") && !kw(m, i + 1, "FOREIGN") &&
                     !kw(m, i + 1, "UNIQUE") && !kw(m, i + 1, "CHECK")
                 ? 2
                 : 1;
    if (kw(m, i, "PRIMARY")) {
        new_clause(x, MC_ADD_PK, from, to)->cols = key_cols(r, m, i, to);
    } else if (kw(m, i, "UNIQUE")) {
        new_clause(x, MC_ADD_UNIQUE, from, to)->cols = key_cols(r, m, i, to);
    } else if (kw(m, i, "KEY") || kw(m, i, "INDEX")) {
        new_clause(x, MC_ADD_INDEX, from, to)->cols = key_cols(r, m, i, to);
    } else if (kw(m, i, "FULLTEXT") || kw(m, i, "SPATIAL")) {
        new_clause(x, MC_ADD_FULLTEXT, from, to)->cols = key_cols(r, m, i, to);
    } else if (kw(m, i, "FOREIGN")) {
        new_clause(x, MC_ADD_FK, from, to)->cols = key_cols(r, m, i, to);
    } else if (kw(m, i, "CHECK")) {
        new_clause(x, MC_ADD_CHECK, from, to);
    } else if (kw(m, i, "PERIOD")) {
        new_clause(x, MC_OTHER, from, to);
    } else {
        struct my_clause *c = new_clause(x, MC_ADD_COLUMN, from, to);
        parse_coldef(r, m, from, to, &c->col);
        c->name = c->col.name ? mg_strdup(c->col.name) : NULL;
    }
}

/* One clause of ALTER TABLE. */
static void alter_part(struct chk_run *r, struct chk_stmt *s, size_t from, size_t to)
{
    const struct my_stmt *m = &s->my;
    struct my_info *x = m->info;
    size_t e = from;
    struct my_clause *c;

    if (match(P_C_ADD_PAREN, m, from, to, &e)) {
        /* ADD (col1 ..., col2 ...): each is its own column */
        size_t close = skip_parens(r, m, e - 1, to);
        size_t n0 = x->ncl;
        each_part(r, s, e, close - 1, create_part);
        for (size_t k = n0; k < x->ncl; k++)
            x->cl[k].from = from; /* report at the ADD */
    } else if (match(P_C_ADD_PK, m, from, to, &e)) {
        new_clause(x, MC_ADD_PK, from, to)->cols = key_cols(r, m, e, to);
    } else if (match(P_C_ADD_FK, m, from, to, &e)) {
        new_clause(x, MC_ADD_FK, from, to)->cols = key_cols(r, m, e, to);
    } else if (match(P_C_ADD_CHECK, m, from, to, &e)) {
        new_clause(x, MC_ADD_CHECK, from, to)->not_enforced =
            match(P_NOT_ENFORCED, m, from, to, NULL);
    } else if (match(P_C_ADD_UNIQUE, m, from, to, &e)) {
        new_clause(x, MC_ADD_UNIQUE, from, to)->cols = key_cols(r, m, e, to);
    } else if (match(P_C_ADD_FULLTEXT, m, from, to, &e)) {
        new_clause(x, MC_ADD_FULLTEXT, from, to)->cols = key_cols(r, m, e, to);
    } else if (match(P_C_ADD_INDEX, m, from, to, &e)) {
        new_clause(x, MC_ADD_INDEX, from, to)->cols = key_cols(r, m, e, to);
    } else if (match(P_C_ADD_COLUMN, m, from, to, &e) && !kw(m, e, "PARTITION") &&
               !kw(m, e, "PERIOD") && !kw(m, e, "SYSTEM")) {
        c = new_clause(x, MC_ADD_COLUMN, from, to);
        parse_coldef(r, m, e, to, &c->col);
        c->name = c->col.name ? mg_strdup(c->col.name) : NULL;
    } else if (match(P_C_DROP_PK, m, from, to, NULL)) {
        new_clause(x, MC_DROP_PK, from, to);
    } else if (match(P_C_DROP_FK, m, from, to, &e)) {
        c = new_clause(x, MC_DROP_FK, from, to);
        c->name = is_ident(m, e) ? my_ident(r->text, &m->t[e]) : NULL;
    } else if (match(P_C_DROP_CHECK, m, from, to, &e)) {
        c = new_clause(x, MC_DROP_CHECK, from, to);
        c->name = is_ident(m, e) ? my_ident(r->text, &m->t[e]) : NULL;
    } else if (match(P_C_DROP_INDEX, m, from, to, &e)) {
        c = new_clause(x, MC_DROP_INDEX, from, to);
        c->name = is_ident(m, e) ? my_ident(r->text, &m->t[e]) : NULL;
    } else if (match(P_C_DROP_VERSIONING, m, from, to, NULL)) {
        new_clause(x, MC_DROP_VERSIONING, from, to);
    } else if (match(P_C_DROP_PARTITION, m, from, to, NULL)) {
        new_clause(x, MC_OTHER, from, to);
    } else if (match(P_C_DROP_COLUMN, m, from, to, &e) && is_ident(m, e)) {
        c = new_clause(x, MC_DROP_COLUMN, from, to);
        c->name = my_ident(r->text, &m->t[e]);
    } else if (match(P_C_MODIFY, m, from, to, &e)) {
        c = new_clause(x, MC_MODIFY, from, to);
        parse_coldef(r, m, e, to, &c->col);
        c->name = c->col.name ? mg_strdup(c->col.name) : NULL;
    } else if (match(P_C_CHANGE, m, from, to, &e) && is_ident(m, e)) {
        c = new_clause(x, MC_CHANGE, from, to);
        c->name = my_ident(r->text, &m->t[e]);
        parse_coldef(r, m, e + 1, to, &c->col);
        c->new_name = c->col.name ? mg_strdup(c->col.name) : NULL;
    } else if (match(P_C_RENAME_COLUMN, m, from, to, &e) && is_ident(m, e)) {
        c = new_clause(x, MC_RENAME_COLUMN, from, to);
        c->name = my_ident(r->text, &m->t[e]);
        if (kw(m, e + 1, "TO") && is_ident(m, e + 2))
            c->new_name = my_ident(r->text, &m->t[e + 2]);
    } else if (match(P_C_RENAME_INDEX, m, from, to, NULL)) {
        new_clause(x, MC_OTHER, from, to);
    } else if (match(P_C_RENAME_TABLE, m, from, to, &e) && is_ident(m, e)) {
        c = new_clause(x, MC_RENAME_TABLE, from, to);
        size_t k = e;
        c->new_name = qualified(r, m, &k);
    } else if (match(P_C_ALTER_DEFAULT, m, from, to, &e)) {
        size_t k = kw(m, from + 1, "COLUMN") ? from + 2 : from + 1;
        c = new_clause(x, kw(m, e - 2, "DROP") ? MC_DROP_DEFAULT : MC_SET_DEFAULT, from, to);
        c->name = is_ident(m, k) ? my_ident(r->text, &m->t[k]) : NULL;
    } else if (match(P_C_CONVERT, m, from, to, NULL)) {
        new_clause(x, MC_CONVERT, from, to);
    } else if (match(P_C_ENGINE, m, from, to, &e)) {
        c = new_clause(x, MC_ENGINE, from, to);
        c->name = e < to ? my_ident(r->text, &m->t[e]) : NULL;
    } else if (match(P_C_PARTITION, m, from, to, NULL)) {
        new_clause(x, MC_PARTITION, from, to);
    } else {
        new_clause(x, MC_OTHER, from, to);
    }
}

static void add_table(struct my_info *x, char *name, size_t *cap)
{
    mg_grow_array((void **)&x->tables, cap, x->ntables + 1, sizeof(char *));
    x->tables[x->ntables++] = name;
}

void my_parse(struct chk_run *r, struct chk_stmt *s)
{
    struct my_stmt *m = &s->my;
    struct my_info *x = mg_calloc(1, sizeof(*x));
    size_t e = 0, cap = 0;

    compile_patterns();
    m->info = x;
    if (!m->n)
        return;
    if (match(P_CREATE_TABLE, m, 0, m->n, &e)) {
        x->kind = MY_CREATE_TABLE;
        x->ddl = 1;
        x->if_not_exists = kw(m, e - 1, "EXISTS");
        x->table_tok = e;
        x->table = qualified(r, m, &e);
        if (punct(r, m, e, '(')) {
            size_t close = skip_parens(r, m, e, m->n);
            each_part(r, s, e + 1, close - 1, create_part);
            for (size_t i = close; i < m->n; i++) {
                if (kw(m, i, "CHARSET") || (kw(m, i, "CHARACTER") && kw(m, i + 1, "SET"))) {
                    size_t k = kw(m, i, "CHARSET") ? i + 1 : i + 2;
                    if (punct(r, m, k, '='))
                        k++;
                    if (k < m->n)
                        x->table_charset_bytes =
                            my_charset_bytes(r->text + m->t[k].off, m->t[k].len);
                }
            }
        }
    } else if (match(P_ALTER_TABLE, m, 0, m->n, &e)) {
        x->kind = MY_ALTER_TABLE;
        x->ddl = 1;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
        if (e < m->n)
            each_part(r, s, e, m->n, alter_part);
    } else if (match(P_DROP_TABLE, m, 0, m->n, &e)) {
        x->kind = MY_DROP_TABLE;
        x->ddl = 1;
        while (e < m->n) {
            char *t = qualified(r, m, &e);
            if (!t)
                break;
            add_table(x, t, &cap);
            if (!punct(r, m, e, ','))
                break;
            e++;
        }
    } else if (match(P_DROP_DB, m, 0, m->n, &e)) {
        x->kind = kw(m, 1, "DATABASE") ? MY_DROP_DATABASE : MY_DROP_SCHEMA;
        x->ddl = 1;
    } else if (match(P_TRUNCATE, m, 0, m->n, &e)) {
        x->kind = MY_TRUNCATE;
        x->ddl = 1;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
    } else if (match(P_RENAME, m, 0, m->n, &e)) {
        size_t ncap = 0, nn = 0;
        x->kind = MY_RENAME_TABLE;
        x->ddl = 1;
        while (e < m->n) {
            char *from = qualified(r, m, &e);
            if (!from || !kw(m, e, "TO")) {
                free(from);
                break;
            }
            e++;
            char *to = qualified(r, m, &e);
            add_table(x, from, &cap);
            mg_grow_array((void **)&x->new_names, &ncap, nn + 1, sizeof(char *));
            x->new_names[nn++] = to ? to : mg_strdup("");
            if (!punct(r, m, e, ','))
                break;
            e++;
        }
    } else if (match(P_CREATE_INDEX, m, 0, m->n, &e)) {
        x->kind = MY_CREATE_INDEX;
        x->ddl = 1;
        x->index_fulltext = kw(m, 1, "FULLTEXT") || kw(m, 1, "SPATIAL") || kw(m, 2, "FULLTEXT") ||
                            kw(m, 2, "SPATIAL");
        while (e < m->n && !kw(m, e, "ON"))
            e++;
        e++;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
        struct my_clause *c =
            new_clause(x, x->index_fulltext ? MC_ADD_FULLTEXT : MC_ADD_INDEX, 0, m->n);
        c->cols = key_cols(r, m, e, m->n);
    } else if (match(P_DROP_INDEX, m, 0, m->n, &e)) {
        x->kind = MY_DROP_INDEX;
        x->ddl = 1;
        while (e < m->n && !kw(m, e, "ON"))
            e++;
        e++;
        x->table = qualified(r, m, &e);
    } else if (match(P_UPDATE, m, 0, m->n, &e)) {
        x->kind = MY_UPDATE;
        x->dml = 1;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
        x->has_where = match(P_WHERE, m, 0, m->n, NULL);
    } else if (match(P_DELETE, m, 0, m->n, &e)) {
        x->kind = MY_DELETE;
        x->dml = 1;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
        x->has_where = match(P_WHERE, m, 0, m->n, NULL);
    } else if (match(P_INSERT, m, 0, m->n, &e)) {
        x->kind = MY_INSERT;
        x->dml = 1;
        while (e < m->n && (kw(m, e, "INTO") || kw(m, e, "IGNORE") || kw(m, e, "LOW_PRIORITY") ||
                            kw(m, e, "DELAYED") || kw(m, e, "HIGH_PRIORITY")))
            e++;
        x->table_tok = e;
        x->table = qualified(r, m, &e);
    } else if (match(P_BEGIN, m, 0, m->n, NULL)) {
        x->kind = MY_BEGIN;
    } else if (match(P_COMMIT, m, 0, m->n, NULL)) {
        x->kind = MY_COMMIT;
    } else if (match(P_SET, m, 0, m->n, NULL)) {
        x->kind = MY_SET;
        x->fk_checks_off = match(P_SET_FK_OFF, m, 0, m->n, NULL);
        x->sets_lock_wait = match(P_SET_LOCK_WAIT, m, 0, m->n, NULL);
    } else if (match(P_CREATE, m, 0, m->n, NULL) || match(P_ALTER, m, 0, m->n, NULL)) {
        x->kind = MY_CREATE_OTHER;
        x->ddl = 1;
    } else if (match(P_DROP, m, 0, m->n, NULL)) {
        x->kind = MY_DROP_OTHER;
        x->ddl = 1;
    }
    if (x->kind == MY_ALTER_TABLE || x->kind == MY_CREATE_INDEX || x->kind == MY_DROP_INDEX) {
        size_t at = 0;
        x->algorithm_copy = match(P_ALGORITHM_COPY, m, 0, m->n, NULL);
        x->lock_blocking = match(P_LOCK_BLOCKING, m, 0, m->n, NULL);
        for (size_t i = 0; i < m->n; i++)
            if (kw(m, i, "ALGORITHM") || kw(m, i, "LOCK")) {
                at = i;
                break;
            }
        x->algorithm_tok = at;
    }
}

void my_info_free(struct my_info *x)
{
    free(x->table);
    for (size_t i = 0; i < x->ntables; i++) {
        free(x->tables[i]);
        if (x->new_names)
            free(x->new_names[i]);
    }
    free(x->tables);
    free(x->new_names);
    for (size_t i = 0; i < x->ncl; i++) {
        free(x->cl[i].name);
        free(x->cl[i].new_name);
        free(x->cl[i].cols);
        coldef_free(&x->cl[i].col);
    }
    free(x->cl);
    free(x);
}
