/*
 * test_lint.c — the linter: the registry's contract, every rule's fixture
 * pair (bad must flag the rule, good must not), and the contexts that change
 * a verdict: tables created in the same file or by a --new file, the
 * transaction the runner uses, --pg-version, ignores, syntax errors, the
 * configuration file.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "checks.h"
#include "util.h"

#define FIXTURES "tests/fixtures/checks"

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---------- registry ---------- */

static void test_registry(void **state)
{
    (void)state;
    for (int i = 0; i < CHK_NRULES; i++) {
        const struct chk_rule *r = &chk_rules[i];
        assert_non_null(r->id);
        assert_non_null(r->name);
        assert_true(strlen(r->message) > 10);
        assert_true(strlen(r->summary) > 3);
        assert_true(r->dialects != 0);
        /* kebab-case names */
        for (const char *p = r->name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
        /* a function for every dialect the rule claims, unless the engine reports it */
        if (i != R_SYNTAX_ERROR && i != R_UNUSED_IGNORE && i != R_UNCOMMITTED_TXN &&
            i != R_FK_WITHOUT_INDEX) {
            if (r->dialects & CHK_PG)
                assert_non_null(r->pg);
            if (r->dialects & CHK_MY)
                assert_non_null(r->my);
        }
        for (int k = 0; k < i; k++) {
            assert_string_not_equal(r->id, chk_rules[k].id);
            assert_string_not_equal(r->name, chk_rules[k].name);
        }
        assert_int_equal(chk_rule_lookup(r->name, strlen(r->name)), i);
        assert_int_equal(chk_rule_lookup(r->id, strlen(r->id)), i);

        /* a doc page that states the id and severity, and a fixture pair */
        char path[512];
        struct mg_buf doc = MG_BUF_INIT;
        struct mg_err err;
        mg_err_clear(&err);
        snprintf(path, sizeof(path), "docs/checks/%s.md", r->name);
        if (mg_read_file(&doc, path, 1 << 20, &err) != 0)
            fail_msg("no doc page %s", path);
        if (!strstr(doc.ptr, r->id) || !strstr(doc.ptr, chk_sev_name(r->severity)) ||
            !strstr(doc.ptr, "## Origin") || !strstr(doc.ptr, "```sql"))
            fail_msg("%s does not state id %s, severity %s, the SQL and the origin", path, r->id,
                     chk_sev_name(r->severity));
        mg_buf_free(&doc);
        snprintf(path, sizeof(path), FIXTURES "/%s/bad.sql", r->name);
        assert_true(file_exists(path));
        snprintf(path, sizeof(path), FIXTURES "/%s/good.sql", r->name);
        assert_true(file_exists(path));
    }
    assert_int_equal(chk_rule_lookup("no-such-rule", 12), -1);
}

/* ---------- fixtures ---------- */

/* Reads "-- fixture: pg-version X" from the first line, if any. */
static void fixture_version(struct chk_config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (f && fgets(line, sizeof(line), f) && !strncmp(line, "-- fixture: pg-version ", 23)) {
        struct mg_err err;
        mg_err_clear(&err);
        line[strcspn(line, "\n")] = '\0';
        assert_int_equal(chk_config_pg_version(cfg, line + 23, &err), 0);
    }
    if (f)
        fclose(f);
}

/* Lints [context, file] and counts findings of `rule` in `file`. */
static size_t count_rule(const char *dir, const char *file, const char *context, int rule,
                         enum chk_dialect d, int print)
{
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    char fpath[512], cpath[512];
    char *paths[2];
    size_t n = 0, np = 0;

    chk_config_init(&cfg);
    cfg.dialect = d;
    mg_err_clear(&err);
    assert_int_equal(chk_config_rules(&cfg, chk_rules[rule].name, 1, &err), 0);
    snprintf(fpath, sizeof(fpath), "%s/%s", dir, file);
    snprintf(cpath, sizeof(cpath), "%s/%s", dir, context);
    fixture_version(&cfg, fpath);
    if (file_exists(cpath))
        paths[np++] = cpath;
    paths[np++] = fpath;
    if (chk_lint(&res, &cfg, paths, np, NULL, 0, 0, &err) != 0)
        fail_msg("linting %s failed: %s", fpath, err.msg);
    for (size_t i = 0; i < res.n; i++) {
        if (res.v[i].file != np - 1)
            continue;
        if (res.v[i].rule == rule)
            n++;
        if (print)
            print_message("    %s:%d:%d %s: %s\n", fpath, res.v[i].line, res.v[i].col,
                          chk_rules[res.v[i].rule].name, res.v[i].msg);
    }
    chk_result_free(&res);
    return n;
}

static void test_fixtures(void **state)
{
    DIR *d = opendir(FIXTURES);
    struct dirent *de;
    int failures = 0, pairs = 0;

    (void)state;
    assert_non_null(d);
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int rule = chk_rule_lookup(de->d_name, strlen(de->d_name));
        if (rule < 0) {
            print_error("fixture directory %s names no rule\n", de->d_name);
            failures++;
            continue;
        }
        char dir[512];
        snprintf(dir, sizeof(dir), FIXTURES "/%s", de->d_name);
        int my_only = !strncmp(de->d_name, "mysql-", 6);
        struct {
            const char *bad, *good, *ctx;
            enum chk_dialect d;
        } sets[2] = {
            {"bad.sql", "good.sql", "context.sql", my_only ? CHK_MY : CHK_PG},
            {"bad.mysql.sql", "good.mysql.sql", "context.mysql.sql", CHK_MY},
        };
        for (int k = 0; k < 2; k++) {
            char p[600];
            snprintf(p, sizeof(p), "%s/%s", dir, sets[k].bad);
            if (!file_exists(p))
                continue;
            pairs++;
            if (!(chk_rules[rule].dialects & sets[k].d)) {
                print_error("%s: the rule does not apply to this dialect\n", p);
                failures++;
            }
            if (count_rule(dir, sets[k].bad, sets[k].ctx, rule, sets[k].d, 0) == 0) {
                print_error("%s/%s does not flag %s:\n", dir, sets[k].bad, de->d_name);
                count_rule(dir, sets[k].bad, sets[k].ctx, rule, sets[k].d, 1);
                failures++;
            }
            if (count_rule(dir, sets[k].good, sets[k].ctx, rule, sets[k].d, 0) != 0) {
                print_error("%s/%s flags %s:\n", dir, sets[k].good, de->d_name);
                count_rule(dir, sets[k].good, sets[k].ctx, rule, sets[k].d, 1);
                failures++;
            }
        }
    }
    closedir(d);
    print_message("    %d fixture pairs\n", pairs);
    assert_true(pairs >= CHK_NRULES);
    assert_int_equal(failures, 0);
}

/* ---------- contexts ---------- */

static size_t lint_count(const char *sql, const char *rule, enum chk_dialect d,
                         const char *pg_version)
{
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    size_t n = 0;
    int idx = chk_rule_lookup(rule, strlen(rule));

    assert_true(idx >= 0);
    chk_config_init(&cfg);
    cfg.dialect = d;
    mg_err_clear(&err);
    chk_config_rules(&cfg, rule, 1, &err);
    if (pg_version)
        assert_int_equal(chk_config_pg_version(&cfg, pg_version, &err), 0);
    assert_int_equal(chk_lint_text(&res, &cfg, "t.sql", sql, &err), 0);
    for (size_t i = 0; i < res.n; i++)
        if (res.v[i].rule == idx)
            n++;
    chk_result_free(&res);
    return n;
}

static void test_same_file_exempt(void **state)
{
    (void)state;
    assert_int_equal(lint_count("CREATE TABLE t (id bigint, a text);\n"
                                "CREATE INDEX t_a ON t (a);\n"
                                "ALTER TABLE t ADD CONSTRAINT c CHECK (a <> '');\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
                                "require-concurrent-index", CHK_PG, NULL),
                     0);
    /* a table created after the statement is not exempt */
    assert_int_equal(lint_count("CREATE INDEX t_a ON t (a);\nCREATE TABLE t (id bigint, a text);\n",
                                "require-concurrent-index", CHK_PG, NULL),
                     1);
    assert_int_equal(lint_count("CREATE TABLE t (id bigint, a text);\n"
                                "ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n",
                                "set-not-null", CHK_PG, NULL),
                     0);
    assert_int_equal(lint_count("CREATE TABLE t (id BIGINT, a INT);\n"
                                "ALTER TABLE t MODIFY a BIGINT, ALGORITHM=COPY;\n",
                                "mysql-algorithm-copy", CHK_MY, NULL),
                     0);
}

/* Writes a file into dir. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    struct mg_err err;
    mg_err_clear(&err);
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    assert_int_equal(mg_write_file_atomic(p, text, strlen(text), &err), 0);
}

static void test_older_and_new_files(void **state)
{
    char dir[] = "/tmp/test_lint_XXXXXX";
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    char *paths[1];
    char newp[600];
    char *news[1] = {newp};
    int rule = R_REQUIRE_CONCURRENT_INDEX;
    size_t n;

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_file(dir, "1_create.up.sql", "CREATE TABLE t (id bigint, a text);\n");
    write_file(dir, "1_create.down.sql", "DROP TABLE t;\n");
    write_file(dir, "2_index.up.sql", "CREATE INDEX t_a ON t (a);\n");
    paths[0] = dir;
    chk_config_init(&cfg);
    mg_err_clear(&err);

    /* an older migration's table may be large by now */
    assert_int_equal(chk_lint(&res, &cfg, paths, 1, NULL, 0, 0, &err), 0);
    assert_int_equal(res.nfiles, 2); /* down files are not read from a directory */
    n = 0;
    for (size_t i = 0; i < res.n; i++)
        n += res.v[i].rule == rule;
    assert_int_equal(n, 1);
    chk_result_free(&res);

    /* unless that migration is new in the same change */
    snprintf(newp, sizeof(newp), "%s/1_create.up.sql", dir);
    assert_int_equal(chk_lint(&res, &cfg, paths, 1, news, 1, 0, &err), 0);
    n = 0;
    for (size_t i = 0; i < res.n; i++)
        n += res.v[i].rule == rule;
    assert_int_equal(n, 0);
    assert_true(res.files[0].is_new);
    chk_result_free(&res);

    /* the same directory of 200 migrations does not go quiet: each index is on an older table */
    for (int i = 3; i < 203; i++) {
        char name[64], sql[128];
        snprintf(name, sizeof(name), "%d_m.up.sql", i);
        snprintf(sql, sizeof(sql), "CREATE TABLE t%d (id bigint);\n", i);
        write_file(dir, name, sql);
    }
    write_file(dir, "300_idx.up.sql",
               "CREATE INDEX t7_id ON t7 (id);\nCREATE INDEX t8_id ON t8 (id);\n");
    assert_int_equal(chk_lint(&res, &cfg, paths, 1, NULL, 0, 0, &err), 0);
    n = 0;
    for (size_t i = 0; i < res.n; i++)
        n += res.v[i].rule == rule;
    assert_int_equal(n, 3);
    chk_result_free(&res);

    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_transaction_detection(void **state)
{
    (void)state;
    /* a CONCURRENTLY statement makes the runner run the file statement by statement */
    assert_int_equal(lint_count("CREATE TABLE a (id bigint);\n"
                                "CREATE INDEX CONCURRENTLY i ON t (x);\n",
                                "prefer-robust-statements", CHK_PG, NULL),
                     2);
    /* in one transaction the file is atomic: nothing to re-run */
    assert_int_equal(lint_count("CREATE TABLE a (id bigint);\nCREATE TABLE b (id bigint);\n",
                                "prefer-robust-statements", CHK_PG, NULL),
                     0);
    /* migrate:no-transaction too */
    assert_int_equal(lint_count("-- migrate:no-transaction\nCREATE TABLE a (id bigint);\n"
                                "CREATE TABLE b (id bigint);\n",
                                "prefer-robust-statements", CHK_PG, NULL),
                     2);
    /* BEGIN in a file the runner wraps */
    assert_int_equal(lint_count("BEGIN;\nCREATE TABLE a (id bigint);\nCOMMIT;\n",
                                "transaction-nesting", CHK_PG, NULL),
                     2);
    /* validate in the same transaction only matters when there is one */
    assert_int_equal(lint_count("-- migrate:no-transaction\n"
                                "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
                                "ALTER TABLE t VALIDATE CONSTRAINT c;\n",
                                "validate-in-same-transaction", CHK_PG, NULL),
                     0);
    assert_int_equal(lint_count("-- migrate:no-transaction\nBEGIN;\n"
                                "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
                                "ALTER TABLE t VALIDATE CONSTRAINT c;\nCOMMIT;\n",
                                "validate-in-same-transaction", CHK_PG, NULL),
                     1);
}

static void test_pg_version(void **state)
{
    const char *sql = "ALTER TABLE t ADD COLUMN c int DEFAULT 0;\n";
    (void)state;
    assert_int_equal(lint_count(sql, "add-column-volatile-default", CHK_PG, "10"), 1);
    assert_int_equal(lint_count(sql, "add-column-volatile-default", CHK_PG, "11"), 0);
    assert_int_equal(lint_count(sql, "add-column-volatile-default", CHK_PG, NULL), 0);
    assert_int_equal(lint_count("ALTER TABLE t ADD COLUMN c int DEFAULT NULL;\n",
                                "add-column-volatile-default", CHK_PG, "10"),
                     0);
    assert_int_equal(lint_count("REINDEX TABLE t;\n", "require-concurrent-reindex", CHK_PG, "11"),
                     0);
    assert_int_equal(lint_count("REINDEX TABLE t;\n", "require-concurrent-reindex", CHK_PG, "12"),
                     1);
}

static void test_ignores(void **state)
{
    (void)state;
    /* statement scope: only the next statement */
    assert_int_equal(lint_count("-- leading\nSELECT 1;\n"
                                "-- migrate:ignore ban-drop-column moved to archive\n"
                                "ALTER TABLE t DROP COLUMN a;\nALTER TABLE t DROP COLUMN b;\n",
                                "ban-drop-column", CHK_PG, NULL),
                     1);
    /* file scope: the leading comment block */
    assert_int_equal(lint_count("-- migrate:ignore ban-drop-column,MG202 cleanup\n\n"
                                "ALTER TABLE t DROP COLUMN a;\nDROP TABLE u;\n"
                                "ALTER TABLE t DROP COLUMN b;\n",
                                "ban-drop-column", CHK_PG, NULL),
                     0);
    assert_int_equal(lint_count("-- migrate:ignore ban-drop-column,MG202 cleanup\n\n"
                                "ALTER TABLE t DROP COLUMN a;\nDROP TABLE u;\n",
                                "unused-ignore", CHK_PG, NULL),
                     0);
    /* an ignore that silences nothing, and one that names no rule */
    assert_int_equal(lint_count("SELECT 1;\n-- migrate:ignore ban-drop-table nope\n"
                                "ALTER TABLE t DROP COLUMN a;\n"
                                "-- migrate:ignore no-such-rule typo\nSELECT 2;\n",
                                "unused-ignore", CHK_PG, NULL),
                     2);
}

static void test_syntax_error_does_not_hide(void **state)
{
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    (void)state;
    chk_config_init(&cfg);
    mg_err_clear(&err);
    assert_int_equal(chk_lint_text(&res, &cfg, "t.sql",
                                   "CREATE INDEX i ON t (a);\nALTER TABLE t ADD COLUMN;\n"
                                   "ALTER TABLE t DROP COLUMN x;\n",
                                   &err),
                     0);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.v[0].rule, R_REQUIRE_CONCURRENT_INDEX);
    assert_int_equal(res.v[1].rule, R_SYNTAX_ERROR);
    assert_int_equal(res.v[1].line, 2);
    assert_int_equal(res.v[1].col, 25); /* at the ';' the column name was expected before */
    assert_int_equal(res.v[2].rule, R_BAN_DROP_COLUMN);
    assert_int_equal(res.v[2].line, 3);
    chk_result_free(&res);
}

static void test_columns_are_characters(void **state)
{
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    (void)state;
    chk_config_init(&cfg);
    mg_err_clear(&err);
    /* "é" is two bytes but one column */
    assert_int_equal(
        chk_lint_text(&res, &cfg, "t.sql", "SELECT 'é';  CREATE INDEX i ON t (a);\n", &err), 0);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.v[0].line, 1);
    assert_int_equal(res.v[0].col, 32);
    chk_result_free(&res);
}

static void test_config(void **state)
{
    char path[] = "/tmp/test_lint_ini_XXXXXX";
    struct chk_config cfg;
    struct mg_err err;
    int fd;
    const char *ini = "; lint settings\n[lint]\nfail-on = warning\npg-version = 13\n"
                      "disable = ban-char, MG306\nenable = require-lock-timeout\n"
                      "[lint.severity]\nban-drop-column = warning\nrename-column = off\n"
                      "[other]\nkey = value\n";
    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, ini, strlen(ini)), (ssize_t)strlen(ini));
    close(fd);
    chk_config_init(&cfg);
    mg_err_clear(&err);
    assert_int_equal(chk_config_load(&cfg, path, 1, &err), 0);
    assert_int_equal(cfg.fail_on, CHK_WARNING);
    assert_int_equal(cfg.pg_version, 13);
    assert_int_equal(cfg.sev[R_BAN_CHAR], CHK_OFF);
    assert_int_equal(cfg.sev[R_PREFER_TIMESTAMPTZ], CHK_OFF);
    assert_int_equal(cfg.sev[R_REQUIRE_LOCK_TIMEOUT], CHK_WARNING);
    assert_int_equal(cfg.sev[R_BAN_DROP_COLUMN], CHK_WARNING);
    assert_int_equal(cfg.sev[R_RENAME_COLUMN], CHK_OFF);
    assert_int_equal(cfg.sev[R_SET_NOT_NULL], CHK_ERROR);

    /* errors name the file and line */
    const char *bad = "[lint]\nfail-on = warning\ndisable = no-such-rule\n";
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    chk_config_init(&cfg);
    assert_int_not_equal(chk_config_load(&cfg, path, 1, &err), 0);
    assert_non_null(strstr(err.msg, "no-such-rule"));
    assert_int_equal(err.line, 3);
    unlink(path);

    /* a missing default file is fine, a missing named one is not */
    mg_err_clear(&err);
    assert_int_equal(chk_config_load(&cfg, "/nonexistent/migrate.ini", 0, &err), 0);
    assert_int_not_equal(chk_config_load(&cfg, "/nonexistent/migrate.ini", 1, &err), 0);
}

static void test_fingerprints_stable(void **state)
{
    struct chk_config cfg;
    struct chk_result a, b;
    struct mg_err err;
    char fa[4][33], fb[4][33];
    (void)state;
    chk_config_init(&cfg);
    mg_err_clear(&err);
    /* the same finding after unrelated lines were added above it and the SQL reflowed */
    assert_int_equal(chk_lint_text(&a, &cfg, "m.sql", "CREATE INDEX i ON t (a);\n", &err), 0);
    assert_int_equal(chk_lint_text(&b, &cfg, "m.sql",
                                   "-- a comment\nSELECT 1;\n\n"
                                   "CREATE INDEX i\n    ON t (a);\n",
                                   &err),
                     0);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    chk_fingerprints(fa, &a);
    chk_fingerprints(fb, &b);
    assert_string_equal(fa[0], fb[0]);
    assert_int_not_equal(a.v[0].line, b.v[0].line);
    chk_result_free(&a);
    chk_result_free(&b);
}

/*
 * --format json is written without a jansson tree: it must still be one
 * valid document that says what the result says, with jansson's escaping of
 * quotes, backslashes, control characters and non-ASCII text, empty arrays
 * as [], and (as before) no finding whose text is not valid UTF-8.
 */
static void test_json_report(void **state)
{
    struct chk_config cfg;
    struct chk_result res;
    struct mg_err err;
    struct mg_buf out = MG_BUF_INIT;
    json_error_t jerr;
    (void)state;

    chk_config_init(&cfg);
    mg_err_clear(&err);
    assert_int_equal(chk_lint_text(&res, &cfg, "dir/we\"ird\\name.sql",
                                   "ALTER TABLE \"t\\\"\"x\" DROP COLUMN \"a\tb\";\n"
                                   "ALTER TABLE r\xc3\xa9sum\xc3\xa9 DROP COLUMN na\xc3\xafve;\n"
                                   "ALTER TABLE u DROP COLUMN \"\xff\";\n",
                                   &err),
                     0);
    chk_report_write(&out, &res, &cfg, CHK_FMT_JSON);
    json_t *doc = json_loads(out.ptr, 0, &jerr);
    if (!doc)
        fail_msg("not JSON: %s at line %d:\n%s", jerr.text, jerr.line, out.ptr);
    /* three drops; the third one's message holds invalid UTF-8: counted, not listed */
    assert_int_equal(res.count[CHK_ERROR], 3);
    assert_int_equal(res.n, 4);
    json_t *findings = json_object_get(doc, "findings");
    assert_int_equal(json_array_size(findings), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"), "error")),
                     3);
    json_t *f0 = json_array_get(findings, 0);
    assert_string_equal(json_string_value(json_object_get(f0, "file")), "dir/we\"ird\\name.sql");
    assert_non_null(strstr(json_string_value(json_object_get(f0, "message")), "\"t\\\"x\".a\tb"));
    assert_string_equal(json_string_value(json_object_get(f0, "rule")), "ban-drop-column");
    assert_int_equal(json_integer_value(json_object_get(f0, "line")), 1);
    assert_int_equal(strlen(json_string_value(json_object_get(f0, "fingerprint"))), 32);
    json_t *f1 = json_array_get(findings, 2);
    assert_non_null(strstr(json_string_value(json_object_get(f1, "message")),
                           "\"r\xc3\xa9sum\xc3\xa9\".na\xc3\xafve"));
    json_t *files = json_object_get(doc, "files");
    assert_int_equal(json_array_size(files), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(files, 0), "statements")),
                     3);
    assert_true(json_is_false(json_object_get(doc, "ok")));
    json_decref(doc);
    chk_result_free(&res);

    /* nothing found: empty arrays, ok */
    mg_buf_reset(&out);
    assert_int_equal(chk_lint_text(&res, &cfg, "m.sql", "SELECT 1;\n", &err), 0);
    chk_report_write(&out, &res, &cfg, CHK_FMT_JSON);
    assert_non_null(strstr(out.ptr, "\"ok\": true,"));
    assert_non_null(strstr(out.ptr, "\"findings\": []\n}\n"));
    doc = json_loads(out.ptr, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "files")), 1);
    json_decref(doc);
    chk_result_free(&res);
    mg_buf_free(&out);
}

/* Realistic safe migrations: the default rule set must say nothing at all about them. */
static void test_safe_corpus(void **state)
{
    static const struct {
        const char *dir;
        enum chk_dialect d;
    } corpora[] = {{"tests/fixtures/lint/safe/postgres", CHK_PG},
                   {"tests/fixtures/lint/safe/mysql", CHK_MY}};
    (void)state;
    for (size_t k = 0; k < MG_ARRAY_SIZE(corpora); k++) {
        struct chk_config cfg;
        struct chk_result res;
        struct mg_err err;
        char *paths[1] = {(char *)corpora[k].dir};
        chk_config_init(&cfg);
        cfg.dialect = corpora[k].d;
        mg_err_clear(&err);
        assert_int_equal(chk_lint(&res, &cfg, paths, 1, NULL, 0, 0, &err), 0);
        assert_true(res.nfiles >= 5);
        for (size_t i = 0; i < res.n; i++)
            print_error("noise: %s:%d:%d %s: %s\n", res.files[res.v[i].file].path, res.v[i].line,
                        res.v[i].col, chk_rules[res.v[i].rule].name, res.v[i].msg);
        assert_int_equal(res.n, 0);
        chk_result_free(&res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_same_file_exempt),
        cmocka_unit_test(test_older_and_new_files),
        cmocka_unit_test(test_transaction_detection),
        cmocka_unit_test(test_pg_version),
        cmocka_unit_test(test_ignores),
        cmocka_unit_test(test_syntax_error_does_not_hide),
        cmocka_unit_test(test_columns_are_characters),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_fingerprints_stable),
        cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_safe_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
