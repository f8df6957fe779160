/* test_schema.c — parsing schema snapshots and comparing them object by object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "util.h"

static const char *const base =
    "-- migrate schema snapshot 1 (postgres)\n"
    "\n"
    "schema public\n"
    "  comment 'standard public schema'\n"
    "\n"
    "table public.users\n"
    "  column id bigint not null\n"
    "  column email text not null\n"
    "  CREATE INDEX users_email_idx ON public.users USING btree (email)\n"
    "\n"
    "materialized view public.totals\n"
    "  definition\n"
    "     SELECT 1 AS one;\n"
    "\n"
    "function public.f(a integer)\n"
    "  definition\n"
    "    CREATE OR REPLACE FUNCTION public.f(a integer)\n"
    "    AS $function$\n"
    "    BEGIN\n"
    "\n"
    "    END\n"
    "    $function$\n";

static void parse_ok(struct mg_schema *s, const char *text)
{
    struct mg_err e;

    mg_err_clear(&e);
    assert_int_equal(mg_schema_parse(s, text, strlen(text), "test", &e), 0);
}

static void parses_blocks(void **state)
{
    struct mg_schema s;
    const struct mg_schema_obj *o;

    (void)state;
    parse_ok(&s, base);
    assert_string_equal(s.dialect, "postgres");
    assert_int_equal(s.n, 4);
    o = mg_schema_find(&s, "materialized view", "public.totals");
    assert_non_null(o);
    assert_int_equal(o->n, 2);
    assert_string_equal(o->lines[1], "   SELECT 1 AS one;");
    o = mg_schema_find(&s, "table", "public.users");
    assert_non_null(o);
    assert_int_equal(o->n, 3);
    assert_string_equal(o->lines[0], "column id bigint not null");
    /* a blank line inside a definition stays; the one after a block does not */
    o = mg_schema_find(&s, "function", "public.f(a integer)");
    assert_non_null(o);
    assert_int_equal(o->n, 7);
    assert_string_equal(o->lines[4], "");
    assert_null(mg_schema_find(&s, "view", "public.totals"));
    mg_schema_free(&s);
}

static void rejects_bad_input(void **state)
{
    struct mg_schema s;
    struct mg_err e;
    const char *dup = "-- migrate schema snapshot 1 (postgres)\ntable a\n\ntable a\n";
    const char *indented = "-- migrate schema snapshot 1 (postgres)\n  column x int\n";

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_schema_parse(&s, "table x\n", 8, "f.txt", &e), MG_EINPUT);
    assert_non_null(strstr(e.msg, "'f.txt' is not a schema snapshot"));
    mg_err_clear(&e);
    assert_int_equal(mg_schema_parse(&s, "", 0, "f.txt", &e), MG_EINPUT);
    mg_err_clear(&e);
    assert_int_equal(mg_schema_parse(&s, dup, strlen(dup), "f.txt", &e), MG_EINPUT);
    assert_non_null(strstr(e.msg, "lists table a twice"));
    mg_err_clear(&e);
    assert_int_equal(mg_schema_parse(&s, indented, strlen(indented), "f.txt", &e), MG_EINPUT);
    assert_non_null(strstr(e.msg, "line 2"));
}

/* base with one string replaced */
static char *edit(const char *from, const char *to)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *at = strstr(base, from);

    assert_non_null(at);
    mg_buf_add(&b, base, (size_t)(at - base));
    mg_buf_adds(&b, to);
    mg_buf_adds(&b, at + strlen(from));
    return mg_buf_detach(&b);
}

static void equal_snapshots_have_no_diff(void **state)
{
    struct mg_schema a, b;
    struct mg_schema_diff d;

    (void)state;
    parse_ok(&a, base);
    parse_ok(&b, base);
    mg_schema_diff(&d, &a, &b, 0);
    assert_int_equal(d.n, 0);
    mg_schema_diff_free(&d);
    mg_schema_free(&a);
    mg_schema_free(&b);
}

static void diff_names_objects_and_lines(void **state)
{
    struct mg_schema a, b;
    struct mg_schema_diff d;
    struct mg_buf text = MG_BUF_INIT;
    char *t1 = edit("  CREATE INDEX users_email_idx ON public.users USING btree (email)\n", "");
    char *t2 =
        edit("schema public\n", "view public.v\n  definition\n     SELECT 2;\n\nschema public\n");

    (void)state;
    parse_ok(&a, base);
    parse_ok(&b, t1);
    mg_schema_diff(&d, &a, &b, 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.changed, 1);
    assert_int_equal(d.v[0].change, MG_SCHEMA_CHANGED);
    assert_string_equal(d.v[0].a->name, "public.users");
    assert_int_equal(d.v[0].nedits, 1);
    assert_int_equal(d.v[0].edits[0].op, '-');
    mg_schema_diff_text(&text, &d, "");
    assert_string_equal(text.ptr, "changed table public.users\n"
                                  "  - CREATE INDEX users_email_idx ON public.users USING btree "
                                  "(email)\n");
    mg_schema_diff_free(&d);
    mg_schema_free(&b);

    /* added objects come in snapshot order: a view after tables */
    parse_ok(&b, t2);
    mg_schema_diff(&d, &a, &b, 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.added, 1);
    assert_string_equal(d.v[0].b->kind, "view");
    mg_schema_diff_free(&d);
    /* and the other way round it is removed */
    mg_schema_diff(&d, &b, &a, 0);
    assert_int_equal(d.removed, 1);
    json_t *j = mg_schema_diff_json(&d);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "change")),
                        "removed");
    json_decref(j);
    mg_schema_diff_free(&d);
    mg_schema_free(&a);
    mg_schema_free(&b);
    mg_buf_free(&text);
    free(t1);
    free(t2);
}

static void column_order(void **state)
{
    struct mg_schema a, b;
    struct mg_schema_diff d;
    char *t = edit("  column id bigint not null\n  column email text not null\n",
                   "  column email text not null\n  column id bigint not null\n");

    (void)state;
    parse_ok(&a, base);
    parse_ok(&b, t);
    mg_schema_diff(&d, &a, &b, 0);
    assert_int_equal(d.changed, 1);
    /* a moved line is one '-' and one '+' */
    assert_int_equal(d.v[0].nedits, 2);
    mg_schema_diff_free(&d);
    mg_schema_diff(&d, &a, &b, MG_SCHEMA_IGNORE_COLUMN_ORDER);
    assert_int_equal(d.n, 0);
    mg_schema_diff_free(&d);
    mg_schema_free(&a);
    mg_schema_free(&b);
    free(t);
}

static void changed_definition_lines(void **state)
{
    struct mg_schema a, b;
    struct mg_schema_diff d;
    char *t = edit("    BEGIN\n\n    END\n", "    BEGIN\n      PERFORM 1;\n\n    END\n");

    (void)state;
    parse_ok(&a, base);
    parse_ok(&b, t);
    mg_schema_diff(&d, &a, &b, 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].a->kind, "function");
    assert_int_equal(d.v[0].nedits, 1);
    assert_int_equal(d.v[0].edits[0].op, '+');
    assert_string_equal(d.v[0].edits[0].line, "    PERFORM 1;");
    mg_schema_diff_free(&d);
    mg_schema_free(&a);
    mg_schema_free(&b);
    free(t);
}

static void json_objects(void **state)
{
    struct mg_schema s;
    json_t *j;

    (void)state;
    parse_ok(&s, base);
    j = mg_schema_json(&s);
    assert_int_equal(json_integer_value(json_object_get(j, "format")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "objects")), 4);
    json_t *o = json_array_get(json_object_get(j, "objects"), 1);
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "table");
    assert_string_equal(json_string_value(json_object_get(o, "name")), "public.users");
    json_decref(j);
    mg_schema_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_blocks),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(equal_snapshots_have_no_diff),
        cmocka_unit_test(diff_names_objects_and_lines),
        cmocka_unit_test(column_order),
        cmocka_unit_test(changed_definition_lines),
        cmocka_unit_test(json_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
