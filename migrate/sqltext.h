/*
 * sqltext.h — the engine's own SQL, one text per dialect and name, taken from
 * sql/<dialect>/<name>.sql at build time (tools/embed-sql.sh).
 */
#ifndef MG_SQLTEXT_H
#define MG_SQLTEXT_H

struct mg_sqltext {
    const char *dialect;
    const char *name;
    const char *text;
};

extern const struct mg_sqltext mg_sqltexts[];

/* The text of sql/<dialect>/<name>.sql; a missing one is a build error, so this asserts. */
const char *mg_sql(const char *dialect, const char *name);
/* The same, or NULL: for features a dialect may not have yet (checkpoints on a new driver). */
const char *mg_sql_find(const char *dialect, const char *name);

#endif
