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

struct chk_result;
struct chk_config;
/*
 * Lints the up files `plan` applies, the earlier files serving as context
 * (tables they created are not new; tables created in the plan are), with
 * the [lint] settings of migrate.ini.  *out keeps only the findings in the
 * planned files; free with chk_result_free.
 */
int mg_lint_plan(struct chk_result *out, struct chk_config *cfg, struct mg_ctx *ctx,
                 const char *dialect, int version_num, const struct mg_source *src,
                 const struct mg_plan *plan, struct mg_err *err);

/*
 * The lint gate (gate.lint = error|warning|info): lints the up files the
 * plan applies, with the earlier files as context (tables they created are
 * not new), and stops when a finding is at or above the level.
 */
int mg_gate_lint(struct mg_ctx *ctx, struct mg_session *s, const struct mg_source *src,
                 const struct mg_plan *plan, struct mg_err *err);

/*
 * The checkpoint gate (gate.checkpoint = required): the checkpoint recorded
 * before the run (`doc`, NULL when none was) must hold a restore point
 * (PostgreSQL) or a binlog position (MySQL/MariaDB).
 */
struct json_t;
int mg_gate_checkpoint(struct mg_ctx *ctx, struct mg_session *s, struct json_t *doc,
                       struct mg_err *err);

/* SHA-256 over the versions and up-file checksums the plan applies: names an estimate. */
void mg_plan_key(const struct mg_plan *plan, char out[65]);
/* Where estimates are kept: .migrate/estimates/<key>.json (MIGRATE_ESTIMATE_DIR overrides). */
int mg_estimate_save(struct json_t *doc, const char *key, struct mg_err *err);
/* The kept estimate of this key (a new reference), or NULL. */
struct json_t *mg_estimate_load(const char *key);

/*
 * The blocking gate (gate.max_blocking = DUR): when an estimate of exactly
 * the pending migrations exists (`migrate estimate`, or `up --clone` just
 * made one), no migration may block reads or writes longer than DUR.
 */
int mg_gate_blocking(struct mg_ctx *ctx, struct mg_session *s, const struct mg_plan *plan,
                     struct mg_err *err);

/*
 * The preflight gate (gate.preflight = on): the target's old transactions,
 * lock holders on the tables the migrations touch, and replication lag
 * (gate.max_xact_age, gate.max_lag), read on a read-only session.
 */
int mg_gate_preflight(struct mg_ctx *ctx, struct mg_session *s, const struct mg_status *st,
                      struct mg_err *err);

#endif
