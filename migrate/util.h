/*
 * util.h — small helpers shared by the engine, the drivers and the checks:
 * allocation that cannot return NULL, durations, files, hashing, UTF-8, time.
 */
#ifndef MG_UTIL_H
#define MG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define MG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Out of memory is not recoverable here: print and abort. */
void mg_die_oom(const char *what) __attribute__((noreturn));
void *mg_malloc(size_t n);
void *mg_calloc(size_t n, size_t size);
void *mg_realloc(void *p, size_t n);
/* Grows *arr (of *cap elements of `size` bytes) to hold at least `need`. */
void mg_grow_array(void **arr, size_t *cap, size_t need, size_t size);
char *mg_strdup(const char *s);
char *mg_strndup(const char *s, size_t n);

/*
 * Parses "500ms", "3s", "2m", "1h" or a bare number of milliseconds into
 * *out_ms.  "0" and "off" mean disabled (0).  Returns 0 or MG_EUSAGE.
 */
int mg_parse_duration(long *out_ms, const char *s, struct mg_err *err);
/* Writes a duration the way mg_parse_duration reads it ("1.5s", "250ms"). */
void mg_format_duration(struct mg_buf *out, double ms);
/* Parses a non-negative decimal integer that fits uint64_t, no sign, no spaces. */
int mg_parse_u64(uint64_t *out, const char *s, size_t len);

/* Reads a whole file into `out` (appending); refuses files over `max` bytes. */
int mg_read_file(struct mg_buf *out, const char *path, size_t max, struct mg_err *err);
/* Writes `data` to `path` atomically: a temporary file in the same directory, fsync, rename. */
int mg_write_file_atomic(const char *path, const char *data, size_t len, struct mg_err *err);
/* mkdir -p */
int mg_mkdirs(const char *path, struct mg_err *err);

/* SHA-256 of data as 64 lowercase hex digits plus NUL. */
void mg_sha256_hex(char out[65], const void *data, size_t len);

/*
 * Checks UTF-8 validity; returns 1 if valid, else 0 with the byte offset of
 * the first bad sequence in *bad_at.
 */
int mg_utf8_valid(const char *s, size_t len, size_t *bad_at);
/* 1-based line and column (in bytes) of byte offset `off` in s. */
void mg_line_col(const char *s, size_t off, int *line, int *col);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void mg_now_iso(char out[40]);
int64_t mg_monotonic_ms(void);
void mg_sleep_ms(long ms);
/* Backoff before retry `attempt` (1-based): base * 2^(attempt-1), capped, with +-50% jitter. */
long mg_backoff_ms(long base_ms, int attempt, long cap_ms);
/* A fresh random UUID (libuuid), lowercase. */
void mg_uuid(char out[37]);

int mg_str_starts_with(const char *s, const char *prefix);
int mg_str_ends_with(const char *s, const char *suffix);
int mg_strcase_eq(const char *a, const char *b);
/* The login name of the OS user, or "unknown". */
const char *mg_os_user(void);
/* This machine's host name, or "unknown". */
const char *mg_host_name(void);

#endif
