/*
 * log.h — the one way to write to stderr.
 *
 * stdout carries a command's result; progress, warnings and errors go through
 * mg_log, which honours -q/-v and --log-format json (one object per line).
 */
#ifndef MG_LOG_H
#define MG_LOG_H

enum mg_log_level { MG_LOG_ERROR, MG_LOG_WARN, MG_LOG_INFO, MG_LOG_DEBUG };

/* Messages above `level` are dropped; json selects one JSON object per line. */
void mg_log_setup(enum mg_log_level level, int json);
enum mg_log_level mg_log_get_level(void);
void mg_log(enum mg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct mg_err;
/*
 * Prints a command's final error (main.c's job): as text, the message and
 * its detail, hint, context ... on lines of their own; with --log-format
 * json, one object with level "error" and the error's fields.
 */
void mg_log_final_error(const struct mg_err *e);

#define mg_error(...) mg_log(MG_LOG_ERROR, __VA_ARGS__)
#define mg_warn(...)  mg_log(MG_LOG_WARN, __VA_ARGS__)
#define mg_info(...)  mg_log(MG_LOG_INFO, __VA_ARGS__)
#define mg_debug(...) mg_log(MG_LOG_DEBUG, __VA_ARGS__)

#endif
