/*
 * apply.h — what up, down and goto share: load the files, take the runner
 * lock, read the history, plan, run, and report.
 */
#ifndef MG_APPLY_H
#define MG_APPLY_H

#include "ctx.h"
#include "plan.h"

/*
 * With dry_run, nothing is written: the connection is read-only, and the
 * exact SQL a real run would send (the runner lock, the history tables, each
 * migration with the engine's own statements) is printed instead.
 */
int mg_apply(struct mg_ctx *ctx, const struct mg_plan_req *req, int dry_run, struct mg_err *err);
/*
 * The options up and goto share (--allow-edited, --allow-out-of-order, --dry-run, --clone),
 * into req, *dry_run and ctx; optind is then at the first operand.  Nonzero on a bad option.
 */
int mg_apply_options(int argc, char **argv, struct mg_ctx *ctx, struct mg_plan_req *req,
                     int *dry_run, struct mg_err *err);

/* Prints the source's problems to stderr; returns the number of errors among them. */
size_t mg_report_source_problems(const struct mg_source *src);

#endif
