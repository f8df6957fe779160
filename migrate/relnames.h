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
void mg_relnames_free(struct mg_relnames *r);

#endif
