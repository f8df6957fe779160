/*
 * scratch.h — a throwaway database to replay migrations in, for
 * test-rollback and drift: a database of its own on a sandbox server that is
 * started here and stopped afterwards, which can be dropped and made anew
 * when a test leaves it in a state nothing can continue from.
 */
#ifndef MG_SCRATCH_H
#define MG_SCRATCH_H

#include "err.h"
#include "sandbox.h"

struct mg_scratch {
    struct mg_sandbox sb;
    int started;         /* the sandbox server runs and is ours to stop */
    char dbname[64];     /* the scratch database on it */
    char admin_url[600]; /* the sandbox's own database: CREATE/DROP DATABASE run there */
    char url[600];       /* the scratch database */
};

/*
 * Starts a sandbox of `driver` ("postgres", "mysql" or "mariadb") and
 * creates an empty database `dbname` on it.  Stop with mg_scratch_stop.
 */
int mg_scratch_start(struct mg_scratch *out, const char *driver, const char *dbname,
                     struct mg_err *err);
/* Drops the scratch database and creates it empty again (no session may be open on it). */
int mg_scratch_reset(struct mg_scratch *s, struct mg_err *err);
/* Stops the sandbox and removes its folder; safe to call twice, and after a failed start. */
void mg_scratch_stop(struct mg_scratch *s);

/* Writes `url` with its database name replaced by `dbname` into out. */
int mg_scratch_dburl(struct mg_buf *out, const char *url, const char *dbname, struct mg_err *err);

#endif
