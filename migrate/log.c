/* log.c — leveled logging to stderr, as text or JSON lines. */
#include "log.h"

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
        char ts[64];
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 now.tv_nsec / 1000000);
        json_t *o = json_pack("{s:s,s:s,s:s}", "time", ts, "level", level_name(level), "msg", msg);
        char *s = json_dumps(o, JSON_COMPACT);
        fprintf(stderr, "%s\n", s);
        free(s);
        json_decref(o);
        return;
    }
    if (level == MG_LOG_INFO)
        fprintf(stderr, "%s\n", msg);
    else
        fprintf(stderr, "%s: %s\n", level_name(level), msg);
}
