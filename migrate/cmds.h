/* cmds.h — one entry point per command, each in migrate/cmd_<name>.c. */
#ifndef MG_CMDS_H
#define MG_CMDS_H

#include "cli.h"

int cmd_create(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_status(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_up(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_down(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_goto(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_force(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_baseline(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_validate(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_version(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_lint(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_adopt(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_env(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_plan(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_checkpoint(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_audit(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_schema(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_test_rollback(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_drift(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_ci(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_clone(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_preflight(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_estimate(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
/* Runs `migrate estimate --clone URL` for up/plan --clone, its report on stderr. */
int mg_estimate_for(struct mg_ctx *ctx, const char *clone_url, struct mg_err *err);
int cmd_osc(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);
int cmd_sandbox(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err);

#endif
