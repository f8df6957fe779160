/*
 * pg_compat.c — PostgreSQL rules about the app version that is still
 * running during a blue/green or canary deploy, and about data loss: drops,
 * renames, new required columns, removed defaults, enum changes.  Objects
 * created earlier in the same file (or by a new file) are exempt.
 */
#include "pg_rules.h"

#include <string.h>

void pg_ban_drop_column(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_DropColumn)
            chk_report(r, R_BAN_DROP_COLUMN, pg_rel_loc(a->relation),
                       "dropping \"%s\".%s loses its data and breaks the app version that still "
                       "uses it",
                       pg_rel(a->relation), PG_S(c->name));
    }
}

/* The relation name of an object of a DROP statement ("schema.table" lists). */
static const char *drop_obj_name(const Node *o)
{
    if (IsA(o, List))
        return pg_last_name((const List *)o);
    if (IsA(o, TypeName))
        return pg_type_name((const TypeName *)o);
    return pg_str(o);
}

void pg_ban_drop_table(struct chk_run *r, const struct chk_stmt *s)
{
    const DropStmt *d = PG_IS(s, DropStmt);
    if (!d || (d->removeType != OBJECT_TABLE && d->removeType != OBJECT_FOREIGN_TABLE))
        return;
    PG_FOREACH(d->objects, o)
    {
        const char *name = drop_obj_name(o);
        if (chk_table_is_new(r, name))
            continue;
        chk_report(r, R_BAN_DROP_TABLE, -1,
                   "dropping \"%s\" loses its data and breaks the app version that still uses it",
                   name);
    }
}

void pg_ban_drop_schema(struct chk_run *r, const struct chk_stmt *s)
{
    const DropStmt *d = PG_IS(s, DropStmt);
    if (d && d->removeType == OBJECT_SCHEMA)
        chk_report(r, R_BAN_DROP_SCHEMA, -1, NULL);
}

void pg_ban_drop_database(struct chk_run *r, const struct chk_stmt *s)
{
    if (PG_IS(s, DropdbStmt))
        chk_report(r, R_BAN_DROP_DATABASE, -1, NULL);
}

/* Does TRUNCATE touch a table that is not new? */
static int truncate_old(const struct chk_run *r, const TruncateStmt *t)
{
    PG_FOREACH(t->relations, n)
    {
        if (IsA(n, RangeVar) && !chk_table_is_new(r, pg_rel((const RangeVar *)n)))
            return 1;
    }
    return 0;
}

void pg_ban_truncate_cascade(struct chk_run *r, const struct chk_stmt *s)
{
    const TruncateStmt *t = PG_IS(s, TruncateStmt);
    if (t && t->behavior == DROP_CASCADE)
        chk_report(r, R_BAN_TRUNCATE_CASCADE, -1, NULL);
}

void pg_ban_truncate(struct chk_run *r, const struct chk_stmt *s)
{
    const TruncateStmt *t = PG_IS(s, TruncateStmt);
    if (t && t->behavior != DROP_CASCADE && truncate_old(r, t))
        chk_report(r, R_BAN_TRUNCATE, -1, NULL);
}

void pg_rename_column(struct chk_run *r, const struct chk_stmt *s)
{
    const RenameStmt *x = PG_IS(s, RenameStmt);
    if (!x || x->renameType != OBJECT_COLUMN || x->relationType == OBJECT_VIEW ||
        chk_table_is_new(r, pg_rel(x->relation)))
        return;
    chk_report(r, R_RENAME_COLUMN, pg_rel_loc(x->relation),
               "renaming \"%s\".%s to %s breaks the app version that still uses the old name",
               pg_rel(x->relation), PG_S(x->subname), PG_S(x->newname));
}

void pg_rename_table(struct chk_run *r, const struct chk_stmt *s)
{
    const RenameStmt *x = PG_IS(s, RenameStmt);
    if (!x || x->renameType != OBJECT_TABLE || chk_table_is_new(r, pg_rel(x->relation)))
        return;
    /* a view with the old name keeps the running app working (updatable for simple views) */
    const ViewStmt *v = s->next ? PG_IS(s->next, ViewStmt) : NULL;
    if (v && !strcmp(pg_rel(v->view), pg_rel(x->relation)))
        return;
    chk_report(r, R_RENAME_TABLE, pg_rel_loc(x->relation),
               "renaming \"%s\" to \"%s\" breaks the app version that still uses the old name",
               pg_rel(x->relation), PG_S(x->newname));
}

void pg_rename_object(struct chk_run *r, const struct chk_stmt *s)
{
    const RenameStmt *x = PG_IS(s, RenameStmt);
    const AlterEnumStmt *e = PG_IS(s, AlterEnumStmt);
    if (e && PG_S(e->oldVal)[0]) {
        chk_report(r, R_RENAME_OBJECT, -1,
                   "renaming enum value '%s' to '%s' breaks clients that still write '%s'",
                   e->oldVal, PG_S(e->newVal), e->oldVal);
        return;
    }
    if (!x)
        return;
    const char *what = NULL;
    switch (x->renameType) {
    case OBJECT_VIEW:
    case OBJECT_MATVIEW:
        what = "view";
        break;
    case OBJECT_SCHEMA:
        what = "schema";
        break;
    case OBJECT_TYPE:
    case OBJECT_DOMAIN:
        what = "type";
        break;
    case OBJECT_SEQUENCE:
        what = "sequence";
        break;
    case OBJECT_FUNCTION:
    case OBJECT_PROCEDURE:
    case OBJECT_ROUTINE:
        what = "function";
        break;
    case OBJECT_COLUMN:
        if (x->relationType == OBJECT_VIEW || x->relationType == OBJECT_MATVIEW)
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
    const AlterObjectSchemaStmt *x = PG_IS(s, AlterObjectSchemaStmt);
    if (!x || (x->relation && chk_table_is_new(r, pg_rel(x->relation))))
        return;
    chk_report(r, R_SET_SCHEMA, -1, "SET SCHEMA %s breaks clients that use the old qualified name",
               PG_S(x->newschema));
}

void pg_add_required_column(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        const ColumnDef *cd = PG_AS(c->def, ColumnDef);
        if (c->subtype != AT_AddColumn || !cd)
            continue;
        if (!pg_col_constraint(cd, CONSTR_NOTNULL) && !pg_col_constraint(cd, CONSTR_PRIMARY))
            continue;
        const Constraint *d = pg_col_constraint(cd, CONSTR_DEFAULT);
        const A_Const *null_default = d ? PG_AS(d->raw_expr, A_Const) : NULL;
        if ((d && !(null_default && null_default->isnull)) ||
            pg_col_constraint(cd, CONSTR_IDENTITY) || pg_col_constraint(cd, CONSTR_GENERATED) ||
            pg_is_serial(pg_type_name(cd->typeName)))
            continue;
        chk_report(r, R_ADD_REQUIRED_COLUMN, cd->location,
                   "ADD COLUMN %s NOT NULL without DEFAULT fails if \"%s\" has rows, and breaks "
                   "inserts of the app version that does not know the column",
                   PG_S(cd->colname), pg_rel(a->relation));
    }
}

void pg_drop_not_null(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_DropNotNull)
            chk_report(r, R_DROP_NOT_NULL, pg_rel_loc(a->relation),
                       "DROP NOT NULL on \"%s\".%s: the running app may not expect NULL there",
                       pg_rel(a->relation), PG_S(c->name));
    }
}

void pg_drop_default(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_ColumnDefault && !c->def)
            chk_report(r, R_DROP_DEFAULT, pg_rel_loc(a->relation),
                       "DROP DEFAULT on \"%s\".%s: inserts that omit the column now store NULL "
                       "or fail",
                       pg_rel(a->relation), PG_S(c->name));
    }
}

void pg_drop_constraint(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_DropConstraint)
            chk_report(r, R_DROP_CONSTRAINT, pg_rel_loc(a->relation),
                       "dropping constraint %s of \"%s\" lets data break a rule the app may rely "
                       "on",
                       PG_S(c->name), pg_rel(a->relation));
    }
}

void pg_drop_index(struct chk_run *r, const struct chk_stmt *s)
{
    const DropStmt *d = PG_IS(s, DropStmt);
    if (!d || d->removeType != OBJECT_INDEX)
        return;
    PG_FOREACH(d->objects, o)
    {
        const char *name = drop_obj_name(o);
        const struct chk_index *x = chk_map_get(&r->indexes, name);
        if (x && chk_table_is_new(r, x->table))
            continue;
        chk_report(r, R_DROP_INDEX, -1, "dropping index %s can slow queries or lose uniqueness",
                   name);
    }
}

void pg_drop_dependent(struct chk_run *r, const struct chk_stmt *s)
{
    const DropStmt *d = PG_IS(s, DropStmt);
    const AlterTableStmt *a = pg_alter_table(s);
    if (a && !pg_alter_is_new(r, a)) {
        PG_FOREACH_CMD(a, c)
        {
            if (c->subtype == AT_DropExpression)
                chk_report(r, R_DROP_DEPENDENT_OBJECT, pg_rel_loc(a->relation),
                           "DROP EXPRESSION makes \"%s\".%s an ordinary column: it stops "
                           "following its expression",
                           pg_rel(a->relation), PG_S(c->name));
        }
    }
    if (!d)
        return;
    const char *what = NULL;
    switch (d->removeType) {
    case OBJECT_VIEW:
        what = "view";
        break;
    case OBJECT_MATVIEW:
        what = "materialized view";
        break;
    case OBJECT_FUNCTION:
    case OBJECT_PROCEDURE:
    case OBJECT_ROUTINE:
        what = "function";
        break;
    case OBJECT_TYPE:
        what = "type";
        break;
    case OBJECT_CAST:
        what = "cast";
        break;
    case OBJECT_DOMAIN:
        what = "domain";
        break;
    case OBJECT_SEQUENCE:
        what = "sequence";
        break;
    case OBJECT_EXTENSION:
        what = "extension";
        break;
    case OBJECT_TRIGGER:
        what = "trigger";
        break;
    case OBJECT_POLICY:
        what = "policy";
        break;
    case OBJECT_RULE:
        what = "rule";
        break;
    default:
        return;
    }
    chk_report(
        r, R_DROP_DEPENDENT_OBJECT, -1, "dropping a %s breaks clients that still use it%s", what,
        d->behavior == DROP_CASCADE ? "; CASCADE also drops what depends on it, columns included"
                                    : "");
}

void pg_write_restriction(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    const IndexStmt *x = PG_IS(s, IndexStmt);
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
        if (c->subtype == AT_SetNotNull ||
            (c->subtype == AT_AddConstraint && PG_AS(c->def, Constraint)))
            chk_report(r, R_WRITE_RESTRICTION, pg_cmd_loc(a, c), NULL);
    }
}

void pg_unique_index_may_fail(struct chk_run *r, const struct chk_stmt *s)
{
    const IndexStmt *x = PG_IS(s, IndexStmt);
    if (x && x->unique && !chk_table_is_new(r, pg_rel(x->relation)))
        chk_report(r, R_UNIQUE_INDEX_MAY_FAIL, pg_rel_loc(x->relation),
                   "a unique index on existing rows of \"%s\" fails if they hold duplicates",
                   pg_rel(x->relation));
}

void pg_enum_value_ordering(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterEnumStmt *e = PG_IS(s, AlterEnumStmt);
    if (e && !PG_S(e->oldVal)[0] && PG_S(e->newVal)[0] && !PG_S(e->newValNeighbor)[0])
        chk_report(r, R_ENUM_VALUE_ORDERING, -1,
                   "ADD VALUE '%s' without BEFORE or AFTER sorts it after every existing value",
                   e->newVal);
}

void pg_enum_value_added(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterEnumStmt *e = PG_IS(s, AlterEnumStmt);
    if (e && !PG_S(e->oldVal)[0] && PG_S(e->newVal)[0])
        chk_report(r, R_ENUM_VALUE_ADDED, -1,
                   "enum value '%s' can reach the running app, which may not handle it", e->newVal);
}

void pg_add_column_shape(struct chk_run *r, const struct chk_stmt *s)
{
    const AlterTableStmt *a = pg_alter_table(s);
    if (!a || pg_alter_is_new(r, a))
        return;
    PG_FOREACH_CMD(a, c)
    {
        if (c->subtype == AT_AddColumn)
            chk_report(r, R_ADD_COLUMN_SHAPE, pg_cmd_loc(a, c), NULL);
    }
}

void pg_compat_sensitive(struct chk_run *r, const struct chk_stmt *s)
{
    const Node *n = s->node;
    const char *what = NULL;
    const AlterTableStmt *a = pg_alter_table(s);

    if (a) {
        if (pg_alter_is_new(r, a))
            return;
        PG_FOREACH_CMD(a, c)
        {
            switch (c->subtype) {
            case AT_ColumnDefault:
                what = c->def ? "a changed column default" : NULL;
                break;
            case AT_AddIdentity:
            case AT_SetIdentity:
            case AT_DropIdentity:
                what = "an identity change";
                break;
            case AT_DetachPartition:
            case AT_DropInherit:
                what = "a detached partition or dropped inheritance";
                break;
            case AT_DisableTrig:
            case AT_DisableTrigAll:
            case AT_DisableTrigUser:
            case AT_DisableRule:
                what = "a disabled trigger or rule";
                break;
            case AT_EnableRowSecurity:
            case AT_DisableRowSecurity:
            case AT_ForceRowSecurity:
            case AT_NoForceRowSecurity:
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
    switch (nodeTag(n)) {
    case T_ViewStmt:
        what = ((const ViewStmt *)n)->replace ? "CREATE OR REPLACE VIEW" : NULL;
        break;
    case T_CreateFunctionStmt:
        what = ((const CreateFunctionStmt *)n)->replace ? "CREATE OR REPLACE FUNCTION" : NULL;
        break;
    case T_AlterSeqStmt:
        what = "ALTER SEQUENCE";
        break;
    case T_CreatePolicyStmt:
        what = "CREATE POLICY";
        break;
    case T_AlterPolicyStmt:
        what = "ALTER POLICY";
        break;
    case T_GrantStmt:
        what = ((const GrantStmt *)n)->is_grant ? NULL : "REVOKE";
        break;
    case T_AlterFunctionStmt:
        what = "ALTER FUNCTION";
        break;
    case T_AlterRoleStmt:
    case T_AlterRoleSetStmt:
        what = "ALTER ROLE";
        break;
    case T_AlterDatabaseStmt:
    case T_AlterDatabaseSetStmt:
        what = "ALTER DATABASE";
        break;
    case T_AlterSystemStmt:
        what = "ALTER SYSTEM";
        break;
    case T_AlterExtensionStmt:
    case T_AlterExtensionContentsStmt:
        what = "ALTER EXTENSION";
        break;
    default:
        break;
    }
    if (what)
        chk_report(r, R_COMPAT_SENSITIVE, -1, "%s can change what the running app sees or may do",
                   what);
}
