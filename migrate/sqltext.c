/* sqltext.c — lookup of the embedded engine SQL. */
#include "sqltext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mg_sql_find(const char *dialect, const char *name)
{
    for (const struct mg_sqltext *t = mg_sqltexts; t->name; t++)
        if (!strcmp(t->dialect, dialect) && !strcmp(t->name, name))
            return t->text;
    return NULL;
}

const char *mg_sql(const char *dialect, const char *name)
{
    const char *text = mg_sql_find(dialect, name);

    if (text)
        return text;
    fprintf(stderr, "BUG: no embedded SQL sql/%s/%s.sql\n", dialect, name);
    abort();
}
