/*
 * pg_model.c — what a PostgreSQL statement teaches the linter once the
 * rules have seen it: tables and their columns (type, NOT NULL, proven
 * NOT NULL), indexes, foreign keys to look up indexes for, CHECK (col IS
 * NOT NULL) constraints, and the transaction state (BEGIN/COMMIT depth,
 * lock_timeout, the first blocking lock, tables altered, NOT VALID
 * constraints added).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_rules.h"
#include "util.h"

static void col_from_def(struct chk_table *t, const PgQuery__ColumnDef *cd)
{
    struct mg_buf ty = MG_BUF_INIT;
    pg_type_text(&ty, cd->type_name);
    struct chk_col *c = chk_col_add(t, cd->colname, ty.ptr);
    c->not_null = cd->is_not_null || pg_col_constraint(cd, CONSTR(NOTNULL)) ||
                  pg_col_constraint(cd, CONSTR(PRIMARY)) != NULL;
    mg_buf_free(&ty);
}

/* Records the keys and foreign keys a constraint brings to `table`. */
static void constraint_model(struct chk_run *r, const char *table, const PgQuery__Constraint *k,
                             const char *colname)
{
    struct mg_buf cols = MG_BUF_INIT;
    struct chk_table *t = chk_table_get(r, table);

    switch (k->contype) {
    case CONSTR(PRIMARY):
    case CONSTR(UNIQUE):
        if (k->indexname && k->indexname[0]) {
            const struct chk_index *x = chk_map_get(&r->indexes, k->indexname);
            if (x)
                mg_buf_adds(&cols, x->cols);
        } else if (colname) {
            mg_buf_adds(&cols, colname);
        } else {
            pg_names_text(&cols, k->keys, k->n_keys);
        }
        if (cols.len)
            chk_index_add(r, k->conname && k->conname[0] ? k->conname : NULL, table, cols.ptr, 1);
        if (k->contype == CONSTR(PRIMARY) && t) {
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
    case CONSTR(FOREIGN):
        if (colname)
            mg_buf_adds(&cols, colname);
        else
            pg_names_text(&cols, k->fk_attrs, k->n_fk_attrs);
        if (cols.len)
            chk_fk_add(r, table, cols.ptr, k->location);
        break;
    case CONSTR(CHECK): {
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

static void create_table(struct chk_run *r, const PgQuery__CreateStmt *cs)
{
    const char *name = pg_rel(cs->relation);
    if (cs->if_not_exists && chk_table_get(r, name))
        return; /* IF NOT EXISTS on a known table changes nothing */
    struct chk_table *t = chk_table_create(r, name);
    t->partitioned = cs->partspec != NULL;
    for (size_t i = 0; i < cs->n_table_elts; i++) {
        const PgQuery__Node *e = cs->table_elts[i];
        if (e->node_case == NODE(COLUMN_DEF))
            col_from_def(t, e->column_def);
    }
    for (size_t i = 0; i < cs->n_table_elts; i++) {
        const PgQuery__Node *e = cs->table_elts[i];
        if (e->node_case == NODE(COLUMN_DEF)) {
            const PgQuery__ColumnDef *cd = e->column_def;
            for (size_t k = 0; k < cd->n_constraints; k++)
                if (cd->constraints[k]->node_case == NODE(CONSTRAINT))
                    constraint_model(r, name, cd->constraints[k]->constraint, cd->colname);
        } else if (e->node_case == NODE(CONSTRAINT)) {
            constraint_model(r, name, e->constraint, NULL);
        }
    }
    /* a new table's NOT VALID constraints are irrelevant: nothing to scan */
}

static void alter_table(struct chk_run *r, const struct chk_stmt *s,
                        const PgQuery__AlterTableStmt *a)
{
    const char *name = pg_rel(a->relation);
    struct chk_table *t = chk_table_get(r, name);

    PG_FOREACH_CMD(a, c)
    {
        const char *col = c->name ? c->name : "";
        switch (c->subtype) {
        case AT(AddColumn):
            if (c->def && c->def->node_case == NODE(COLUMN_DEF)) {
                const PgQuery__ColumnDef *cd = c->def->column_def;
                if (t)
                    col_from_def(t, cd);
                for (size_t k = 0; k < cd->n_constraints; k++)
                    if (cd->constraints[k]->node_case == NODE(CONSTRAINT))
                        constraint_model(r, name, cd->constraints[k]->constraint, cd->colname);
            }
            break;
        case AT(DropColumn):
            chk_col_drop(t, col);
            break;
        case AT(AlterColumnType):
            if (t && c->def && c->def->node_case == NODE(COLUMN_DEF)) {
                struct chk_col *cc = chk_col_get(t, col);
                struct mg_buf ty = MG_BUF_INIT;
                pg_type_text(&ty, c->def->column_def->type_name);
                if (cc) {
                    free(cc->type);
                    cc->type = mg_buf_detach(&ty);
                }
                mg_buf_free(&ty);
            }
            break;
        case AT(SetNotNull): {
            struct chk_col *cc = chk_col_get(t, col);
            if (cc)
                cc->not_null = 1;
            break;
        }
        case AT(DropNotNull): {
            struct chk_col *cc = chk_col_get(t, col);
            if (cc)
                cc->not_null = cc->proven = 0;
            break;
        }
        case AT(AddConstraint):
            if (c->def && c->def->node_case == NODE(CONSTRAINT))
                constraint_model(r, name, c->def->constraint, NULL);
            break;
        case AT(DropConstraint):
            if (c->missing_ok && c->name)
                chk_strv_add(&r->dropped, &r->ndropped, &r->capdropped, c->name);
            break;
        case AT(ValidateConstraint): {
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

static void rename_model(struct chk_run *r, const PgQuery__RenameStmt *x)
{
    if (x->rename_type == OBJ(TABLE)) {
        chk_table_rename(r, pg_rel(x->relation), x->newname);
    } else if (x->rename_type == OBJ(COLUMN)) {
        struct chk_col *c = chk_col_get(chk_table_get(r, pg_rel(x->relation)), x->subname);
        if (c) {
            free(c->name);
            c->name = mg_strdup(x->newname);
        }
    }
}

static void transaction(struct chk_run *r, const PgQuery__TransactionStmt *t)
{
    switch (t->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        if (r->txn_depth++ == 0)
            chk_txn_reset(r);
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        if (r->txn_depth > 0)
            r->txn_depth = 0;
        chk_txn_reset(r);
        break;
    default:
        break;
    }
}

static void set_var(struct chk_run *r, const PgQuery__VariableSetStmt *v)
{
    int on = v->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE;
    if (on && v->n_args == 1 && v->args[0]->node_case == NODE(A_CONST)) {
        const PgQuery__AConst *c = v->args[0]->a_const;
        if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL && (!c->ival || c->ival->ival == 0))
            on = 0;
        if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval && !strcmp(c->sval->sval, "0"))
            on = 0;
    }
    if (chk_eq(v->name, "lock_timeout"))
        r->lock_timeout = on;
    else if (chk_eq(v->name, "statement_timeout"))
        r->statement_timeout = on;
}

void pg_model_update(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__Node *n = s->node;
    const char *locked = NULL;
    char locked_table[128] = "";
    int blocking = pg_takes_blocking_lock(r, s, &locked);

    /* copied: the model update below may free what `locked` points into (DROP INDEX) */
    if (blocking)
        snprintf(locked_table, sizeof(locked_table), "%s", locked);

    switch (n->node_case) {
    case NODE(CREATE_STMT):
        create_table(r, n->create_stmt);
        break;
    case NODE(CREATE_TABLE_AS_STMT):
        if (n->create_table_as_stmt->into && n->create_table_as_stmt->into->rel)
            chk_table_create(r, pg_rel(n->create_table_as_stmt->into->rel));
        break;
    case NODE(ALTER_TABLE_STMT):
        alter_table(r, s, n->alter_table_stmt);
        if (s->in_txn)
            chk_txn_altered(r, pg_rel(n->alter_table_stmt->relation));
        break;
    case NODE(INDEX_STMT): {
        const PgQuery__IndexStmt *x = n->index_stmt;
        struct mg_buf cols = MG_BUF_INIT;
        pg_names_text(&cols, x->index_params, x->n_index_params);
        if (!x->where_clause)
            chk_index_add(r, x->idxname, pg_rel(x->relation), cols.ptr, x->unique);
        mg_buf_free(&cols);
        break;
    }
    case NODE(DROP_STMT): {
        const PgQuery__DropStmt *d = n->drop_stmt;
        for (size_t i = 0; i < d->n_objects; i++) {
            const PgQuery__Node *o = d->objects[i];
            const char *name = o->node_case == NODE(LIST)
                                   ? pg_last_name(o->list->items, o->list->n_items)
                                   : pg_str(o);
            if (d->remove_type == OBJ(TABLE))
                chk_table_drop(r, name);
            else if (d->remove_type == OBJ(INDEX)) {
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
    case NODE(RENAME_STMT):
        rename_model(r, n->rename_stmt);
        break;
    case NODE(TRANSACTION_STMT):
        transaction(r, n->transaction_stmt);
        break;
    case NODE(VARIABLE_SET_STMT):
        set_var(r, n->variable_set_stmt);
        break;
    default:
        break;
    }
    if (n->node_case == NODE(TRANSACTION_STMT))
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
