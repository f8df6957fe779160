/*
 * url.h — database URLs: parsing and redaction.
 *
 *   scheme://[user[:password]@][host][:port][/dbname][?key=value&...]
 *
 * Every part is percent-decoded.  IPv6 hosts go in brackets.  A password is
 * never printed: mg_url_redact writes "***" in its place, and in place of any
 * query parameter named password.
 */
#ifndef MG_URL_H
#define MG_URL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct mg_url {
    char *scheme;   /* lowercase, without "://" */
    char *user;     /* NULL when absent */
    char *password; /* NULL when absent */
    char *host;     /* NULL when absent */
    char *port;     /* NULL when absent */
    char *dbname;   /* NULL when absent */
    size_t nparams;
    char **keys;
    char **values;
};

/* Parses `s` into *out (which the caller frees with mg_url_free). */
int mg_url_parse(struct mg_url *out, const char *s, struct mg_err *err);
void mg_url_free(struct mg_url *u);
/* The value of query parameter `key`, or NULL. */
const char *mg_url_param(const struct mg_url *u, const char *key);
/* Appends the URL with every secret replaced by "***". */
void mg_url_redact(struct mg_buf *out, const struct mg_url *u);
/*
 * Appends the URL without its password (user info and secret parameters), for
 * another program's command line; the password goes through its environment.
 */
void mg_url_no_password(struct mg_buf *out, const struct mg_url *u);
/* Redacts a raw string that may or may not parse; never fails. */
void mg_url_redact_str(struct mg_buf *out, const char *s);

#endif
