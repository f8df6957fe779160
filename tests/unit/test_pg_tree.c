/*
 * test_pg_tree.c — the linter reads libpg_query's raw parse tree through
 * PostgreSQL's server headers (pg_rules.h), which are a different minor
 * release than the parser libpg_query compiled in.  Node tags are a dense
 * enum and the structs are read field by field, so a shifted tag or field
 * would silently change findings: this parses a statement for every node
 * kind and field the rules read and checks tags, enums, flags, strings and
 * locations against what the SQL says.
 */
#include "pg_rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void *trees;

static int setup(void **state)
{
    (void)state;
    trees = chk_pg_trees_open();
    return trees ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    chk_pg_trees_close(trees);
    return 0;
}

/* The statement's node, which must be of tag `tag`. */
static Node *parse(const char *sql, NodeTag tag)
{
    struct chk_run r;
    struct chk_stmt s;
    memset(&r, 0, sizeof(r));
    memset(&s, 0, sizeof(s));
    s.sql = (char *)sql;
    chk_pg_parse(&r, &s);
    if (!s.node)
        fail_msg("no tree for: %s", sql);
    if (nodeTag(s.node) != tag)
        fail_msg("tag %d, expected %d, for: %s", (int)nodeTag(s.node), (int)tag, sql);
    return s.node;
}

/* Element i of a list, which must be of tag `tag`. */
static void *nth(const List *l, int i, NodeTag tag)
{
    assert_true(i < list_length(l));
    Node *n = list_nth(l, i);
    assert_non_null(n);
    assert_int_equal(nodeTag(n), tag);
    return n;
}

static long ival(const Node *n)
{
    const A_Const *c = (const A_Const *)n;
    assert_int_equal(nodeTag(n), T_A_Const);
    assert_false(c->isnull);
    assert_int_equal(nodeTag(&c->val), T_Integer);
    return c->val.ival.ival;
}

static void test_alter_table_add_column(void **state)
{
    (void)state;
    const char *sql = "ALTER TABLE app.users ADD COLUMN IF NOT EXISTS email varchar(20) NOT NULL "
                      "DEFAULT now(), ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id) "
                      "NOT VALID";
    AlterTableStmt *a = (AlterTableStmt *)parse(sql, T_AlterTableStmt);
    assert_int_equal(a->objtype, OBJECT_TABLE);
    assert_string_equal(a->relation->relname, "users");
    assert_string_equal(a->relation->schemaname, "app");
    assert_true(a->relation->inh);
    assert_int_equal(a->relation->relpersistence, 'p');
    assert_int_equal(a->relation->location, strstr(sql, "app.users") - sql);
    assert_int_equal(list_length(a->cmds), 2);

    AlterTableCmd *c = nth(a->cmds, 0, T_AlterTableCmd);
    assert_int_equal(c->subtype, AT_AddColumn);
    assert_true(c->missing_ok);
    ColumnDef *cd = (ColumnDef *)c->def;
    assert_int_equal(nodeTag(cd), T_ColumnDef);
    assert_string_equal(cd->colname, "email");
    assert_int_equal(cd->location, strstr(sql, "email") - sql);
    assert_int_equal(nodeTag(cd->typeName), T_TypeName);
    assert_string_equal(pg_type_name(cd->typeName), "varchar");
    assert_int_equal(cd->typeName->location, strstr(sql, "varchar") - sql);
    assert_int_equal(ival(linitial(cd->typeName->typmods)), 20);
    assert_int_equal(list_length(cd->constraints), 2);
    Constraint *nn = nth(cd->constraints, 0, T_Constraint);
    assert_int_equal(nn->contype, CONSTR_NOTNULL);
    Constraint *def = nth(cd->constraints, 1, T_Constraint);
    assert_int_equal(def->contype, CONSTR_DEFAULT);
    assert_int_equal(def->location, strstr(sql, "DEFAULT") - sql);
    FuncCall *f = (FuncCall *)def->raw_expr;
    assert_int_equal(nodeTag(f), T_FuncCall);
    assert_string_equal(pg_last_name(f->funcname), "now");
    assert_int_equal(nodeTag(linitial(f->funcname)), T_String);

    c = nth(a->cmds, 1, T_AlterTableCmd);
    assert_int_equal(c->subtype, AT_AddConstraint);
    Constraint *fk = (Constraint *)c->def;
    assert_int_equal(nodeTag(fk), T_Constraint);
    assert_int_equal(fk->contype, CONSTR_FOREIGN);
    assert_string_equal(fk->conname, "fk");
    assert_true(fk->skip_validation);
    assert_string_equal(pg_rel(fk->pktable), "orgs");
    assert_string_equal(pg_str(linitial(fk->fk_attrs)), "org_id");
    assert_int_equal(fk->location, strstr(sql, "CONSTRAINT fk") - sql);
}

static void test_alter_table_commands(void **state)
{
    (void)state;
    AlterTableStmt *a = (AlterTableStmt *)parse(
        "ALTER TABLE ONLY t ALTER COLUMN c TYPE numeric(10,2) USING c::numeric, "
        "ALTER COLUMN d DROP DEFAULT, ALTER COLUMN e SET NOT NULL, ALTER COLUMN e DROP NOT NULL, "
        "DROP COLUMN IF EXISTS f, DROP CONSTRAINT IF EXISTS k, VALIDATE CONSTRAINT v, "
        "REPLICA IDENTITY FULL, SET (autovacuum_enabled = false), SET LOGGED, "
        "DISABLE TRIGGER ALL, ENABLE ROW LEVEL SECURITY, ALTER COLUMN g DROP EXPRESSION",
        T_AlterTableStmt);
    static const AlterTableType want[] = {
        AT_AlterColumnType, AT_ColumnDefault,  AT_SetNotNull,         AT_DropNotNull,
        AT_DropColumn,      AT_DropConstraint, AT_ValidateConstraint, AT_ReplicaIdentity,
        AT_SetRelOptions,   AT_SetLogged,      AT_DisableTrigAll,     AT_EnableRowSecurity,
        AT_DropExpression};
    assert_false(a->relation->inh);
    assert_int_equal(list_length(a->cmds), (int)(sizeof(want) / sizeof(want[0])));
    for (int i = 0; i < list_length(a->cmds); i++) {
        AlterTableCmd *c = nth(a->cmds, i, T_AlterTableCmd);
        assert_int_equal(c->subtype, want[i]);
    }
    AlterTableCmd *type = list_nth(a->cmds, 0);
    assert_string_equal(type->name, "c");
    ColumnDef *cd = (ColumnDef *)type->def;
    assert_int_equal(nodeTag(cd), T_ColumnDef);
    assert_non_null(cd->raw_default); /* USING */
    assert_int_equal(nodeTag(cd->raw_default), T_TypeCast);
    assert_int_equal(ival(list_nth(cd->typeName->typmods, 1)), 2);
    AlterTableCmd *drop_default = list_nth(a->cmds, 1);
    assert_null(drop_default->def);
    AlterTableCmd *drop_col = list_nth(a->cmds, 4);
    assert_string_equal(drop_col->name, "f");
    assert_true(drop_col->missing_ok);
    AlterTableCmd *relopts = list_nth(a->cmds, 8);
    DefElem *d = nth((List *)relopts->def, 0, T_DefElem);
    assert_string_equal(d->defname, "autovacuum_enabled");
    assert_null(d->defnamespace);
    assert_int_equal(nodeTag(d->arg), T_String);
    assert_string_equal(pg_str(d->arg), "false");
}

static void test_detach_and_domain(void **state)
{
    (void)state;
    AlterTableStmt *a =
        (AlterTableStmt *)parse("ALTER TABLE p DETACH PARTITION c CONCURRENTLY", T_AlterTableStmt);
    AlterTableCmd *c = nth(a->cmds, 0, T_AlterTableCmd);
    assert_int_equal(c->subtype, AT_DetachPartition);
    PartitionCmd *p = (PartitionCmd *)c->def;
    assert_int_equal(nodeTag(p), T_PartitionCmd);
    assert_true(p->concurrent);
    assert_string_equal(pg_rel(p->name), "c");

    AlterDomainStmt *d = (AlterDomainStmt *)parse(
        "ALTER DOMAIN pos ADD CONSTRAINT k CHECK (VALUE > 0) NOT VALID", T_AlterDomainStmt);
    assert_int_equal(d->subtype, 'C');
    assert_int_equal(nodeTag(d->def), T_Constraint);
    assert_int_equal(((Constraint *)d->def)->contype, CONSTR_CHECK);
    assert_true(((Constraint *)d->def)->skip_validation);

    CreateDomainStmt *cd = (CreateDomainStmt *)parse(
        "CREATE DOMAIN pos int NOT NULL CHECK (VALUE > 0)", T_CreateDomainStmt);
    assert_int_equal(((Constraint *)nth(cd->constraints, 0, T_Constraint))->contype,
                     CONSTR_NOTNULL);
    assert_int_equal(((Constraint *)nth(cd->constraints, 1, T_Constraint))->contype, CONSTR_CHECK);
}

static void test_create_table(void **state)
{
    (void)state;
    const char *sql =
        "CREATE TEMP TABLE IF NOT EXISTS t (id serial PRIMARY KEY, at timestamp[] DEFAULT NULL, "
        "ok boolean DEFAULT true CHECK (ok IS NOT NULL), code char(3) REFERENCES c (code), "
        "UNIQUE (code) USING INDEX TABLESPACE x, EXCLUDE USING gist (r WITH &&)) "
        "PARTITION BY RANGE (id) WITH (autovacuum_enabled = 0)";
    CreateStmt *cs = (CreateStmt *)parse(sql, T_CreateStmt);
    assert_true(cs->if_not_exists);
    assert_int_equal(cs->relation->relpersistence, 't');
    assert_non_null(cs->partspec);
    assert_int_equal(nodeTag(cs->partspec), T_PartitionSpec);
    DefElem *opt = nth(cs->options, 0, T_DefElem);
    assert_int_equal(nodeTag(opt->arg), T_Integer);
    assert_int_equal(opt->location, strstr(sql, "autovacuum_enabled") - sql);

    ColumnDef *id = nth(cs->tableElts, 0, T_ColumnDef);
    assert_string_equal(pg_type_name(id->typeName), "serial");
    assert_non_null(pg_col_constraint(id, CONSTR_PRIMARY));
    ColumnDef *at = nth(cs->tableElts, 1, T_ColumnDef);
    assert_int_equal(list_length(at->typeName->arrayBounds), 1);
    Constraint *null_default = pg_col_constraint(at, CONSTR_DEFAULT);
    assert_non_null(null_default);
    assert_int_equal(nodeTag(null_default->raw_expr), T_A_Const);
    assert_true(((A_Const *)null_default->raw_expr)->isnull);
    ColumnDef *ok = nth(cs->tableElts, 2, T_ColumnDef);
    const A_Const *t = (const A_Const *)pg_col_constraint(ok, CONSTR_DEFAULT)->raw_expr;
    assert_int_equal(nodeTag(t), T_A_Const);
    assert_int_equal(nodeTag(&t->val), T_Boolean);
    assert_true(t->val.boolval.boolval);
    Constraint *check = pg_col_constraint(ok, CONSTR_CHECK);
    assert_non_null(check);
    assert_int_equal(nodeTag(check->raw_expr), T_NullTest);
    assert_string_equal(pg_check_is_not_null(check->raw_expr), "ok");
    ColumnDef *code = nth(cs->tableElts, 3, T_ColumnDef);
    assert_string_equal(pg_type_name(code->typeName), "bpchar");
    assert_string_equal(pg_rel(pg_col_constraint(code, CONSTR_FOREIGN)->pktable), "c");
    Constraint *u = nth(cs->tableElts, 4, T_Constraint);
    assert_int_equal(u->contype, CONSTR_UNIQUE);
    assert_string_equal(pg_str(linitial(u->keys)), "code");
    Constraint *x = nth(cs->tableElts, 5, T_Constraint);
    assert_int_equal(x->contype, CONSTR_EXCLUSION);
}

static void test_indexes(void **state)
{
    (void)state;
    IndexStmt *x = (IndexStmt *)parse("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY t "
                                      "USING gin (a, (lower(b))) WHERE a > 0",
                                      T_IndexStmt);
    assert_string_equal(x->idxname, "i");
    assert_true(x->unique);
    assert_false(x->primary);
    assert_true(x->concurrent);
    assert_true(x->if_not_exists);
    assert_false(x->relation->inh);
    assert_string_equal(x->accessMethod, "gin");
    assert_non_null(x->whereClause);
    assert_string_equal(((IndexElem *)nth(x->indexParams, 0, T_IndexElem))->name, "a");
    assert_null(((IndexElem *)nth(x->indexParams, 1, T_IndexElem))->name);

    x = (IndexStmt *)parse("CREATE INDEX ON t (a)", T_IndexStmt);
    assert_null(x->idxname);
    assert_false(x->concurrent);

    DropStmt *d = (DropStmt *)parse("DROP INDEX CONCURRENTLY IF EXISTS s.i, j CASCADE", T_DropStmt);
    assert_int_equal(d->removeType, OBJECT_INDEX);
    assert_true(d->concurrent);
    assert_true(d->missing_ok);
    assert_int_equal(d->behavior, DROP_CASCADE);
    assert_string_equal(pg_last_name(nth(d->objects, 0, T_List)), "i");
    assert_string_equal(pg_last_name(nth(d->objects, 1, T_List)), "j");

    ReindexStmt *ri = (ReindexStmt *)parse("REINDEX (CONCURRENTLY) TABLE t", T_ReindexStmt);
    assert_string_equal(pg_rel(ri->relation), "t");
    assert_true(pg_has_defelem(ri->params, "concurrently"));

    VacuumStmt *v = (VacuumStmt *)parse("VACUUM FULL t", T_VacuumStmt);
    assert_true(v->is_vacuumcmd);
    assert_true(pg_has_defelem(v->options, "full"));
    parse("CLUSTER t USING i", T_ClusterStmt);
}

static void test_drops_and_renames(void **state)
{
    (void)state;
    DropStmt *d = (DropStmt *)parse("DROP SCHEMA s", T_DropStmt);
    assert_int_equal(d->removeType, OBJECT_SCHEMA);
    assert_string_equal(pg_str(linitial(d->objects)), "s");
    d = (DropStmt *)parse("DROP TYPE mood", T_DropStmt);
    assert_int_equal(d->removeType, OBJECT_TYPE);
    assert_string_equal(pg_type_name(nth(d->objects, 0, T_TypeName)), "mood");
    parse("DROP DATABASE x", T_DropdbStmt);

    TruncateStmt *t = (TruncateStmt *)parse("TRUNCATE a, b CASCADE", T_TruncateStmt);
    assert_int_equal(t->behavior, DROP_CASCADE);
    assert_string_equal(pg_rel(nth(t->relations, 1, T_RangeVar)), "b");

    RenameStmt *r = (RenameStmt *)parse("ALTER TABLE t RENAME COLUMN a TO b", T_RenameStmt);
    assert_int_equal(r->renameType, OBJECT_COLUMN);
    assert_int_equal(r->relationType, OBJECT_TABLE);
    assert_string_equal(r->subname, "a");
    assert_string_equal(r->newname, "b");
    r = (RenameStmt *)parse("ALTER VIEW v RENAME TO w", T_RenameStmt);
    assert_int_equal(r->renameType, OBJECT_VIEW);

    AlterEnumStmt *e =
        (AlterEnumStmt *)parse("ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok'", T_AlterEnumStmt);
    assert_null(e->oldVal);
    assert_string_equal(e->newVal, "meh");
    assert_string_equal(e->newValNeighbor, "ok");
    e = (AlterEnumStmt *)parse("ALTER TYPE mood RENAME VALUE 'a' TO 'b'", T_AlterEnumStmt);
    assert_string_equal(e->oldVal, "a");

    AlterObjectSchemaStmt *o =
        (AlterObjectSchemaStmt *)parse("ALTER TABLE t SET SCHEMA s", T_AlterObjectSchemaStmt);
    assert_string_equal(o->newschema, "s");
    parse("CREATE TYPE mood AS ENUM ('a')", T_CreateEnumStmt);
}

static void test_transactions_and_settings(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        TransactionStmtKind kind;
    } txn[] = {{"BEGIN", TRANS_STMT_BEGIN},
               {"START TRANSACTION", TRANS_STMT_START},
               {"COMMIT", TRANS_STMT_COMMIT},
               {"ROLLBACK", TRANS_STMT_ROLLBACK},
               {"SAVEPOINT a", TRANS_STMT_SAVEPOINT},
               {"RELEASE a", TRANS_STMT_RELEASE},
               {"ROLLBACK TO a", TRANS_STMT_ROLLBACK_TO},
               {"PREPARE TRANSACTION 'x'", TRANS_STMT_PREPARE}};
    for (size_t i = 0; i < sizeof(txn) / sizeof(txn[0]); i++)
        assert_int_equal(((TransactionStmt *)parse(txn[i].sql, T_TransactionStmt))->kind,
                         txn[i].kind);

    VariableSetStmt *v = (VariableSetStmt *)parse("SET lock_timeout = 0", T_VariableSetStmt);
    assert_int_equal(v->kind, VAR_SET_VALUE);
    assert_string_equal(v->name, "lock_timeout");
    assert_int_equal(ival(linitial(v->args)), 0);
    v = (VariableSetStmt *)parse("SET statement_timeout = '5s'", T_VariableSetStmt);
    const A_Const *c = nth(v->args, 0, T_A_Const);
    assert_int_equal(nodeTag(&c->val), T_String);
    assert_string_equal(c->val.sval.sval, "5s");
    v = (VariableSetStmt *)parse("RESET lock_timeout", T_VariableSetStmt);
    assert_int_equal(v->kind, VAR_RESET);
    parse("SHOW lock_timeout", T_VariableShowStmt);
}

static void test_dml_and_others(void **state)
{
    (void)state;
    const char *sql = "UPDATE t SET a = 1, b.c = 2, a = coalesce(x, 3)";
    UpdateStmt *u = (UpdateStmt *)parse(sql, T_UpdateStmt);
    assert_null(u->whereClause);
    assert_int_equal(list_length(u->targetList), 3);
    ResTarget *first = nth(u->targetList, 0, T_ResTarget);
    assert_string_equal(first->name, "a");
    assert_int_equal(first->location, strstr(sql, "a = 1") - sql);
    assert_int_equal(list_length(((ResTarget *)list_nth(u->targetList, 1))->indirection), 1);
    assert_int_equal(nodeTag(((ResTarget *)list_nth(u->targetList, 2))->val), T_CoalesceExpr);

    DeleteStmt *d = (DeleteStmt *)parse("DELETE FROM t WHERE a IN (1, 2)", T_DeleteStmt);
    assert_int_equal(nodeTag(d->whereClause), T_A_Expr);
    assert_int_equal(nodeTag(((A_Expr *)d->whereClause)->rexpr), T_List);

    InsertStmt *i = (InsertStmt *)parse("INSERT INTO t (a, a) VALUES (1, 2)", T_InsertStmt);
    assert_string_equal(((ResTarget *)nth(i->cols, 1, T_ResTarget))->name, "a");

    ViewStmt *v = (ViewStmt *)parse("CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2", T_ViewStmt);
    assert_true(v->replace);
    assert_string_equal(pg_rel(v->view), "v");
    assert_string_equal(pg_str(list_nth(v->aliases, 1)), "b");

    CreateTableAsStmt *ct =
        (CreateTableAsStmt *)parse("CREATE TABLE c AS SELECT 1", T_CreateTableAsStmt);
    assert_string_equal(pg_rel(ct->into->rel), "c");

    CreateTrigStmt *tr = (CreateTrigStmt *)parse(
        "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", T_CreateTrigStmt);
    assert_string_equal(pg_rel(tr->relation), "t");
    assert_false(((GrantStmt *)parse("REVOKE ALL ON t FROM u", T_GrantStmt))->is_grant);
    assert_true(((CreateFunctionStmt *)parse("CREATE OR REPLACE FUNCTION f() RETURNS int "
                                             "LANGUAGE sql AS 'SELECT 1'",
                                             T_CreateFunctionStmt))
                    ->replace);
    assert_true(((CreateSeqStmt *)parse("CREATE SEQUENCE IF NOT EXISTS s", T_CreateSeqStmt))
                    ->if_not_exists);
    parse("SELECT 1", T_SelectStmt);
    parse("ALTER SEQUENCE s RESTART", T_AlterSeqStmt);
    parse("CREATE POLICY p ON t USING (true)", T_CreatePolicyStmt);
    parse("ALTER POLICY p ON t USING (false)", T_AlterPolicyStmt);
    parse("ALTER FUNCTION f() STABLE", T_AlterFunctionStmt);
    parse("ALTER ROLE r LOGIN", T_AlterRoleStmt);
    parse("ALTER ROLE r SET x = 1", T_AlterRoleSetStmt);
    parse("ALTER DATABASE d CONNECTION LIMIT 1", T_AlterDatabaseStmt);
    parse("ALTER DATABASE d SET x = 1", T_AlterDatabaseSetStmt);
    parse("ALTER SYSTEM SET x = 1", T_AlterSystemStmt);
    parse("ALTER EXTENSION e UPDATE", T_AlterExtensionStmt);
    parse("ALTER EXTENSION e ADD TABLE t", T_AlterExtensionContentsStmt);

    const char *why = NULL;
    SelectStmt *c = (SelectStmt *)parse("SELECT '1'::int", T_SelectStmt);
    TypeCast *cast = (TypeCast *)((ResTarget *)nth(c->targetList, 0, T_ResTarget))->val;
    assert_int_equal(nodeTag(cast), T_TypeCast);
    assert_int_equal(nodeTag(cast->arg), T_A_Const);
    assert_string_equal(pg_type_name(cast->typeName), "int4");
    assert_true(pg_expr_nonvolatile((Node *)cast, &why));
    SelectStmt *s =
        (SelectStmt *)parse("SELECT random(), ARRAY[1], current_date, NOT true", T_SelectStmt);
    ResTarget *r0 = nth(s->targetList, 0, T_ResTarget);
    assert_false(pg_expr_nonvolatile(r0->val, &why));
    assert_string_equal(why, "is volatile");
    assert_string_equal(pg_expr_func(r0->val), "random");
    assert_int_equal(nodeTag(((ResTarget *)list_nth(s->targetList, 1))->val), T_A_ArrayExpr);
    assert_int_equal(nodeTag(((ResTarget *)list_nth(s->targetList, 2))->val), T_SQLValueFunction);
    assert_int_equal(nodeTag(((ResTarget *)list_nth(s->targetList, 3))->val), T_BoolExpr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alter_table_add_column),
        cmocka_unit_test(test_alter_table_commands),
        cmocka_unit_test(test_detach_and_domain),
        cmocka_unit_test(test_create_table),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_drops_and_renames),
        cmocka_unit_test(test_transactions_and_settings),
        cmocka_unit_test(test_dml_and_others),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
