/* test_util.c — durations, URLs, checksums, UTF-8, buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "source.h"
#include "url.h"
#include "util.h"

static void durations(void **state)
{
    struct mg_err e;
    long ms;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(mg_parse_duration(&ms, "500ms", &e), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(mg_parse_duration(&ms, "3s", &e), 0);
    assert_int_equal(ms, 3000);
    assert_int_equal(mg_parse_duration(&ms, "1.5s", &e), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(mg_parse_duration(&ms, "2m", &e), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(mg_parse_duration(&ms, "1h", &e), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(mg_parse_duration(&ms, "250", &e), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(mg_parse_duration(&ms, "off", &e), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(mg_parse_duration(&ms, "3 s", &e), MG_EUSAGE);
    assert_non_null(strstr(e.msg, "invalid duration '3 s'"));
    mg_err_clear(&e);
    assert_int_equal(mg_parse_duration(&ms, "-1s", &e), MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(mg_parse_duration(&ms, "3d", &e), MG_EUSAGE);
    mg_err_clear(&e);
    assert_int_equal(mg_parse_duration(&ms, "9999h", &e), MG_EUSAGE);
}

static void urls(void **state)
{
    struct mg_url u;
    struct mg_err e;
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_err_clear(&e);
    assert_int_equal(
        mg_url_parse(&u, "postgres://alice:s%40cr%3At@db.example:6543/app?sslmode=require", &e), 0);
    assert_string_equal(u.scheme, "postgres");
    assert_string_equal(u.user, "alice");
    assert_string_equal(u.password, "s@cr:t");
    assert_string_equal(u.host, "db.example");
    assert_string_equal(u.port, "6543");
    assert_string_equal(u.dbname, "app");
    assert_string_equal(mg_url_param(&u, "sslmode"), "require");
    mg_url_redact(&b, &u);
    assert_string_equal(b.ptr, "postgres://alice:***@db.example:6543/app?sslmode=require");
    assert_null(strstr(b.ptr, "cr"));
    mg_url_free(&u);
    mg_buf_reset(&b);

    /* '@' inside the password, IPv6 host, socket parameter */
    assert_int_equal(
        mg_url_parse(&u, "mysql://root:p@ss@[::1]:3306/db?password=x&socket=/tmp/s", &e), 0);
    assert_string_equal(u.password, "p@ss");
    assert_string_equal(u.host, "::1");
    mg_url_redact(&b, &u);
    assert_string_equal(b.ptr, "mysql://root:***@[::1]:3306/db?password=***&socket=/tmp/s");
    mg_url_free(&u);
    mg_buf_reset(&b);

    assert_int_equal(mg_url_parse(&u, "postgres://u@/db?host=/tmp/sock&port=5433", &e), 0);
    assert_null(u.host);
    assert_string_equal(mg_url_param(&u, "host"), "/tmp/sock");
    mg_url_free(&u);

    assert_int_equal(mg_url_parse(&u, "localhost:5432/db", &e), MG_EUSAGE);
    assert_non_null(strstr(e.msg, "no scheme"));
    mg_err_clear(&e);
    assert_int_equal(mg_url_parse(&u, "postgres://h:99999/db", &e), MG_EUSAGE);
    assert_non_null(strstr(e.msg, "port"));
    mg_err_clear(&e);
    assert_int_equal(mg_url_parse(&u, "postgres://u:%zz@h/db", &e), MG_EUSAGE);
    mg_err_clear(&e);

    /* unparseable strings still never leak what could be a secret */
    mg_url_redact_str(&b, "postgres://u:secret@h:bad/db");
    assert_null(strstr(b.ptr, "secret"));
    mg_buf_free(&b);
}

static void checksums(void **state)
{
    char a[65], b[65], c[65];

    (void)state;
    mg_checksum(a, "SELECT 1;\nSELECT 2;\n", 20);
    mg_checksum(b, "SELECT 1;\r\nSELECT 2;\r\n", 22);
    mg_checksum(c, "SELECT 1;\nSELECT 3;\n", 20);
    assert_string_equal(a, b); /* an editor's CRLF is not an edit */
    assert_string_not_equal(a, c);
    /* a lone CR is content */
    mg_checksum(b, "SELECT 1;\rSELECT 2;\n", 20);
    assert_string_not_equal(a, b);
    mg_sha256_hex(c, "abc", 3);
    assert_string_equal(c, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void utf8(void **state)
{
    size_t bad = 0;

    (void)state;
    const char *ok = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
    assert_true(mg_utf8_valid(ok, strlen(ok), &bad));
    assert_false(mg_utf8_valid(ok, strlen(ok) - 1, &bad));
    assert_false(mg_utf8_valid("ab\xff", 3, &bad));
    assert_int_equal(bad, 2);
    assert_false(mg_utf8_valid("a\xc3", 2, &bad)); /* truncated */
    assert_int_equal(bad, 1);
    assert_false(mg_utf8_valid("\xc0\xaf", 2, &bad));     /* overlong */
    assert_false(mg_utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
}

static void buffers(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *s;

    (void)state;
    assert_string_equal(b.ptr, "");
    for (int i = 0; i < 1000; i++)
        mg_buf_addf(&b, "%d,", i);
    assert_int_equal(b.len, strlen(b.ptr));
    assert_true(mg_str_starts_with(b.ptr, "0,1,2,"));
    mg_buf_reset(&b);
    assert_string_equal(b.ptr, "");
    mg_buf_adds(&b, "x  \n");
    mg_buf_rtrim(&b);
    assert_string_equal(b.ptr, "x");
    s = mg_buf_detach(&b);
    assert_string_equal(s, "x");
    assert_string_equal(b.ptr, "");
    free(s);

    /* addf formats into the room left, or grows and formats again: the same text either way */
    char big[300];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mg_buf_addf(&b, "%s", ""); /* nothing, on an unallocated buffer */
    assert_int_equal(b.len, 0);
    assert_string_equal(b.ptr, "");
    mg_buf_addf(&b, "a%dz", 1); /* allocates */
    mg_buf_addf(&b, "%s", "");  /* nothing, with room */
    mg_buf_addf(&b, "-%s-", "fits");
    assert_string_equal(b.ptr, "a1z-fits-");
    mg_buf_addf(&b, "<%s>", big); /* does not fit: formatted again after growing */
    assert_int_equal(b.len, 9 + 2 + strlen(big));
    assert_int_equal(b.len, strlen(b.ptr));
    assert_true(mg_str_starts_with(b.ptr, "a1z-fits-<yyy"));
    assert_int_equal(b.ptr[b.len - 1], '>');
    mg_buf_free(&b);
}

static void backoff(void **state)
{
    (void)state;
    for (int attempt = 1; attempt <= 10; attempt++) {
        long ms = mg_backoff_ms(100, attempt, 2000);
        long d = 100;
        for (int i = 1; i < attempt && d < 2000; i++)
            d *= 2;
        if (d > 2000)
            d = 2000;
        assert_true(ms >= d / 2 && ms <= d + d / 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations), cmocka_unit_test(urls),    cmocka_unit_test(checksums),
        cmocka_unit_test(utf8),      cmocka_unit_test(buffers), cmocka_unit_test(backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
