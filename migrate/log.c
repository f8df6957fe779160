/* log.c — leveled logging to stderr, as text or JSON lines. */
#include "log.h"

#include "err.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static enum mg_log_level max_level = MG_LOG_INFO;
static int as_json;

void mg_log_setup(enum mg_log_level level, int json)
{
    max_level = level;
    as_json = json;
}

enum mg_log_level mg_log_get_level(void)
{
    return max_level;
}

static const char *level_name(enum mg_log_level l)
{
    switch (l) {
    case MG_LOG_ERROR:
        return "error";
    case MG_LOG_WARN:
        return "warning";
    case MG_LOG_INFO:
        return "info";
    case MG_LOG_DEBUG:
        return "debug";
    }
    return "info";
}

/* Writes one JSON line: time, level, msg, then `extra`'s fields (may be NULL; stolen). */
static void json_line(enum mg_log_level level, const char *msg, json_t *extra)
{
    char ts[64];
    struct timespec now;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
    json_t *o = json_pack("{s:s,s:s,s:s?}", "time", ts, "level", level_name(level), "msg", msg);
    if (!json_object_get(o, "msg")) /* not UTF-8: say so rather than lose the line */
        json_object_set_new(o, "msg", json_string("(message is not valid UTF-8)"));
    if (extra)
        json_object_update_missing(o, extra);
    json_decref(extra);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(stderr, "%s\n", s);
    free(s);
    json_decref(o);
}

void mg_log(enum mg_log_level level, const char *fmt, ...)
{
    char msg[4096];
    va_list ap;

    if (level > max_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (as_json) {
        json_line(level, msg, NULL);
        return;
    }
    if (level == MG_LOG_INFO)
        fprintf(stderr, "%s\n", msg);
    else
        fprintf(stderr, "%s: %s\n", level_name(level), msg);
}

void mg_log_final_error(const struct mg_err *e)
{
    if (!e->msg[0])
        return;
    if (as_json) {
        json_t *fields = mg_err_json(e);
        json_object_del(fields, "message");
        json_line(MG_LOG_ERROR, e->msg, fields);
        return;
    }
    fprintf(stderr, "error: %s\n", e->msg);
    if (e->file[0] && e->line)
        fprintf(stderr, "  at: %s:%d\n", e->file, e->line);
    if (e->sqlstate[0])
        fprintf(stderr, "  sqlstate: %s\n", e->sqlstate);
    if (e->server_code)
        fprintf(stderr, "  server error: %d\n", e->server_code);
    if (e->detail[0])
        fprintf(stderr, "  detail: %s\n", e->detail);
    if (e->context[0])
        fprintf(stderr, "  context: %s\n", e->context);
    if (e->hint[0])
        fprintf(stderr, "  hint: %s\n", e->hint);
}
