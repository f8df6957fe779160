/*
 * gate.h — policy gates that stop a run before it changes anything, as the
 * selected environment of migrate.ini configures them.  Each gate that
 * stops a run says which gate and why; `--skip-gate NAME --reason "..."`
 * lets one through, and the override and its reason go into the event log.
 */
#ifndef MG_GATE_H
#define MG_GATE_H

#include "ctx.h"
#include "plan.h"

/*
 * The confirm gate: in an environment that requires it (production by
 * default), reverting (`what` = "down") or forcing needs
 * --confirm=<database name>.
 */
int mg_gate_confirm(struct mg_ctx *ctx, struct mg_session *s, const char *what, struct mg_err *err);

/*
 * Decides a gate that would stop the run with `why`: returns 0 when it is
 * skipped (and logs the override event), else MG_EATTENTION with the reason.
 */
int mg_gate_stop(struct mg_ctx *ctx, struct mg_session *s, const char *gate, const char *why,
                 struct mg_err *err);

#endif
