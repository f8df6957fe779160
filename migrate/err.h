/*
 * err.h — the error every fallible function fills.
 *
 * Functions return 0 or one of the negative MG_E* codes and describe the
 * failure in a caller-supplied struct mg_err.  The first failure wins: setting
 * an error that is already set keeps the deeper one and only adds context, so
 * the server's own words reach the user unchanged.  Only main.c prints the
 * final error and maps the code to an exit status.
 */
#ifndef MG_ERR_H
#define MG_ERR_H

#include <stddef.h>

/* Codes a caller reacts to get their own value; everything else is MG_EFAIL. */
enum mg_errcode {
    MG_OK = 0,
    MG_EFAIL = -1,        /* generic failure */
    MG_EUSAGE = -2,       /* bad command line or configuration */
    MG_ELOCKED = -3,      /* another runner holds the migration lock */
    MG_ELOCKTIMEOUT = -4, /* a statement hit lock_timeout / lock_wait_timeout (retryable) */
    MG_EDEADLOCK = -5,    /* the server chose this session as deadlock victim (retryable) */
    MG_ECONN = -6,        /* cannot connect, or the connection was lost */
    MG_EATTENTION = -7,   /* recorded state needs a human (failed or partial migration) */
    MG_ENOTFOUND = -8,    /* no such file, version, checkpoint ... */
    MG_EFINDINGS = -9,    /* checks found problems at or above --fail-on */
    MG_ECANCELED = -10,   /* interrupted by a signal or a timeout of ours */
    MG_EINPUT = -11,      /* a migration file or other input is malformed */
    MG_EDIFFERS = -12,    /* compared things differ (schema diff, rollback test) */
};

struct mg_err {
    int code;
    char sqlstate[6];   /* five characters and NUL, or "" */
    int server_code;    /* MySQL error number, 0 when none */
    char msg[1024];     /* primary message: lowercase, what failed first */
    char detail[2048];  /* the server's DETAIL or ours */
    char hint[1024];    /* what to do */
    char context[1024]; /* where: migration, statement k of n ... */
    char file[512];     /* migration file of the failing statement, or "" */
    int line;           /* 1-based line of the failing position in `file`, or 0 */
    int col;            /* 1-based column, or 0 */
    int position;       /* server's 1-based character position inside the statement, or 0 */
};

void mg_err_clear(struct mg_err *e);
/* Sets code and message unless an error is already set; returns `code`. */
int mg_err_set(struct mg_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void mg_err_detail(struct mg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_err_hint(struct mg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends "; " and the text to the context, outermost last. */
void mg_err_context(struct mg_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mg_err_copy(struct mg_err *dst, const struct mg_err *src);
/* The error as a JSON object (a new reference), for --format json documents. */
struct json_t;
struct json_t *mg_err_json(const struct mg_err *e);
/* True when the code is worth retrying after a backoff. */
int mg_err_retryable(const struct mg_err *e);

#endif
