/*
 * pg_txn.c — PostgreSQL rules about transactions and file structure:
 * transaction control the runner does not allow or that nests, statements
 * that cannot run in a transaction block, statements that cannot be re-run
 * after a partial failure, duplicate columns.
 */
#include "pg_rules.h"

#include <string.h>

#include "driver.h"

void pg_txn_nesting(struct chk_run *r, const struct chk_stmt *s)
{
    const TransactionStmt *t = PG_IS(s, TransactionStmt);
    if (!t)
        return;
    if (r->file_txn) {
        chk_report(r, R_TXN_NESTING, -1,
                   "migrate runs this file in one transaction and refuses transaction control "
                   "in it: remove it, or add -- migrate:no-transaction at the top");
        return;
    }
    switch (t->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
        if (r->txn_depth > 0)
            chk_report(r, R_TXN_NESTING, -1,
                       "BEGIN inside a transaction is ignored with a warning: the first COMMIT "
                       "ends both");
        break;
    case TRANS_STMT_COMMIT:
    case TRANS_STMT_ROLLBACK:
        if (r->txn_depth == 0)
            chk_report(r, R_TXN_NESTING, -1, "%s without BEGIN: there is no transaction to end",
                       t->kind == TRANS_STMT_COMMIT ? "COMMIT" : "ROLLBACK");
        break;
    case TRANS_STMT_SAVEPOINT:
    case TRANS_STMT_RELEASE:
    case TRANS_STMT_ROLLBACK_TO:
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
    const Node *n = s->node;
    const char *what = NULL;

    if (s->in_txn || r->res->files[r->file].nstmts < 2)
        return;
    switch (nodeTag(n)) {
    case T_CreateStmt:
        what = ((const CreateStmt *)n)->if_not_exists ? NULL : "CREATE TABLE without IF NOT EXISTS";
        break;
    case T_IndexStmt: {
        const IndexStmt *x = (const IndexStmt *)n;
        what =
            x->if_not_exists || !PG_S(x->idxname)[0] ? NULL : "CREATE INDEX without IF NOT EXISTS";
        break;
    }
    case T_CreateSeqStmt:
        what = ((const CreateSeqStmt *)n)->if_not_exists ? NULL
                                                         : "CREATE SEQUENCE without IF NOT EXISTS";
        break;
    case T_DropStmt:
        what = ((const DropStmt *)n)->missing_ok ? NULL : "DROP without IF EXISTS";
        break;
    case T_AlterTableStmt: {
        const AlterTableStmt *a = (const AlterTableStmt *)n;
        PG_FOREACH_CMD(a, c)
        {
            const Constraint *k = PG_AS(c->def, Constraint);
            if (c->missing_ok)
                continue;
            if (c->subtype == AT_AddColumn)
                what = "ADD COLUMN without IF NOT EXISTS";
            else if (c->subtype == AT_DropColumn)
                what = "DROP COLUMN without IF EXISTS";
            else if (c->subtype == AT_DropConstraint)
                what = "DROP CONSTRAINT without IF EXISTS";
            else if (c->subtype == AT_AddConstraint && k && PG_S(k->conname)[0] &&
                     !chk_strv_has(r->dropped, r->ndropped, k->conname))
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
    struct chk_names seen;
    chk_names_init(&seen, n);
    for (size_t i = 0; i < n; i++)
        if (chk_names_add(&seen, names[i]) && names[i][0])
            chk_report(r, R_DUPLICATE_COLUMN, locs[i], "column %s is named twice in %s", names[i],
                       where);
    chk_names_free(&seen);
}

/* Collects the plain column names of a list of ResTarget nodes (SET a = .., INSERT (a, ..)). */
static size_t target_names(const List *v, const char **names, int *locs, size_t max)
{
    size_t k = 0;
    PG_FOREACH(v, e)
    {
        const ResTarget *t = PG_AS(e, ResTarget);
        if (k < max && t && !list_length(t->indirection)) {
            names[k] = PG_S(t->name);
            locs[k++] = t->location;
        }
    }
    return k;
}

void pg_duplicate_column(struct chk_run *r, const struct chk_stmt *s)
{
    const Node *n = s->node;
    const char *names[256];
    int locs[256];
    size_t k = 0;
    const char *where = NULL;

    switch (nodeTag(n)) {
    case T_CreateStmt:
        where = "CREATE TABLE";
        PG_FOREACH(((const CreateStmt *)n)->tableElts, e)
        {
            if (k < 256 && IsA(e, ColumnDef)) {
                names[k] = PG_S(((const ColumnDef *)e)->colname);
                locs[k++] = ((const ColumnDef *)e)->location;
            }
        }
        break;
    case T_UpdateStmt:
        where = "UPDATE ... SET";
        k = target_names(((const UpdateStmt *)n)->targetList, names, locs, 256);
        break;
    case T_InsertStmt:
        where = "the INSERT column list";
        k = target_names(((const InsertStmt *)n)->cols, names, locs, 256);
        break;
    case T_ViewStmt:
        where = "the view's column list";
        PG_FOREACH(((const ViewStmt *)n)->aliases, e)
        {
            if (k < 256) {
                names[k] = pg_str(e);
                locs[k++] = -1;
            }
        }
        break;
    default:
        return;
    }
    dup_names(r, names, locs, k, where);
}
