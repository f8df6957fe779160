/* test_metrics.c — the Prometheus text of a run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

static int has_line(const char *text, const char *line)
{
    size_t len = strlen(line);

    for (const char *p = text; (p = strstr(p, line)); p++)
        if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
            return 1;
    return 0;
}

static void success(void **state)
{
    struct mg_step_result steps[2] = {
        {.version = 1,
         .title = "users",
         .dir = MG_UP,
         .ok = 1,
         .attempts = 3,
         .duration_ms = 1500,
         .lock_wait_ms = 1000},
        {.version = 2,
         .title = "say \"hi\"\\",
         .dir = MG_UP,
         .ok = 1,
         .attempts = 1,
         .duration_ms = 20},
    };
    struct mg_run_report rep = {.v = steps, .n = 2};
    struct mg_metrics m = {.database = "app",
                           .command = "up",
                           .ok = 1,
                           .end_time = 1700000000.25,
                           .duration_ms = 1600,
                           .runner_lock_wait_ms = 250,
                           .rep = &rep,
                           .version_known = 1,
                           .version = 2};
    struct mg_buf out = MG_BUF_INIT;

    (void)state;
    mg_metrics_format(&out, &m, NULL);
    assert_true(has_line(out.ptr, "# TYPE migrate_last_run_success gauge"));
    assert_true(has_line(out.ptr, "migrate_last_run_success{database=\"app\",command=\"up\"} 1"));
    assert_true(has_line(out.ptr, "migrate_last_run_timestamp_seconds{database=\"app\","
                                  "command=\"up\"} 1700000000.250"));
    assert_true(has_line(
        out.ptr, "migrate_last_success_timestamp_seconds{database=\"app\"} 1700000000.250"));
    assert_true(has_line(out.ptr, "migrate_run_duration_seconds{database=\"app\"} 1.600"));
    assert_true(
        has_line(out.ptr, "migrate_migrations_applied{database=\"app\",direction=\"up\"} 2"));
    assert_true(
        has_line(out.ptr, "migrate_migrations_applied{database=\"app\",direction=\"down\"} 0"));
    assert_true(has_line(out.ptr, "migrate_migrations_failed{database=\"app\"} 0"));
    assert_true(has_line(out.ptr, "migrate_migration_duration_seconds{database=\"app\",version="
                                  "\"1\",name=\"users\",direction=\"up\"} 1.500"));
    /* label values escape quotes and backslashes */
    assert_true(has_line(out.ptr, "migrate_migration_duration_seconds{database=\"app\",version="
                                  "\"2\",name=\"say \\\"hi\\\"\\\\\",direction=\"up\"} 0.020"));
    assert_true(has_line(out.ptr, "migrate_lock_wait_seconds{database=\"app\"} 1.000"));
    assert_true(has_line(out.ptr, "migrate_runner_lock_wait_seconds{database=\"app\"} 0.250"));
    assert_true(has_line(out.ptr, "migrate_retries{database=\"app\"} 2"));
    assert_true(has_line(out.ptr, "migrate_version{database=\"app\"} 2"));
    /* every sample's family is declared once */
    assert_non_null(strstr(out.ptr, "# HELP migrate_migrations_applied "));
    assert_null(strstr(strstr(out.ptr, "# HELP migrate_migrations_applied ") + 1,
                       "# HELP migrate_migrations_applied "));
    mg_buf_free(&out);
}

static void failure_keeps_last_success(void **state)
{
    struct mg_step_result steps[1] = {
        {.version = 3, .title = "orders", .dir = MG_DOWN, .ok = 0, .attempts = 6},
    };
    struct mg_run_report rep = {.v = steps, .n = 1};
    struct mg_metrics m = {
        .database = "app", .command = "down", .ok = 0, .end_time = 1700000100, .rep = &rep};
    struct mg_buf out = MG_BUF_INIT;
    const char *previous =
        "# TYPE migrate_last_success_timestamp_seconds gauge\n"
        "migrate_last_success_timestamp_seconds{database=\"other\"} 5\n"
        "migrate_last_success_timestamp_seconds{database=\"app\"} 1700000000.250\n";

    (void)state;
    mg_metrics_format(&out, &m, previous);
    assert_true(has_line(out.ptr, "migrate_last_run_success{database=\"app\",command=\"down\"} 0"));
    assert_true(has_line(
        out.ptr, "migrate_last_success_timestamp_seconds{database=\"app\"} 1700000000.250"));
    assert_true(has_line(out.ptr, "migrate_migrations_failed{database=\"app\"} 1"));
    assert_true(has_line(out.ptr, "migrate_retries{database=\"app\"} 5"));
    /* the version is left out when it is not known */
    assert_null(strstr(out.ptr, "migrate_version{"));
    mg_buf_reset(&out);

    /* no earlier success, or garbage where the number should be: no such sample */
    mg_metrics_format(&out, &m, NULL);
    assert_null(strstr(out.ptr, "migrate_last_success_timestamp_seconds{"));
    mg_buf_reset(&out);
    mg_metrics_format(&out, &m,
                      "migrate_last_success_timestamp_seconds{database=\"app\"} 1 # evil\n");
    assert_null(strstr(out.ptr, "migrate_last_success_timestamp_seconds{"));
    mg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success),
        cmocka_unit_test(failure_keeps_last_success),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
