/* test_rollback.c — test-rollback's reports (text, JSON, JUnit) and scratch database URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "rollback.h"
#include "scratch.h"
#include "util.h"

/* A report of two migrations: one passed, one whose down left an index behind. */
static void make_report(struct mg_rollback_report *r)
{
    memset(r, 0, sizeof(*r));
    r->target = mg_strdup("a PostgreSQL 15 sandbox");
    r->n = 3;
    r->v = mg_calloc(3, sizeof(*r->v));
    r->v[0].version = 1;
    r->v[0].title = mg_strdup("users");
    r->v[0].tested = 1;
    r->v[1].version = 2;
    r->v[1].title = mg_strdup("orders_<idx>");
    r->v[1].tested = 1;
    r->v[1].failed = 1;
    r->v[1].steps[MG_RB_DOWN].status = MG_RB_FAILED;
    r->v[1].steps[MG_RB_DOWN].message =
        mg_strdup("the schema after the down differs from the schema before the up");
    r->v[1].steps[MG_RB_DOWN].diff_text =
        mg_strdup("(- before the up, + after the down)\nchanged table public.orders\n"
                  "  + CREATE INDEX orders_idx ON public.orders USING btree (a)\n");
    r->v[1].steps[MG_RB_DOWN].diff = json_array();
    r->v[1].steps[MG_RB_UP_AGAIN].status = MG_RB_SKIPPED;
    r->v[1].steps[MG_RB_UP_AGAIN].message = mg_strdup("not run: the down failed");
    r->v[2].version = 3;
    r->v[2].title = mg_strdup("later");
    r->passed = 1;
    r->failed = 1;
    r->not_run = 1;
    r->stopped = mg_strdup("a clone cannot be rebuilt");
}

static void text_report(void **state)
{
    struct mg_rollback_report r;
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    make_report(&r);
    mg_rollback_text(&b, &r);
    assert_non_null(strstr(b.ptr, "ok   1_users\n"));
    assert_non_null(strstr(b.ptr, "FAIL 2_orders_<idx>\n     down: the schema after the down"));
    assert_non_null(strstr(b.ptr, "         + CREATE INDEX orders_idx"));
    assert_non_null(strstr(b.ptr, "     up again: not run: the down failed\n"));
    assert_non_null(strstr(b.ptr, "skip 3_later: not run\n"));
    assert_non_null(strstr(b.ptr, "3 migrations: 1 passed, 1 failed, 1 not run\n"));
    assert_non_null(strstr(b.ptr, "stopped early: a clone cannot be rebuilt\n"));
    mg_buf_free(&b);
    mg_rollback_report_free(&r);
}

static void junit_report(void **state)
{
    struct mg_rollback_report r;
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    make_report(&r);
    mg_rollback_junit(&b, &r);
    /* three steps per migration: one failure, one skipped step and a migration not run */
    assert_non_null(strstr(b.ptr, "tests=\"9\" failures=\"1\" errors=\"0\" skipped=\"4\""));
    assert_non_null(strstr(b.ptr, "<testcase classname=\"test-rollback.1_users\" name=\"up\""));
    assert_non_null(
        strstr(b.ptr, "classname=\"test-rollback.2_orders_&lt;idx&gt;\" name=\"down\""));
    assert_non_null(strstr(b.ptr, "<failure message=\"the schema after the down differs from the "
                                  "schema before the up\" type=\"schema-differs\">"));
    assert_non_null(strstr(b.ptr, "<skipped message=\"not run: the down failed\"/>"));
    assert_non_null(strstr(b.ptr, "</testsuites>\n"));
    mg_buf_free(&b);
    mg_rollback_report_free(&r);
}

static void json_report(void **state)
{
    struct mg_rollback_report r;
    json_t *j;

    (void)state;
    make_report(&r);
    j = mg_rollback_json(&r);
    assert_false(json_is_true(json_object_get(j, "ok")));
    json_t *m = json_array_get(json_object_get(j, "migrations"), 1);
    assert_string_equal(json_string_value(json_object_get(m, "status")), "failed");
    json_t *down = json_array_get(json_object_get(m, "steps"), 1);
    assert_string_equal(json_string_value(json_object_get(down, "step")), "down");
    assert_string_equal(json_string_value(json_object_get(down, "status")), "failed");
    assert_non_null(json_object_get(down, "differences"));
    m = json_array_get(json_object_get(j, "migrations"), 2);
    assert_string_equal(json_string_value(json_object_get(m, "status")), "not_run");
    json_decref(j);
    mg_rollback_report_free(&r);
}

static void xml_escape(void **state)
{
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_buf_add_xml(&b, "a<b>&\"c'\x01\n");
    assert_string_equal(b.ptr, "a&lt;b&gt;&amp;&quot;c&apos;?\n");
    mg_buf_free(&b);
}

static void scratch_urls(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(
        mg_scratch_dburl(&b, "postgres://postgres@/postgres?host=/tmp/s&port=5", "x", &e), 0);
    assert_string_equal(b.ptr, "postgres://postgres@/x?host=/tmp/s&port=5");
    mg_buf_reset(&b);
    assert_int_equal(mg_scratch_dburl(&b, "mysql://root@127.0.0.1:3306", "x", &e), 0);
    assert_string_equal(b.ptr, "mysql://root@127.0.0.1:3306/x");
    mg_buf_reset(&b);
    assert_int_equal(mg_scratch_dburl(&b, "postgres://u:p@h/db/?a=b", "x", &e), 0);
    assert_string_equal(b.ptr, "postgres://u:p@h/x?a=b");
    assert_int_equal(mg_scratch_dburl(&b, "nourl", "x", &e), MG_EUSAGE);
    mg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_report),  cmocka_unit_test(junit_report),
        cmocka_unit_test(json_report),  cmocka_unit_test(xml_escape),
        cmocka_unit_test(scratch_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
