/*
 * apply.h — what up, down and goto share: load the files, take the runner
 * lock, read the history, plan, run, and report.
 */
#ifndef MG_APPLY_H
#define MG_APPLY_H

#include "ctx.h"
#include "plan.h"

int mg_apply(struct mg_ctx *ctx, const struct mg_plan_req *req, struct mg_err *err);

/* Prints the source's problems to stderr; returns the number of errors among them. */
size_t mg_report_source_problems(const struct mg_source *src);

#endif
