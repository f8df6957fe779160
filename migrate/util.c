/* util.c — allocation, durations, files, hashing, UTF-8 and time helpers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

void mg_die_oom(const char *what)
{
    fprintf(stderr, "fatal: out of memory (%s)\n", what);
    abort();
}

void *mg_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        mg_die_oom("malloc");
    return p;
}

void *mg_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        mg_die_oom("calloc");
    return p;
}

void *mg_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        mg_die_oom("realloc");
    return q;
}

void mg_grow_array(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap;

    if (need <= c)
        return;
    if (!c)
        c = 8;
    while (c < need)
        c *= 2;
    if (c > SIZE_MAX / size)
        mg_die_oom("array");
    *arr = mg_realloc(*arr, c * size);
    *cap = c;
}

char *mg_strdup(const char *s)
{
    return mg_strndup(s, strlen(s));
}

char *mg_strndup(const char *s, size_t n)
{
    char *p = mg_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

int mg_parse_duration(long *out_ms, const char *s, struct mg_err *err)
{
    const char *p = s;
    double v;
    char *end;

    if (!strcmp(s, "off") || !strcmp(s, "0")) {
        *out_ms = 0;
        return 0;
    }
    if (!isdigit((unsigned char)*p))
        goto bad;
    errno = 0;
    v = strtod(p, &end);
    if (errno || end == p)
        goto bad;
    if (!*end || !strcmp(end, "ms"))
        ;
    else if (!strcmp(end, "s"))
        v *= 1000;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        v *= 60000;
    else if (!strcmp(end, "h"))
        v *= 3600000;
    else
        goto bad;
    if (v > 7 * 24 * 3600000.0)
        goto bad;
    *out_ms = (long)(v + 0.5);
    if (!*out_ms && v > 0)
        *out_ms = 1;
    return 0;
bad:
    mg_err_set(err, MG_EUSAGE, "invalid duration '%s'", s);
    mg_err_hint(err, "write a number with a unit: 500ms, 3s, 2m, 1h (at most a week), or 0 / off");
    return MG_EUSAGE;
}

void mg_format_duration(struct mg_buf *out, double ms)
{
    if (ms < 1000)
        mg_buf_addf(out, "%.0fms", ms);
    else if (ms < 60000)
        mg_buf_addf(out, "%.3gs", ms / 1000);
    else
        mg_buf_addf(out, "%.0fm%02.0fs", (double)((long)ms / 60000),
                    (double)((long)ms % 60000) / 1000);
}

int mg_parse_u64(uint64_t *out, const char *s, size_t len)
{
    uint64_t v = 0;

    if (!len || len > 20)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int mg_read_file(struct mg_buf *out, const char *path, size_t max, struct mg_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return mg_err_set(err, errno == ENOENT ? MG_ENOTFOUND : MG_EFAIL, "cannot open '%s': %s",
                          path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mg_err_set(err, MG_EINPUT, "'%s' is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        mg_err_set(err, MG_EINPUT, "'%s' is too large: %lld bytes, the limit is %zu", path,
                   (long long)st.st_size, max);
        mg_err_hint(err, "split the migration, or raise the limit with --max-file-size");
        return MG_EINPUT;
    }
    /* room for the whole file at once; more only if it grew since fstat */
    mg_buf_grow(out, (size_t)st.st_size);
    for (;;) {
        if (out->cap - out->len - 1 == 0)
            mg_buf_grow(out, 65536);
        ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return mg_err_set(err, MG_EFAIL, "cannot read '%s': %s", path, strerror(e));
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->ptr[out->len] = '\0';
        if (out->len > max) {
            close(fd);
            return mg_err_set(err, MG_EINPUT, "'%s' is larger than the limit of %zu bytes", path,
                              max);
        }
    }
    close(fd);
    return 0;
}

int mg_write_file_atomic(const char *path, const char *data, size_t len, struct mg_err *err)
{
    struct mg_buf tmp = MG_BUF_INIT;
    int fd, rc = 0;

    mg_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = mg_err_set(err, MG_EFAIL, "cannot create '%s': %s", tmp.ptr, strerror(errno));
        goto out;
    }
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = mg_err_set(err, MG_EFAIL, "cannot write '%s': %s", tmp.ptr, strerror(errno));
            close(fd);
            unlink(tmp.ptr);
            goto out;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        rc = mg_err_set(err, MG_EFAIL, "cannot write '%s': %s", tmp.ptr, strerror(errno));
        unlink(tmp.ptr);
        goto out;
    }
    if (rename(tmp.ptr, path) < 0) {
        rc = mg_err_set(err, MG_EFAIL, "cannot rename '%s' to '%s': %s", tmp.ptr, path,
                        strerror(errno));
        unlink(tmp.ptr);
    }
out:
    mg_buf_free(&tmp);
    return rc;
}

int mg_mkdirs(const char *path, struct mg_err *err)
{
    char *p = mg_strdup(path);
    int rc = 0;

    for (char *s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                rc = mg_err_set(err, MG_EFAIL, "cannot create directory '%s': %s", p,
                                strerror(errno));
                break;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    return rc;
}

void mg_sha256_hex(char out[65], const void *data, size_t len)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int mg_utf8_valid(const char *str, size_t len, size_t *bad_at)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;
        } else {
            goto bad;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                goto bad;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            goto bad;
        i += n + 1;
    }
    return 1;
bad:
    if (bad_at)
        *bad_at = i;
    return 0;
}

void mg_line_col(const char *s, size_t off, int *line, int *col)
{
    int l = 1, c = 1;

    for (size_t i = 0; i < off && s[i]; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

void mg_now_iso(char out[40])
{
    struct timespec now;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
}

int64_t mg_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mg_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

long mg_backoff_ms(long base_ms, int attempt, long cap_ms)
{
    static int seeded;
    double d = (double)base_ms;

    if (!seeded) {
        srandom((unsigned)(getpid() ^ (unsigned)mg_monotonic_ms()));
        seeded = 1;
    }
    for (int i = 1; i < attempt && d < (double)cap_ms; i++)
        d *= 2;
    if (d > (double)cap_ms)
        d = (double)cap_ms;
    /* full jitter in [d/2, 3d/2) keeps two racing runners apart */
    d = d / 2 + d * ((double)random() / (double)RAND_MAX);
    return d < 1 ? 1 : (long)d;
}

void mg_uuid(char out[37])
{
    uuid_t u;

    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

int mg_str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int mg_str_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

int mg_strcase_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

const char *mg_os_user(void)
{
    static char name[256];
    struct passwd *pw;

    if (name[0])
        return name;
    pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(name, sizeof(name), "%s", pw->pw_name);
    else if (getenv("USER"))
        snprintf(name, sizeof(name), "%s", getenv("USER"));
    else
        snprintf(name, sizeof(name), "uid %ld", (long)geteuid());
    return name;
}

const char *mg_host_name(void)
{
    static char name[256];

    if (!name[0] && gethostname(name, sizeof(name) - 1) < 0)
        snprintf(name, sizeof(name), "unknown");
    return name;
}
