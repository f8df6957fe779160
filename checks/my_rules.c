/*
 * my_rules.c — MySQL/MariaDB rules on the parsed token stream (my_parse.c):
 * table copies and blocking algorithms, type and ENUM changes judged
 * against the column as earlier files defined it, keys, NOT NULL, CHECK,
 * inline REFERENCES, expression defaults, files mixing DDL and DML; and
 * the shared rules (drops, renames, backfills) in their MySQL form.  A
 * table created earlier in the file, or by a new file, is exempt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"
#include "util.h"

#define INFO(s) ((s)->my.info)

/* Offset of token i inside the statement, for chk_report. */
static int tok_loc(const struct chk_stmt *s, size_t i)
{
    return i < s->my.n ? (int)(s->my.t[i].off - s->off) : -1;
}

/* ALTER TABLE on an existing table: its info, else NULL. */
static const struct my_info *alter_old(const struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind != MY_ALTER_TABLE || !x->table || chk_table_is_new(r, x->table))
        return NULL;
    return x;
}

#define FOREACH_CLAUSE(x, c) for (const struct my_clause *c = (x)->cl; c < (x)->cl + (x)->ncl; c++)

void my_ban_drop_column(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_DROP_COLUMN)
            chk_report(r, R_BAN_DROP_COLUMN, tok_loc(s, c->from),
                       "dropping %s.%s loses its data and breaks the app version that still "
                       "uses it",
                       x->table, c->name);
    }
}

void my_ban_drop_table(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind == MY_DROP_TABLE) {
        for (size_t i = 0; i < x->ntables; i++)
            if (!chk_table_is_new(r, x->tables[i]))
                chk_report(r, R_BAN_DROP_TABLE, -1,
                           "dropping %s loses its data and breaks the app version that still "
                           "uses it",
                           x->tables[i]);
    } else if (x->kind == MY_CREATE_TABLE && s->my.n > 2 &&
               !strncmp(s->my.norm, "CREATE OR ", 10) && chk_table_get(r, x->table) &&
               !chk_table_is_new(r, x->table)) {
        chk_report(r, R_BAN_DROP_TABLE, -1,
                   "CREATE OR REPLACE TABLE drops the existing %s and its data", x->table);
    }
}

void my_ban_drop_schema(struct chk_run *r, const struct chk_stmt *s)
{
    if (INFO(s)->kind == MY_DROP_SCHEMA)
        chk_report(r, R_BAN_DROP_SCHEMA, -1,
                   "DROP SCHEMA drops the database and every table in it");
}

void my_ban_drop_database(struct chk_run *r, const struct chk_stmt *s)
{
    if (INFO(s)->kind == MY_DROP_DATABASE)
        chk_report(r, R_BAN_DROP_DATABASE, -1, NULL);
}

void my_ban_truncate(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind == MY_TRUNCATE && x->table && !chk_table_is_new(r, x->table))
        chk_report(r, R_BAN_TRUNCATE, -1,
                   "TRUNCATE %s deletes every row; it is DDL on MySQL and cannot be rolled back",
                   x->table);
}

void my_rename_column(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind == MC_CHANGE || c->kind == MC_RENAME_COLUMN) && c->name && c->new_name &&
            strcmp(c->name, c->new_name) != 0)
            chk_report(r, R_RENAME_COLUMN, tok_loc(s, c->from),
                       "renaming %s.%s to %s breaks the app version that still uses the old name",
                       x->table, c->name, c->new_name);
    }
}

/* Does the next statement create a view named `name` (the compatibility view)? */
static int next_creates_view(const struct chk_run *r, const struct chk_stmt *s, const char *name)
{
    const struct chk_stmt *n = s->next;
    if (!n || INFO(n)->kind != MY_CREATE_OTHER)
        return 0;
    for (size_t i = 0; i + 1 < n->my.n; i++) {
        if (n->my.t[i].kind == MT_WORD && n->my.t[i].len == 4 &&
            !strncasecmp(r->text + n->my.t[i].off, "VIEW", 4)) {
            size_t k = i + 1;
            while (k + 2 < n->my.n && r->text[n->my.t[k + 1].off] == '.')
                k += 2;
            char *v = my_ident(r->text, &n->my.t[k]);
            int same = !strcmp(v, name);
            free(v);
            return same;
        }
    }
    return 0;
}

void my_rename_table(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind == MY_RENAME_TABLE) {
        for (size_t i = 0; i < x->ntables; i++)
            if (!chk_table_is_new(r, x->tables[i]) && !next_creates_view(r, s, x->tables[i]))
                chk_report(r, R_RENAME_TABLE, -1,
                           "renaming %s to %s breaks the app version that still uses the old name",
                           x->tables[i], x->new_names[i]);
        return;
    }
    if (!(x = alter_old(r, s)))
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_RENAME_TABLE && !next_creates_view(r, s, x->table))
            chk_report(r, R_RENAME_TABLE, tok_loc(s, c->from),
                       "renaming %s to %s breaks the app version that still uses the old name",
                       x->table, c->new_name ? c->new_name : "?");
    }
}

/* The column as earlier statements defined it, for MODIFY / CHANGE. */
static struct chk_col *old_col(const struct chk_run *r, const struct my_info *x,
                               const struct my_clause *c)
{
    return c->name ? chk_col_get(chk_table_get(r, x->table), c->name) : NULL;
}

void my_drop_not_null(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind != MC_MODIFY && c->kind != MC_CHANGE)
            continue;
        const struct chk_col *o = old_col(r, x, c);
        if (o && o->not_null && !c->col.not_null && !c->col.primary)
            chk_report(r, R_DROP_NOT_NULL, tok_loc(s, c->from),
                       "%s restates %s.%s without NOT NULL: the column becomes nullable",
                       c->kind == MC_MODIFY ? "MODIFY" : "CHANGE", x->table, c->name);
    }
}

void my_drop_default(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_DROP_DEFAULT) {
            chk_report(r, R_DROP_DEFAULT, tok_loc(s, c->from),
                       "DROP DEFAULT on %s.%s: inserts that omit the column now fail or store "
                       "an implicit value",
                       x->table, c->name);
            continue;
        }
        if (c->kind != MC_MODIFY && c->kind != MC_CHANGE)
            continue;
        const struct chk_col *o = old_col(r, x, c);
        if (o && o->has_default && !c->col.has_default)
            chk_report(r, R_DROP_DEFAULT, tok_loc(s, c->from),
                       "%s restates %s.%s without its DEFAULT: the default is dropped",
                       c->kind == MC_MODIFY ? "MODIFY" : "CHANGE", x->table, c->name);
    }
}

void my_drop_constraint(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_DROP_FK || c->kind == MC_DROP_CHECK)
            chk_report(r, R_DROP_CONSTRAINT, tok_loc(s, c->from),
                       "dropping constraint %s of %s lets data break a rule the app may rely on",
                       c->name ? c->name : "?", x->table);
    }
}

void my_drop_index(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind == MY_DROP_INDEX && x->table && !chk_table_is_new(r, x->table)) {
        chk_report(r, R_DROP_INDEX, -1, NULL);
        return;
    }
    if (!(x = alter_old(r, s)))
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_DROP_INDEX)
            chk_report(r, R_DROP_INDEX, tok_loc(s, c->from), NULL);
    }
}

void my_add_column_shape(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_COLUMN)
            chk_report(r, R_ADD_COLUMN_SHAPE, tok_loc(s, c->from), NULL);
    }
}

void my_compat_sensitive(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_SET_DEFAULT)
            chk_report(r, R_COMPAT_SENSITIVE, tok_loc(s, c->from),
                       "a changed default on %s.%s can change what the running app writes",
                       x->table, c->name);
    }
}

static int my_small_int(const char *base)
{
    return base &&
           (!strcmp(base, "int") || !strcmp(base, "integer") || !strcmp(base, "mediumint") ||
            !strcmp(base, "smallint") || !strcmp(base, "tinyint"));
}

/* Is the column a key column of the CREATE TABLE (PRIMARY KEY or FOREIGN KEY list)? */
static int in_key_clause(const struct my_info *x, const char *col)
{
    size_t l = strlen(col);
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_ADD_PK && c->kind != MC_ADD_FK) || !c->cols)
            continue;
        for (const char *p = c->cols; (p = strstr(p, col)); p += l)
            if ((p == c->cols || p[-1] == ',') && (p[l] == '\0' || p[l] == ','))
                return 1;
    }
    return 0;
}

void my_prefer_bigint_key(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind != MY_CREATE_TABLE && x->kind != MY_ALTER_TABLE)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_ADD_COLUMN && c->kind != MC_MODIFY && c->kind != MC_CHANGE) ||
            !c->col.name || !my_small_int(c->col.base))
            continue;
        const char *n = c->col.name;
        size_t l = strlen(n);
        int key = c->col.primary || c->col.auto_inc || !strcmp(n, "id") ||
                  (l > 3 && !strcmp(n + l - 3, "_id")) || in_key_clause(x, n);
        if (key)
            chk_report(r, R_PREFER_BIGINT_KEY, tok_loc(s, c->col.name_tok),
                       "key column %s.%s is %s: it runs out of values and widening it copies the "
                       "table",
                       x->table ? x->table : "?", n, c->col.base);
    }
}

static void ident_tok(struct chk_run *r, const struct chk_stmt *s, size_t tok)
{
    if (tok >= s->my.n)
        return;
    char *name = my_ident(r->text, &s->my.t[tok]);
    chk_check_ident(r, name, strlen(name), tok_loc(s, tok));
    free(name);
}

void my_identifier_too_long(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind == MY_CREATE_TABLE && x->table)
        ident_tok(r, s, x->table_tok);
    if (x->kind != MY_CREATE_TABLE && x->kind != MY_ALTER_TABLE)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind == MC_ADD_COLUMN || c->kind == MC_CHANGE) && c->col.name)
            ident_tok(r, s, c->col.name_tok);
    }
}

void my_txn_nesting(struct chk_run *r, const struct chk_stmt *s)
{
    if (INFO(s)->kind == MY_BEGIN && r->txn_depth > 0)
        chk_report(r, R_TXN_NESTING, -1,
                   "BEGIN inside a transaction commits the open transaction implicitly on MySQL");
}

void my_add_column_rewrite_type(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind != MC_ADD_COLUMN)
            continue;
        if (c->col.auto_inc)
            chk_report(r, R_ADD_COLUMN_REWRITE_TYPE, tok_loc(s, c->from),
                       "ADD COLUMN %s AUTO_INCREMENT rebuilds %s and blocks writes while it "
                       "numbers the rows",
                       c->col.name, x->table);
        else if (c->col.stored)
            chk_report(r, R_ADD_COLUMN_REWRITE_TYPE, tok_loc(s, c->from),
                       "ADD COLUMN %s as a STORED generated column copies %s; add it VIRTUAL",
                       c->col.name, x->table);
    }
}

static int is_enum(const char *base)
{
    return base && (!strcmp(base, "enum") || !strcmp(base, "set"));
}

/* Splits "enum('a','b')" into its values (malloc'ed). */
static size_t enum_values(const char *type, char ***out)
{
    size_t n = 0, cap = 0;
    const char *p = strchr(type, '(');
    *out = NULL;
    while (p && (p = strchr(p, '\''))) {
        struct mg_buf b = MG_BUF_INIT;
        p++;
        while (*p && !(*p == '\'' && p[1] != '\'')) {
            if (*p == '\'' || *p == '\\')
                p++;
            if (*p)
                mg_buf_addch(&b, *p++);
        }
        if (*p)
            p++;
        mg_grow_array((void **)out, &cap, n + 1, sizeof(char *));
        (*out)[n++] = mg_buf_detach(&b);
    }
    return n;
}

static void free_values(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Storage bytes of an ENUM or SET with n values. */
static int enum_bytes(const char *base, size_t n)
{
    if (!strcmp(base, "enum"))
        return n <= 255 ? 1 : 2;
    return n <= 8 ? 1 : n <= 16 ? 2 : n <= 24 ? 3 : n <= 32 ? 4 : 8;
}

static void type_base(const char *type, char *out, size_t size)
{
    size_t i = 0;
    while (type[i] && type[i] != '(' && type[i] != ' ' && i + 1 < size) {
        out[i] = type[i];
        i++;
    }
    out[i] = '\0';
}

/* Bytes per character for a column: its own charset, the table's, else utf8mb4. */
static int col_bytes(int col, int table)
{
    return col ? col : table ? table : 4;
}

void my_change_column_type(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_MODIFY && c->kind != MC_CHANGE) || !c->col.type)
            continue;
        const struct chk_col *o = old_col(r, x, c);
        if (!o || !o->type[0] || !strcasecmp(o->type, c->col.type))
            continue; /* unknown old type, or the same type restated */
        char ob[32];
        type_base(o->type, ob, sizeof(ob));
        if (is_enum(ob) && is_enum(c->col.base) && !strcmp(ob, c->col.base))
            continue; /* mysql-enum-set-change judges it */
        if (!strcmp(ob, "varchar") && !strcmp(c->col.base, "varchar")) {
            long from = strtol(strchr(o->type, '(') ? strchr(o->type, '(') + 1 : "0", NULL, 10);
            if (c->col.len >= from)
                continue; /* growth: safe, or mysql-varchar-boundary */
        }
        chk_report(r, R_CHANGE_COLUMN_TYPE, tok_loc(s, c->from),
                   "changing %s.%s from %s to %s copies the table and blocks writes", x->table,
                   c->name, o->type, c->col.type);
    }
}

void my_varchar_boundary(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_MODIFY && c->kind != MC_CHANGE) || !c->col.base ||
            strcmp(c->col.base, "varchar") != 0)
            continue;
        const struct chk_col *o = old_col(r, x, c);
        if (!o || strncasecmp(o->type, "varchar(", 8) != 0)
            continue;
        long from = strtol(o->type + 8, NULL, 10);
        int cb = col_bytes(c->col.charset_bytes ? c->col.charset_bytes : o->charset_bytes, 0);
        if (c->col.len > from && from * cb <= 255 && c->col.len * cb > 255)
            chk_report(r, R_MY_VARCHAR_BOUNDARY, tok_loc(s, c->from),
                       "%s.%s grows from %ld to %ld bytes (%d per character): the length prefix "
                       "grows to 2 bytes and the table is copied",
                       x->table, c->name, from * cb, c->col.len * cb, cb);
    }
}

void my_enum_change(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_MODIFY && c->kind != MC_CHANGE) || !is_enum(c->col.base))
            continue;
        const struct chk_col *o = old_col(r, x, c);
        char ob[32];
        if (!o)
            continue;
        type_base(o->type, ob, sizeof(ob));
        if (strcmp(ob, c->col.base) != 0)
            continue;
        char **ov;
        size_t on = enum_values(o->type, &ov);
        const char *why = NULL;
        if (c->col.nvals < on)
            why = "values are removed";
        for (size_t i = 0; !why && i < on; i++)
            if (strcmp(ov[i], c->col.vals[i]) != 0)
                why = "values are reordered or inserted before existing ones";
        if (!why && enum_bytes(ob, on) != enum_bytes(ob, c->col.nvals))
            why = "the number of values crosses a storage size";
        if (why)
            chk_report(r, R_MY_ENUM_CHANGE, tok_loc(s, c->from),
                       "%s.%s: %s, so the table is copied", x->table, c->name, why);
        free_values(ov, on);
    }
}

void my_algorithm_copy(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (!(x->algorithm_copy || x->lock_blocking) || !x->table || chk_table_is_new(r, x->table))
        return;
    chk_report(r, R_MY_ALGORITHM_COPY, tok_loc(s, x->algorithm_tok),
               "%s on %s blocks writes to it for the whole statement",
               x->algorithm_copy ? "ALGORITHM=COPY" : "LOCK=SHARED/EXCLUSIVE", x->table);
}

void my_table_copy(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        const char *what = NULL;
        if (c->kind == MC_CONVERT)
            what = "CONVERT TO CHARACTER SET";
        else if (c->kind == MC_ENGINE && c->name && strcmp(c->name, "innodb") != 0)
            what = "changing the storage engine";
        else if (c->kind == MC_PARTITION)
            what = "(re)partitioning";
        if (what)
            chk_report(r, R_MY_TABLE_COPY, tok_loc(s, c->from),
                       "%s copies %s and blocks writes while it runs", what, x->table);
    }
}

void my_add_fk(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x || r->fk_checks_off)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_FK)
            chk_report(r, R_MY_ADD_FK, tok_loc(s, c->from),
                       "adding a foreign key to %s copies it (writes blocked) while "
                       "foreign_key_checks is on",
                       x->table);
    }
}

void my_pk_change(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_PK || c->kind == MC_DROP_PK ||
            (c->kind == MC_ADD_COLUMN && c->col.primary))
            chk_report(r, R_MY_PK_CHANGE, tok_loc(s, c->from),
                       "%s the primary key of %s rebuilds the table and every index",
                       c->kind == MC_DROP_PK ? "dropping" : "adding", x->table);
    }
}

void my_not_null_change(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind != MC_MODIFY && c->kind != MC_CHANGE) || !c->col.not_null)
            continue;
        const struct chk_col *o = old_col(r, x, c);
        if (o && !o->not_null)
            chk_report(r, R_MY_NOT_NULL_CHANGE, tok_loc(s, c->from),
                       "making %s.%s NOT NULL rebuilds the table and fails (or silently converts "
                       "without strict mode) on existing NULLs",
                       x->table, c->name);
    }
}

void my_check(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_CHECK && !c->not_enforced)
            chk_report(r, R_MY_CHECK, tok_loc(s, c->from),
                       "adding an enforced CHECK to %s validates every row while the table is "
                       "copied",
                       x->table);
    }
}

void my_not_null_no_default(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_COLUMN && c->col.not_null && !c->col.has_default &&
            !c->col.auto_inc && !c->col.generated_tok)
            chk_report(r, R_MY_NOT_NULL_NO_DEFAULT, tok_loc(s, c->from),
                       "ADD COLUMN %s NOT NULL without DEFAULT: existing rows of %s get an "
                       "implicit zero value (DATE/DATETIME: the ALTER fails)",
                       c->col.name, x->table);
    }
}

void my_inline_references(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind != MY_CREATE_TABLE && x->kind != MY_ALTER_TABLE)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if ((c->kind == MC_ADD_COLUMN || c->kind == MC_MODIFY || c->kind == MC_CHANGE) &&
            c->col.references)
            chk_report(r, R_MY_INLINE_REFERENCES, tok_loc(s, c->col.references_tok),
                       "REFERENCES on column %s is parsed and ignored: no foreign key is created",
                       c->col.name);
    }
}

void my_expression_default(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = alter_old(r, s);
    if (!x)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_COLUMN && c->col.default_expr)
            chk_report(r, R_MY_EXPRESSION_DEFAULT, tok_loc(s, c->col.default_tok),
                       "ADD COLUMN %s with an expression DEFAULT cannot be INSTANT: %s is rebuilt",
                       c->col.name, x->table);
    }
}

void my_drop_versioning(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if (x->kind != MY_ALTER_TABLE)
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_DROP_VERSIONING)
            chk_report(r, R_MY_DROP_VERSIONING, tok_loc(s, c->from), NULL);
    }
}

void my_fulltext_spatial(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if ((x->kind != MY_ALTER_TABLE && x->kind != MY_CREATE_INDEX) || !x->table ||
        chk_table_is_new(r, x->table))
        return;
    FOREACH_CLAUSE(x, c)
    {
        if (c->kind == MC_ADD_FULLTEXT)
            chk_report(r, R_MY_FULLTEXT_SPATIAL, tok_loc(s, c->from),
                       "a FULLTEXT or SPATIAL index on %s blocks writes while it is built",
                       x->table);
    }
}

void my_mixed_ddl_dml(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    int dml = x->dml && x->table && !chk_table_is_new(r, x->table);
    if (r->mixed_told || (!x->ddl && !dml))
        return;
    if ((x->ddl && r->first_dml >= 0) || (dml && r->first_ddl >= 0)) {
        r->mixed_told = 1;
        chk_report(r, R_MY_MIXED_DDL_DML, -1,
                   "this file mixes DDL and changes to existing rows: MySQL commits each DDL "
                   "statement, so a failure leaves it half applied");
    }
}

void my_ddl_in_txn(struct chk_run *r, const struct chk_stmt *s)
{
    if (INFO(s)->ddl && r->txn_depth > 0 && !r->in_explicit_txn_ddl_told) {
        r->in_explicit_txn_ddl_told = 1;
        chk_report(r, R_MY_DDL_IN_TXN, -1,
                   "DDL inside BEGIN ... COMMIT commits the transaction implicitly: what came "
                   "before it cannot be rolled back");
    }
}

void my_unbatched_backfill(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    if ((x->kind == MY_UPDATE || x->kind == MY_DELETE) && !x->has_where && x->table &&
        !chk_table_is_new(r, x->table))
        chk_report(r, R_UNBATCHED_BACKFILL, tok_loc(s, x->table_tok),
                   "%s of every row of %s in one statement locks them all and floods the binlog",
                   x->kind == MY_UPDATE ? "UPDATE" : "DELETE", x->table);
}

/* ---------- model ---------- */

static void col_model(struct chk_table *t, const struct my_coldef *d, int table_cb)
{
    if (!t || !d->name)
        return;
    struct chk_col *c = chk_col_add(t, d->name, d->type ? d->type : "");
    c->not_null = d->not_null || d->primary;
    c->has_default = d->has_default;
    c->charset_bytes = col_bytes(d->charset_bytes, table_cb);
}

void my_model_update(struct chk_run *r, const struct chk_stmt *s)
{
    const struct my_info *x = INFO(s);
    struct chk_table *t = NULL;

    if (x->ddl && r->first_ddl < 0)
        r->first_ddl = (long)s->index;
    if (x->dml && x->table && !chk_table_is_new(r, x->table) && r->first_dml < 0)
        r->first_dml = (long)s->index;
    switch (x->kind) {
    case MY_CREATE_TABLE:
        if (!x->table || (x->if_not_exists && chk_table_get(r, x->table)))
            break;
        t = chk_table_create(r, x->table);
        t->charset_bytes = x->table_charset_bytes;
        FOREACH_CLAUSE(x, c)
        {
            if (c->kind == MC_ADD_COLUMN)
                col_model(t, &c->col, x->table_charset_bytes);
        }
        FOREACH_CLAUSE(x, c)
        {
            if ((c->kind == MC_ADD_PK || c->kind == MC_ADD_UNIQUE || c->kind == MC_ADD_INDEX) &&
                c->cols && c->cols[0])
                chk_index_add(r, NULL, x->table, c->cols, c->kind != MC_ADD_INDEX);
            if (c->kind == MC_ADD_PK && c->cols) {
                char buf[512];
                snprintf(buf, sizeof(buf), "%s", c->cols);
                for (char *sv = NULL, *p = strtok_r(buf, ",", &sv); p;
                     p = strtok_r(NULL, ",", &sv)) {
                    struct chk_col *cc = chk_col_get(t, p);
                    if (cc)
                        cc->not_null = 1;
                }
            }
        }
        break;
    case MY_ALTER_TABLE:
        t = chk_table_get(r, x->table);
        FOREACH_CLAUSE(x, c)
        {
            switch (c->kind) {
            case MC_ADD_COLUMN:
            case MC_MODIFY:
                col_model(t, &c->col, t ? t->charset_bytes : 0);
                break;
            case MC_CHANGE:
                if (t && c->name)
                    chk_col_drop(t, c->name);
                col_model(t, &c->col, t ? t->charset_bytes : 0);
                break;
            case MC_DROP_COLUMN:
                if (t && c->name)
                    chk_col_drop(t, c->name);
                break;
            case MC_RENAME_COLUMN: {
                struct chk_col *cc = t && c->name ? chk_col_get(t, c->name) : NULL;
                if (cc && c->new_name) {
                    free(cc->name);
                    cc->name = mg_strdup(c->new_name);
                }
                break;
            }
            case MC_DROP_DEFAULT: {
                struct chk_col *cc = t && c->name ? chk_col_get(t, c->name) : NULL;
                if (cc)
                    cc->has_default = 0;
                break;
            }
            case MC_SET_DEFAULT: {
                struct chk_col *cc = t && c->name ? chk_col_get(t, c->name) : NULL;
                if (cc)
                    cc->has_default = 1;
                break;
            }
            case MC_ADD_PK:
            case MC_ADD_UNIQUE:
            case MC_ADD_INDEX:
                if (c->cols && c->cols[0] && x->table)
                    chk_index_add(r, NULL, x->table, c->cols, c->kind != MC_ADD_INDEX);
                break;
            case MC_RENAME_TABLE:
                if (t && c->new_name)
                    chk_table_rename(r, x->table, c->new_name);
                break;
            default:
                break;
            }
        }
        break;
    case MY_CREATE_INDEX:
        if (x->ncl && x->cl[0].cols && x->cl[0].cols[0] && x->table)
            chk_index_add(r, NULL, x->table, x->cl[0].cols, 0);
        break;
    case MY_DROP_TABLE:
        for (size_t i = 0; i < x->ntables; i++)
            chk_table_drop(r, x->tables[i]);
        break;
    case MY_RENAME_TABLE:
        for (size_t i = 0; i < x->ntables; i++)
            if (x->new_names[i][0])
                chk_table_rename(r, x->tables[i], x->new_names[i]);
        break;
    case MY_BEGIN:
        r->txn_depth = 1;
        break;
    case MY_COMMIT:
        r->txn_depth = 0;
        break;
    case MY_SET:
        if (x->fk_checks_off)
            r->fk_checks_off = 1;
        if (x->sets_lock_wait)
            r->lock_timeout = 1;
        break;
    default:
        break;
    }
    /* MySQL commits DDL implicitly: an open transaction ends with it */
    if (x->ddl && r->txn_depth > 0 && x->kind != MY_BEGIN)
        r->txn_depth = 0;
}
