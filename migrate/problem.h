/*
 * problem.h — findings about inputs that are not fatal by themselves:
 * malformed file names, a down without an up, an edited applied migration.
 * Commands decide what an error-level problem stops.
 */
#ifndef MG_PROBLEM_H
#define MG_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

enum mg_severity { MG_SEV_INFO = 0, MG_SEV_WARNING = 1, MG_SEV_ERROR = 2 };

struct mg_problem {
    enum mg_severity sev;
    char *code;       /* stable kebab-case id, e.g. "duplicate-version" */
    char *file;       /* path, or NULL */
    int line;         /* 1-based, or 0 */
    uint64_t version; /* 0 when not about one version */
    char *msg;
    char *hint; /* or NULL */
};

struct mg_problems {
    struct mg_problem *v;
    size_t n, cap;
};

void mg_problems_add(struct mg_problems *p, enum mg_severity sev, const char *code,
                     const char *file, int line, uint64_t version, const char *hint,
                     const char *fmt, ...) __attribute__((format(printf, 8, 9)));
void mg_problems_free(struct mg_problems *p);
size_t mg_problems_count(const struct mg_problems *p, enum mg_severity at_least);
const char *mg_severity_name(enum mg_severity s);

#endif
