/* test_relnames.c — relations named by PostgreSQL statements, from the parse tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdio.h>

#include "buf.h"
#include "relnames.h"

/* The statement's relations as "qname[i][r]" joined by spaces (i: index, r: may rewrite). */
static void names(struct mg_buf *out, const char *sql)
{
    struct mg_relnames r = {0};
    struct mg_err err;

    mg_err_clear(&err);
    mg_buf_reset(out);
    assert_int_equal(mg_pg_relnames(&r, sql, &err), 0);
    for (size_t i = 0; i < r.n; i++)
        mg_buf_addf(out, "%s%s%s%s", i ? " " : "", r.v[i].qname, r.v[i].is_index ? "[i]" : "",
                    r.v[i].may_rewrite ? "[r]" : "");
    mg_relnames_free(&r);
}

#define NAMES(sql, want)                                                                           \
    do {                                                                                           \
        names(&b, sql);                                                                            \
        assert_string_equal(b.ptr, want);                                                          \
    } while (0)

static void queries_and_dml(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;
    NAMES("SELECT * FROM a JOIN s.b ON a.id = b.id WHERE EXISTS (SELECT 1 FROM c)",
          "\"a\" \"s\".\"b\" \"c\"");
    NAMES("UPDATE t SET v = (SELECT max(x) FROM u)", "\"t\" \"u\"");
    NAMES("INSERT INTO t SELECT * FROM t", "\"t\"");
    NAMES("SELECT 1", "");
    NAMES("SELECT * FROM \"Weird\"\"Name\"", "\"Weird\"\"Name\"");
    mg_buf_free(&b);
}

static void alter_table(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;
    NAMES("ALTER TABLE s.t ALTER COLUMN x TYPE bigint", "\"s\".\"t\"[r]");
    NAMES("ALTER TABLE t ADD COLUMN c int DEFAULT 5", "\"t\"");
    NAMES("ALTER TABLE t ADD COLUMN c int DEFAULT '5'::int", "\"t\"");
    NAMES("ALTER TABLE t ADD COLUMN c float8 DEFAULT random()", "\"t\"[r]");
    NAMES("ALTER TABLE t ADD COLUMN id bigserial", "\"t\"[r]");
    NAMES("ALTER TABLE t ADD COLUMN id int GENERATED ALWAYS AS IDENTITY", "\"t\"[r]");
    NAMES("ALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS (a * 2) STORED", "\"t\"[r]");
    NAMES("ALTER TABLE t SET TABLESPACE elsewhere", "\"t\"[r]");
    NAMES("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id)", "\"t\" \"p\"");
    NAMES("ALTER TABLE parted ATTACH PARTITION part2 FOR VALUES FROM (1) TO (2)",
          "\"parted\" \"part2\"");
    NAMES("ALTER INDEX i RENAME TO j", "\"i\"[i]");
    mg_buf_free(&b);
}

static void other_statements(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;
    NAMES("CREATE INDEX CONCURRENTLY i ON s.t (x)", "\"s\".\"t\"");
    NAMES("DROP INDEX CONCURRENTLY s.i", "\"s\".\"i\"[i]");
    NAMES("DROP TABLE a, b", "\"a\" \"b\"");
    NAMES("REINDEX INDEX CONCURRENTLY i", "\"i\"[i]");
    NAMES("REINDEX TABLE t", "\"t\"");
    NAMES("VACUUM FULL t", "\"t\"[r]");
    NAMES("VACUUM t", "\"t\"");
    NAMES("CLUSTER t USING t_pkey", "\"t\"[r]");
    NAMES("TRUNCATE a, b", "\"a\" \"b\"");
    NAMES("COMMENT ON TABLE s.t IS 'x'", "\"s\".\"t\"");
    NAMES("GRANT SELECT ON t TO PUBLIC", "\"t\"");
    NAMES("CREATE TRIGGER g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "\"t\"");
    NAMES("CREATE TABLE c (id int REFERENCES p)", "\"c\" \"p\"");
    /* several statements, each name once */
    NAMES("SELECT 1 FROM t; DROP INDEX t_i; SELECT 2 FROM t", "\"t\" \"t_i\"[i]");
    mg_buf_free(&b);
}

static void my_names(struct mg_buf *out, const char *sql)
{
    struct mg_relnames r = {0};

    mg_buf_reset(out);
    mg_my_relnames(&r, sql);
    for (size_t i = 0; i < r.n; i++)
        mg_buf_addf(out, "%s%s", i ? " " : "", r.v[i].qname);
    mg_relnames_free(&r);
}

#define MY(sql, want)                                                                              \
    do {                                                                                           \
        my_names(&b, sql);                                                                         \
        assert_string_equal(b.ptr, want);                                                          \
    } while (0)

static void mysql_names(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;
    MY("ALTER TABLE t ADD COLUMN c INT", "`t`");
    MY("ALTER ONLINE IGNORE TABLE `db`.`my t` FORCE", "`db`.`my t`");
    MY("/* why */ ALTER TABLE -- note\n t2 DROP INDEX i", "`t2`");
    MY("CREATE UNIQUE INDEX i USING BTREE ON t (a, b)", "`t`");
    MY("DROP INDEX i ON `odd``name`", "`odd``name`");
    MY("RENAME TABLE a TO b, c TO d", "`a` `b` `c` `d`");
    MY("TRUNCATE TABLE t", "`t`");
    MY("TRUNCATE t", "`t`");
    MY("DROP TABLE IF EXISTS a, b", "`a` `b`");
    MY("CREATE TABLE IF NOT EXISTS n (id int)", "`n`");
    MY("INSERT IGNORE INTO t SELECT * FROM u", "`t`");
    MY("UPDATE LOW_PRIORITY t SET a = 1", "`t`");
    MY("DELETE QUICK FROM db.t WHERE a = 1", "`db`.`t`");
    MY("OPTIMIZE TABLE t", "`t`");
    MY("SELECT 1", "");
    MY("", "");
    mg_buf_free(&b);
}

static void mysql_statements(void **state)
{
    struct mg_my_stmt s;
    (void)state;
    mg_my_statement(&s, "ALTER TABLE t ADD COLUMN c INT");
    assert_int_equal(s.kind, MG_MY_ALTER_TABLE);
    assert_string_equal(s.algorithm, "");
    mg_my_statement(&s, "alter table t add column c int, algorithm=instant");
    assert_string_equal(s.algorithm, "INSTANT");
    mg_my_statement(&s, "ALTER TABLE t ADD INDEX i (c), ALGORITHM INPLACE, LOCK = NONE");
    assert_string_equal(s.algorithm, "INPLACE");
    assert_string_equal(s.lock, "NONE");
    /* a column named lock is no LOCK clause */
    mg_my_statement(&s, "ALTER TABLE t ADD COLUMN `lock` INT");
    assert_string_equal(s.lock, "");
    mg_my_statement(&s, "CREATE FULLTEXT INDEX f ON t (d)");
    assert_int_equal(s.kind, MG_MY_INDEX);
    mg_my_statement(&s, "DROP INDEX i ON t");
    assert_int_equal(s.kind, MG_MY_INDEX);
    mg_my_statement(&s, "CREATE TABLE n (id INT)");
    assert_int_equal(s.kind, MG_MY_CREATE_TABLE);
    mg_my_statement(&s, "RENAME TABLE a TO b");
    assert_int_equal(s.kind, MG_MY_DROP_RENAME);
    mg_my_statement(&s, "UPDATE t SET a = 1");
    assert_int_equal(s.kind, MG_MY_DML);
    mg_my_statement(&s, "CREATE PROCEDURE p() SELECT 1");
    assert_int_equal(s.kind, MG_MY_OTHER);
}

/* Why the MySQL statement may rebuild its table, or "" when it does not. */
static const char *my_rebuild(const char *sql)
{
    static char why[200];
    struct mg_relnames r = {0};

    mg_my_relnames(&r, sql);
    snprintf(why, sizeof(why), "%s", r.n && r.v[0].may_rewrite ? r.v[0].may_rewrite : "");
    mg_relnames_free(&r);
    return why;
}

static void mysql_rebuilds(void **state)
{
    (void)state;
    assert_string_equal(my_rebuild("ALTER TABLE t ADD COLUMN c INT"), "");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD INDEX i (c), ALGORITHM=INPLACE"), "");
    assert_string_equal(my_rebuild("ALTER TABLE t DROP COLUMN c, RENAME COLUMN a TO b"), "");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD COLUMN c INT, ALGORITHM = COPY"),
                        "ALGORITHM=COPY copies the table");
    /* COPY wins over a reason found earlier */
    assert_string_equal(my_rebuild("ALTER TABLE t FORCE, ALGORITHM=COPY"),
                        "ALGORITHM=COPY copies the table");
    assert_string_equal(my_rebuild("ALTER TABLE t FORCE"), "FORCE rebuilds the table");
    assert_string_equal(
        my_rebuild("ALTER TABLE `t` MODIFY v BIGINT NOT NULL"),
        "MODIFY/CHANGE COLUMN rebuilds the table for a type or NULL change that is more "
        "than metadata");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (id)"),
                        "ADD PRIMARY KEY rebuilds the table");
    assert_string_equal(my_rebuild("ALTER TABLE t DROP PRIMARY KEY"),
                        "DROP PRIMARY KEY rebuilds the table");
    assert_string_equal(
        my_rebuild("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (p) REFERENCES p (id)"),
        "ADD FOREIGN KEY copies the table unless foreign_key_checks is off");
    assert_string_equal(my_rebuild("ALTER TABLE t ENGINE = InnoDB"),
                        "ENGINE, ROW_FORMAT and KEY_BLOCK_SIZE rebuild the table");
    assert_string_equal(my_rebuild("ALTER TABLE t CONVERT TO CHARACTER SET latin1"),
                        "CONVERT TO CHARACTER SET rebuilds the table");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD COLUMN n INT AS (a + 1) STORED"),
                        "a new AUTO_INCREMENT or stored generated column rebuilds the table");
    assert_string_equal(my_rebuild("OPTIMIZE TABLE t"), "OPTIMIZE TABLE rebuilds the table");
    /* a column called engine, a default that reads 'force', a name in a definition */
    assert_string_equal(my_rebuild("ALTER TABLE t ADD COLUMN engine VARCHAR(10)"), "");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD COLUMN s VARCHAR(10) DEFAULT 'force'"), "");
    assert_string_equal(my_rebuild("ALTER TABLE t ADD INDEX i (`primary`)"), "");
    assert_string_equal(my_rebuild("CREATE INDEX i ON t (c)"), "");
}

static void mysql_mentions(void **state)
{
    (void)state;
    assert_true(mg_my_mentions("SELECT * FROM t WHERE a = 1", "t"));
    assert_true(mg_my_mentions("SELECT * FROM db.`My T` x", "my t"));
    assert_false(mg_my_mentions("SELECT * FROM tt WHERE s = 't'", "t"));
    assert_false(mg_my_mentions("", "t"));
}

static void parse_error(void **state)
{
    struct mg_relnames r = {0};
    struct mg_err err;
    (void)state;
    mg_err_clear(&err);
    assert_int_equal(mg_pg_relnames(&r, "ALTER TABLE (", &err), MG_EINPUT);
    assert_non_null(strstr(err.msg, "cannot parse the statement"));
    mg_relnames_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queries_and_dml),  cmocka_unit_test(alter_table),
        cmocka_unit_test(other_statements), cmocka_unit_test(parse_error),
        cmocka_unit_test(mysql_names),      cmocka_unit_test(mysql_statements),
        cmocka_unit_test(mysql_rebuilds),   cmocka_unit_test(mysql_mentions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
