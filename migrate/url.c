/* url.c — database URL parsing and redaction (see url.h). */
#include "url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n); returns NULL on a malformed escape or an encoded NUL. */
static char *decode(const char *s, size_t n, int plus_is_space)
{
    char *out = mg_malloc(n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) {
                free(out);
                return NULL;
            }
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static int bad(struct mg_err *err, const char *what)
{
    mg_err_set(err, MG_EUSAGE, "invalid database URL: %s", what);
    mg_err_hint(err, "write it as postgres://user:password@host:port/dbname or "
                     "mysql://user:password@host:port/dbname; percent-encode special characters");
    return MG_EUSAGE;
}

int mg_url_parse(struct mg_url *out, const char *s, struct mg_err *err)
{
    const char *p, *end, *at, *slash, *q;
    size_t cap = 0;

    memset(out, 0, sizeof(*out));
    p = strstr(s, "://");
    if (!p || p == s)
        return bad(err, "it has no scheme (such as postgres:// or mysql://)");
    out->scheme = mg_strndup(s, (size_t)(p - s));
    for (char *c = out->scheme; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '+' && *c != '-' && *c != '.') {
            mg_url_free(out);
            return bad(err, "the scheme has characters a scheme cannot have");
        }
        *c = (char)tolower((unsigned char)*c);
    }
    p += 3;
    q = strchr(p, '?');
    end = q ? q : p + strlen(p);
    slash = memchr(p, '/', (size_t)(end - p));
    const char *auth_end = slash ? slash : end;
    /* the last '@' before the path separates credentials, so '@' in a password works */
    at = NULL;
    for (const char *c = p; c < auth_end; c++)
        if (*c == '@')
            at = c;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        out->user = decode(p, (size_t)((colon ? colon : at) - p), 0);
        if (colon)
            out->password = decode(colon + 1, (size_t)(at - colon - 1), 0);
        if (!out->user || (colon && !out->password)) {
            mg_url_free(out);
            return bad(err, "bad percent-escape in the user or password");
        }
        p = at + 1;
    }
    if (p < auth_end) {
        const char *hend, *portsep = NULL;
        if (*p == '[') {
            hend = memchr(p, ']', (size_t)(auth_end - p));
            if (!hend) {
                mg_url_free(out);
                return bad(err, "an IPv6 host lacks its closing ']'");
            }
            out->host = mg_strndup(p + 1, (size_t)(hend - p - 1));
            hend++;
            if (hend < auth_end && *hend == ':')
                portsep = hend;
            else if (hend < auth_end) {
                mg_url_free(out);
                return bad(err, "unexpected text after the IPv6 host");
            }
        } else {
            portsep = memchr(p, ':', (size_t)(auth_end - p));
            hend = portsep ? portsep : auth_end;
            out->host = decode(p, (size_t)(hend - p), 0);
            if (!out->host) {
                mg_url_free(out);
                return bad(err, "bad percent-escape in the host");
            }
        }
        if (portsep) {
            const char *ps = portsep + 1;
            uint64_t port;
            if (mg_parse_u64(&port, ps, (size_t)(auth_end - ps)) < 0 || port == 0 || port > 65535) {
                mg_url_free(out);
                return bad(err, "the port is not a number from 1 to 65535");
            }
            out->port = mg_strndup(ps, (size_t)(auth_end - ps));
        }
        if (out->host && !out->host[0]) {
            free(out->host);
            out->host = NULL;
        }
    }
    if (slash && slash + 1 < end) {
        out->dbname = decode(slash + 1, (size_t)(end - slash - 1), 0);
        if (!out->dbname) {
            mg_url_free(out);
            return bad(err, "bad percent-escape in the database name");
        }
    }
    if (q) {
        const char *kv = q + 1;
        while (*kv) {
            const char *amp = strchr(kv, '&');
            const char *kend = amp ? amp : kv + strlen(kv);
            const char *eq = memchr(kv, '=', (size_t)(kend - kv));
            if (kend > kv) {
                if (!eq) {
                    mg_url_free(out);
                    return bad(err, "a query parameter has no '=value'");
                }
                mg_grow_array((void **)&out->keys, &cap, out->nparams + 1, sizeof(char *));
                out->values = mg_realloc(out->values, cap * sizeof(char *));
                char *k = decode(kv, (size_t)(eq - kv), 1);
                char *v = decode(eq + 1, (size_t)(kend - eq - 1), 1);
                if (!k || !v) {
                    free(k);
                    free(v);
                    mg_url_free(out);
                    return bad(err, "bad percent-escape in a query parameter");
                }
                out->keys[out->nparams] = k;
                out->values[out->nparams] = v;
                out->nparams++;
            }
            if (!amp)
                break;
            kv = amp + 1;
        }
    }
    return 0;
}

void mg_url_free(struct mg_url *u)
{
    free(u->scheme);
    free(u->user);
    if (u->password) {
        memset(u->password, 0, strlen(u->password));
        free(u->password);
    }
    free(u->host);
    free(u->port);
    free(u->dbname);
    for (size_t i = 0; i < u->nparams; i++) {
        free(u->keys[i]);
        free(u->values[i]);
    }
    free(u->keys);
    free(u->values);
    memset(u, 0, sizeof(*u));
}

const char *mg_url_param(const struct mg_url *u, const char *key)
{
    for (size_t i = u->nparams; i-- > 0;)
        if (!strcmp(u->keys[i], key))
            return u->values[i];
    return NULL;
}

static int secret_key(const char *k)
{
    return !strcasecmp(k, "password") || !strcasecmp(k, "pass") || !strcasecmp(k, "passwd") ||
           !strcasecmp(k, "sslpassword") || !strcasecmp(k, "secret");
}

static void add_escaped(struct mg_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~/", c))
            mg_buf_addch(out, (char)c);
        else
            mg_buf_addf(out, "%%%02X", c);
    }
}

void mg_url_redact(struct mg_buf *out, const struct mg_url *u)
{
    mg_buf_addf(out, "%s://", u->scheme);
    if (u->user) {
        add_escaped(out, u->user);
        if (u->password)
            mg_buf_adds(out, ":***");
        mg_buf_addch(out, '@');
    }
    if (u->host) {
        if (strchr(u->host, ':')) {
            mg_buf_addf(out, "[%s]", u->host);
        } else {
            add_escaped(out, u->host);
        }
    }
    if (u->port)
        mg_buf_addf(out, ":%s", u->port);
    if (u->dbname) {
        mg_buf_addch(out, '/');
        add_escaped(out, u->dbname);
    }
    for (size_t i = 0; i < u->nparams; i++) {
        mg_buf_addch(out, i ? '&' : '?');
        add_escaped(out, u->keys[i]);
        mg_buf_addch(out, '=');
        if (secret_key(u->keys[i]))
            mg_buf_adds(out, "***");
        else
            add_escaped(out, u->values[i]);
    }
}

void mg_url_redact_str(struct mg_buf *out, const char *s)
{
    struct mg_url u;
    struct mg_err err;

    mg_err_clear(&err);
    if (mg_url_parse(&u, s, &err) == 0) {
        mg_url_redact(out, &u);
        mg_url_free(&u);
        return;
    }
    /* unparseable: keep only what cannot hold a secret */
    const char *p = strstr(s, "://");
    if (p)
        mg_buf_add(out, s, (size_t)(p - s + 3));
    mg_buf_adds(out, "***");
}

void mg_url_no_password(struct mg_buf *out, const struct mg_url *u)
{
    size_t n = 0;

    mg_buf_addf(out, "%s://", u->scheme);
    if (u->user) {
        add_escaped(out, u->user);
        mg_buf_addch(out, '@');
    }
    if (u->host) {
        if (strchr(u->host, ':')) {
            mg_buf_addf(out, "[%s]", u->host);
        } else {
            add_escaped(out, u->host);
        }
    }
    if (u->port)
        mg_buf_addf(out, ":%s", u->port);
    if (u->dbname) {
        mg_buf_addch(out, '/');
        add_escaped(out, u->dbname);
    }
    for (size_t i = 0; i < u->nparams; i++) {
        if (secret_key(u->keys[i]))
            continue;
        mg_buf_addch(out, n++ ? '&' : '?');
        add_escaped(out, u->keys[i]);
        mg_buf_addch(out, '=');
        add_escaped(out, u->values[i]);
    }
}
