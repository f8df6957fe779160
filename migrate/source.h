/*
 * source.h — migration files on disk.
 *
 * A directory in golang-migrate layout holds {version}_{title}.up.sql and
 * {version}_{title}.down.sql.  Directories of dbmate ({version}_{title}.sql
 * with -- migrate:up / -- migrate:down sections), goose ({version}_{title}.sql
 * with -- +goose Up / Down) and Flyway (V{version}__{desc}.sql, undo files
 * U{version}__{desc}.sql) are read too; the layout is detected per directory.
 * Loading reads every file, checks its name,
 * UTF-8 and leading directives, and computes the checksum (SHA-256 of the
 * text with CRLF normalised to LF) and the chained sum (each up file's sum
 * covers all earlier ones, so reordering and insertions show).  Problems with
 * single files are collected, not fatal: the caller decides.
 */
#ifndef MG_SOURCE_H
#define MG_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "problem.h"

/* `-- migrate:ignore RULE[,RULE] reason` */
struct mg_ignore {
    char *rules; /* comma-separated rule names as written */
    char *reason;
    int line;
};

/* Directives in the leading comment block of a file. */
struct mg_directives {
    int no_transaction;   /* -- migrate:no-transaction */
    int online;           /* -- migrate:online */
    long lock_timeout_ms; /* -- migrate:lock-timeout DUR; -1 when not given */
    struct mg_ignore *ignores;
    size_t nignores;
};

/* A byte range of a file's text that must run as one statement (goose StatementBegin/End). */
struct mg_span {
    size_t start, end;
};

struct mg_file {
    char *path;         /* as opened: dir/name */
    char *name;         /* file name only */
    struct mg_buf text; /* the SQL: the whole file, or one section of it (dbmate, goose) */
    int line_offset;    /* lines of the file before `text` begins */
    char checksum[65];
    struct mg_directives dir;
    struct mg_span *spans; /* explicit statements, in order; may be NULL */
    size_t nspans;
    int usable; /* read, valid UTF-8, directives understood */
};

struct mg_migration {
    uint64_t version;
    char *title;
    struct mg_file *up;   /* NULL when missing */
    struct mg_file *down; /* NULL when missing */
    char chain[65];       /* chained sum up to and including this up file */
};

struct mg_source {
    char *dir;
    struct mg_migration *v; /* sorted by version */
    size_t n;
    struct mg_problems problems;
    const char *layout; /* "golang-migrate", "dbmate", "goose" or "flyway" */
};

struct mg_source_opts {
    size_t max_file_size; /* 0: 64 MiB */
};

/*
 * Loads the directory.  Fails only when the directory cannot be read; every
 * problem with a file is added to out->problems.  Free with mg_source_free.
 */
int mg_source_load(struct mg_source *out, const char *dir, const struct mg_source_opts *opts,
                   struct mg_err *err);
void mg_source_free(struct mg_source *s);
/* The migration with this version, or NULL. */
const struct mg_migration *mg_source_find(const struct mg_source *s, uint64_t version);

/*
 * Parses a migration file name.  Returns 1 for a migration (version, title
 * and direction filled; *title malloc'ed), 0 for a name that is not one, and
 * -1 for a .sql name that looks like one but is malformed (*why says how).
 */
int mg_source_parse_name(const char *name, uint64_t *version, char **title, int *is_down,
                         const char **why);

/* SHA-256 with CRLF read as LF. */
void mg_checksum(char out[65], const char *text, size_t len);

/*
 * Reads the directives of `text`'s leading comment block; unknown or
 * malformed ones become problems against `path`.  Returns 0, or -1 when a
 * directive was not understood.
 */
int mg_directives_parse(struct mg_directives *out, const char *text, size_t len, const char *path,
                        struct mg_problems *problems);
void mg_directives_free(struct mg_directives *d);

/*
 * Parses one "-- migrate:ignore RULES reason" comment line (text starting at
 * "--").  Returns 1 and fills *out (strings malloc'ed) when it is one, else 0.
 */
int mg_parse_ignore(const char *line, size_t len, struct mg_ignore *out);

#endif
