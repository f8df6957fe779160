/*
 * sandbox.h — throwaway database servers for tests, CI and rollback checks:
 * a data directory in a temporary folder, a server on a Unix socket there
 * and on a free loopback port, no Docker.  As root, the server runs as an
 * unprivileged user (postgres or mysql if present, else nobody).
 *
 * The folder holds sandbox.json (what `stop`, `url` and `status` read), the
 * data directory, the socket and the server log.
 */
#ifndef MG_SANDBOX_H
#define MG_SANDBOX_H

#include <limits.h>

#include "err.h"
#include "proc.h"

struct mg_sandbox {
    char driver[16]; /* "postgres" or "mariadb" */
    char dir[256];   /* the sandbox folder */
    char url[512];   /* over the Unix socket */
    char tcp_url[512];
    int port;
    long pid;      /* server process */
    char user[64]; /* OS user the server runs as */
    char bindir[256];
};

/* One kind of server; see sandbox_pg.c and sandbox_mariadb.c. */
struct mg_sandbox_kind {
    const char *name;
    /* Creates the data directory under sb->dir and starts the server on sb->port. */
    int (*start)(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err);
    int (*stop)(const struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err);
    /* Starts the server again on its existing data directory; updates sb->pid. */
    int (*restart)(struct mg_sandbox *sb, const struct mg_runas *as, struct mg_err *err);
};

extern const struct mg_sandbox_kind mg_sandbox_postgres;
extern const struct mg_sandbox_kind mg_sandbox_mariadb; /* --driver mariadb or mysql */

/* Starts a sandbox of `driver` in `dir` (NULL: a new folder under TMPDIR or /tmp). */
int mg_sandbox_start(struct mg_sandbox *out, const char *driver, const char *dir,
                     struct mg_err *err);
/* Reads the sandbox in `dir_or_url` (a sandbox folder, or a URL that points into one). */
int mg_sandbox_load(struct mg_sandbox *out, const char *dir_or_url, struct mg_err *err);
/* Stops the server and, unless `keep`, removes the folder. */
int mg_sandbox_stop(const struct mg_sandbox *sb, int keep, struct mg_err *err);
/* Starts a stopped (or crashed) sandbox again with its data; a no-op when it runs. */
int mg_sandbox_restart(struct mg_sandbox *sb, struct mg_err *err);
/* True when the process lives (zombies are dead). */
int mg_pid_alive(long pid);
/* True when the server process is alive. */
int mg_sandbox_alive(const struct mg_sandbox *sb);

/* Shared by the kinds: who the server runs as, and a free loopback TCP port. */
int mg_sandbox_runas(struct mg_runas *out, const char *preferred, struct mg_err *err);
int mg_sandbox_free_port(int *port, struct mg_err *err);
/* Appends the last 1500 bytes of a server's log, for errors. */
void mg_sandbox_log_tail(struct mg_buf *out, const char *path);
/* chown -R of a folder we created. */
int mg_sandbox_chown(const char *path, const struct mg_runas *as, struct mg_err *err);

#endif
