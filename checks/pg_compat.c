/*
 * pg_compat.c — PostgreSQL rules about the app version that is still
 * running during a blue/green or canary deploy, and about data loss: drops,
 * renames, new required columns, removed defaults, enum changes.  Objects
 * created earlier in the same file (or by a new file) are exempt.
 */
#include <string.h>

#include "pg_rules.h"

void pg_ban_drop_column(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(DropColumn))
            chk_report(r, R_BAN_DROP_COLUMN, pg_rel_loc(a->relation),
                       "dropping \"%s\".%s loses its data and breaks the app version that still "
                       "uses it",
                       pg_rel(a->relation), c->name);
    }
}

/* The relation name of an object of a DROP statement ("schema.table" lists). */
static const char *drop_obj_name(const PgQuery__Node *o)
{
    if (o->node_case == NODE(LIST))
        return pg_last_name(o->list->items, o->list->n_items);
    if (o->node_case == NODE(TYPE_NAME))
        return pg_type_name(o->type_name);
    return pg_str(o);
}

void pg_ban_drop_table(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__DropStmt *d = PG_IS(s, DROP_STMT, drop_stmt);
    if (!d || (d->remove_type != OBJ(TABLE) && d->remove_type != OBJ(FOREIGN_TABLE)))
        return;
    for (size_t i = 0; i < d->n_objects; i++) {
        const char *name = drop_obj_name(d->objects[i]);
        if (chk_table_is_new(r, name))
            continue;
        chk_report(r, R_BAN_DROP_TABLE, -1,
                   "dropping \"%s\" loses its data and breaks the app version that still uses it",
                   name);
    }
}

void pg_ban_drop_schema(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__DropStmt *d = PG_IS(s, DROP_STMT, drop_stmt);
    if (d && d->remove_type == OBJ(SCHEMA))
        chk_report(r, R_BAN_DROP_SCHEMA, -1, NULL);
}

void pg_ban_drop_database(struct chk_run *r, const struct chk_stmt *s)
{
    if (PG_IS(s, DROPDB_STMT, dropdb_stmt))
        chk_report(r, R_BAN_DROP_DATABASE, -1, NULL);
}

/* Does TRUNCATE touch a table that is not new? */
static int truncate_old(const struct chk_run *r, const PgQuery__TruncateStmt *t)
{
    for (size_t i = 0; i < t->n_relations; i++)
        if (t->relations[i]->node_case == NODE(RANGE_VAR) &&
            !chk_table_is_new(r, pg_rel(t->relations[i]->range_var)))
            return 1;
    return 0;
}

void pg_ban_truncate_cascade(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__TruncateStmt *t = PG_IS(s, TRUNCATE_STMT, truncate_stmt);
    if (t && t->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
        chk_report(r, R_BAN_TRUNCATE_CASCADE, -1, NULL);
}

void pg_ban_truncate(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__TruncateStmt *t = PG_IS(s, TRUNCATE_STMT, truncate_stmt);
    if (t && t->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE && truncate_old(r, t))
        chk_report(r, R_BAN_TRUNCATE, -1, NULL);
}

void pg_rename_column(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__RenameStmt *x = PG_IS(s, RENAME_STMT, rename_stmt);
    if (!x || x->rename_type != OBJ(COLUMN) || x->relation_type == OBJ(VIEW) ||
        chk_table_is_new(r, pg_rel(x->relation)))
        return;
    chk_report(r, R_RENAME_COLUMN, pg_rel_loc(x->relation),
               "renaming \"%s\".%s to %s breaks the app version that still uses the old name",
               pg_rel(x->relation), x->subname, x->newname);
}

void pg_rename_table(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__RenameStmt *x = PG_IS(s, RENAME_STMT, rename_stmt);
    if (!x || x->rename_type != OBJ(TABLE) || chk_table_is_new(r, pg_rel(x->relation)))
        return;
    /* a view with the old name keeps the running app working (updatable for simple views) */
    const struct chk_stmt *n = s->next;
    if (n && n->node && n->node->node_case == NODE(VIEW_STMT) &&
        !strcmp(pg_rel(n->node->view_stmt->view), pg_rel(x->relation)))
        return;
    chk_report(r, R_RENAME_TABLE, pg_rel_loc(x->relation),
               "renaming \"%s\" to \"%s\" breaks the app version that still uses the old name",
               pg_rel(x->relation), x->newname);
}

void pg_rename_object(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__RenameStmt *x = PG_IS(s, RENAME_STMT, rename_stmt);
    const PgQuery__AlterEnumStmt *e = PG_IS(s, ALTER_ENUM_STMT, alter_enum_stmt);
    if (e && e->old_val && e->old_val[0]) {
        chk_report(r, R_RENAME_OBJECT, -1,
                   "renaming enum value '%s' to '%s' breaks clients that still write '%s'",
                   e->old_val, e->new_val, e->old_val);
        return;
    }
    if (!x)
        return;
    const char *what = NULL;
    switch (x->rename_type) {
    case OBJ(VIEW):
    case OBJ(MATVIEW):
        what = "view";
        break;
    case OBJ(SCHEMA):
        what = "schema";
        break;
    case OBJ(TYPE):
    case OBJ(DOMAIN):
        what = "type";
        break;
    case OBJ(SEQUENCE):
        what = "sequence";
        break;
    case OBJ(FUNCTION):
    case OBJ(PROCEDURE):
    case OBJ(ROUTINE):
        what = "function";
        break;
    case OBJ(COLUMN):
        if (x->relation_type == OBJ(VIEW) || x->relation_type == OBJ(MATVIEW))
            what = "view column";
        break;
    default:
        break;
    }
    if (!what || (x->relation && chk_table_is_new(r, pg_rel(x->relation))))
        return;
    chk_report(r, R_RENAME_OBJECT, -1, "renaming a %s breaks clients that still use the old name",
               what);
}

void pg_set_schema(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterObjectSchemaStmt *x =
        PG_IS(s, ALTER_OBJECT_SCHEMA_STMT, alter_object_schema_stmt);
    if (!x || (x->relation && chk_table_is_new(r, pg_rel(x->relation))))
        return;
    chk_report(r, R_SET_SCHEMA, -1, "SET SCHEMA %s breaks clients that use the old qualified name",
               x->newschema);
}

void pg_add_required_column(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype != AT(AddColumn) || !c->def || c->def->node_case != NODE(COLUMN_DEF))
            continue;
        const PgQuery__ColumnDef *cd = c->def->column_def;
        if (!pg_col_constraint(cd, CONSTR(NOTNULL)) && !pg_col_constraint(cd, CONSTR(PRIMARY)))
            continue;
        const PgQuery__Constraint *d = pg_col_constraint(cd, CONSTR(DEFAULT));
        if ((d && !(d->raw_expr && d->raw_expr->node_case == NODE(A_CONST) &&
                    d->raw_expr->a_const->isnull)) ||
            pg_col_constraint(cd, CONSTR(IDENTITY)) || pg_col_constraint(cd, CONSTR(GENERATED)) ||
            pg_is_serial(pg_type_name(cd->type_name)))
            continue;
        chk_report(r, R_ADD_REQUIRED_COLUMN, cd->location,
                   "ADD COLUMN %s NOT NULL without DEFAULT fails if \"%s\" has rows, and breaks "
                   "inserts of the app version that does not know the column",
                   cd->colname, pg_rel(a->relation));
    }
}

void pg_drop_not_null(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(DropNotNull))
            chk_report(r, R_DROP_NOT_NULL, pg_rel_loc(a->relation),
                       "DROP NOT NULL on \"%s\".%s: the running app may not expect NULL there",
                       pg_rel(a->relation), c->name);
    }
}

void pg_drop_default(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(ColumnDefault) && !c->def)
            chk_report(r, R_DROP_DEFAULT, pg_rel_loc(a->relation),
                       "DROP DEFAULT on \"%s\".%s: inserts that omit the column now store NULL "
                       "or fail",
                       pg_rel(a->relation), c->name);
    }
}

void pg_drop_constraint(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(DropConstraint))
            chk_report(r, R_DROP_CONSTRAINT, pg_rel_loc(a->relation),
                       "dropping constraint %s of \"%s\" lets data break a rule the app may rely "
                       "on",
                       c->name, pg_rel(a->relation));
    }
}

void pg_drop_index(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__DropStmt *d = PG_IS(s, DROP_STMT, drop_stmt);
    if (!d || d->remove_type != OBJ(INDEX))
        return;
    for (size_t i = 0; i < d->n_objects; i++) {
        const char *name = drop_obj_name(d->objects[i]);
        const struct chk_index *x = chk_map_get(&r->indexes, name);
        if (x && chk_table_is_new(r, x->table))
            continue;
        chk_report(r, R_DROP_INDEX, -1, "dropping index %s can slow queries or lose uniqueness",
                   name);
    }
}

void pg_drop_dependent(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__DropStmt *d = PG_IS(s, DROP_STMT, drop_stmt);
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (a && !pg_alter_is_new(r, a)) {
        PG_FOREACH_CMD(a, c)
        {
            if (c->subtype == AT(DropExpression))
                chk_report(r, R_DROP_DEPENDENT_OBJECT, pg_rel_loc(a->relation),
                           "DROP EXPRESSION makes \"%s\".%s an ordinary column: it stops "
                           "following its expression",
                           pg_rel(a->relation), c->name);
        }
    }
    if (!d)
        return;
    const char *what = NULL;
    switch (d->remove_type) {
    case OBJ(VIEW):
        what = "view";
        break;
    case OBJ(MATVIEW):
        what = "materialized view";
        break;
    case OBJ(FUNCTION):
    case OBJ(PROCEDURE):
    case OBJ(ROUTINE):
        what = "function";
        break;
    case OBJ(TYPE):
        what = "type";
        break;
    case OBJ(CAST):
        what = "cast";
        break;
    case OBJ(DOMAIN):
        what = "domain";
        break;
    case OBJ(SEQUENCE):
        what = "sequence";
        break;
    case OBJ(EXTENSION):
        what = "extension";
        break;
    case OBJ(TRIGGER):
        what = "trigger";
        break;
    case OBJ(POLICY):
        what = "policy";
        break;
    case OBJ(RULE):
        what = "rule";
        break;
    default:
        return;
    }
    chk_report(r, R_DROP_DEPENDENT_OBJECT, -1, "dropping a %s breaks clients that still use it%s",
               what,
               d->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE
                   ? "; CASCADE also drops what depends on it, columns included"
                   : "");
}

void pg_write_restriction(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    const PgQuery__IndexStmt *x = PG_IS(s, INDEX_STMT, index_stmt);
    if (x && x->unique && !chk_table_is_new(r, pg_rel(x->relation))) {
        chk_report(r, R_WRITE_RESTRICTION, pg_rel_loc(x->relation),
                   "a new unique index on \"%s\" rejects duplicates the running app may write",
                   pg_rel(x->relation));
        return;
    }
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(SetNotNull) ||
            (c->subtype == AT(AddConstraint) && c->def && c->def->node_case == NODE(CONSTRAINT)))
            chk_report(r, R_WRITE_RESTRICTION, pg_cmd_loc(a, c), NULL);
    }
}

void pg_unique_index_may_fail(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__IndexStmt *x = PG_IS(s, INDEX_STMT, index_stmt);
    if (x && x->unique && !chk_table_is_new(r, pg_rel(x->relation)))
        chk_report(r, R_UNIQUE_INDEX_MAY_FAIL, pg_rel_loc(x->relation),
                   "a unique index on existing rows of \"%s\" fails if they hold duplicates",
                   pg_rel(x->relation));
}

void pg_enum_value_ordering(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterEnumStmt *e = PG_IS(s, ALTER_ENUM_STMT, alter_enum_stmt);
    if (e && (!e->old_val || !e->old_val[0]) && e->new_val && e->new_val[0] &&
        (!e->new_val_neighbor || !e->new_val_neighbor[0]))
        chk_report(r, R_ENUM_VALUE_ORDERING, -1,
                   "ADD VALUE '%s' without BEFORE or AFTER sorts it after every existing value",
                   e->new_val);
}

void pg_enum_value_added(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterEnumStmt *e = PG_IS(s, ALTER_ENUM_STMT, alter_enum_stmt);
    if (e && (!e->old_val || !e->old_val[0]) && e->new_val && e->new_val[0])
        chk_report(r, R_ENUM_VALUE_ADDED, -1,
                   "enum value '%s' can reach the running app, which may not handle it",
                   e->new_val);
}

void pg_add_column_shape(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT(AddColumn))
            chk_report(r, R_ADD_COLUMN_SHAPE, pg_cmd_loc(a, c), NULL);
    }
}

void pg_compat_sensitive(struct chk_run *r, const struct chk_stmt *s)
{
    const PgQuery__Node *n = s->node;
    const char *what = NULL;
    const PgQuery__AlterTableStmt *a = pg_alter_table(s);

    if (a) {
        if (pg_alter_is_new(r, a))
            return;
        PG_FOREACH_CMD(a, c)
        {
            switch (c->subtype) {
            case AT(ColumnDefault):
                what = c->def ? "a changed column default" : NULL;
                break;
            case AT(AddIdentity):
            case AT(SetIdentity):
            case AT(DropIdentity):
                what = "an identity change";
                break;
            case AT(DetachPartition):
            case AT(DropInherit):
                what = "a detached partition or dropped inheritance";
                break;
            case AT(DisableTrig):
            case AT(DisableTrigAll):
            case AT(DisableTrigUser):
            case AT(DisableRule):
                what = "a disabled trigger or rule";
                break;
            case AT(EnableRowSecurity):
            case AT(DisableRowSecurity):
            case AT(ForceRowSecurity):
            case AT(NoForceRowSecurity):
                what = "a row level security change";
                break;
            default:
                break;
            }
            if (what)
                chk_report(r, R_COMPAT_SENSITIVE, pg_cmd_loc(a, c),
                           "%s on \"%s\" can change what the running app sees or may do", what,
                           pg_rel(a->relation));
            what = NULL;
        }
        return;
    }
    switch (n->node_case) {
    case NODE(VIEW_STMT):
        what = n->view_stmt->replace ? "CREATE OR REPLACE VIEW" : NULL;
        break;
    case NODE(CREATE_FUNCTION_STMT):
        what = n->create_function_stmt->replace ? "CREATE OR REPLACE FUNCTION" : NULL;
        break;
    case NODE(ALTER_SEQ_STMT):
        what = "ALTER SEQUENCE";
        break;
    case NODE(CREATE_POLICY_STMT):
        what = "CREATE POLICY";
        break;
    case NODE(ALTER_POLICY_STMT):
        what = "ALTER POLICY";
        break;
    case NODE(GRANT_STMT):
        what = n->grant_stmt->is_grant ? NULL : "REVOKE";
        break;
    case NODE(ALTER_FUNCTION_STMT):
        what = "ALTER FUNCTION";
        break;
    case NODE(ALTER_ROLE_STMT):
    case NODE(ALTER_ROLE_SET_STMT):
        what = "ALTER ROLE";
        break;
    case NODE(ALTER_DATABASE_STMT):
    case NODE(ALTER_DATABASE_SET_STMT):
        what = "ALTER DATABASE";
        break;
    case NODE(ALTER_SYSTEM_STMT):
        what = "ALTER SYSTEM";
        break;
    case NODE(ALTER_EXTENSION_STMT):
    case NODE(ALTER_EXTENSION_CONTENTS_STMT):
        what = "ALTER EXTENSION";
        break;
    default:
        break;
    }
    if (what)
        chk_report(r, R_COMPAT_SENSITIVE, -1, "%s can change what the running app sees or may do",
                   what);
}
