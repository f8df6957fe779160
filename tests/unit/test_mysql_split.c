/*
 * test_mysql_split.c — statement splitting and classification of the MySQL
 * driver: quotes, backticks, comments, executable comments, DELIMITER,
 * positions, and the errors a malformed file gets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver.h"

/* The result of one split, with each statement's text as a string. */
struct split {
    struct drv_stmt *v;
    size_t n;
    char *text[32];
    int rc;
    struct mg_err err;
};

static void do_split(struct split *s, const char *sql, int server_version)
{
    memset(s, 0, sizeof(*s));
    mg_err_clear(&s->err);
    s->rc = drv_split(&drv_mysql_ops, &s->v, &s->n, sql, strlen(sql), server_version, &s->err);
    assert_true(s->n <= 32);
    for (size_t i = 0; i < s->n; i++) {
        s->text[i] = malloc(s->v[i].len + 1);
        memcpy(s->text[i], sql + s->v[i].off, s->v[i].len);
        s->text[i][s->v[i].len] = '\0';
    }
}

static void split_free(struct split *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->v);
}

static void test_simple(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "CREATE TABLE a (id int);\n  INSERT INTO a VALUES (1);\nSELECT 1", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "CREATE TABLE a (id int)");
    assert_string_equal(s.text[1], "INSERT INTO a VALUES (1)");
    assert_string_equal(s.text[2], "SELECT 1");
    assert_int_equal(s.v[0].line, 1);
    assert_int_equal(s.v[0].col, 1);
    assert_int_equal(s.v[1].line, 2);
    assert_int_equal(s.v[1].col, 3);
    assert_int_equal(s.v[2].line, 3);
    assert_int_equal(s.v[0].flags, DRV_STMT_DDL);
    assert_int_equal(s.v[1].flags, DRV_STMT_DML);
    assert_int_equal(s.v[2].flags, DRV_STMT_DML);
    split_free(&s);
}

static void test_procedure_with_delimiter(void **state)
{
    const char *sql = "DELIMITER $$\n"
                      "CREATE PROCEDURE fill()\n"
                      "BEGIN\n"
                      "  INSERT INTO t VALUES (1);\n"
                      "  INSERT INTO t VALUES ('$$;');\n"
                      "END$$\n"
                      "DELIMITER ;\n"
                      "CALL fill();\n"
                      "DROP PROCEDURE fill;\n";
    struct split s;
    (void)state;

    do_split(&s, sql, 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "CREATE PROCEDURE fill()\n"
                                   "BEGIN\n"
                                   "  INSERT INTO t VALUES (1);\n"
                                   "  INSERT INTO t VALUES ('$$;');\n"
                                   "END");
    assert_int_equal(s.v[0].line, 2);
    assert_int_equal(s.v[0].col, 1);
    assert_int_equal(s.v[0].flags, DRV_STMT_DDL);
    assert_string_equal(s.text[1], "CALL fill()");
    assert_int_equal(s.v[1].line, 8);
    assert_int_equal(s.v[1].flags, DRV_STMT_DDL | DRV_STMT_DML);
    assert_string_equal(s.text[2], "DROP PROCEDURE fill");
    assert_int_equal(s.v[2].line, 9);
    split_free(&s);
}

static void test_trigger_lowercase_delimiter(void **state)
{
    const char *sql = "delimiter //\n"
                      "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\n"
                      "BEGIN\n"
                      "  SET NEW.a = 1; SET NEW.b = 2;\n"
                      "END //\n"
                      "CREATE TABLE u (id int) //\n"
                      "delimiter ;\n"
                      "SELECT 1;";
    struct split s;
    (void)state;

    do_split(&s, sql, 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\n"
                                   "BEGIN\n"
                                   "  SET NEW.a = 1; SET NEW.b = 2;\n"
                                   "END");
    assert_string_equal(s.text[1], "CREATE TABLE u (id int)");
    assert_int_equal(s.v[1].line, 6);
    assert_string_equal(s.text[2], "SELECT 1");
    assert_int_equal(s.v[2].line, 8);
    split_free(&s);
}

static void test_delimiter_never_reset(void **state)
{
    struct split s;
    (void)state;

    /* the last statement runs to the end without its delimiter */
    do_split(&s, "DELIMITER $$\nSELECT 1; SELECT 2$$\nSELECT 3;\n", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[0], "SELECT 1; SELECT 2");
    assert_string_equal(s.text[1], "SELECT 3;");
    split_free(&s);
}

static void test_hash_comment_with_semicolon(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "# setup; not a statement\nCREATE TABLE t (\n  id int # the key; really\n);\n", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "CREATE TABLE t (\n  id int # the key; really\n)");
    assert_int_equal(s.v[0].line, 2);
    assert_int_equal(s.v[0].col, 1);
    split_free(&s);
}

static void test_dash_comments(void **state)
{
    struct split s;
    (void)state;

    /* "--" followed by a space, tab or newline is a comment; "--3" is minus minus three */
    do_split(&s, "SELECT 1 -- one; two\n;\nSELECT 2--3;\nSELECT 4 --\t;\n;--\nSELECT 5;", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.text[0], "SELECT 1 -- one; two");
    assert_string_equal(s.text[1], "SELECT 2--3");
    assert_string_equal(s.text[2], "SELECT 4 --\t;");
    assert_string_equal(s.text[3], "SELECT 5");
    assert_int_equal(s.v[3].line, 6);
    split_free(&s);
}

static void test_quotes(void **state)
{
    struct split s;
    (void)state;

    do_split(&s,
             "INSERT INTO t VALUES ('it\\'s; fine', 'a''b;c', \"x\\\";y\", \"q\"\"r;\");\n"
             "SELECT `we;ird``name` FROM `t;`;\n"
             "SELECT 'back\\\\';\n"
             "SELECT 'multi\nline; string';",
             0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(
        s.text[0], "INSERT INTO t VALUES ('it\\'s; fine', 'a''b;c', \"x\\\";y\", \"q\"\"r;\")");
    assert_string_equal(s.text[1], "SELECT `we;ird``name` FROM `t;`");
    assert_string_equal(s.text[2], "SELECT 'back\\\\'");
    assert_string_equal(s.text[3], "SELECT 'multi\nline; string'");
    assert_int_equal(s.v[3].line, 4);
    split_free(&s);
}

static void test_block_comments(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "/* leading; comment */ -- and another\n  SELECT /* in; side */ 1;\n/* only */;",
             0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.text[0], "SELECT /* in; side */ 1");
    assert_int_equal(s.v[0].line, 2);
    assert_int_equal(s.v[0].col, 3);
    split_free(&s);
}

static void test_executable_comments(void **state)
{
    struct split s;
    (void)state;

    do_split(&s,
             "/*!40101 SET @OLD = @@SQL_MODE */;\n"
             "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50001 VIEW v AS SELECT 1 */;\n"
             "/*!50003 CREATE PROCEDURE p() BEGIN SELECT 1; SELECT ';*/'; END */;\n"
             "SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1;",
             0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.text[0], "/*!40101 SET @OLD = @@SQL_MODE */");
    assert_int_equal(s.v[0].flags, 0);
    assert_string_equal(s.text[1], "/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50001 VIEW v AS "
                                   "SELECT 1 */");
    assert_int_equal(s.v[1].flags, DRV_STMT_DDL);
    assert_int_equal(s.v[1].line, 2);
    assert_string_equal(s.text[2],
                        "/*!50003 CREATE PROCEDURE p() BEGIN SELECT 1; SELECT ';*/'; END */");
    assert_int_equal(s.v[2].flags, DRV_STMT_DDL);
    assert_string_equal(s.text[3], "SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1");
    assert_int_equal(s.v[3].flags, DRV_STMT_DML);
    split_free(&s);
}

static void test_mysqldump_trigger(void **state)
{
    const char *sql = "DELIMITER ;;\n"
                      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER "
                      "t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END */;;\n"
                      "DELIMITER ;\n"
                      "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */ ;\n";
    struct split s;
    (void)state;

    do_split(&s, sql, 101106);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0].line, 2);
    assert_int_equal(s.v[0].flags, DRV_STMT_DDL);
    assert_non_null(strstr(s.text[0], "SET NEW.a = 1; END */"));
    assert_string_equal(s.text[1], "/*!40101 SET SQL_MODE=@OLD_SQL_MODE */");
    split_free(&s);
}

static void test_executable_comments_by_version(void **state)
{
    const char *sql = "/*!80016 SET @a = 1 */;\n"
                      "/*M!100500 SET @b = 1 */;\n"
                      "/*!50001 CREATE TABLE t (id int) */;";
    struct split s;
    (void)state;

    /* MySQL 8.0.13: the 8.0.16 comment and the MariaDB-only one are plain comments */
    do_split(&s, sql, 80013);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].line, 3);
    assert_int_equal(s.v[0].flags, DRV_STMT_DDL);
    split_free(&s);

    /* MariaDB 10.11 runs all three */
    do_split(&s, sql, 101106);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    split_free(&s);

    /* unknown server (0): everything counts */
    do_split(&s, sql, 0);
    assert_int_equal(s.n, 3);
    split_free(&s);
}

static void test_only_comments_and_empty(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "-- nothing here\n# nor here\n/* nor; here */\n;;\n  ;\n", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 0);
    split_free(&s);

    do_split(&s, "", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 0);
    split_free(&s);

    /* DELIMITER lines alone are never statements */
    do_split(&s, "DELIMITER $$\nDELIMITER ;\n", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 0);
    split_free(&s);
}

static void test_classification(void **state)
{
    static const struct {
        const char *sql;
        unsigned flags;
    } cases[] = {
        {"START TRANSACTION", DRV_STMT_TXN_CONTROL},
        {"begin", DRV_STMT_TXN_CONTROL},
        {"BEGIN WORK", DRV_STMT_TXN_CONTROL},
        {"COMMIT", DRV_STMT_TXN_CONTROL},
        {"rollback to savepoint a", DRV_STMT_TXN_CONTROL},
        {"SAVEPOINT a", DRV_STMT_TXN_CONTROL},
        {"XA START 'x'", DRV_STMT_TXN_CONTROL},
        {"SET autocommit = 0", DRV_STMT_TXN_CONTROL},
        {"SET @@session.autocommit = 0", DRV_STMT_TXN_CONTROL},
        {"SET NAMES utf8mb4", 0},
        {"BEGIN NOT ATOMIC SELECT 1 END", DRV_STMT_DDL | DRV_STMT_DML},
        {"ALTER TABLE t ADD COLUMN c int", DRV_STMT_DDL},
        {"DROP INDEX i ON t", DRV_STMT_DDL},
        {"RENAME TABLE a TO b", DRV_STMT_DDL},
        {"TRUNCATE TABLE t", DRV_STMT_DDL},
        {"GRANT SELECT ON t TO u", DRV_STMT_DDL},
        {"OPTIMIZE TABLE t", DRV_STMT_DDL},
        {"UPDATE t SET a = 1", DRV_STMT_DML},
        {"DELETE FROM t", DRV_STMT_DML},
        {"REPLACE INTO t VALUES (1)", DRV_STMT_DML},
        {"WITH x AS (SELECT 1) SELECT * FROM x", DRV_STMT_DML},
        {"(SELECT 1) UNION (SELECT 2)", DRV_STMT_DML},
        {"LOAD DATA INFILE 'f' INTO TABLE t", DRV_STMT_DML},
        {"CALL p(1)", DRV_STMT_DDL | DRV_STMT_DML},
        {"SHOW TABLES", 0},
        {"/* c */ -- d\n# e\n  create table x (a int)", DRV_STMT_DDL},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct split s;
        do_split(&s, cases[i].sql, 0);
        assert_int_equal(s.rc, 0);
        assert_int_equal(s.n, 1);
        if (s.v[0].flags != cases[i].flags)
            fail_msg("'%s': flags %u, expected %u", cases[i].sql, s.v[0].flags, cases[i].flags);
        split_free(&s);
    }
}

static void test_errors(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "SELECT 1;\nSELECT 'open;\nSELECT 2;", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_int_equal(s.err.line, 2);
    assert_int_equal(s.err.col, 8);
    assert_non_null(strstr(s.err.msg, "unterminated quoted string"));
    assert_true(s.err.hint[0] != '\0');
    split_free(&s);

    /* a string that ends in a lone backslash never closes */
    do_split(&s, "SELECT 'C:\\';", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_int_equal(s.err.line, 1);
    split_free(&s);

    do_split(&s, "SELECT 1 /* open\n comment;", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_non_null(strstr(s.err.msg, "comment"));
    assert_int_equal(s.err.line, 1);
    assert_int_equal(s.err.col, 10);
    split_free(&s);

    do_split(&s, "\n\nSELECT `open;", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_int_equal(s.err.line, 3);
    split_free(&s);

    do_split(&s, "SELECT 1;\nDELIMITER\nSELECT 2;", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_int_equal(s.err.line, 2);
    assert_non_null(strstr(s.err.msg, "DELIMITER"));
    split_free(&s);

    do_split(&s, "DELIMITER $$ extra\nSELECT 1$$", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    assert_int_equal(s.err.line, 1);
    split_free(&s);

    do_split(&s, "DELIMITER \\;\nSELECT 1", 0);
    assert_int_equal(s.rc, MG_EINPUT);
    split_free(&s);
}

static void test_nul_byte(void **state)
{
    const char sql[] = "SELECT 1;\nSELECT\0 2;";
    struct drv_stmt *v = NULL;
    size_t n = 0;
    struct mg_err err;
    (void)state;

    mg_err_clear(&err);
    assert_int_equal(drv_split(&drv_mysql_ops, &v, &n, sql, sizeof(sql) - 1, 0, &err), MG_EINPUT);
    assert_int_equal(err.line, 2);
    assert_null(v);
}

static void test_crlf_and_utf8_positions(void **state)
{
    struct split s;
    (void)state;

    do_split(&s, "SELECT 'é';\r\n\r\n  DROP TABLE t;\r\n", 0);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.text[1], "DROP TABLE t");
    assert_int_equal(s.v[1].line, 3);
    assert_int_equal(s.v[1].col, 3);
    split_free(&s);
}

static void test_quote_ident(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;

    drv_mysql_ops.quote_ident(&b, "we`ird");
    assert_string_equal(b.ptr, "`we``ird`");
    mg_buf_free(&b);
}

static void test_registry(void **state)
{
    (void)state;
    assert_ptr_equal(drv_for_scheme("mysql"), &drv_mysql_ops);
    assert_ptr_equal(drv_for_scheme("mariadb"), &drv_mysql_ops);
    assert_ptr_equal(drv_for_name("mysql"), &drv_mysql_ops);
    assert_ptr_equal(drv_for_name("mariadb"), &drv_mysql_ops);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_procedure_with_delimiter),
        cmocka_unit_test(test_trigger_lowercase_delimiter),
        cmocka_unit_test(test_delimiter_never_reset),
        cmocka_unit_test(test_hash_comment_with_semicolon),
        cmocka_unit_test(test_dash_comments),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_block_comments),
        cmocka_unit_test(test_executable_comments),
        cmocka_unit_test(test_mysqldump_trigger),
        cmocka_unit_test(test_executable_comments_by_version),
        cmocka_unit_test(test_only_comments_and_empty),
        cmocka_unit_test(test_classification),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_crlf_and_utf8_positions),
        cmocka_unit_test(test_quote_ident),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
