/* test_source.c — file discovery, names, version order, directives, problems. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define FIX "tests/fixtures/source/"

static const struct mg_problem *find(const struct mg_source *s, const char *code, const char *in)
{
    for (size_t i = 0; i < s->problems.n; i++)
        if (!strcmp(s->problems.v[i].code, code) &&
            (!in || strstr(s->problems.v[i].msg, in) ||
             (s->problems.v[i].file && strstr(s->problems.v[i].file, in))))
            return &s->problems.v[i];
    return NULL;
}

static void names(void **state)
{
    uint64_t v;
    char *title;
    int down;
    const char *why;

    (void)state;
    assert_int_equal(
        mg_source_parse_name("20261130120000_add_users.up.sql", &v, &title, &down, &why), 1);
    assert_true(v == 20261130120000ULL);
    assert_string_equal(title, "add_users");
    assert_int_equal(down, 0);
    free(title);
    assert_int_equal(mg_source_parse_name("007_x_y.down.sql", &v, &title, &down, &why), 1);
    assert_true(v == 7);
    assert_string_equal(title, "x_y");
    assert_int_equal(down, 1);
    free(title);
    assert_int_equal(mg_source_parse_name("README.md", &v, &title, &down, &why), 0);
    assert_int_equal(mg_source_parse_name("1_x.sql", &v, &title, &down, &why), -1);
    assert_non_null(strstr(why, ".up.sql"));
    assert_int_equal(mg_source_parse_name("x_1.up.sql", &v, &title, &down, &why), -1);
    assert_int_equal(mg_source_parse_name("1.up.sql", &v, &title, &down, &why), -1);
    assert_int_equal(mg_source_parse_name("1_.up.sql", &v, &title, &down, &why), -1);
    assert_int_equal(mg_source_parse_name("0_x.up.sql", &v, &title, &down, &why), -1);
    assert_non_null(strstr(why, "reserved"));
    assert_int_equal(
        mg_source_parse_name("18446744073709551615_max.up.sql", &v, &title, &down, &why), 1);
    assert_true(v == UINT64_MAX);
    free(title);
    assert_int_equal(
        mg_source_parse_name("18446744073709551616_over.up.sql", &v, &title, &down, &why), -1);
}

static void good_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "good", NULL, &e), 0);
    /* numeric order, not name order: 1, 0002, 10 */
    assert_int_equal(s.n, 3);
    assert_true(s.v[0].version == 1 && s.v[1].version == 2 && s.v[2].version == 10);
    assert_string_equal(s.v[1].title, "b");
    assert_true(s.v[1].up->dir.no_transaction);
    assert_int_equal(s.v[1].up->dir.lock_timeout_ms, 2000);
    assert_int_equal(s.v[1].up->dir.nignores, 1);
    assert_string_equal(s.v[1].up->dir.ignores[0].rules, "require-concurrent-index");
    assert_string_equal(s.v[1].up->dir.ignores[0].reason, "reason here");
    assert_int_equal(s.v[1].up->dir.ignores[0].line, 3);
    assert_false(s.v[0].up->dir.no_transaction);
    assert_int_equal(s.v[0].up->dir.lock_timeout_ms, -1);
    assert_null(s.v[2].down);
    /* only the missing down is worth saying; README.md is ignored */
    assert_int_equal(s.problems.n, 1);
    assert_non_null(find(&s, "missing-down", "10_c.up.sql"));
    assert_int_equal(s.problems.v[0].sev, MG_SEV_WARNING);
    /* the chain covers every earlier up file */
    assert_string_not_equal(s.v[0].chain, s.v[1].chain);
    assert_int_equal(strlen(s.v[2].chain), 64);
    assert_non_null(mg_source_find(&s, 10));
    assert_null(mg_source_find(&s, 3));
    mg_source_free(&s);
}

static void bad_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "bad", NULL, &e), 0);
    assert_non_null(find(&s, "duplicate-version", "version 1 "));
    assert_non_null(find(&s, "down-without-up", "2_orphan.down.sql"));
    assert_non_null(find(&s, "bad-file-name", "abc_x.up.sql"));
    assert_non_null(find(&s, "bad-file-name", "3_x.sql"));
    assert_non_null(find(&s, "bad-file-name", "0_zero.up.sql"));
    assert_non_null(find(&s, "bad-file-name", "99999999999999999999999_big.up.sql"));
    assert_non_null(find(&s, "empty-migration", "4_empty.up.sql"));
    assert_non_null(find(&s, "empty-down", "4_empty.down.sql"));
    assert_non_null(find(&s, "invalid-utf8", "5_latin1.up.sql"));
    assert_int_equal(find(&s, "invalid-utf8", NULL)->line, 1);
    assert_non_null(find(&s, "bad-directive", "no-transactions"));
    assert_non_null(find(&s, "unknown-file", "data.csv"));
    assert_null(find(&s, "unknown-file", "notes.txt"));
    for (size_t i = 0; i < s.problems.n; i++)
        if (!strcmp(s.problems.v[i].code, "bad-file-name") ||
            !strcmp(s.problems.v[i].code, "invalid-utf8"))
            assert_int_equal(s.problems.v[i].sev, MG_SEV_ERROR);
    mg_source_free(&s);
}

static void missing_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "nope", NULL, &e), MG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "cannot read the migrations directory"));
    assert_non_null(strstr(e.hint, "--path"));
}

static void too_large(void **state)
{
    struct mg_source s;
    struct mg_err e;
    struct mg_source_opts o = {.max_file_size = 10};

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "good", &o, &e), 0);
    assert_non_null(find(&s, "unreadable-file", "too large"));
    mg_source_free(&s);
}

static void directives(void **state)
{
    struct mg_directives d;
    struct mg_problems p = {0};
    const char *t = "-- plain comment\n--migrate:online\n\n-- migrate:lock-timeout 5x\nSELECT "
                    "1;\n-- migrate:no-transaction\n";

    (void)state;
    assert_int_equal(mg_directives_parse(&d, t, strlen(t), "f.sql", &p), -1);
    assert_true(d.online);
    /* directives after the first statement are not directives */
    assert_false(d.no_transaction);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.v[0].line, 4);
    assert_non_null(strstr(p.v[0].msg, "5x"));
    mg_directives_free(&d);
    mg_problems_free(&p);
}

static void dbmate_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "dbmate", NULL, &e), 0);
    assert_string_equal(s.layout, "dbmate");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[0].up->text.ptr, "CREATE TABLE users (id int);\n\n");
    assert_int_equal(s.v[0].up->line_offset, 1);
    assert_string_equal(s.v[0].down->text.ptr, "DROP TABLE users;\n");
    assert_int_equal(s.v[0].down->line_offset, 4);
    assert_false(s.v[0].up->dir.no_transaction);
    assert_true(s.v[1].up->dir.no_transaction);
    assert_true(s.v[1].down->dir.no_transaction);
    assert_non_null(find(&s, "bad-section", "no '-- migrate:up' section"));
    mg_source_free(&s);
}

static void goose_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "goose", NULL, &e), 0);
    assert_string_equal(s.layout, "goose");
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].up->nspans, 1);
    assert_int_equal(s.v[0].up->line_offset, 1);
    assert_true(s.v[1].up->dir.no_transaction);
    assert_true(s.v[1].down->dir.no_transaction);
    assert_non_null(find(&s, "unsupported-migration", "Go migration"));
    mg_source_free(&s);
}

static void flyway_dir(void **state)
{
    struct mg_source s;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_source_load(&s, FIX "flyway", NULL, &e), 0);
    assert_string_equal(s.layout, "flyway");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0].title, "create_users");
    assert_non_null(s.v[0].down);
    assert_null(s.v[1].down);
    assert_non_null(find(&s, "bad-file-name", "repeatable"));
    assert_non_null(find(&s, "bad-file-name", "dotted"));
    mg_source_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),       cmocka_unit_test(good_dir),  cmocka_unit_test(bad_dir),
        cmocka_unit_test(missing_dir), cmocka_unit_test(too_large), cmocka_unit_test(directives),
        cmocka_unit_test(dbmate_dir),  cmocka_unit_test(goose_dir), cmocka_unit_test(flyway_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
