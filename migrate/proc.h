/*
 * proc.h — running helper programs (initdb, pg_ctl, mariadbd ...) without a
 * shell, optionally as another user, with their output captured for errors.
 */
#ifndef MG_PROC_H
#define MG_PROC_H

#include <sys/types.h>

#include "buf.h"
#include "err.h"

/* Who a child runs as; uid (uid_t)-1 means "as we are". */
struct mg_runas {
    uid_t uid;
    gid_t gid;
    const char *name;
};

/*
 * Runs argv[0] (searched in PATH when it has no '/') with argv, waits, and
 * appends its stdout and stderr to `out` (may be NULL).  Returns the exit
 * status (0..255), or a negative code with err filled when it could not run
 * or was killed.
 */
int mg_proc_run(const char *const *argv, const struct mg_runas *as, struct mg_buf *out,
                struct mg_err *err);
/* Starts argv in the background, detached (own session, stdio to `logfile`); *pid gets its pid. */
int mg_proc_spawn(const char *const *argv, const struct mg_runas *as, const char *logfile,
                  pid_t *pid, struct mg_err *err);
/* Finds `prog` in PATH; returns a malloc'ed path or NULL. */
char *mg_proc_which(const char *prog);

#endif
