/* test_audit.c — the hash-chain check of migrate_events, and the pipeline metadata. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "history.h"
#include "util.h"

/* A chain of n events built the way mg_event_append hashes them; ids 1..n. */
static void build(struct mg_audit_rows *rows, size_t n)
{
    char prev[65] = "";

    rows->v = mg_calloc(n, sizeof(*rows->v));
    rows->n = n;
    for (size_t i = 0; i < n; i++) {
        struct mg_audit_row *r = &rows->v[i];
        char buf[64];
        r->id = (long long)i + 1;
        snprintf(buf, sizeof(buf), "2026-01-01T00:00:%02zu.000Z", i);
        r->fields[0] = mg_strdup(buf);
        r->fields[1] = mg_strdup("run-1");
        r->fields[2] = mg_strdup(i % 2 ? "up" : "checkpoint");
        r->fields[3] = mg_strdup("ok");
        snprintf(buf, sizeof(buf), "%zu", i + 1);
        r->fields[4] = mg_strdup(buf);
        for (int f = 5; f < 11; f++)
            r->fields[f] = mg_strdup("x");
        r->fields[11] = mg_strdup("{}");
        r->prev_hash = mg_strdup(prev);
        struct mg_buf canon = MG_BUF_INIT;
        mg_buf_adds(&canon, prev);
        mg_buf_addch(&canon, '\x1f');
        mg_event_canonical(&canon, (const char *const *)r->fields);
        char h[65];
        mg_sha256_hex(h, canon.ptr, canon.len);
        mg_buf_free(&canon);
        r->hash = mg_strdup(h);
        memcpy(prev, h, sizeof(prev));
    }
}

/* Removes row at index k, as DELETE would. */
static void drop(struct mg_audit_rows *rows, size_t k)
{
    struct mg_audit_row gone = rows->v[k];
    memmove(&rows->v[k], &rows->v[k + 1], (rows->n - k - 1) * sizeof(*rows->v));
    rows->n--;
    for (int f = 0; f < 12; f++)
        free(gone.fields[f]);
    free(gone.prev_hash);
    free(gone.hash);
}

static void intact(void **state)
{
    struct mg_audit_rows rows;
    struct mg_audit_report rep;

    (void)state;
    build(&rows, 6);
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 0);
    assert_int_equal(rep.nrows, 6);
    assert_int_equal(rep.head_id, 6);
    assert_string_equal(rep.head, rows.v[5].hash);
    mg_audit_report_free(&rep);
    /* the head taken now is found later */
    mg_audit_check(&rep, &rows, rows.v[5].hash);
    assert_int_equal(rep.n, 0);
    mg_audit_report_free(&rep);
    mg_audit_rows_free(&rows);
}

static void altered(void **state)
{
    struct mg_audit_rows rows;
    struct mg_audit_report rep;

    (void)state;
    build(&rows, 6);
    free(rows.v[2].fields[3]);
    rows.v[2].fields[3] = mg_strdup("failed");
    mg_audit_check(&rep, &rows, NULL);
    /* one altered row is one problem: the next row still links to its stored hash */
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.v[0].kind, MG_AUDIT_ALTERED);
    assert_int_equal(rep.v[0].id, 3);
    assert_non_null(strstr(rep.v[0].msg, "event id 3 was altered"));
    mg_audit_report_free(&rep);

    /* a changed prev_hash is an alteration of that row too */
    free(rows.v[2].fields[3]);
    rows.v[2].fields[3] = mg_strdup("ok");
    rows.v[4].prev_hash[0] = rows.v[4].prev_hash[0] == 'a' ? 'b' : 'a';
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.v[0].kind, MG_AUDIT_ALTERED);
    assert_int_equal(rep.v[0].id, 5);
    mg_audit_report_free(&rep);
    mg_audit_rows_free(&rows);
}

static void rehashed(void **state)
{
    struct mg_audit_rows rows;
    struct mg_audit_report rep;

    (void)state;
    build(&rows, 5);
    /* a forger who recomputes the altered row's hash breaks the link to the next row */
    free(rows.v[1].fields[5]);
    rows.v[1].fields[5] = mg_strdup("forged");
    struct mg_buf canon = MG_BUF_INIT;
    mg_buf_adds(&canon, rows.v[1].prev_hash);
    mg_buf_addch(&canon, '\x1f');
    mg_event_canonical(&canon, (const char *const *)rows.v[1].fields);
    mg_sha256_hex(rows.v[1].hash, canon.ptr, canon.len);
    mg_buf_free(&canon);
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.v[0].kind, MG_AUDIT_REMOVED);
    assert_int_equal(rep.v[0].id, 3);
    assert_int_equal(rep.v[0].after_id, 2);
    assert_non_null(strstr(rep.v[0].msg, "or id 2 was rewritten"));
    mg_audit_report_free(&rep);
    mg_audit_rows_free(&rows);
}

static void removed(void **state)
{
    struct mg_audit_rows rows;
    struct mg_audit_report rep;

    (void)state;
    build(&rows, 6);
    drop(&rows, 3); /* id 4 */
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.v[0].kind, MG_AUDIT_REMOVED);
    assert_int_equal(rep.v[0].id, 5);
    assert_int_equal(rep.v[0].after_id, 3);
    assert_non_null(strstr(rep.v[0].msg, "event id 4 was removed"));
    mg_audit_report_free(&rep);

    /* two in a row: named as a range */
    drop(&rows, 3); /* id 5 */
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 1);
    assert_non_null(strstr(rep.v[0].msg, "events between id 3 and id 6 were removed"));
    mg_audit_report_free(&rep);

    /* the first row */
    drop(&rows, 0);
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 2);
    assert_int_equal(rep.v[0].id, 2);
    assert_non_null(strstr(rep.v[0].msg, "events before id 2 were removed"));
    mg_audit_report_free(&rep);
    mg_audit_rows_free(&rows);
}

static void truncated(void **state)
{
    struct mg_audit_rows rows;
    struct mg_audit_report rep;
    char head[65];

    (void)state;
    build(&rows, 4);
    memcpy(head, rows.v[3].hash, sizeof(head));
    drop(&rows, 3);
    /* the newest row gone leaves the chain intact: only a head kept elsewhere shows it */
    mg_audit_check(&rep, &rows, NULL);
    assert_int_equal(rep.n, 0);
    mg_audit_report_free(&rep);
    mg_audit_check(&rep, &rows, head);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.v[0].kind, MG_AUDIT_TRUNCATED);
    assert_string_equal(mg_audit_kind_name(rep.v[0].kind), "truncated");
    mg_audit_report_free(&rep);
    mg_audit_rows_free(&rows);

    /* an empty table with an expected head is truncated as well */
    memset(&rows, 0, sizeof(rows));
    mg_audit_check(&rep, &rows, head);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.head, "");
    mg_audit_report_free(&rep);
}

static void pipeline(void **state)
{
    json_t *o;
    char big[2000];

    (void)state;
    unsetenv("GITHUB_SHA");
    unsetenv("GITHUB_RUN_ID");
    unsetenv("GITHUB_ACTOR");
    unsetenv("CI_COMMIT_SHA");
    unsetenv("CI_PIPELINE_ID");
    unsetenv("GITLAB_USER_LOGIN");
    setenv("GITHUB_SHA", "abc123", 1);
    setenv("CI_PIPELINE_ID", "77", 1);
    setenv("MIGRATE_DEPLOY_ENV", "production", 1);
    setenv("MIGRATE_DEPLOY_", "nameless", 1);
    setenv("MIGRATE_DEPLOY_EMPTY", "", 1);
    setenv("OTHER_VAR", "no", 1);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    setenv("GITHUB_ACTOR", big, 1);
    o = mg_audit_pipeline();
    assert_string_equal(json_string_value(json_object_get(o, "GITHUB_SHA")), "abc123");
    assert_string_equal(json_string_value(json_object_get(o, "CI_PIPELINE_ID")), "77");
    assert_string_equal(json_string_value(json_object_get(o, "MIGRATE_DEPLOY_ENV")), "production");
    assert_int_equal(strlen(json_string_value(json_object_get(o, "GITHUB_ACTOR"))), 1024);
    assert_null(json_object_get(o, "MIGRATE_DEPLOY_"));
    assert_null(json_object_get(o, "MIGRATE_DEPLOY_EMPTY"));
    assert_null(json_object_get(o, "OTHER_VAR"));
    assert_null(json_object_get(o, "GITLAB_USER_LOGIN"));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intact),  cmocka_unit_test(altered),   cmocka_unit_test(rehashed),
        cmocka_unit_test(removed), cmocka_unit_test(truncated), cmocka_unit_test(pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
