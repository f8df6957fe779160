/*
 * pg_txn.c — PostgreSQL rules about transactions and file structure:
 * transaction control the runner does not allow or that nests, statements
 * that cannot run in a transaction block, statements that cannot be re-run
 * after a partial failure, duplicate columns.
 */
#include <string.h>

#include "driver.h"
#include "pg_rules.h"

void pg_txn_nesting(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__TransactionStmt *t = PG_IS(s, TRANSACTION_STMT, transaction_stmt);
    if (!t)
        return;
    if (r->file_txn) {
        chk_report(r, R_TXN_NESTING, -1,
                   "migrate runs this file in one transaction and refuses transaction control "
                   "in it: remove it, or add -- migrate:no-transaction at the top");
        return;
    }
    switch (t->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        if (r->txn_depth > 0)
            chk_report(r, R_TXN_NESTING, -1,
                       "BEGIN inside a transaction is ignored with a warning: the first COMMIT "
                       "ends both");
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        if (r->txn_depth == 0)
            chk_report(r, R_TXN_NESTING, -1, "%s without BEGIN: there is no transaction to end",
                       t->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ? "COMMIT"
                                                                                     : "ROLLBACK");
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        if (r->txn_depth == 0)
            chk_report(r, R_TXN_NESTING, -1, "a savepoint outside a transaction block fails");
        break;
    default:
        chk_report(r, R_TXN_NESTING, -1,
                   "two-phase commit does not belong in a migration: the prepared transaction "
                   "keeps its locks until someone commits it");
        break;
    }
}

void pg_non_txn_in_txn(struct chk_run *r, const struct chk_stmt *s)
{
    if (!(s->flags & DRV_STMT_NO_TXN) || r->txn_depth == 0)
        return;
    chk_report(r, R_NON_TXN_IN_TXN, -1, "%s; here it follows BEGIN",
               s->why ? s->why : "this statement cannot run inside a transaction block");
}

void pg_prefer_robust(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__Node *n = s->node;
    const char *what = NULL;

    if (s->in_txn || r->res->files[r->file].nstmts < 2)
        return;
    switch (n->node_case) {
    case NODE(CREATE_STMT):
        what = n->create_stmt->if_not_exists ? NULL : "CREATE TABLE without IF NOT EXISTS";
        break;
    case NODE(INDEX_STMT):
        what = n->index_stmt->if_not_exists || !n->index_stmt->idxname[0]
                   ? NULL
                   : "CREATE INDEX without IF NOT EXISTS";
        break;
    case NODE(CREATE_SEQ_STMT):
        what = n->create_seq_stmt->if_not_exists ? NULL : "CREATE SEQUENCE without IF NOT EXISTS";
        break;
    case NODE(DROP_STMT):
        what = n->drop_stmt->missing_ok ? NULL : "DROP without IF EXISTS";
        break;
    case NODE(ALTER_TABLE_STMT): {
        const PgQuery__AlterTableStmt *a = n->alter_table_stmt;
        PG_FOREACH_CMD(a, c)
        {
            if (c->missing_ok)
                continue;
            if (c->subtype == AT(AddColumn))
                what = "ADD COLUMN without IF NOT EXISTS";
            else if (c->subtype == AT(DropColumn))
                what = "DROP COLUMN without IF EXISTS";
            else if (c->subtype == AT(DropConstraint))
                what = "DROP CONSTRAINT without IF EXISTS";
            else if (c->subtype == AT(AddConstraint) && c->def &&
                     c->def->node_case == NODE(CONSTRAINT) && c->def->constraint->conname &&
                     c->def->constraint->conname[0] &&
                     !chk_strv_has(r->dropped, r->ndropped, c->def->constraint->conname))
                what = "ADD CONSTRAINT without DROP CONSTRAINT IF EXISTS before it";
        }
        break;
    }
    default:
        break;
    }
    if (what)
        chk_report(r, R_PREFER_ROBUST, -1,
                   "%s: the file does not run in one transaction, so after a partial failure "
                   "this statement fails when run again",
                   what);
}

/* Reports the second occurrence of a name in a list of names. */
static void dup_names(struct chk_run *r, const char **names, const int *locs, size_t n,
                      const char *where)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (names[i][0] && !strcmp(names[i], names[j])) {
                chk_report(r, R_DUPLICATE_COLUMN, locs[i], "column %s is named twice in %s",
                           names[i], where);
                break;
            }
}

void pg_duplicate_column(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__Node *n = s->node;
    const char *names[256];
    int locs[256];
    size_t k = 0;
    const char *where = NULL;

    switch (n->node_case) {
    case NODE(CREATE_STMT):
        where = "CREATE TABLE";
        for (size_t i = 0; i < n->create_stmt->n_table_elts && k < 256; i++) {
            const PgQuery__Node *e = n->create_stmt->table_elts[i];
            if (e->node_case == NODE(COLUMN_DEF)) {
                names[k] = e->column_def->colname;
                locs[k++] = e->column_def->location;
            }
        }
        break;
    case NODE(UPDATE_STMT):
        where = "UPDATE ... SET";
        for (size_t i = 0; i < n->update_stmt->n_target_list && k < 256; i++) {
            const PgQuery__Node *e = n->update_stmt->target_list[i];
            if (e->node_case == NODE(RES_TARGET) && !e->res_target->n_indirection) {
                names[k] = e->res_target->name;
                locs[k++] = e->res_target->location;
            }
        }
        break;
    case NODE(INSERT_STMT):
        where = "the INSERT column list";
        for (size_t i = 0; i < n->insert_stmt->n_cols && k < 256; i++) {
            const PgQuery__Node *e = n->insert_stmt->cols[i];
            if (e->node_case == NODE(RES_TARGET) && !e->res_target->n_indirection) {
                names[k] = e->res_target->name;
                locs[k++] = e->res_target->location;
            }
        }
        break;
    case NODE(VIEW_STMT):
        where = "the view's column list";
        for (size_t i = 0; i < n->view_stmt->n_aliases && k < 256; i++) {
            names[k] = pg_str(n->view_stmt->aliases[i]);
            locs[k++] = -1;
        }
        break;
    default:
        return;
    }
    dup_names(r, names, locs, k, where);
}
