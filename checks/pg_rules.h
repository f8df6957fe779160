/*
 * pg_rules.h — what the PostgreSQL rule files share: PostgreSQL 15's own
 * parse node structs (the raw tree libpg_query's parser builds, read
 * without a protobuf round trip) and tree readers (pg_util.c).
 *
 * Include this first: postgres.h must precede the C library headers.  Only
 * the files built with the server headers' include path (PG_TREE_SRC in the
 * Makefile) may include it.
 */
#ifndef CHK_PG_RULES_H
#define CHK_PG_RULES_H

/*
 * PostgreSQL's headers use __int128 (pg_config.h), which -Wpedantic rejects
 * in ISO C; the pragma covers those headers only, our code keeps the warning.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include <postgres.h>
#include <nodes/parsenodes.h>
#include <nodes/pg_list.h>
#pragma GCC diagnostic pop

/*
 * port.h routes the printf family and a few others to PostgreSQL's own
 * implementations; the rule files use the C library's, like the rest of the
 * program.
 */
#undef snprintf
#undef vsnprintf
#undef sprintf
#undef vsprintf
#undef fprintf
#undef vfprintf
#undef printf
#undef vprintf
#undef strerror
#undef strerror_r
#undef qsort

#include "lint_int.h"

/* The statement's node of a kind, or NULL: PG_IS(s, AlterTableStmt). */
#define PG_IS(s, kind) ((s)->node && IsA((s)->node, kind) ? (kind *)(s)->node : NULL)
/* The node as `kind`, or NULL when it is absent or of another kind. */
#define PG_AS(n, kind) ((n) && IsA((n), kind) ? (kind *)(n) : NULL)

/* A string field of a node; NULL (not given) reads as "". */
#define PG_S(p) ((p) ? (p) : "")

/*
 * Iterates the sub-commands of an ALTER TABLE: `cmd` is an AlterTableCmd *.
 * Two nested loops (to declare `cmd`): `continue` moves to the next command,
 * but `break` would too; leave with return.  The same holds for PG_FOREACH.
 */
#define PG_FOREACH_CMD(a, cmd)                                                                     \
    for (int cmd##_i = 0; cmd##_i < list_length((a)->cmds); cmd##_i++)                             \
        for (AlterTableCmd *cmd = PG_AS((Node *)list_nth((a)->cmds, cmd##_i), AlterTableCmd); cmd; \
             cmd = NULL)

/* Iterates the nodes of a List: `n` is a Node * (never NULL). */
#define PG_FOREACH(list, n)                                                                        \
    for (int n##_i = 0; n##_i < list_length(list); n##_i++)                                        \
        for (Node *n = (Node *)list_nth((list), n##_i); n; n = NULL)

/* The last element of a list of String nodes ("pg_catalog.int4" -> "int4"), or "". */
const char *pg_last_name(const List *names);
/* The text of a String node, "" for anything else. */
const char *pg_str(const Node *n);
/* Normalised type text: "varchar(20)", "int4", "numeric(10,2)", "timestamptz[]". */
void pg_type_text(struct mg_buf *out, const TypeName *t);
/* Is the expression non-volatile (a constant, a cast of one, a stable built-in)? */
int pg_expr_nonvolatile(const Node *n, const char **why);
/* The constraint of `type` among a column's constraints, or NULL. */
Constraint *pg_col_constraint(const ColumnDef *c, ConstrType type);
/* Comma-joined column names of a list of String / IndexElem nodes ("" for expressions). */
void pg_names_text(struct mg_buf *out, const List *v);

const char *pg_rel(const RangeVar *rv);
int pg_rel_loc(const RangeVar *rv);
const char *pg_type_name(const TypeName *t);
const char *pg_expr_func(const Node *n);
/* Is the option (a DefElem) present and not switched off, as in REINDEX (CONCURRENTLY)? */
int pg_has_defelem(const List *v, const char *name);
const char *pg_check_is_not_null(const Node *e);
int pg_is_serial(const char *t);
int pg_is_small_int(const char *t);
/* Can the column type change from `from` to `to` without a rewrite?  *why says why. */
int pg_type_change_safe(const char *from, const char *to, int pg_version, const char **why);
/* The ALTER TABLE of the statement when it is on a plain table, or NULL. */
AlterTableStmt *pg_alter_table(const struct chk_stmt *s);
/* Does this ALTER TABLE act on a table that others cannot see yet (same file, or new file)? */
int pg_alter_is_new(const struct chk_run *r, const AlterTableStmt *a);
/* Location of a sub-command for carets: its definition's location, else the relation's. */
int pg_cmd_loc(const AlterTableStmt *a, const AlterTableCmd *c);

/* Does the statement block reads or writes of an existing table?  *table names it. */
int pg_takes_blocking_lock(const struct chk_run *r, const struct chk_stmt *s, const char **table);

#endif
