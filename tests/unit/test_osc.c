/* test_osc.c — the online schema change engine's pieces that need no server: batch sizing,
 * reading and retargeting the ALTER with libpg_query, backfill checks, the
 * recognition of online statements, and the key values a job stores. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "osc.h"
#include "osc_impl.h"

static void batch_sizes(void **state)
{
    (void)state;
    /* twice as fast as the target: grows, at most 2x */
    assert_int_equal(mg_osc_next_batch(1000, 250, 500), 2000);
    assert_int_equal(mg_osc_next_batch(1000, 10, 500), 2000);
    /* on target: stays */
    assert_int_equal(mg_osc_next_batch(1000, 500, 500), 1000);
    /* too slow: shrinks in proportion, at most 4x */
    assert_int_equal(mg_osc_next_batch(1000, 1000, 500), 500);
    assert_int_equal(mg_osc_next_batch(1000, 60000, 500), 250);
    /* bounds */
    assert_int_equal(mg_osc_next_batch(120, 1000, 500), 100);
    assert_int_equal(mg_osc_next_batch(1500000, 1, 500), 2000000);
    assert_int_equal(mg_osc_next_batch(1000, 0, 500), 2000);
}

static char *retarget(const char *sql, const char *schema, const char *rel, const char *skip_json,
                      int *empty)
{
    struct mg_err e;
    json_error_t je;
    json_t *skip = skip_json ? json_loads(skip_json, 0, &je) : NULL;
    char *out = NULL;

    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_retarget(&out, sql, schema, rel, skip, empty, &e), 0);
    json_decref(skip);
    return out;
}

static void retargets_in_the_tree(void **state)
{
    int empty;
    char *s;

    (void)state;
    s = retarget("ALTER TABLE public.t ALTER COLUMN id TYPE bigint", "migrate_osc_1_new", "t", NULL,
                 &empty);
    assert_string_equal(s, "ALTER TABLE migrate_osc_1_new.t ALTER COLUMN id TYPE bigint");
    assert_false(empty);
    free(s);
    /* a column named like the table is left alone: no text replacement */
    s = retarget("alter table t add column t int, alter column \"t\" set not null", "w", "t", NULL,
                 &empty);
    assert_string_equal(s, "ALTER TABLE w.t ADD COLUMN t int, ALTER COLUMN t SET NOT NULL");
    free(s);
    /* names of any shape come out quoted */
    s = retarget("ALTER TABLE \"App Data\".\"Order \"\"Items\"\"\" ADD COLUMN \"New Col\" text",
                 "migrate_osc_7_new", "Order \"Items\"", NULL, &empty);
    assert_string_equal(s, "ALTER TABLE migrate_osc_7_new.\"Order \"\"Items\"\"\" ADD COLUMN \"New "
                           "Col\" text");
    free(s);
    /* subcommands on skipped constraints go; when none is left the ALTER is empty */
    s = retarget("ALTER TABLE t DROP CONSTRAINT fk1, ADD COLUMN x int, VALIDATE CONSTRAINT fk1",
                 "w", "t", "[\"fk1\"]", &empty);
    assert_string_equal(s, "ALTER TABLE w.t ADD COLUMN x int");
    assert_false(empty);
    free(s);
    s = retarget("ALTER TABLE t DROP CONSTRAINT fk1", "w", "t", "[\"fk1\", \"fk2\"]", &empty);
    assert_true(empty);
    free(s);
}

static void reads_the_alter(void **state)
{
    struct pg_alter a;
    struct mg_err e;
    const char *u;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a,
                                       "ALTER TABLE app.t ALTER COLUMN a TYPE int USING "
                                       "(a::numeric * 100)::int, DROP CONSTRAINT c1, ADD COLUMN b "
                                       "text",
                                       &e),
                     0);
    assert_string_equal(a.schema, "app");
    assert_string_equal(a.relname, "t");
    u = json_string_value(json_object_get(a.using, "a"));
    assert_non_null(u);
    assert_string_equal(u, "CAST(a::numeric * 100 AS int)");
    assert_int_equal(json_array_size(a.fk_cmds), 1);
    assert_string_equal(json_string_value(json_array_get(a.fk_cmds, 0)), "c1");
    osc_pg_alter_free(&a);

    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE \"My T\" ADD COLUMN x int", &e), 0);
    assert_null(a.schema);
    assert_string_equal(a.relname, "My T");
    osc_pg_alter_free(&a);
}

static void refuses(void **state)
{
    struct pg_alter a;
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE t OWNER TO bob", &e), MG_EUSAGE);
    assert_string_equal(e.msg, "the online schema change cannot apply AT_ChangeOwner");
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE t DISABLE TRIGGER ALL", &e), MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE t ATTACH PARTITION p DEFAULT", &e),
                     MG_EUSAGE);
    assert_non_null(strstr(e.detail, "partitions"));
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER INDEX i RENAME TO j", &e), MG_EUSAGE);
    assert_string_equal(e.msg, "--alter must be exactly one ALTER TABLE statement");
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE t ADD COLUMN a int; SELECT 1", &e),
                     MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(osc_pg_alter_read(&a, "ALTER TABLE t ADD COLUMN", &e), MG_EINPUT);
    assert_string_equal(e.msg, "--alter is not valid SQL: syntax error at end of input");
}

static void backfills(void **state)
{
    struct mg_err e;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(osc_pg_backfill_read("SET a = b * 2, c = DEFAULT", "a IS NULL", &e), 0);
    assert_int_equal(osc_pg_backfill_read("SET a = 1", NULL, &e), 0);
    assert_int_equal(osc_pg_backfill_read("SET a = 1 WHERE b = 2", NULL, &e), MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(osc_pg_backfill_read("SET a = 1 RETURNING a", NULL, &e), MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(osc_pg_backfill_read("SET a = 1", "b = 2 ORDER BY 1", &e), MG_EUSAGE);
    assert_string_equal(e.msg, "--where must be only a condition");
    mg_err_clear(&e);
    assert_int_equal(osc_pg_backfill_read("SET a = 1", "b = 2; DROP TABLE x", &e), MG_EUSAGE);
}

static void online_statements(void **state)
{
    const char *a = "ALTER TABLE app.\"T x\" ADD COLUMN y int";
    const char *b = "ALTER INDEX i SET (fillfactor = 50)";
    const char *c = "CREATE INDEX CONCURRENTLY i ON t (a)";
    char *table = NULL;

    (void)state;
    assert_int_equal(mg_osc_online_statement("postgres", a, strlen(a), &table), 1);
    assert_string_equal(table, "\"app\".\"T x\"");
    free(table);
    assert_int_equal(mg_osc_online_statement("postgres", b, strlen(b), &table), 0);
    assert_null(table);
    assert_int_equal(mg_osc_online_statement("postgres", c, strlen(c), &table), 0);
    /* only the first len bytes count */
    assert_int_equal(mg_osc_online_statement("postgres", a, 5, &table), 0);
}

/* The MySQL/MariaDB reading: by tokens, so comments, backticks and quotes do not fool it. */
static void online_statements_mysql(void **state)
{
    const char *a = "ALTER /* note */ ONLINE IGNORE TABLE `app`.`Order ``Items``` MODIFY q bigint";
    const char *b = "alter table t -- widen\n add column w int";
    const char *c = "ALTER VIEW v AS SELECT 1";
    const char *d = "/* ALTER TABLE t ADD x int */ DROP TABLE t";
    const char *e = "ALTER TABLE";
    char *table = NULL;

    (void)state;
    assert_int_equal(mg_osc_online_statement("mysql", a, strlen(a), &table), 1);
    assert_string_equal(table, "`app`.`Order ``Items```");
    free(table);
    assert_int_equal(mg_osc_online_statement("mysql", b, strlen(b), &table), 1);
    assert_string_equal(table, "`t`");
    free(table);
    assert_int_equal(mg_osc_online_statement("mysql", c, strlen(c), &table), 0);
    assert_null(table);
    assert_int_equal(mg_osc_online_statement("mysql", d, strlen(d), &table), 0);
    assert_int_equal(mg_osc_online_statement("mysql", e, strlen(e), &table), 0);
    assert_null(table);
}

static void keys(void **state)
{
    const char *vals[2] = {"12", "a b"}, *bad[1] = {"\xff\xfe"};
    const char *back[4];
    struct mg_err err = {0};
    json_t *k = NULL, *b = NULL;
    char *text;

    (void)state;
    assert_int_equal(osc_key_json(vals, 2, &k, &err), 0);
    text = osc_json_text(k);
    /* bytes that are not UTF-8 would not come back the same: refused */
    assert_int_equal(osc_key_json(bad, 1, &b, &err), MG_EUSAGE);
    assert_null(b);
    assert_string_equal(err.msg, "a value of the key is not UTF-8 text");
    assert_string_equal(text, "[\"12\",\"a b\"]");
    assert_int_equal(osc_key_params(k, back, 4), 2);
    assert_string_equal(back[0], "12");
    assert_string_equal(back[1], "a b");
    assert_int_equal(osc_key_params(NULL, back, 4), 0);
    free(text);
    json_decref(k);
}

static void result_json(void **state)
{
    struct mg_osc_result r;
    json_t *o;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.job_id = 3;
    strcpy(r.kind, "alter");
    strcpy(r.phase, "done");
    strcpy(r.table, "\"public\".\"t\"");
    r.rows_copied = 10;
    r.cutover_attempts = 2;
    o = mg_osc_result_json(&r);
    assert_int_equal(json_integer_value(json_object_get(o, "job")), 3);
    assert_string_equal(json_string_value(json_object_get(o, "phase")), "done");
    assert_int_equal(json_integer_value(json_object_get(o, "cutover_attempts")), 2);
    assert_true(json_is_null(json_object_get(o, "old_table")));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_sizes),
        cmocka_unit_test(retargets_in_the_tree),
        cmocka_unit_test(reads_the_alter),
        cmocka_unit_test(refuses),
        cmocka_unit_test(backfills),
        cmocka_unit_test(online_statements),
        cmocka_unit_test(online_statements_mysql),
        cmocka_unit_test(keys),
        cmocka_unit_test(result_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
