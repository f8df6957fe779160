/*
 * pg_util.c — small readers of the libpg_query protobuf tree shared by the
 * PostgreSQL rules: names, type text, volatility of defaults.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lint_int.h"
#include "pg_rules.h"
#include "util.h"

const char *pg_str(const PgQuery__Node *n)
{
    if (n && n->node_case == NODE(STRING) && n->string)
        return n->string->sval;
    return "";
}

const char *pg_last_name(PgQuery__Node **names, size_t n)
{
    return n ? pg_str(names[n - 1]) : "";
}

const char *pg_rel(const PgQuery__RangeVar *rv)
{
    return rv && rv->relname ? rv->relname : "";
}

int pg_rel_loc(const PgQuery__RangeVar *rv)
{
    return rv ? rv->location : -1;
}

/* Integer value of an A_Const typmod, or -1. */
static long typmod_int(const PgQuery__Node *n)
{
    if (n && n->node_case == NODE(A_CONST) && n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return n->a_const->ival ? n->a_const->ival->ival : 0;
    return -1;
}

void pg_type_text(struct mg_buf *out, const PgQuery__TypeName *t)
{
    if (!t)
        return;
    mg_buf_adds(out, pg_last_name(t->names, t->n_names));
    if (t->n_typmods) {
        mg_buf_addch(out, '(');
        for (size_t i = 0; i < t->n_typmods; i++) {
            long v = typmod_int(t->typmods[i]);
            if (i)
                mg_buf_addch(out, ',');
            if (v >= 0)
                mg_buf_addf(out, "%ld", v);
            else
                mg_buf_addch(out, '?');
        }
        mg_buf_addch(out, ')');
    }
    for (size_t i = 0; i < t->n_array_bounds; i++)
        mg_buf_adds(out, "[]");
}

const char *pg_type_name(const PgQuery__TypeName *t)
{
    return t ? pg_last_name(t->names, t->n_names) : "";
}

PgQuery__Constraint *pg_col_constraint(const PgQuery__ColumnDef *c, PgQuery__ConstrType type)
{
    for (size_t i = 0; c && i < c->n_constraints; i++) {
        const PgQuery__Node *n = c->constraints[i];
        if (n->node_case == NODE(CONSTRAINT) && n->constraint->contype == type)
            return n->constraint;
    }
    return NULL;
}

void pg_names_text(struct mg_buf *out, PgQuery__Node **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = "";
        if (v[i]->node_case == NODE(STRING))
            name = v[i]->string->sval;
        else if (v[i]->node_case == NODE(INDEX_ELEM))
            name = v[i]->index_elem->name ? v[i]->index_elem->name : "";
        if (!name[0]) {
            mg_buf_reset(out); /* an expression: no plain column list */
            return;
        }
        if (i)
            mg_buf_addch(out, ',');
        mg_buf_adds(out, name);
    }
}

/*
 * Functions whose value does not change within a statement (immutable or
 * stable in pg_proc) and that show up in column defaults.  Anything else is
 * treated as volatile, as squawk and strong_migrations do: a wrong "safe"
 * would cost an outage, a wrong "unsafe" costs an ignore comment.
 */
static const char *const nonvolatile_funcs[] = {"now",
                                                "statement_timestamp",
                                                "transaction_timestamp",
                                                "current_timestamp",
                                                "localtimestamp",
                                                "current_date",
                                                "current_time",
                                                "lower",
                                                "upper",
                                                "btrim",
                                                "trim",
                                                "ltrim",
                                                "rtrim",
                                                "concat",
                                                "concat_ws",
                                                "coalesce",
                                                "nullif",
                                                "greatest",
                                                "least",
                                                "length",
                                                "substring",
                                                "substr",
                                                "replace",
                                                "left",
                                                "right",
                                                "lpad",
                                                "rpad",
                                                "md5",
                                                "to_char",
                                                "to_date",
                                                "to_timestamp",
                                                "to_number",
                                                "make_date",
                                                "make_interval",
                                                "make_timestamp",
                                                "make_timestamptz",
                                                "date_trunc",
                                                "date_part",
                                                "timezone",
                                                "abs",
                                                "round",
                                                "floor",
                                                "ceil",
                                                "jsonb_build_object",
                                                "jsonb_build_array",
                                                "json_build_object",
                                                "json_build_array",
                                                "to_jsonb",
                                                "to_json",
                                                "array_fill",
                                                "int4range",
                                                "int8range",
                                                "numrange",
                                                "tstzrange",
                                                "tsrange",
                                                "daterange",
                                                "current_setting",
                                                "inet"};

static const char *const volatile_funcs[] = {"random",           "clock_timestamp",
                                             "timeofday",        "gen_random_uuid",
                                             "uuid_generate_v1", "uuid_generate_v1mc",
                                             "uuid_generate_v4", "nextval",
                                             "txid_current",     "setseed",
                                             "gen_random_bytes", "uuid_generate_v7",
                                             "uuidv7",           "uuidv4"};

int pg_expr_nonvolatile(const PgQuery__Node *n, const char **why)
{
    if (!n)
        return 1;
    switch (n->node_case) {
    case NODE(A_CONST):
    case NODE(SQLVALUE_FUNCTION):
        return 1;
    case NODE(TYPE_CAST):
        return pg_expr_nonvolatile(n->type_cast->arg, why);
    case NODE(A_EXPR):
        return pg_expr_nonvolatile(n->a_expr->lexpr, why) &&
               pg_expr_nonvolatile(n->a_expr->rexpr, why);
    case NODE(BOOL_EXPR):
        for (size_t i = 0; i < n->bool_expr->n_args; i++)
            if (!pg_expr_nonvolatile(n->bool_expr->args[i], why))
                return 0;
        return 1;
    case NODE(COALESCE_EXPR):
        for (size_t i = 0; i < n->coalesce_expr->n_args; i++)
            if (!pg_expr_nonvolatile(n->coalesce_expr->args[i], why))
                return 0;
        return 1;
    case NODE(A_ARRAY_EXPR):
        for (size_t i = 0; i < n->a_array_expr->n_elements; i++)
            if (!pg_expr_nonvolatile(n->a_array_expr->elements[i], why))
                return 0;
        return 1;
    case NODE(LIST):
        for (size_t i = 0; i < n->list->n_items; i++)
            if (!pg_expr_nonvolatile(n->list->items[i], why))
                return 0;
        return 1;
    case NODE(FUNC_CALL): {
        const PgQuery__FuncCall *f = n->func_call;
        const char *name = pg_last_name(f->funcname, f->n_funcname);
        for (size_t i = 0; i < MG_ARRAY_SIZE(volatile_funcs); i++) {
            if (!strcasecmp(name, volatile_funcs[i])) {
                *why = "is volatile";
                return 0;
            }
        }
        int known = 0;
        for (size_t i = 0; i < MG_ARRAY_SIZE(nonvolatile_funcs); i++)
            if (!strcasecmp(name, nonvolatile_funcs[i]))
                known = 1;
        if (!known) {
            *why = "may be volatile (not a known stable built-in)";
            return 0;
        }
        for (size_t i = 0; i < f->n_args; i++)
            if (!pg_expr_nonvolatile(f->args[i], why))
                return 0;
        return 1;
    }
    default:
        *why = "may be volatile";
        return 0;
    }
}

/* Name of a volatile function in the expression, for messages; "" when none. */
const char *pg_expr_func(const PgQuery__Node *n)
{
    if (n && n->node_case == NODE(FUNC_CALL))
        return pg_last_name(n->func_call->funcname, n->func_call->n_funcname);
    if (n && n->node_case == NODE(TYPE_CAST))
        return pg_expr_func(n->type_cast->arg);
    return "";
}

int pg_has_defelem(PgQuery__Node **v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (v[i]->node_case == NODE(DEF_ELEM) && chk_eq(v[i]->def_elem->defname, name)) {
            const PgQuery__Node *a = v[i]->def_elem->arg;
            /* "concurrently false" / "full false" switch it off */
            if (a && a->node_case == NODE(STRING) && chk_eq(a->string->sval, "false"))
                return 0;
            if (a && a->node_case == NODE(A_CONST) &&
                a->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL && a->a_const->ival &&
                a->a_const->ival->ival == 0)
                return 0;
            return 1;
        }
    return 0;
}

/* Columns of a CHECK (col IS NOT NULL) expression; the column name, or NULL. */
const char *pg_check_is_not_null(const PgQuery__Node *e)
{
    if (!e || e->node_case != NODE(NULL_TEST))
        return NULL;
    const PgQuery__NullTest *t = e->null_test;
    if (t->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !t->arg ||
        t->arg->node_case != NODE(COLUMN_REF))
        return NULL;
    const PgQuery__ColumnRef *c = t->arg->column_ref;
    return c->n_fields ? pg_str(c->fields[c->n_fields - 1]) : NULL;
}

/* Is the serial family, or a 32/16-bit integer? */
int pg_is_serial(const char *t)
{
    return !strcmp(t, "serial") || !strcmp(t, "bigserial") || !strcmp(t, "smallserial") ||
           !strcmp(t, "serial4") || !strcmp(t, "serial8") || !strcmp(t, "serial2");
}

int pg_is_small_int(const char *t)
{
    return !strcmp(t, "int4") || !strcmp(t, "int2") || !strcmp(t, "int") || !strcmp(t, "integer") ||
           !strcmp(t, "smallint") || !strcmp(t, "serial") || !strcmp(t, "serial4") ||
           !strcmp(t, "smallserial") || !strcmp(t, "serial2");
}

/* Splits "varchar(20,2)" into base "varchar" and up to two modifiers (-1 when absent). */
static void type_parts(const char *t, char *base, size_t bsize, long *m1, long *m2, int *array)
{
    size_t i = 0;
    *m1 = *m2 = -1;
    *array = strstr(t, "[]") != NULL;
    while (t[i] && t[i] != '(' && t[i] != '[' && i + 1 < bsize) {
        base[i] = t[i];
        i++;
    }
    base[i] = '\0';
    if (t[i] == '(') {
        if (sscanf(t + i, "(%ld,%ld)", m1, m2) < 1)
            *m1 = -1;
    }
}

int pg_type_change_safe(const char *from, const char *to, int pg_version, const char **why)
{
    char fb[64], tb[64];
    long f1, f2, t1, t2;
    int fa, ta;

    type_parts(from, fb, sizeof(fb), &f1, &f2, &fa);
    type_parts(to, tb, sizeof(tb), &t1, &t2, &ta);
    (void)pg_version;
    if (fa != ta)
        return 0;
    if (!strcmp(from, to)) {
        *why = "the type does not change";
        return 1;
    }
    if (!strcmp(fb, "varchar") &&
        (!strcmp(tb, "text") || (!strcmp(tb, "varchar") && (t1 < 0 || (f1 >= 0 && t1 >= f1))))) {
        *why = "varchar can grow or become text without a rewrite";
        return 1;
    }
    if (!strcmp(fb, "text") && !strcmp(tb, "varchar") && t1 < 0) {
        *why = "text to unlimited varchar is binary-compatible";
        return 1;
    }
    if (!strcmp(fb, "numeric") && !strcmp(tb, "numeric") &&
        (t1 < 0 || (f1 >= 0 && t1 >= f1 && (f2 < 0 ? 0 : f2) == (t2 < 0 ? 0 : t2)))) {
        *why = "numeric precision grows with the same scale";
        return 1;
    }
    if ((!strcmp(fb, "varbit") && !strcmp(tb, "varbit") && (t1 < 0 || (f1 >= 0 && t1 >= f1)))) {
        *why = "bit varying can grow without a rewrite";
        return 1;
    }
    if (!strcmp(fb, "cidr") && !strcmp(tb, "inet")) {
        *why = "cidr to inet is binary-compatible";
        return 1;
    }
    if (!strcmp(fb, "xml") && (!strcmp(tb, "text") || (!strcmp(tb, "varchar") && t1 < 0))) {
        *why = "xml to text is binary-compatible";
        return 1;
    }
    if ((!strcmp(fb, "timestamp") || !strcmp(fb, "timestamptz") || !strcmp(fb, "time") ||
         !strcmp(fb, "interval")) &&
        !strcmp(fb, tb) && (t1 < 0 || (f1 >= 0 && t1 >= f1))) {
        *why = "the precision grows";
        return 1;
    }
    return 0;
}

PgQuery__AlterTableStmt *pg_alter_table(const struct chk_stmt *s)
{
    PgQuery__AlterTableStmt *a = PG_IS(s, ALTER_TABLE_STMT, alter_table_stmt);
    if (a && (a->objtype == OBJ(TABLE) || a->objtype == OBJ(MATVIEW) ||
              a->objtype == OBJ(FOREIGN_TABLE)))
        return a;
    return NULL;
}

int pg_alter_is_new(const struct chk_run *r, const PgQuery__AlterTableStmt *a)
{
    return chk_table_is_new(r, pg_rel(a->relation));
}

int pg_cmd_loc(const PgQuery__AlterTableStmt *a, const PgQuery__AlterTableCmd *c)
{
    const PgQuery__Node *d = c->def;
    if (d && d->node_case == NODE(COLUMN_DEF))
        return d->column_def->location;
    if (d && d->node_case == NODE(CONSTRAINT))
        return d->constraint->location;
    return pg_rel_loc(a->relation);
}
