/* problem.c — the list of input problems. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

void mg_problems_add(struct mg_problems *p, enum mg_severity sev, const char *code,
                     const char *file, int line, uint64_t version, const char *hint,
                     const char *fmt, ...)
{
    struct mg_problem *e;
    struct mg_buf msg = MG_BUF_INIT;
    va_list ap;

    mg_grow_array((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v));
    e = &p->v[p->n++];
    e->sev = sev;
    e->code = mg_strdup(code);
    e->file = file ? mg_strdup(file) : NULL;
    e->line = line;
    e->version = version;
    e->hint = hint ? mg_strdup(hint) : NULL;
    va_start(ap, fmt);
    mg_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    e->msg = mg_buf_detach(&msg);
}

void mg_problems_free(struct mg_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].code);
        free(p->v[i].file);
        free(p->v[i].msg);
        free(p->v[i].hint);
    }
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

size_t mg_problems_count(const struct mg_problems *p, enum mg_severity at_least)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].sev >= at_least)
            n++;
    return n;
}

const char *mg_severity_name(enum mg_severity s)
{
    switch (s) {
    case MG_SEV_ERROR:
        return "error";
    case MG_SEV_WARNING:
        return "warning";
    case MG_SEV_INFO:
        return "info";
    }
    return "info";
}
