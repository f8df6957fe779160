/* err.c — filling struct mg_err (see err.h for the rules). */
#include "err.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mg_err_clear(struct mg_err *e)
{
    memset(e, 0, sizeof(*e));
}

static void vset(char *dst, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(dst, size, fmt, ap);
}

int mg_err_set(struct mg_err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (e->code)
        return e->code;
    e->code = code;
    va_start(ap, fmt);
    vset(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

void mg_err_detail(struct mg_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e->detail[0])
        return;
    va_start(ap, fmt);
    vset(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
}

void mg_err_hint(struct mg_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e->hint[0])
        return;
    va_start(ap, fmt);
    vset(e->hint, sizeof(e->hint), fmt, ap);
    va_end(ap);
}

void mg_err_context(struct mg_err *e, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    size_t len = strlen(e->context);

    va_start(ap, fmt);
    vset(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (len)
        snprintf(e->context + len, sizeof(e->context) - len, "; %s", tmp);
    else
        snprintf(e->context, sizeof(e->context), "%s", tmp);
}

void mg_err_copy(struct mg_err *dst, const struct mg_err *src)
{
    memcpy(dst, src, sizeof(*dst));
}

int mg_err_retryable(const struct mg_err *e)
{
    return e->code == MG_ELOCKTIMEOUT || e->code == MG_EDEADLOCK;
}

json_t *mg_err_json(const struct mg_err *e)
{
    json_t *o = json_object();

    json_object_set_new(o, "message", json_string(e->msg));
    if (e->sqlstate[0])
        json_object_set_new(o, "sqlstate", json_string(e->sqlstate));
    if (e->server_code)
        json_object_set_new(o, "server_code", json_integer(e->server_code));
    if (e->detail[0])
        json_object_set_new(o, "detail", json_string(e->detail));
    if (e->hint[0])
        json_object_set_new(o, "hint", json_string(e->hint));
    if (e->context[0])
        json_object_set_new(o, "context", json_string(e->context));
    if (e->file[0])
        json_object_set_new(o, "file", json_string(e->file));
    if (e->line)
        json_object_set_new(o, "line", json_integer(e->line));
    if (e->col)
        json_object_set_new(o, "column", json_integer(e->col));
    return o;
}
