/*
 * pg_util.c — small readers of PostgreSQL's raw parse tree shared by the
 * PostgreSQL rules: names, type text, volatility of defaults.
 */
#include "pg_rules.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

const char *pg_str(const Node *n)
{
    if (n && IsA(n, String))
        return PG_S(((const String *)n)->sval);
    return "";
}

const char *pg_last_name(const List *names)
{
    return list_length(names) ? pg_str(llast(names)) : "";
}

const char *pg_rel(const RangeVar *rv)
{
    return rv && rv->relname ? rv->relname : "";
}

int pg_rel_loc(const RangeVar *rv)
{
    return rv ? rv->location : -1;
}

/* Integer value of an A_Const typmod, or -1. */
static long typmod_int(const Node *n)
{
    const A_Const *c = PG_AS(n, A_Const);
    if (c && !c->isnull && IsA(&c->val, Integer))
        return c->val.ival.ival;
    return -1;
}

void pg_type_text(struct mg_buf *out, const TypeName *t)
{
    if (!t)
        return;
    mg_buf_adds(out, pg_last_name(t->names));
    if (list_length(t->typmods)) {
        mg_buf_addch(out, '(');
        PG_FOREACH(t->typmods, m)
        {
            long v = typmod_int(m);
            if (m_i)
                mg_buf_addch(out, ',');
            if (v >= 0)
                mg_buf_addf(out, "%ld", v);
            else
                mg_buf_addch(out, '?');
        }
        mg_buf_addch(out, ')');
    }
    for (int i = 0; i < list_length(t->arrayBounds); i++)
        mg_buf_adds(out, "[]");
}

const char *pg_type_name(const TypeName *t)
{
    return t ? pg_last_name(t->names) : "";
}

Constraint *pg_col_constraint(const ColumnDef *c, ConstrType type)
{
    if (!c)
        return NULL;
    PG_FOREACH(c->constraints, n)
    {
        Constraint *k = PG_AS(n, Constraint);
        if (k && k->contype == type)
            return k;
    }
    return NULL;
}

void pg_names_text(struct mg_buf *out, const List *v)
{
    PG_FOREACH(v, n)
    {
        const char *name = "";
        if (IsA(n, String))
            name = pg_str(n);
        else if (IsA(n, IndexElem))
            name = PG_S(((const IndexElem *)n)->name);
        if (!name[0]) {
            mg_buf_reset(out); /* an expression: no plain column list */
            return;
        }
        if (n_i)
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

/* Are all the expressions of the list non-volatile? */
static int all_nonvolatile(const List *v, const char **why)
{
    PG_FOREACH(v, e)
    {
        if (!pg_expr_nonvolatile(e, why))
            return 0;
    }
    return 1;
}

int pg_expr_nonvolatile(const Node *n, const char **why)
{
    if (!n)
        return 1;
    switch (nodeTag(n)) {
    case T_A_Const:
    case T_SQLValueFunction:
        return 1;
    case T_TypeCast:
        return pg_expr_nonvolatile(((const TypeCast *)n)->arg, why);
    case T_A_Expr:
        return pg_expr_nonvolatile(((const A_Expr *)n)->lexpr, why) &&
               pg_expr_nonvolatile(((const A_Expr *)n)->rexpr, why);
    case T_BoolExpr:
        return all_nonvolatile(((const BoolExpr *)n)->args, why);
    case T_CoalesceExpr:
        return all_nonvolatile(((const CoalesceExpr *)n)->args, why);
    case T_A_ArrayExpr:
        return all_nonvolatile(((const A_ArrayExpr *)n)->elements, why);
    case T_List:
        return all_nonvolatile((const List *)n, why);
    case T_FuncCall: {
        const FuncCall *f = (const FuncCall *)n;
        const char *name = pg_last_name(f->funcname);
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
        return all_nonvolatile(f->args, why);
    }
    default:
        *why = "may be volatile";
        return 0;
    }
}

/* Name of a volatile function in the expression, for messages; "" when none. */
const char *pg_expr_func(const Node *n)
{
    if (n && IsA(n, FuncCall))
        return pg_last_name(((const FuncCall *)n)->funcname);
    if (n && IsA(n, TypeCast))
        return pg_expr_func(((const TypeCast *)n)->arg);
    return "";
}

int pg_has_defelem(const List *v, const char *name)
{
    PG_FOREACH(v, n)
    {
        const DefElem *d = PG_AS(n, DefElem);
        if (!d || !chk_eq(d->defname, name))
            continue;
        const Node *a = d->arg;
        const A_Const *c = PG_AS(a, A_Const);
        /* "concurrently false" / "full false" switch it off */
        if (a && IsA(a, String) && chk_eq(pg_str(a), "false"))
            return 0;
        if (c && !c->isnull && IsA(&c->val, Integer) && c->val.ival.ival == 0)
            return 0;
        /* the grammar gives numeric option values as bare Integer nodes */
        if (a && IsA(a, Integer) && intVal(a) == 0)
            return 0;
        return 1;
    }
    return 0;
}

/* Columns of a CHECK (col IS NOT NULL) expression; the column name, or NULL. */
const char *pg_check_is_not_null(const Node *e)
{
    const NullTest *t = PG_AS(e, NullTest);
    if (!t || t->nulltesttype != IS_NOT_NULL || !t->arg || !IsA(t->arg, ColumnRef))
        return NULL;
    const ColumnRef *c = (const ColumnRef *)t->arg;
    return list_length(c->fields) ? pg_str(llast(c->fields)) : NULL;
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

AlterTableStmt *pg_alter_table(const struct chk_stmt *s)
{
    AlterTableStmt *a = PG_IS(s, AlterTableStmt);
    if (a && (a->objtype == OBJECT_TABLE || a->objtype == OBJECT_MATVIEW ||
              a->objtype == OBJECT_FOREIGN_TABLE))
        return a;
    return NULL;
}

int pg_alter_is_new(const struct chk_run *r, const AlterTableStmt *a)
{
    return chk_table_is_new(r, pg_rel(a->relation));
}

int pg_cmd_loc(const AlterTableStmt *a, const AlterTableCmd *c)
{
    const Node *d = c->def;
    if (d && IsA(d, ColumnDef))
        return ((const ColumnDef *)d)->location;
    if (d && IsA(d, Constraint))
        return ((const Constraint *)d)->location;
    return pg_rel_loc(a->relation);
}
