/*
 * pg_rules.h — shorthands for the PostgreSQL rule files: node and enum
 * names of the libpg_query protobuf tree, and tree readers (pg_util.c).
 */
#ifndef CHK_PG_RULES_H
#define CHK_PG_RULES_H

#include "lint_int.h"

#define NODE(x)   PG_QUERY__NODE__NODE_##x
#define AT(x)     PG_QUERY__ALTER_TABLE_TYPE__AT_##x
#define CONSTR(x) PG_QUERY__CONSTR_TYPE__CONSTR_##x
#define OBJ(x)    PG_QUERY__OBJECT_TYPE__OBJECT_##x

/* The statement's node of a kind, or NULL: PG_IS(s, ALTER_TABLE_STMT, alter_table_stmt). */
#define PG_IS(s, kind, field) ((s)->node->node_case == NODE(kind) ? (s)->node->field : NULL)

/* Iterates the sub-commands of an ALTER TABLE: `cmd` is a PgQuery__AlterTableCmd *. */
#define PG_FOREACH_CMD(a, cmd)                                                                     \
    for (size_t cmd##_i = 0; cmd##_i < (a)->n_cmds; cmd##_i++)                                     \
        for (PgQuery__AlterTableCmd *cmd = (a)->cmds[cmd##_i]->alter_table_cmd; cmd; cmd = NULL)

const char *pg_rel(const PgQuery__RangeVar *rv);
int pg_rel_loc(const PgQuery__RangeVar *rv);
const char *pg_type_name(const PgQuery__TypeName *t);
const char *pg_expr_func(const PgQuery__Node *n);
/* Is the option (a DefElem) present and not switched off, as in REINDEX (CONCURRENTLY)? */
int pg_has_defelem(PgQuery__Node **v, size_t n, const char *name);
const char *pg_check_is_not_null(const PgQuery__Node *e);
int pg_is_serial(const char *t);
int pg_is_small_int(const char *t);
/* Can the column type change from `from` to `to` without a rewrite?  *why says why. */
int pg_type_change_safe(const char *from, const char *to, int pg_version, const char **why);
/* The ALTER TABLE of the statement when it is on a plain table, or NULL. */
PgQuery__AlterTableStmt *pg_alter_table(const struct chk_stmt *s);
/* Does this ALTER TABLE act on a table that others cannot see yet (same file, or new file)? */
int pg_alter_is_new(const struct chk_run *r, const PgQuery__AlterTableStmt *a);
/* Location of a sub-command for carets: its definition's location, else the relation's. */
int pg_cmd_loc(const PgQuery__AlterTableStmt *a, const PgQuery__AlterTableCmd *c);

/* Does the statement block reads or writes of an existing table?  *table names it. */
int pg_takes_blocking_lock(const struct chk_run *r, const struct chk_stmt *s, const char **table);

#endif
