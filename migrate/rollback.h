/*
 * rollback.h — proof that every down undoes its up: test-rollback.
 *
 * On an empty sandbox (or a clone), for each migration in order: snapshot S0,
 * up, S1, down, S2, up again, S3.  A migration fails when a step errors,
 * when S2 differs from S0 (the down does not undo the up) or S3 from S1 (the
 * up cannot run again after the down); with the data check, also when rows
 * of a table that existed before the up do not survive up and down.  Every
 * step goes through the planner and the runner, so history rows and events
 * are written as in a real run.  After a failure the sandbox database is
 * rebuilt by replaying the ups, so one wrong migration does not hide the
 * next; a clone cannot be rebuilt, so there the test stops.
 */
#ifndef MG_ROLLBACK_H
#define MG_ROLLBACK_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "ctx.h"
#include "err.h"

struct mg_rollback_opts {
    const char *driver;    /* sandbox driver: postgres or mysql */
    const char *clone_url; /* test on this database instead of a sandbox; NULL: sandbox */
    uint64_t from, to;     /* versions tested: from <= v <= to */
    int data;              /* also compare table rows before the up and after the down */
    long long data_max_rows;
    unsigned diff_flags; /* enum mg_schema_diff_flag */
};

enum mg_rb_status { MG_RB_PASSED, MG_RB_FAILED, MG_RB_SKIPPED };
enum { MG_RB_UP, MG_RB_DOWN, MG_RB_UP_AGAIN, MG_RB_NSTEPS };

/* One step of one migration, as reported. */
struct mg_rb_step {
    enum mg_rb_status status;
    long long duration_ms;
    char *message;    /* failed or skipped: what happened, one line */
    char *error_text; /* the step's error: message, detail, hint, context lines; or NULL */
    json_t *error;    /* the same as JSON, or NULL */
    char *diff_text;  /* schema differences, or NULL */
    json_t *diff;     /* the same as JSON, or NULL */
    char **data_lost; /* one line per table whose rows did not survive */
    size_t ndata_lost;
};

struct mg_rb_mig {
    uint64_t version;
    char *title;
    int tested; /* 0: not run (the test stopped before it) */
    int failed;
    struct mg_rb_step steps[MG_RB_NSTEPS];
};

struct mg_rollback_report {
    char *target; /* "PostgreSQL 15.4 sandbox", "clone postgres://u:***@h/db" */
    int data;
    struct mg_rb_mig *v;
    size_t n, cap;
    size_t passed, failed, not_run, rebuilds;
    size_t already_applied; /* on a clone: in range but applied before the test */
    char *stopped;          /* why the test ended before the last migration, or NULL */
    long long duration_ms;
};

/*
 * Runs the test and fills *out (free with mg_rollback_report_free) as far as
 * it got.  Returns 0 when every migration in range was tested, whether it
 * passed or not; an error when the test itself could not go on (no sandbox,
 * lost connection, interrupted).
 */
int mg_rollback_test(struct mg_rollback_report *out, const struct mg_ctx *ctx,
                     const struct mg_rollback_opts *o, struct mg_err *err);
void mg_rollback_report_free(struct mg_rollback_report *r);

/* The report as text, as one JSON document, or as JUnit XML (one test case per step). */
void mg_rollback_text(struct mg_buf *out, const struct mg_rollback_report *r);
json_t *mg_rollback_json(const struct mg_rollback_report *r);
void mg_rollback_junit(struct mg_buf *out, const struct mg_rollback_report *r);

#endif
