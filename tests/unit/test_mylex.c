/* test_mylex.c — the MySQL/MariaDB lexical rules that the driver's splitter, lint and the
 * online schema change share (migrate/mylex.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mylex.h"

/* The kinds of the tokens of s, one letter each: S space, C comment, X executable comment,
   Q quoted, W word, O other, E error (and the scan stops). */
static const char *kinds(const char *s)
{
    static char out[128];
    size_t i = 0, n = 0, len = strlen(s);

    while (i < len && n + 1 < sizeof(out)) {
        size_t next;
        const char *what = NULL;
        enum mg_mylex_tok t = mg_mylex_next(s, i, len, &next, &what);
        out[n++] = "SCXQWOE"[t];
        if (t == MG_MYLEX_ERROR)
            break;
        assert_true(next > i);
        i = next;
    }
    out[n] = '\0';
    return out;
}

static void tokens(void **state)
{
    (void)state;
    assert_string_equal(kinds("SELECT a,b"), "WSWOW");
    /* -- is a comment only before a space or a control character */
    assert_string_equal(kinds("1--1"), "WOOW");
    assert_string_equal(kinds("1 -- x\n2"), "WSCSW");
    assert_string_equal(kinds("1 --\f2"), "WSC");
    assert_string_equal(kinds("# x\nA"), "CSW");
    /* quotes: doubled quotes, backslashes in strings but not in backticks */
    assert_string_equal(kinds("'it''s' \"a\\\"b\" `x``y`"), "QSQSQ");
    assert_string_equal(kinds("`a\\`"), "Q");
    /* executable comments, MariaDB's too; plain block comments */
    assert_string_equal(kinds("/*!50100 ADD x */ /*M!100000 y */ /* z */"), "XSXSC");
    /* a quote inside an executable comment is code: the comment end inside it does not count */
    assert_string_equal(kinds("/*! 'a*/' */"), "X");
    /* unterminated constructs */
    assert_string_equal(kinds("SELECT 'abc"), "WSE");
    assert_string_equal(kinds("/* open"), "E");
    assert_string_equal(kinds("x `y"), "WSE");
    /* UTF-8 letters belong to words */
    assert_string_equal(kinds("\xc3\xa9t\xc3\xa9 e"), "WSW");
}

static void unterminated_says_where(void **state)
{
    const char *s = "SELECT 1, 'abc";
    size_t next = 0;
    const char *what = NULL;
    (void)state;
    assert_int_equal(mg_mylex_next(s, 10, strlen(s), &next, &what), MG_MYLEX_ERROR);
    assert_int_equal(next, 10);
    assert_string_equal(what, "quoted string");
}

static void exec_bodies(void **state)
{
    const char *a = "/*!50100 ADD x */", *m = "/*M!100500 y */";
    size_t from, to;
    (void)state;
    /* a versioned comment runs on servers at or above its version */
    assert_int_equal(mg_mylex_exec_body(a, 0, strlen(a), 80035, &from, &to), 1);
    assert_int_equal(from, 8);
    assert_int_equal(to, strlen(a) - 2);
    assert_int_equal(mg_mylex_exec_body(a, 0, strlen(a), 50000, &from, &to), 0);
    /* a MariaDB one runs only on MariaDB */
    assert_int_equal(mg_mylex_exec_body(m, 0, strlen(m), 80035, &from, &to), 0);
    assert_int_equal(mg_mylex_exec_body(m, 0, strlen(m), 101106, &from, &to), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens),
        cmocka_unit_test(unterminated_says_where),
        cmocka_unit_test(exec_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
