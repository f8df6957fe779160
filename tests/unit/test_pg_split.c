/* test_pg_split.c — PostgreSQL statement splitting and classification. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

static size_t split(const char *sql, struct drv_stmt **out, int version)
{
    struct mg_err e;
    size_t n;

    mg_err_clear(&e);
    assert_int_equal(drv_split(&drv_postgres_ops, out, &n, sql, strlen(sql), version, &e), 0);
    return n;
}

static void assert_stmt(const char *sql, const struct drv_stmt *s, const char *want)
{
    char *got = strndup(sql + s->off, s->len);
    assert_string_equal(got, want);
    free(got);
}

static void survives_quoting(void **state)
{
    const char *sql =
        "-- header; comment\n"
        "CREATE FUNCTION f() RETURNS text AS $body$ SELECT 'a;b'; $body$ LANGUAGE sql;\n"
        "/* outer /* nested; */ still; */ SELECT E'it\\'s; fine', $$x;y$$;\n"
        "SELECT 'x;y' -- trailing; comment\n"
        ";\n"
        "INSERT INTO t VALUES (1) -- no semicolon at the end";
    struct drv_stmt *s;
    size_t n;

    (void)state;
    n = split(sql, &s, 0);
    assert_int_equal(n, 4);
    assert_stmt(sql, &s[0],
                "CREATE FUNCTION f() RETURNS text AS $body$ SELECT 'a;b'; $body$ LANGUAGE sql");
    assert_int_equal(s[0].line, 2);
    assert_int_equal(s[0].col, 1);
    assert_stmt(sql, &s[1], "SELECT E'it\\'s; fine', $$x;y$$");
    assert_int_equal(s[1].line, 3);
    assert_int_equal(s[1].col, 34);
    assert_stmt(sql, &s[2], "SELECT 'x;y' -- trailing; comment");
    assert_int_equal(s[3].line, 6);
    assert_true(s[3].flags & DRV_STMT_DML);
    assert_true(s[0].flags & DRV_STMT_DDL);
    free(s);
}

static void only_comments(void **state)
{
    struct drv_stmt *s;

    (void)state;
    assert_int_equal(split("-- nothing here\n/* at all; */\n", &s, 0), 0);
    free(s);
    assert_int_equal(split("", &s, 0), 0);
    free(s);
    assert_int_equal(split("SELECT 1;;; -- end\n", &s, 0), 1);
    free(s);
}

static void lexical_error(void **state)
{
    const char *sql = "SELECT 1;\nSELECT 'unterminated;\n";
    struct drv_stmt *s;
    size_t n;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(drv_split(&drv_postgres_ops, &s, &n, sql, strlen(sql), 0, &e), MG_EINPUT);
    assert_non_null(strstr(e.msg, "cannot split"));
    assert_int_equal(e.line, 2);
}

static void no_transaction(void **state)
{
    static const struct {
        const char *sql;
        unsigned want;
    } cases[] = {
        {"CREATE INDEX CONCURRENTLY i ON t (a)", DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"create unique index concurrently if not exists i on t (a)",
         DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"DROP INDEX CONCURRENTLY IF EXISTS i", DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"REINDEX INDEX CONCURRENTLY i", DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"REINDEX (VERBOSE, CONCURRENTLY) TABLE t", DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"ALTER TABLE p DETACH PARTITION c CONCURRENTLY", DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT},
        {"VACUUM (ANALYZE) t", DRV_STMT_NO_TXN},
        {"CREATE DATABASE x", DRV_STMT_NO_TXN},
        {"ALTER SYSTEM SET work_mem = '8MB'", DRV_STMT_NO_TXN},
        {"CLUSTER", DRV_STMT_NO_TXN},
        {"CLUSTER t USING i", 0},
        {"CREATE INDEX i ON t (a)", 0},
        {"CREATE INDEX concurrently_named ON t (a)", 0},
        {"SELECT 'CREATE INDEX CONCURRENTLY'", 0},
        {"REFRESH MATERIALIZED VIEW CONCURRENTLY v", 0},
        {"ALTER TYPE mood ADD VALUE 'meh'", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct drv_stmt *s;
        assert_int_equal(split(cases[i].sql, &s, 150000), 1);
        unsigned got = s[0].flags & (DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT);
        if (got != cases[i].want)
            fail_msg("%s: flags %u, want %u", cases[i].sql, got, cases[i].want);
        if (got & DRV_STMT_NO_TXN)
            assert_non_null(s[0].why);
        free(s);
    }
    /* before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run in a transaction */
    struct drv_stmt *s;
    assert_int_equal(split("ALTER TYPE mood ADD VALUE 'meh'", &s, 110000), 1);
    assert_true(s[0].flags & DRV_STMT_NO_TXN);
    free(s);
}

static void txn_control(void **state)
{
    struct drv_stmt *s;
    size_t n;

    (void)state;
    n = split("BEGIN; CREATE TABLE t (a int); COMMIT; START TRANSACTION; ROLLBACK; SAVEPOINT a;",
              &s, 0);
    assert_int_equal(n, 6);
    assert_true(s[0].flags & DRV_STMT_TXN_CONTROL);
    assert_false(s[1].flags & DRV_STMT_TXN_CONTROL);
    for (size_t i = 2; i < 6; i++)
        assert_true(s[i].flags & DRV_STMT_TXN_CONTROL);
    free(s);
}

/* libpg_query's scanner split drops the rest of the text after an unbalanced '(':
 * nothing may be lost, the server must see it and report the error */
static void nothing_is_lost(void **state)
{
    const char *sql = "SELECT 1; CREATE TABLE (; SELECT 2";
    struct drv_stmt *s;
    size_t n;

    (void)state;
    n = split(sql, &s, 0);
    assert_int_equal(n, 2);
    assert_stmt(sql, &s[0], "SELECT 1");
    assert_stmt(sql, &s[1], "CREATE TABLE (; SELECT 2");
    free(s);
    n = split("CREATE TABLE (;", &s, 0);
    assert_int_equal(n, 1);
    free(s);
}

static void atomic_bodies(void **state)
{
    const char *sql =
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\n"
        "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);\n"
        "SELECT 3;";
    struct drv_stmt *s;
    size_t n;

    (void)state;
    n = split(sql, &s, 0);
    assert_int_equal(n, 3);
    assert_stmt(sql, &s[0],
                "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
                "BEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND");
    assert_stmt(sql, &s[1], "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)");
    assert_int_equal(s[2].line, 7);
    free(s);
}

/* Long statements are classified from their first words; the cut must not change the verdict. */
static void long_statements(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    struct drv_stmt *s;
    (void)state;

    /* the first words fit the prefix */
    mg_buf_adds(&b, "CREATE INDEX CONCURRENTLY i ON t (a) WHERE b IN (");
    for (int i = 0; i < 400; i++)
        mg_buf_addf(&b, "%s%d", i ? ", " : "", i);
    mg_buf_adds(&b, ");\n");
    /* the prefix ends inside a comment: classified from the whole text */
    mg_buf_adds(&b, "ALTER /* ");
    for (int i = 0; i < 300; i++)
        mg_buf_adds(&b, "long ");
    mg_buf_adds(&b, "*/ TYPE mood ADD VALUE 'x';\n");
    /* the prefix ends inside a string */
    mg_buf_adds(&b, "VACUUM (VERBOSE) t; SELECT '");
    for (int i = 0; i < 300; i++)
        mg_buf_adds(&b, "text ");
    mg_buf_adds(&b, "';\n");
    assert_int_equal(split(b.ptr, &s, 110000), 4);
    assert_true(s[0].flags & DRV_STMT_NO_TXN);
    assert_true(s[0].flags & DRV_STMT_CONCURRENT);
    assert_true(s[1].flags & DRV_STMT_NO_TXN);
    assert_true(s[2].flags & DRV_STMT_NO_TXN);
    assert_int_equal(s[3].flags, DRV_STMT_DML);
    free(s);
    mg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(survives_quoting), cmocka_unit_test(only_comments),
        cmocka_unit_test(lexical_error),    cmocka_unit_test(no_transaction),
        cmocka_unit_test(txn_control),      cmocka_unit_test(nothing_is_lost),
        cmocka_unit_test(atomic_bodies),    cmocka_unit_test(long_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
