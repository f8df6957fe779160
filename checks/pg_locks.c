/*
 * pg_locks.c — PostgreSQL rules about locks and rewrites: what blocks reads
 * or writes of a table others use, and for how long.  Tables created
 * earlier in the same file (or by a file listed as new) are exempt: nobody
 * else can see them yet.
 */
#include "pg_rules.h"

#include <stdio.h>
#include <string.h>

/* The table of an index, if the run saw the index created. */
static const char *index_table(const struct chk_run *r, const char *name)
{
    const struct chk_index *x = chk_map_get(&r->indexes, name);
    return x ? x->table : NULL;
}

void pg_require_concurrent_index(struct chk_run *r, const struct chk_stmt *s)
{
    const IndexStmt *x = PG_IS(s, IndexStmt);
    if (!x || x->concurrent || chk_table_is_new(r, pg_rel(x->relation)))
        return;
    chk_report(r, R_REQUIRE_CONCURRENT_INDEX, pg_rel_loc(x->relation),
               "CREATE INDEX on \"%s\" without CONCURRENTLY blocks writes to it for the whole "
               "build",
               pg_rel(x->relation));
}

void pg_require_concurrent_index_drop(struct chk_run *r, const struct chk_stmt *s)
{
    const DropStmt *d = PG_IS(s, DropStmt);
    if (!d || d->removeType != OBJECT_INDEX || d->concurrent)
        return;
    PG_FOREACH(d->objects, o)
    {
        const char *name = IsA(o, List) ? pg_last_name((const List *)o) : pg_str(o);
        const char *t = index_table(r, name);
        if (t && chk_table_is_new(r, t))
            continue;
        chk_report(r, R_REQUIRE_CONCURRENT_INDEX_DROP, -1,
                   "DROP INDEX \"%s\" without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on "
                   "its table",
                   name);
    }
}

void pg_require_concurrent_reindex(struct chk_run *r, const struct chk_stmt *s)
{
    const ReindexStmt *x = PG_IS(s, ReindexStmt);
    if (!x || r->cfg->pg_version < 12 || pg_has_defelem(x->params, "concurrently"))
        return;
    if (x->relation && chk_table_is_new(r, pg_rel(x->relation)))
        return;
    chk_report(r, R_REQUIRE_CONCURRENT_REINDEX, -1, NULL);
}

void pg_require_concurrent_detach(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || r->cfg->pg_version < 14 || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        const PartitionCmd *p = PG_AS(c->def, PartitionCmd);
        if (c->subtype != AT_DetachPartition || !p || p->concurrent)
            continue;
        chk_report(r, R_REQUIRE_CONCURRENT_DETACH, pg_rel_loc(a->relation), NULL);
    }
}

/* ADD CONSTRAINT of `type` (or a column constraint of ADD COLUMN) on an existing table. */
typedef void (*constraint_fn)(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                              int in_add_column);

static void each_new_constraint(struct chk_run *r, const struct chk_stmt *s, constraint_fn fn)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        const Constraint *k = PG_AS(c->def, Constraint);
        const ColumnDef *cd = PG_AS(c->def, ColumnDef);
        if (c->subtype == AT_AddConstraint && k)
            fn(r, a, k, 0);
        if (c->subtype == AT_AddColumn && cd) {
            PG_FOREACH(cd->constraints, n)
            {
                if (IsA(n, Constraint))
                    fn(r, a, (const Constraint *)n, 1);
            }
        }
    }
}

static void fk_fn(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                  int in_add_column)
{
    if (k->contype != CONSTR_FOREIGN || k->skip_validation)
        return;
    chk_report(r, R_ADD_FK_NOT_VALID, k->location,
               in_add_column
                   ? "ADD COLUMN ... REFERENCES \"%s\" validates the foreign key at once: writes "
                     "to \"%s\" and \"%s\" are blocked while \"%s\" is scanned"
                   : "adding a foreign key to \"%s\" without NOT VALID blocks writes to \"%s\" "
                     "and \"%s\" while \"%s\" is scanned",
               pg_rel(a->relation), pg_rel(a->relation), pg_rel(k->pktable), pg_rel(a->relation));
}

void pg_add_fk_not_valid(struct chk_run *r, const struct chk_stmt *s)
{
    each_new_constraint(r, s, fk_fn);
}

static void check_fn(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                     int in_add_column)
{
    if (k->contype != CONSTR_CHECK || k->skip_validation)
        return;
    chk_report(r, R_ADD_CHECK_NOT_VALID, k->location,
               "adding CHECK constraint%s%s to \"%s\" without NOT VALID scans the table under an "
               "ACCESS EXCLUSIVE lock",
               PG_S(k->conname)[0] ? " " : "", PG_S(k->conname), pg_rel(a->relation));
    (void)in_add_column;
}

void pg_add_check_not_valid(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterDomainStmt *d = PG_IS(s, AlterDomainStmt);
    if (d) {
        /* subtype 'C': ADD CONSTRAINT; every column of the domain is checked */
        const Constraint *k = PG_AS(d->def, Constraint);
        if (d->subtype == 'C' && k && !k->skip_validation)
            chk_report(r, R_ADD_CHECK_NOT_VALID, k->location,
                       "ALTER DOMAIN ... ADD CONSTRAINT without NOT VALID checks every column "
                       "of the domain in every table while they are locked");
        return;
    }
    each_new_constraint(r, s, check_fn);
}

void pg_validate_same_txn(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || !s->in_txn || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype != AT_ValidateConstraint)
            continue;
        if (chk_strv_has(r->notvalid, r->nnotvalid, PG_S(c->name)))
            chk_report(r, R_VALIDATE_SAME_TXN, pg_rel_loc(a->relation),
                       "VALIDATE CONSTRAINT %s in the transaction that added it NOT VALID: the "
                       "ADD's ACCESS EXCLUSIVE lock is held during the scan",
                       PG_S(c->name));
        else if (r->strong_lock >= 0)
            chk_report(r, R_VALIDATE_SAME_TXN, pg_rel_loc(a->relation),
                       "VALIDATE CONSTRAINT %s runs in a transaction that already holds a "
                       "blocking lock on \"%s\"",
                       PG_S(c->name), r->strong_table);
    }
}

static void unique_fn(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                      int in_add_column)
{
    if (k->contype != CONSTR_UNIQUE || PG_S(k->indexname)[0])
        return;
    chk_report(r, R_ADD_UNIQUE_WITHOUT_INDEX, k->location,
               "%s UNIQUE on \"%s\" builds the index under an ACCESS EXCLUSIVE lock",
               in_add_column ? "ADD COLUMN ..." : "ADD CONSTRAINT ...", pg_rel(a->relation));
}

void pg_add_unique_without_index(struct chk_run *r, const struct chk_stmt *s)
{
    each_new_constraint(r, s, unique_fn);
}

static void pk_fn(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                  int in_add_column)
{
    if (k->contype != CONSTR_PRIMARY || PG_S(k->indexname)[0])
        return;
    chk_report(r, R_ADD_PK_WITHOUT_INDEX, k->location,
               "%s PRIMARY KEY on \"%s\" builds the index under an ACCESS EXCLUSIVE lock",
               in_add_column ? "ADD COLUMN ..." : "ADD", pg_rel(a->relation));
}

void pg_add_pk_without_index(struct chk_run *r, const struct chk_stmt *s)
{
    each_new_constraint(r, s, pk_fn);
}

void pg_pk_nullable(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    struct chk_table *t = chk_table_get(r, pg_rel(a->relation));
    PG_FOREACH_CMD(a, c)
    {
        const Constraint *k = PG_AS(c->def, Constraint);
        if (c->subtype != AT_AddConstraint || !k)
            continue;
        if (k->contype != CONSTR_PRIMARY || !PG_S(k->indexname)[0])
            continue;
        const struct chk_index *x = chk_map_get(&r->indexes, k->indexname);
        if (!x || !t)
            continue; /* what the columns are is not known: say nothing */
        char cols[512];
        snprintf(cols, sizeof(cols), "%s", x->cols);
        for (char *save = NULL, *col = strtok_r(cols, ",", &save); col;
             col = strtok_r(NULL, ",", &save)) {
            const struct chk_col *cc = chk_col_get(t, col);
            if (cc && !cc->not_null && !cc->proven)
                chk_report(r, R_PK_NULLABLE, k->location,
                           "PRIMARY KEY USING INDEX %s makes \"%s\".%s NOT NULL, which scans the "
                           "table under an ACCESS EXCLUSIVE lock",
                           k->indexname, pg_rel(a->relation), col);
        }
    }
}

static void exclusion_fn(struct chk_run *r, const AlterTableStmt *a, const Constraint *k,
                         int in_add_column)
{
    (void)in_add_column;
    if (k->contype == CONSTR_EXCLUSION)
        chk_report(r, R_ADD_EXCLUSION, k->location,
                   "adding an exclusion constraint to \"%s\" builds its index and checks every "
                   "row under an ACCESS EXCLUSIVE lock",
                   pg_rel(a->relation));
}

void pg_add_exclusion(struct chk_run *r, const struct chk_stmt *s)
{
    each_new_constraint(r, s, exclusion_fn);
}

void pg_set_not_null(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    struct chk_table *t = chk_table_get(r, pg_rel(a->relation));
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype != AT_SetNotNull)
            continue;
        const struct chk_col *col = chk_col_get(t, PG_S(c->name));
        if (col && (col->not_null || (col->proven && r->cfg->pg_version >= 12)))
            continue; /* already NOT NULL, or proven by a validated CHECK: no scan */
        chk_report(r, R_SET_NOT_NULL, pg_rel_loc(a->relation),
                   "SET NOT NULL on \"%s\".%s scans the whole table under an ACCESS EXCLUSIVE "
                   "lock",
                   pg_rel(a->relation), PG_S(c->name));
    }
}

/* The ADD COLUMN definitions of an ALTER TABLE on an existing table, one at a time. */
#define FOREACH_ADD_COLUMN(r, s, a, cd)                                                            \
    const AlterTableStmt *a = pg_alter_table(s);                                                   \
    if (!a || pg_alter_is_new(r, a))                                                               \
        return;                                                                                    \
    PG_FOREACH_CMD(a, c##cd)                                                                       \
    for (const ColumnDef *cd = c##cd->subtype == AT_AddColumn ? PG_AS(c##cd->def, ColumnDef)       \
                                                              : NULL;                              \
         cd; cd = NULL)

void pg_add_column_volatile_default(struct chk_run *r, const struct chk_stmt *s)
{
    FOREACH_ADD_COLUMN(r, s, a, cd)
    {
        const Constraint *d = pg_col_constraint(cd, CONSTR_DEFAULT);
        const char *why = "";
        if (!d || !d->raw_expr)
            continue;
        const Node *e = d->raw_expr;
        if (IsA(e, A_Const) && ((const A_Const *)e)->isnull)
            continue; /* DEFAULT NULL changes nothing */
        if (r->cfg->pg_version < 11) {
            chk_report(r, R_ADD_COLUMN_VOLATILE_DEFAULT, d->location,
                       "before PostgreSQL 11, ADD COLUMN %s with a DEFAULT rewrites \"%s\" under "
                       "an ACCESS EXCLUSIVE lock",
                       PG_S(cd->colname), pg_rel(a->relation));
            continue;
        }
        if (pg_expr_nonvolatile(e, &why))
            continue;
        const char *fn = pg_expr_func(e);
        chk_report(r, R_ADD_COLUMN_VOLATILE_DEFAULT, d->location,
                   "ADD COLUMN %s with DEFAULT %s%s%s: every row of \"%s\" is rewritten under an "
                   "ACCESS EXCLUSIVE lock",
                   PG_S(cd->colname), fn[0] ? fn : "expression", fn[0] ? "() " : " ", why,
                   pg_rel(a->relation));
    }
}

void pg_add_column_rewrite_type(struct chk_run *r, const struct chk_stmt *s)
{
    FOREACH_ADD_COLUMN(r, s, a, cd)
    {
        const char *t = pg_type_name(cd->typeName);
        const Constraint *g = pg_col_constraint(cd, CONSTR_GENERATED);
        const char *what = NULL;
        if (pg_is_serial(t))
            what = t;
        else if (pg_col_constraint(cd, CONSTR_IDENTITY))
            what = "an identity column";
        else if (g)
            what = "a stored generated column";
        if (what)
            chk_report(r, R_ADD_COLUMN_REWRITE_TYPE, cd->location,
                       "ADD COLUMN %s as %s fills every existing row: \"%s\" is rewritten under "
                       "an ACCESS EXCLUSIVE lock",
                       PG_S(cd->colname), what, pg_rel(a->relation));
    }
}

void pg_change_column_type(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    struct chk_table *t = chk_table_get(r, pg_rel(a->relation));
    PG_FOREACH_CMD(a, c)
    {
        const ColumnDef *cd = PG_AS(c->def, ColumnDef);
        if (c->subtype != AT_AlterColumnType || !cd)
            continue;
        struct mg_buf to = MG_BUF_INIT;
        const char *why = NULL;
        pg_type_text(&to, cd->typeName);
        const struct chk_col *col = chk_col_get(t, PG_S(c->name));
        int using = cd->raw_default != NULL;
        if (col && col->type[0] && !using &&
            pg_type_change_safe(col->type, to.ptr, r->cfg->pg_version, &why)) {
            mg_buf_free(&to);
            continue;
        }
        if (col && col->type[0])
            chk_report(r, R_CHANGE_COLUMN_TYPE, cd->location,
                       "changing \"%s\".%s from %s to %s%s rewrites the table and its indexes "
                       "under an ACCESS EXCLUSIVE lock",
                       pg_rel(a->relation), PG_S(c->name), col->type, to.ptr,
                       using ? " with USING" : "");
        else
            chk_report(r, R_CHANGE_COLUMN_TYPE, cd->location,
                       "changing the type of \"%s\".%s to %s rewrites the table and its indexes "
                       "under an ACCESS EXCLUSIVE lock, unless it is binary-compatible (varchar "
                       "growing or to text, numeric precision growing)",
                       pg_rel(a->relation), PG_S(c->name), to.ptr);
        mg_buf_free(&to);
    }
}

void pg_table_rewrite(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (a) {
        if (pg_alter_is_new(r, a))
            return;
        PG_FOREACH_CMD(a, c)
        {
            const char *what = NULL;
            switch (c->subtype) {
            case AT_SetLogged:
                what = "SET LOGGED";
                break;
            case AT_SetUnLogged:
                what = "SET UNLOGGED";
                break;
            case AT_SetTableSpace:
                what = "SET TABLESPACE";
                break;
            case AT_SetAccessMethod:
                what = "SET ACCESS METHOD";
                break;
            default:
                break;
            }
            if (what)
                chk_report(r, R_TABLE_REWRITE, pg_rel_loc(a->relation),
                           "%s rewrites \"%s\" under an ACCESS EXCLUSIVE lock", what,
                           pg_rel(a->relation));
        }
        return;
    }
    const VacuumStmt *v = PG_IS(s, VacuumStmt);
    if (v && v->is_vacuumcmd && pg_has_defelem(v->options, "full")) {
        chk_report(r, R_TABLE_REWRITE, -1,
                   "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock");
        return;
    }
    const ClusterStmt *cl = PG_IS(s, ClusterStmt);
    if (cl && !(cl->relation && chk_table_is_new(r, pg_rel(cl->relation))))
        chk_report(r, R_TABLE_REWRITE, -1,
                   "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock");
}

void pg_create_trigger(struct chk_run *r, const struct chk_stmt *s)
{
    const CreateTrigStmt *t = PG_IS(s, CreateTrigStmt);
    if (!t || chk_table_is_new(r, pg_rel(t->relation)))
        return;
    chk_report(r, R_CREATE_TRIGGER, pg_rel_loc(t->relation),
               "CREATE TRIGGER on \"%s\" takes a SHARE ROW EXCLUSIVE lock that blocks writes",
               pg_rel(t->relation));
}

/* Does the statement only set session state or end the transaction? */
static int is_harmless_follower(const struct chk_stmt *s)
{
    switch (nodeTag(s->node)) {
    case T_VariableSetStmt:
    case T_TransactionStmt:
    case T_VariableShowStmt:
        return 1;
    default:
        return 0;
    }
}

/* Can the statement take long on a table others use: DML, or DDL that locks or scans it? */
static int slow_on_existing(const struct chk_run *r, const struct chk_stmt *s, const char **table)
{
    const Node *n = s->node;
    const RangeVar *rel = NULL;
    switch (nodeTag(n)) {
    case T_UpdateStmt:
        rel = ((const UpdateStmt *)n)->relation;
        break;
    case T_DeleteStmt:
        rel = ((const DeleteStmt *)n)->relation;
        break;
    case T_InsertStmt:
        rel = ((const InsertStmt *)n)->relation;
        break;
    case T_AlterTableStmt:
        /* VALIDATE and SET STATISTICS scan or wait too */
        rel = ((const AlterTableStmt *)n)->relation;
        break;
    default:
        return pg_takes_blocking_lock(r, s, table);
    }
    if (!rel || chk_table_is_new(r, pg_rel(rel)))
        return 0;
    *table = pg_rel(rel);
    return 1;
}

void pg_stmt_after_lock(struct chk_run *r, const struct chk_stmt *s)
{
    const char *t = NULL;
    if (!s->in_txn || r->strong_lock < 0 || r->strong_told || is_harmless_follower(s))
        return;
    /* cheap statements on new objects add nothing; the same table is blocked anyway
       (combine-alter-table may say more) */
    if (!slow_on_existing(r, s, &t) || !strcmp(t, r->strong_table))
        return;
    r->strong_told = 1;
    chk_report(r, R_STMT_AFTER_EXCLUSIVE_LOCK, -1,
               "this statement runs while the transaction holds the lock an earlier statement "
               "took on \"%s\": \"%s\" stays blocked until COMMIT",
               r->strong_table, r->strong_table);
}

void pg_combine_alter(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || !s->in_txn || pg_alter_is_new(r, a))
        return;
    if (chk_strv_has(r->altered, r->naltered, pg_rel(a->relation)))
        chk_report(r, R_COMBINE_ALTER_TABLE, pg_rel_loc(a->relation),
                   "another ALTER TABLE \"%s\" in this transaction: one statement with "
                   "comma-separated actions takes the lock once",
                   pg_rel(a->relation));
}

/* Does the statement take a lock that blocks reads or writes of an existing table? */
int pg_takes_blocking_lock(const struct chk_run *r, const struct chk_stmt *s, const char **table)
{
    const Node *n = s->node;
    const char *t = NULL;
    switch (nodeTag(n)) {
    case T_AlterTableStmt: {
        const AlterTableStmt *a = (const AlterTableStmt *)n;
        int blocking = 0;
        PG_FOREACH_CMD(a, c)
        {
            switch (c->subtype) {
            case AT_SetStatistics:
            case AT_SetOptions:
            case AT_ResetOptions:
            case AT_ValidateConstraint:
            case AT_ClusterOn:
            case AT_DropCluster:
            case AT_SetRelOptions:
            case AT_ResetRelOptions:
            case AT_AttachPartition:
                break;
            case AT_DetachPartition: {
                const PartitionCmd *p = PG_AS(c->def, PartitionCmd);
                if (!(p && p->concurrent))
                    blocking = 1;
                break;
            }
            default:
                blocking = 1;
            }
        }
        if (blocking)
            t = pg_rel(a->relation);
        break;
    }
    case T_IndexStmt:
        if (!((const IndexStmt *)n)->concurrent)
            t = pg_rel(((const IndexStmt *)n)->relation);
        break;
    case T_CreateTrigStmt:
        t = pg_rel(((const CreateTrigStmt *)n)->relation);
        break;
    case T_RenameStmt:
        if (((const RenameStmt *)n)->relation)
            t = pg_rel(((const RenameStmt *)n)->relation);
        break;
    case T_CreateStmt:
        /* a foreign key takes SHARE ROW EXCLUSIVE on the table it references */
        PG_FOREACH(((const CreateStmt *)n)->tableElts, e)
        {
            const Constraint *k = NULL;
            if (t)
                continue; /* the first one found names the table */
            if (IsA(e, Constraint))
                k = (const Constraint *)e;
            else if (IsA(e, ColumnDef))
                k = pg_col_constraint((const ColumnDef *)e, CONSTR_FOREIGN);
            if (k && k->contype == CONSTR_FOREIGN && k->pktable &&
                !chk_table_is_new(r, pg_rel(k->pktable)))
                t = pg_rel(k->pktable);
        }
        break;
    case T_TruncateStmt: {
        const List *rels = ((const TruncateStmt *)n)->relations;
        if (list_length(rels) && IsA(linitial(rels), RangeVar))
            t = pg_rel(linitial(rels));
        break;
    }
    case T_DropStmt: {
        const DropStmt *d = (const DropStmt *)n;
        if ((d->removeType == OBJECT_TABLE || d->removeType == OBJECT_INDEX) && !d->concurrent &&
            list_length(d->objects) && IsA(linitial(d->objects), List)) {
            t = pg_last_name(linitial(d->objects));
            if (d->removeType == OBJECT_INDEX) {
                const struct chk_index *x = chk_map_get(&r->indexes, t);
                t = x ? x->table : t;
            }
        }
        break;
    }
    default:
        break;
    }
    if (!t || !t[0] || chk_table_is_new(r, t))
        return 0;
    *table = t;
    return 1;
}

void pg_require_lock_timeout(struct chk_run *r, const struct chk_stmt *s)
{
    const char *t;
    if (r->lock_timeout || r->lock_timeout_told || !pg_takes_blocking_lock(r, s, &t))
        return;
    r->lock_timeout_told = 1;
    chk_report(r, R_REQUIRE_LOCK_TIMEOUT, -1,
               "this statement locks \"%s\" with no lock_timeout set earlier in the file: while "
               "it waits, every query on \"%s\" queues behind it",
               t, t);
}

void pg_require_statement_timeout(struct chk_run *r, const struct chk_stmt *s)
{
    const char *t;
    if (r->statement_timeout || r->statement_timeout_told || !pg_takes_blocking_lock(r, s, &t))
        return;
    r->statement_timeout_told = 1;
    chk_report(r, R_REQUIRE_STATEMENT_TIMEOUT, -1, NULL);
}

void pg_replica_identity(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_ReplicaIdentity)
            chk_report(r, R_REPLICA_IDENTITY, pg_rel_loc(a->relation), NULL);
    }
}

void pg_autovacuum_disabled(struct chk_run *r, const struct chk_stmt *s)
{
    const List *opts = NIL;
    const AlterTableStmt *a = pg_alter_table(s);
    const CreateStmt *cs = PG_IS(s, CreateStmt);
    if (cs)
        opts = cs->options;
    if (a) {
        PG_FOREACH_CMD(a, c)
        {
            if (c->subtype == AT_SetRelOptions && c->def && IsA(c->def, List))
                opts = (const List *)c->def;
        }
    }
    PG_FOREACH(opts, o)
    {
        const DefElem *d = PG_AS(o, DefElem);
        if (!d || !(chk_eq(d->defname, "autovacuum_enabled") ||
                    (chk_eq(d->defname, "enabled") && chk_eq(d->defnamespace, "toast"))))
            continue;
        const Node *v = d->arg;
        const A_Const *k = PG_AS(v, A_Const);
        const char *sv = pg_str(v);
        int off = chk_eq(sv, "false") || chk_eq(sv, "off") || chk_eq(sv, "0") || chk_eq(sv, "no");
        if (k && !k->isnull && IsA(&k->val, Integer))
            off = k->val.ival.ival == 0;
        if (k && !k->isnull && IsA(&k->val, String))
            off = chk_eq(PG_S(k->val.sval.sval), "false") || chk_eq(PG_S(k->val.sval.sval), "off");
        if (k && !k->isnull && IsA(&k->val, Boolean))
            off = !k->val.boolval.boolval;
        /* reloption values such as 0 arrive as bare Integer nodes */
        if (v && IsA(v, Integer))
            off = intVal(v) == 0;
        if (off)
            chk_report(r, R_AUTOVACUUM_DISABLED, d->location, NULL);
    }
}

void pg_index_partitioned(struct chk_run *r, const struct chk_stmt *s)
{
    const IndexStmt *x = PG_IS(s, IndexStmt);
    if (!x || !x->relation || !x->relation->inh || chk_table_is_new(r, pg_rel(x->relation)))
        return; /* ON ONLY parent is the safe first step */
    const struct chk_table *t = chk_table_get(r, pg_rel(x->relation));
    if (t && t->partitioned)
        chk_report(r, R_INDEX_PARTITIONED, pg_rel_loc(x->relation),
                   "\"%s\" is partitioned: this index blocks writes on every partition and "
                   "cannot be built CONCURRENTLY",
                   pg_rel(x->relation));
}

void pg_pg14_cic_bug(struct chk_run *r, const struct chk_stmt *s)
{
    if (r->cfg->pg_version != 14 || r->cfg->pg_minor < 0 || r->cfg->pg_minor >= 4)
        return;
    const IndexStmt *x = PG_IS(s, IndexStmt);
    const ReindexStmt *ri = PG_IS(s, ReindexStmt);
    if ((x && x->concurrent) || (ri && pg_has_defelem(ri->params, "concurrently")))
        chk_report(r, R_PG14_CIC_BUG, -1,
                   "PostgreSQL 14.%d can corrupt indexes built CONCURRENTLY (fixed in 14.4)",
                   r->cfg->pg_minor);
}

void pg_unbatched_backfill(struct chk_run *r, const struct chk_stmt *s)
{
    const UpdateStmt *u = PG_IS(s, UpdateStmt);
    const DeleteStmt *d = PG_IS(s, DeleteStmt);
    const RangeVar *rel = u ? u->relation : d ? d->relation : NULL;
    if (!rel || (u && u->whereClause) || (d && d->whereClause) || chk_table_is_new(r, pg_rel(rel)))
        return;
    chk_report(r, R_UNBATCHED_BACKFILL, pg_rel_loc(rel),
               "%s of every row of \"%s\" in one statement locks them all until the migration "
               "commits",
               u ? "UPDATE" : "DELETE", pg_rel(rel));
}
