/*
 * pg_parse.c — parses PostgreSQL statements for the linter with
 * libpg_query's raw parser: the tree comes back as PostgreSQL's own node
 * structs, with no protobuf serialisation and unpacking in between (that
 * round trip cost more than the parse itself).  The trees of one file
 * share one memory context, freed in one go when the file is done.
 *
 * pg_query_raw_parse() and the memory-context calls are libpg_query's
 * internal interface (pg_query_internal.h); they are exported by the static
 * library only, which is what the Makefile links.  The node structs come
 * from PostgreSQL 15's server headers: libpg_query 15 is built from the
 * PostgreSQL 15 parser, and node layouts and tags do not change within a
 * major version (checked at build time below and by tests/unit/test_pg_tree.c).
 */
#include "pg_rules.h"

/* PostgreSQL's version macros, which pg_query.h defines again with its own values */
enum { SERVER_HEADERS_VERSION_NUM = PG_VERSION_NUM };
#undef PG_VERSION
#undef PG_VERSION_NUM
#undef PG_MAJORVERSION

#include <pg_query.h>
/* it declares its functions without prototypes, which -Wstrict-prototypes rejects */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <pg_query/pg_query_internal.h>
#pragma GCC diagnostic pop

#include <stdlib.h>

_Static_assert(SERVER_HEADERS_VERSION_NUM / 10000 == PG_VERSION_NUM / 10000,
               "the PostgreSQL server headers must be of libpg_query's major version "
               "(see PG_MAJOR in the Makefile)");

void *chk_pg_trees_open(void)
{
    return pg_query_enter_memory_context();
}

void chk_pg_trees_close(void *trees)
{
    if (trees)
        pg_query_exit_memory_context(trees);
}

/* Byte offset of the 1-based character position `pos` in s. */
static size_t char_to_byte(const char *s, int pos)
{
    size_t i = 0;
    int c = 1;
    while (s[i] && c < pos) {
        i++;
        while (s[i] && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return i;
}

void chk_pg_parse(struct chk_run *r, struct chk_stmt *s)
{
    PgQueryInternalParsetreeAndError pr = pg_query_raw_parse(s->sql);

    if (pr.error) {
        size_t at = pr.error->cursorpos > 0 ? char_to_byte(s->sql, pr.error->cursorpos) : 0;
        r->cur = s;
        chk_report(r, R_SYNTAX_ERROR, (int)at, "%s", pr.error->message);
        pg_query_free_error(pr.error);
    } else if (list_length(pr.tree) >= 1) {
        const RawStmt *raw = PG_AS((Node *)linitial(pr.tree), RawStmt);
        if (raw && raw->stmt)
            s->node = raw->stmt;
    }
    free(pr.stderr_buffer);
}
