/*
 * clone.h — a copy of a database to estimate on: its schema and a sample of
 * each table's rows (whole tables under a size bound), into a sandbox or a
 * given empty database.  The source is only read: a read-only session on
 * one snapshot, which pg_dump shares for the schema (PostgreSQL), or in
 * which the schema is read with SHOW CREATE (MySQL and MariaDB).
 */
#ifndef MG_CLONE_H
#define MG_CLONE_H

#include <stddef.h>

#include "driver.h"
#include "err.h"

struct mg_clone_opts {
    const char *from;        /* the source URL */
    const char *to;          /* the destination URL (an empty database), or NULL for a sandbox */
    const char *sandbox_dir; /* the sandbox folder (NULL: a new one under TMPDIR) */
    double sample_pct;       /* 0 < p <= 100: share of each big table's rows */
    long long rows;          /* > 0: the first rows of each big table instead of a sample */
    long long whole_under;   /* bytes: smaller tables are copied whole */
    long lock_timeout_ms;    /* on the source: never wait long behind a queued DDL */
    const char *app;         /* application_name of our sessions */
};

struct mg_clone_table {
    char *schema, *name;
    long long source_bytes;
    long long rows;   /* copied */
    const char *mode; /* "whole", "sample" or "rows" */
};

struct mg_clone_result {
    char *url;          /* the clone's URL, password and all (for the caller's next step) */
    char *redacted_url; /* for printing */
    char *sandbox_dir;  /* the sandbox folder, or NULL */
    struct mg_clone_table *v;
    size_t n;
    long long orphans;   /* rows removed because their parent row was not copied */
    size_t sequences;    /* sequences set to the source's position */
    int shared_snapshot; /* pg_dump read the same snapshot as the rows */
};

/*
 * Makes the clone.  On failure a sandbox it started is stopped and removed;
 * a given destination keeps what was copied (the error says so).
 */
int mg_clone(struct mg_clone_result *out, const struct mg_clone_opts *o, struct mg_err *err);
void mg_clone_result_free(struct mg_clone_result *r);

/*
 * Opens a clone's destination (`out` a URL, `redacted` it for messages) and checks that it can
 * take the clone: a server of the source's dialect, not the source's own database, and empty.
 * Emptiness counts the relations drv_relation_files lists (its indexes too unless
 * skip_indexes), named `noun` in the error ("relations", "tables and views").
 */
int mg_clone_open_destination(struct drv_conn **dst, const char *url, const char *redacted,
                              struct drv_conn *src, const struct drv_connect_opts *co,
                              int skip_indexes, const char *noun, struct mg_err *err);

/* The clone of a MySQL or MariaDB source (clone_my.c); mg_clone hands such a source to it. */
int mg_clone_my(struct mg_clone_result *out, const struct mg_clone_opts *o, struct mg_err *err);

#endif
