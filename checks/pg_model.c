/*
 * pg_model.c — what a PostgreSQL statement teaches the linter once the
 * rules have seen it: tables and their columns (type, NOT NULL, proven
 * NOT NULL), indexes, foreign keys to look up indexes for, CHECK (col IS
 * NOT NULL) constraints, and the transaction state (BEGIN/COMMIT depth,
 * lock_timeout, the first blocking lock, tables altered, NOT VALID
 * constraints added).
 */
#include "pg_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* `fresh`: the table cannot have the column yet (its CREATE TABLE names it first). */
static void col_from_def(struct chk_table *t, const ColumnDef *cd, int fresh)
{
    struct mg_buf ty = MG_BUF_INIT;
    pg_type_text(&ty, cd->typeName);
    struct chk_col *c = fresh ? chk_col_append(t, PG_S(cd->colname), ty.ptr)
                              : chk_col_add(t, PG_S(cd->colname), ty.ptr);
    c->not_null = cd->is_not_null || pg_col_constraint(cd, CONSTR_NOTNULL) ||
                  pg_col_constraint(cd, CONSTR_PRIMARY) != NULL;
    mg_buf_free(&ty);
}

/* Records the keys and foreign keys a constraint brings to `table`. */
static void constraint_model(struct chk_run *r, const char *table, const Constraint *k,
                             const char *colname)
{
    struct mg_buf cols = MG_BUF_INIT;
    struct chk_table *t = chk_table_get(r, table);

    switch (k->contype) {
    case CONSTR_PRIMARY:
    case CONSTR_UNIQUE:
        if (k->indexname && k->indexname[0]) {
            const struct chk_index *x = chk_map_get(&r->indexes, k->indexname);
            if (x)
                mg_buf_adds(&cols, x->cols);
        } else if (colname) {
            mg_buf_adds(&cols, colname);
        } else {
            pg_names_text(&cols, k->keys);
        }
        if (cols.len)
            chk_index_add(r, k->conname && k->conname[0] ? k->conname : NULL, table, cols.ptr, 1);
        if (k->contype == CONSTR_PRIMARY && t) {
            /* a primary key makes its columns NOT NULL */
            char buf[512];
            snprintf(buf, sizeof(buf), "%s", cols.ptr);
            for (char *save = NULL, *c = strtok_r(buf, ",", &save); c;
                 c = strtok_r(NULL, ",", &save)) {
                struct chk_col *cc = chk_col_get(t, c);
                if (cc)
                    cc->not_null = 1;
            }
        }
        break;
    case CONSTR_FOREIGN:
        if (colname)
            mg_buf_adds(&cols, colname);
        else
            pg_names_text(&cols, k->fk_attrs);
        if (cols.len)
            chk_fk_add(r, table, cols.ptr, k->location);
        break;
    case CONSTR_CHECK: {
        const char *col = pg_check_is_not_null(k->raw_expr);
        if (!col)
            break;
        if (!k->skip_validation) {
            struct chk_col *cc = chk_col_get(t, col);
            if (cc)
                cc->proven = 1;
        } else if (k->conname && k->conname[0]) {
            struct chk_nncheck *nc = mg_calloc(1, sizeof(*nc));
            nc->table = mg_strdup(table);
            nc->col = mg_strdup(col);
            struct chk_nncheck *old = chk_map_put(&r->nnchecks, k->conname, nc);
            if (old) {
                free(old->table);
                free(old->col);
                free(old);
            }
        }
        break;
    }
    default:
        break;
    }
    if (k->skip_validation && k->conname && k->conname[0])
        chk_strv_add(&r->notvalid, &r->nnotvalid, &r->capnotvalid, k->conname);
    mg_buf_free(&cols);
}

/* The keys and foreign keys written on a column's definition. */
static void column_constraints(struct chk_run *r, const char *table, const ColumnDef *cd)
{
    PG_FOREACH(cd->constraints, k)
    {
        if (IsA(k, Constraint))
            constraint_model(r, table, (const Constraint *)k, PG_S(cd->colname));
    }
}

static void create_table(struct chk_run *r, const CreateStmt *cs)
{
    const char *name = pg_rel(cs->relation);
    if (cs->if_not_exists && chk_table_get(r, name))
        return; /* IF NOT EXISTS on a known table changes nothing */
    struct chk_table *t = chk_table_create(r, name);
    t->partitioned = cs->partspec != NULL;
    /* the table is new: only a column named twice (an error) needs a lookup */
    struct chk_names seen;
    chk_names_init(&seen, (size_t)list_length(cs->tableElts));
    PG_FOREACH(cs->tableElts, e)
    {
        if (IsA(e, ColumnDef))
            col_from_def(t, (const ColumnDef *)e,
                         !chk_names_add(&seen, PG_S(((const ColumnDef *)e)->colname)));
    }
    chk_names_free(&seen);
    PG_FOREACH(cs->tableElts, e)
    {
        if (IsA(e, ColumnDef))
            column_constraints(r, name, (const ColumnDef *)e);
        else if (IsA(e, Constraint))
            constraint_model(r, name, (const Constraint *)e, NULL);
    }
    /* a new table's NOT VALID constraints are irrelevant: nothing to scan */
}

static void alter_table(struct chk_run *r, const struct chk_stmt *s, const AlterTableStmt *a)
{
    const char *name = pg_rel(a->relation);
    struct chk_table *t = chk_table_get(r, name);

    PG_FOREACH_CMD(a, c)
    {
        const char *col = PG_S(c->name);
        switch (c->subtype) {
        case AT_AddColumn: {
            const ColumnDef *cd = PG_AS(c->def, ColumnDef);
            if (cd) {
                if (t)
                    col_from_def(t, cd, 0);
                column_constraints(r, name, cd);
            }
            break;
        }
        case AT_DropColumn:
            chk_col_drop(t, col);
            break;
        case AT_AlterColumnType:
            if (t && PG_AS(c->def, ColumnDef)) {
                struct chk_col *cc = chk_col_get(t, col);
                struct mg_buf ty = MG_BUF_INIT;
                pg_type_text(&ty, ((const ColumnDef *)c->def)->typeName);
                if (cc) {
                    free(cc->type);
                    cc->type = mg_buf_detach(&ty);
                }
                mg_buf_free(&ty);
            }
            break;
        case AT_SetNotNull: {
            struct chk_col *cc = chk_col_get(t, col);
            if (cc)
                cc->not_null = 1;
            break;
        }
        case AT_DropNotNull: {
            struct chk_col *cc = chk_col_get(t, col);
            if (cc)
                cc->not_null = cc->proven = 0;
            break;
        }
        case AT_AddConstraint:
            if (PG_AS(c->def, Constraint))
                constraint_model(r, name, (const Constraint *)c->def, NULL);
            break;
        case AT_DropConstraint:
            if (c->missing_ok)
                chk_strv_add(&r->dropped, &r->ndropped, &r->capdropped, col);
            break;
        case AT_ValidateConstraint: {
            const struct chk_nncheck *nc = chk_map_get(&r->nnchecks, col);
            if (nc) {
                struct chk_col *cc = chk_col_get(chk_table_get(r, nc->table), nc->col);
                if (cc)
                    cc->proven = 1;
            }
            break;
        }
        default:
            break;
        }
    }
    (void)s;
}

static void rename_model(struct chk_run *r, const RenameStmt *x)
{
    if (x->renameType == OBJECT_TABLE) {
        chk_table_rename(r, pg_rel(x->relation), PG_S(x->newname));
    } else if (x->renameType == OBJECT_COLUMN) {
        struct chk_col *c = chk_col_get(chk_table_get(r, pg_rel(x->relation)), PG_S(x->subname));
        if (c) {
            free(c->name);
            c->name = mg_strdup(PG_S(x->newname));
        }
    }
}

static void transaction(struct chk_run *r, const TransactionStmt *t)
{
    switch (t->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
        if (r->txn_depth++ == 0)
            chk_txn_reset(r);
        break;
    case TRANS_STMT_COMMIT:
    case TRANS_STMT_ROLLBACK:
        if (r->txn_depth > 0)
            r->txn_depth = 0;
        chk_txn_reset(r);
        break;
    default:
        break;
    }
}

static void set_var(struct chk_run *r, const VariableSetStmt *v)
{
    int on = v->kind == VAR_SET_VALUE;
    const A_Const *c = list_length(v->args) == 1 ? PG_AS((Node *)linitial(v->args), A_Const) : NULL;
    if (on && c && !c->isnull) {
        if (IsA(&c->val, Integer) && c->val.ival.ival == 0)
            on = 0;
        if (IsA(&c->val, String) && !strcmp(PG_S(c->val.sval.sval), "0"))
            on = 0;
    }
    if (chk_eq(v->name, "lock_timeout"))
        r->lock_timeout = on;
    else if (chk_eq(v->name, "statement_timeout"))
        r->statement_timeout = on;
}

void pg_model_update(struct chk_run *r, const struct chk_stmt *s)
{
    const Node *n = s->node;
    const char *locked = NULL;
    char locked_table[128] = "";
    int blocking = pg_takes_blocking_lock(r, s, &locked);

    /* copied: the model update below may free what `locked` points into (DROP INDEX) */
    if (blocking)
        snprintf(locked_table, sizeof(locked_table), "%s", locked);

    switch (nodeTag(n)) {
    case T_CreateStmt:
        create_table(r, (const CreateStmt *)n);
        break;
    case T_CreateTableAsStmt: {
        const IntoClause *into = ((const CreateTableAsStmt *)n)->into;
        if (into && into->rel)
            chk_table_create(r, pg_rel(into->rel));
        break;
    }
    case T_AlterTableStmt: {
        const AlterTableStmt *a = (const AlterTableStmt *)n;
        alter_table(r, s, a);
        if (s->in_txn)
            chk_txn_altered(r, pg_rel(a->relation));
        break;
    }
    case T_IndexStmt: {
        const IndexStmt *x = (const IndexStmt *)n;
        struct mg_buf cols = MG_BUF_INIT;
        pg_names_text(&cols, x->indexParams);
        if (!x->whereClause)
            chk_index_add(r, PG_S(x->idxname), pg_rel(x->relation), cols.ptr, x->unique);
        mg_buf_free(&cols);
        break;
    }
    case T_DropStmt: {
        const DropStmt *d = (const DropStmt *)n;
        PG_FOREACH(d->objects, o)
        {
            const char *name = IsA(o, List) ? pg_last_name((const List *)o) : pg_str(o);
            if (d->removeType == OBJECT_TABLE)
                chk_table_drop(r, name);
            else if (d->removeType == OBJECT_INDEX) {
                struct chk_index *x = chk_map_del(&r->indexes, name);
                if (x) {
                    free(x->name);
                    free(x->table);
                    free(x->cols);
                    free(x);
                }
            }
        }
        break;
    }
    case T_RenameStmt:
        rename_model(r, (const RenameStmt *)n);
        break;
    case T_TransactionStmt:
        transaction(r, (const TransactionStmt *)n);
        break;
    case T_VariableSetStmt:
        set_var(r, (const VariableSetStmt *)n);
        break;
    default:
        break;
    }
    if (IsA(n, TransactionStmt))
        return;
    if (!(r->file_txn || r->txn_depth > 0)) {
        /* autocommit: every statement is its own transaction */
        chk_txn_reset(r);
        return;
    }
    if (blocking && r->strong_lock < 0) {
        r->strong_lock = (long)s->index;
        snprintf(r->strong_table, sizeof(r->strong_table), "%s", locked_table);
    }
}
