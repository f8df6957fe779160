/*
 * test_checkpoint.c — reading checkpoint files, finding one by id prefix,
 * and the restore arguments made from a document (run from the repository
 * root: the documents are tests/fixtures/checkpoints/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "log.h"
#include "util.h"

#define FIXTURES "tests/fixtures/checkpoints"

static json_t *all;

static int setup(void **state)
{
    struct mg_err err;

    (void)state;
    mg_err_clear(&err);
    mg_log_setup(MG_LOG_ERROR, 0);
    if (mg_checkpoint_load_dir(&all, FIXTURES, &err) != 0) {
        fprintf(stderr, "cannot load %s: %s\n", FIXTURES, err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(all);
    return 0;
}

static json_t *doc(const char *prefix)
{
    json_t *d;
    struct mg_err err;

    mg_err_clear(&err);
    assert_int_equal(mg_checkpoint_find(&d, all, prefix, &err), 0);
    return d;
}

/* The restore arguments' last non-comment lines, joined. */
static char *args(const char *prefix, const char *tool, const struct mg_restore_opts *o, int *rc,
                  struct mg_err *err)
{
    struct mg_buf out = MG_BUF_INIT, cmd = MG_BUF_INIT;

    mg_err_clear(err);
    *rc = mg_checkpoint_restore_args(&out, doc(prefix), tool, o, err);
    for (const char *line = out.ptr; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (line[0] != '#') {
            mg_buf_add(&cmd, line, len);
            mg_buf_addch(&cmd, '\n');
        }
        line = end ? end + 1 : line + len;
    }
    mg_buf_free(&out);
    return mg_buf_detach(&cmd);
}

static void loading(void **state)
{
    (void)state;
    assert_int_equal(json_array_size(all), 5);
    /* oldest first */
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "id")),
                        "1a2b3c4d-0000-4000-8000-000000000001");
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 4), "id")),
                        "5e6f7081-0000-4000-8000-000000000005");
}

static void finding(void **state)
{
    json_t *d;
    struct mg_err err;

    (void)state;
    mg_err_clear(&err);
    assert_int_equal(mg_checkpoint_find(&d, all, "3C4D", &err), 0);
    assert_string_equal(json_string_value(json_object_get(d, "id")),
                        "3c4d5e6f-0000-4000-8000-000000000003");
    assert_int_equal(mg_checkpoint_find(&d, all, "9", &err), MG_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no checkpoint with id '9'"));
    mg_err_clear(&err);
    /* every fixture id has "-0000-4000-" in the middle, but none starts alike beyond 1 char */
    assert_int_equal(mg_checkpoint_find(&d, all, "", &err), MG_EUSAGE);
    mg_err_clear(&err);
    json_t *two = json_array();
    json_array_append(two, json_array_get(all, 0));
    json_t *copy = json_deep_copy(json_array_get(all, 0));
    json_object_set_new(copy, "id", json_string("1a2b3c4d-ffff-4000-8000-000000000009"));
    json_array_append_new(two, copy);
    assert_int_equal(mg_checkpoint_find(&d, two, "1a2b", &err), MG_EUSAGE);
    assert_non_null(strstr(err.msg, "matches 2 checkpoints"));
    json_decref(two);
}

static void checking(void **state)
{
    struct mg_err err;
    json_t *d = json_deep_copy(doc("1a"));

    (void)state;
    mg_err_clear(&err);
    assert_int_equal(mg_checkpoint_check_doc(d, "x", &err), 0);
    json_object_set_new(d, "format_version", json_integer(MG_CHECKPOINT_FORMAT_VERSION + 1));
    assert_int_equal(mg_checkpoint_check_doc(d, "x", &err), MG_EINPUT);
    assert_non_null(strstr(err.msg, "format version 2"));
    mg_err_clear(&err);
    json_object_set_new(d, "format", json_string("something-else"));
    assert_int_equal(mg_checkpoint_check_doc(d, "x", &err), MG_EINPUT);
    assert_non_null(strstr(err.msg, "is not a migrate checkpoint"));
    json_decref(d);
}

static void restore_point(void **state)
{
    struct mg_err err;
    int rc;
    char *s;
    struct mg_restore_opts o = {.stanza = "main"};

    (void)state;
    s = args("1a", "pgbackrest", &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "pgbackrest --stanza=main --type=name "
                           "--target=migrate-1a2b3c4d-0000-4000-8000-000000000001 "
                           "--target-timeline=2 --target-action=promote restore\n");
    free(s);
    s = args("1a", "barman", NULL, &rc, &err);
    assert_string_equal(s, "barman recover --target-name "
                           "migrate-1a2b3c4d-0000-4000-8000-000000000001 --target-tli 2 "
                           "--target-action promote SERVER BACKUP_ID DESTINATION_DIR\n");
    free(s);
    s = args("1a", "recovery-conf", NULL, &rc, &err);
    assert_string_equal(s, "recovery_target_name = 'migrate-1a2b3c4d-0000-4000-8000-000000000001'\n"
                           "recovery_target_timeline = '2'\n"
                           "recovery_target_action = 'promote'\n");
    free(s);
}

static void lsn_only(void **state)
{
    struct mg_err err;
    int rc;
    char *s;
    struct mg_restore_opts o = {.server = "pg 1", .backup_id = "it's", .destination = "/d"};

    (void)state;
    s = args("2b", "pgbackrest", NULL, &rc, &err);
    assert_string_equal(s, "pgbackrest --stanza=STANZA --type=lsn --target=3/A1C01A28 "
                           "--target-exclusive --target-timeline=2 --target-action=promote "
                           "restore\n");
    free(s);
    /* values from the command line are quoted for the shell */
    s = args("2b", "barman", &o, &rc, &err);
    assert_string_equal(s, "barman recover --target-lsn 3/A1C01A28 --exclusive --target-tli 2 "
                           "--target-action promote 'pg 1' 'it'\\''s' /d\n");
    free(s);
    s = args("2b", "recovery-conf", NULL, &rc, &err);
    assert_string_equal(s, "recovery_target_lsn = '3/A1C01A28'\n"
                           "recovery_target_inclusive = false\n"
                           "recovery_target_timeline = '2'\n"
                           "recovery_target_action = 'promote'\n");
    free(s);
}

static void binlog(void **state)
{
    struct mg_err err;
    int rc;
    char *s;

    (void)state;
    s = args("3c", "mysqlbinlog", NULL, &rc, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(s, "mysqlbinlog --stop-position=1873 mariadb-bin.000004 | mysql\n");
    free(s);
    s = args("4d", "mysqlbinlog", NULL, &rc, &err);
    assert_string_equal(s, "mysqlbinlog --stop-position=157 binlog.000012 | mysql\n");
    free(s);
    /* binary logging off: nothing to replay, and it says so */
    s = args("5e", "mysqlbinlog", NULL, &rc, &err);
    assert_int_equal(rc, MG_EINPUT);
    assert_non_null(strstr(err.detail, "binary logging is off"));
    free(s);
}

static void mismatches(void **state)
{
    struct mg_err err;
    int rc;
    char *s;
    struct mg_restore_opts stanza = {.stanza = "main"};

    (void)state;
    s = args("3c", "pgbackrest", NULL, &rc, &err);
    assert_int_equal(rc, MG_EUSAGE);
    assert_non_null(strstr(err.msg, "is of a MariaDB database"));
    free(s);
    s = args("1a", "mysqlbinlog", NULL, &rc, &err);
    assert_int_equal(rc, MG_EUSAGE);
    assert_non_null(strstr(err.msg, "is of a PostgreSQL database"));
    free(s);
    s = args("1a", "pg_restore", NULL, &rc, &err);
    assert_int_equal(rc, MG_EUSAGE);
    assert_non_null(strstr(err.msg, "unknown restore tool 'pg_restore'"));
    free(s);
    s = args("1a", "barman", &stanza, &rc, &err);
    assert_int_equal(rc, MG_EUSAGE);
    free(s);
}

static void describing(void **state)
{
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_checkpoint_describe_position(&b, doc("1a"));
    assert_string_equal(b.ptr, "restore point migrate-1a2b3c4d-0000-4000-8000-000000000001, LSN "
                               "3/A1B2C3D8, timeline 2");
    mg_buf_reset(&b);
    mg_checkpoint_describe_position(&b, doc("2b"));
    assert_string_equal(b.ptr, "no restore point, LSN 3/A1C01A28, timeline 2");
    mg_buf_reset(&b);
    mg_checkpoint_describe_position(&b, doc("3c"));
    assert_string_equal(b.ptr, "binlog mariadb-bin.000004:1873, GTID 0-1-57");
    mg_buf_reset(&b);
    mg_checkpoint_describe_position(&b, doc("5e"));
    assert_non_null(strstr(b.ptr, "no log position: binary logging is off"));
    mg_buf_free(&b);
}

static void missing_dir(void **state)
{
    json_t *none;
    struct mg_err err;

    (void)state;
    mg_err_clear(&err);
    assert_int_equal(mg_checkpoint_load_dir(&none, "tests/fixtures/no-such-dir", &err), 0);
    assert_int_equal(json_array_size(none), 0);
    json_decref(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading),     cmocka_unit_test(finding),
        cmocka_unit_test(checking),    cmocka_unit_test(restore_point),
        cmocka_unit_test(lsn_only),    cmocka_unit_test(binlog),
        cmocka_unit_test(mismatches),  cmocka_unit_test(describing),
        cmocka_unit_test(missing_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
