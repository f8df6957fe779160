/* record.h — writing history rows without running SQL: force and baseline. */
#ifndef MG_RECORD_H
#define MG_RECORD_H

#include "ctx.h"
#include "plan.h"

enum mg_record_kind { MG_RECORD_FORCE, MG_RECORD_BASELINE };

/*
 * force: afterwards exactly the versions <= target are recorded as applied.
 * baseline: on a database without history, records versions <= target as
 * applied by an earlier tool.  Both take the runner lock, change the history
 * in one transaction where the database allows, and log an event per row.
 */
int mg_record(struct mg_ctx *ctx, enum mg_record_kind kind, uint64_t target, struct mg_err *err);

#endif
