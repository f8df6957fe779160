/*
 * relnames.h — which relations a PostgreSQL statement names, from the real
 * parser's tree (libpg_query): preflight looks for sessions holding locks
 * on them, and estimate holds them while it samples a statement's locks.
 * Also whether the statement may rewrite a table (for the disk-room check).
 */
#ifndef MG_RELNAMES_H
#define MG_RELNAMES_H

#include <stddef.h>

#include "err.h"

struct mg_relname {
    char *qname;  /* as SQL writes it, quoted: "schema"."name" or "name" */
    char *schema; /* NULL when the statement does not qualify the name */
    char *name;
    int is_index;            /* named as an index (DROP INDEX, REINDEX INDEX, ALTER INDEX) */
    const char *may_rewrite; /* static text: why the statement may rewrite it, or NULL */
};

struct mg_relnames {
    struct mg_relname *v;
    size_t n;
};

/*
 * Adds the relations named in `sql` (one or more statements) to *out, each
 * once.  A statement the parser rejects fails with MG_EINPUT and the parser's
 * message.  Free with mg_relnames_free.
 */
int mg_pg_relnames(struct mg_relnames *out, const char *sql, struct mg_err *err);
/*
 * The same for one MySQL/MariaDB statement, from its words: the table of
 * ALTER TABLE, CREATE/DROP INDEX ... ON, RENAME TABLE, TRUNCATE, OPTIMIZE,
 * DROP TABLE, CREATE TABLE, INSERT/REPLACE INTO, UPDATE and DELETE FROM.
 * qname is quoted with backticks.  Never fails: an unknown statement names
 * nothing.
 */
void mg_my_relnames(struct mg_relnames *out, const char *sql);
/*
 * True when a MySQL statement has `name` among its words (bare or in
 * backticks, letter case aside): the process list shows a waiting
 * statement's text but not the table it waits for.
 */
int mg_my_mentions(const char *sql, const char *name);
void mg_relnames_free(struct mg_relnames *r);

/* What estimate needs to know of a MySQL statement before it tries algorithms on it. */
enum mg_my_kind {
    MG_MY_OTHER,
    MG_MY_ALTER_TABLE, /* ALTER TABLE: ", ALGORITHM=..., LOCK=..." can be appended */
    MG_MY_INDEX,       /* CREATE/DROP INDEX: " ALGORITHM=... LOCK=..." can be appended */
    MG_MY_CREATE_TABLE,
    MG_MY_DROP_RENAME, /* DROP TABLE, RENAME TABLE, TRUNCATE: the table is swapped whole */
    MG_MY_DML,         /* INSERT, REPLACE, UPDATE, DELETE */
};

struct mg_my_stmt {
    enum mg_my_kind kind;
    char algorithm[16]; /* ALGORITHM=... as written in the statement, upper-cased, or "" */
    char lock[16];      /* LOCK=... as written, or "" */
};

void mg_my_statement(struct mg_my_stmt *out, const char *sql);

#endif
