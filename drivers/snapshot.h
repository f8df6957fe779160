/*
 * snapshot.h — what the drivers' schema snapshots share (docs/schema-snapshot.md).
 *
 * A driver describes its catalogs as queries that each return rows of
 * (rank, object, key, line): the rank is the object's kind (an index into
 * `kinds`, and so the order of blocks), the object its name, the key orders
 * the lines inside the block, and the line is the text (NULL for a row that
 * only says the object exists; a text with newlines continues on indented
 * lines).  The rows are sorted here with byte comparisons, so a snapshot
 * depends neither on the server's collation nor on the order its catalogs
 * return rows in.  Not part of the driver interface.
 */
#ifndef DRV_SNAPSHOT_H
#define DRV_SNAPSHOT_H

#include "driver.h"

struct drv_snapshot_spec {
    const char *dialect;      /* in the first line: "postgres", "mysql" */
    const char *const *kinds; /* kinds[rank]; kinds[0] unused */
    size_t nkinds;
    const char *const *queries; /* run in order, each without parameters */
    size_t nqueries;
};

/* Runs the spec's queries on `c` and appends the snapshot text to `out`. */
int drv_snapshot_collect(struct drv_conn *c, const struct drv_snapshot_spec *spec,
                         struct mg_buf *out, struct mg_err *err);

#endif
