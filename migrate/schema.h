/*
 * schema.h — schema snapshots as objects: reading the text a driver's
 * schema_snapshot method writes (or a file holding it), and comparing two
 * snapshots object by object.
 *
 * A snapshot is text (docs/schema-snapshot.md): a first comment line
 * "-- migrate schema snapshot 1 (DIALECT)", then one block per object.  A
 * block starts with "KIND NAME" at the start of a line ("table public.users",
 * "materialized view public.totals", "function public.f(integer)"); its other
 * lines are indented by two spaces, continuation lines of a multi-line text
 * (a view or function definition) by four, and a blank line separates
 * blocks.  Objects and lines are sorted by the driver, so equal schemas give
 * equal text and a diff can pair objects by kind and name.
 */
#ifndef MG_SCHEMA_H
#define MG_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "ctx.h"
#include "err.h"

#define MG_SCHEMA_FORMAT 1

struct mg_schema_obj {
    char *kind;   /* "table", "materialized view", "function" ... */
    char *name;   /* "public.users", "public.f(integer)" */
    char **lines; /* the block's other lines without the two-space indent; "" for a blank one */
    size_t n;
};

struct mg_schema {
    char *dialect;           /* from the first line, or NULL when it names none */
    struct mg_schema_obj *v; /* in the order of the text */
    size_t n;
    struct mg_schema_obj **by; /* the same objects sorted by kind and name, for lookups */
};

/*
 * Parses snapshot text; `source` names it in messages (a file name).  Fails
 * with MG_EINPUT when the text is not a snapshot or an object appears twice.
 * Free with mg_schema_free.
 */
int mg_schema_parse(struct mg_schema *out, const char *text, size_t len, const char *source,
                    struct mg_err *err);
void mg_schema_free(struct mg_schema *s);
/* The object of this kind and name, or NULL. */
const struct mg_schema_obj *mg_schema_find(const struct mg_schema *s, const char *kind,
                                           const char *name);

/*
 * Takes a snapshot of the connected database through the driver; `text` (may
 * be NULL) gets the raw text appended, `out` (may be NULL) the objects.
 */
int mg_schema_snapshot(struct mg_schema *out, struct mg_buf *text, struct drv_conn *c,
                       struct mg_err *err);

/*
 * Loads a snapshot from `src`: a database URL (connects, takes it, closes)
 * or a file written by 'migrate schema dump' ("-" reads stdin).  *label gets
 * a printable name (URLs without their password).
 */
int mg_schema_load(struct mg_schema *out, struct mg_buf *label, const char *src,
                   const struct mg_ctx *ctx, struct mg_err *err);

/* The objects as JSON: {"format", "dialect", "objects": [{"kind", "name", "lines"}]}. */
json_t *mg_schema_json(const struct mg_schema *s);

enum mg_schema_change { MG_SCHEMA_ADDED, MG_SCHEMA_REMOVED, MG_SCHEMA_CHANGED };

/* One line of a changed object: '-' only in A, '+' only in B. */
struct mg_schema_edit {
    char op;
    const char *line; /* borrowed from the snapshot */
};

struct mg_schema_delta {
    enum mg_schema_change change;
    const struct mg_schema_obj *a; /* NULL when added */
    const struct mg_schema_obj *b; /* NULL when removed */
    struct mg_schema_edit *edits;  /* changed: the differing lines, in block order */
    size_t nedits;
    int reordered; /* changed: the same lines, only in another order (columns moved) */
};

/* The differences from A to B; borrows from both snapshots, which must outlive it. */
struct mg_schema_diff {
    struct mg_schema_delta *v; /* ordered by kind (snapshot order), then name */
    size_t n;
    size_t added, removed, changed;
};

enum mg_schema_diff_flag {
    /* a table whose columns are the same but in another order is equal */
    MG_SCHEMA_IGNORE_COLUMN_ORDER = 1 << 0,
};

void mg_schema_diff(struct mg_schema_diff *out, const struct mg_schema *a,
                    const struct mg_schema *b, unsigned flags);
void mg_schema_diff_free(struct mg_schema_diff *d);

/*
 * Appends the differences as text, one paragraph per object ("added KIND
 * NAME", "removed ...", "changed ..." followed by "- line" / "+ line"), each
 * line prefixed by `indent`.
 */
void mg_schema_diff_text(struct mg_buf *out, const struct mg_schema_diff *d, const char *indent);
/* The differences as a JSON array of {"change", "kind", "name", "removed", "added"}. */
json_t *mg_schema_diff_json(const struct mg_schema_diff *d);

#endif
