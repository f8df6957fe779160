/*
 * mysql_internal.h — what mysql.c shares with the MySQL driver's other
 * files; not part of the driver interface.
 */
#ifndef DRV_MYSQL_INTERNAL_H
#define DRV_MYSQL_INTERNAL_H

#include "driver.h"

/* mysql_schema.c: the schema_snapshot and data_fingerprint methods. */
int drv_my_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err);
int drv_my_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                            struct mg_err *err);

/* mysql_estimate.c: what estimate reads (see driver.h, the estimate block). */
int drv_my_db_identity(struct drv_conn *c, struct drv_db_identity *out, struct mg_err *err);
int drv_my_relation_files(struct drv_conn *c, struct drv_rels *out, struct mg_err *err);
int drv_my_relation_stats(struct drv_conn *c, const char *const *names, size_t n,
                          struct drv_rels *out, struct mg_err *err);

#endif
