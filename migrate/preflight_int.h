/*
 * preflight_int.h — what preflight.c shares with the checks of one dialect
 * (preflight_my.c); not used outside preflight.
 */
#ifndef MG_PREFLIGHT_INT_H
#define MG_PREFLIGHT_INT_H

#include "preflight.h"

/* Adds a finding (finding != 0) or a note; `json` (may be NULL) is taken over. */
void mg_pf_add(struct mg_preflight *p, int finding, const char *check, json_t *json,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Appends a size for people: "812 bytes", "96 kB", "41 MB", "2.5 GB". */
void mg_pf_bytes(struct mg_buf *out, long long b);
/* Runs the checks on a MySQL or MariaDB target, for the tables in p->tables. */
int mg_preflight_my(struct mg_preflight *p, struct drv_conn *c, const struct mg_preflight_opts *o,
                    struct mg_err *err);

#endif
