/*
 * postgres_internal.h — what postgres.c shares with the PostgreSQL driver's
 * other files; not part of the driver interface.
 */
#ifndef DRV_POSTGRES_INTERNAL_H
#define DRV_POSTGRES_INTERNAL_H

#include "driver.h"

/* postgres_schema.c: the schema_snapshot and data_fingerprint methods, on an idle session. */
int drv_pg_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err);
int drv_pg_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                            struct mg_err *err);

#endif
