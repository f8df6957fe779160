/*
 * metrics.h — the run's numbers for Prometheus, as a text file that
 * node_exporter's textfile collector reads (--metrics-file PATH).
 *
 * The file describes the last run only (gauges), written atomically so the
 * collector never reads half of it; the time of the last success survives a
 * failed run by being carried over from the previous file.  Names and
 * meanings are in docs/metrics.md.
 */
#ifndef MG_METRICS_H
#define MG_METRICS_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "run.h"

struct mg_metrics {
    const char *database; /* label: the database name ("" when unknown) */
    const char *command;  /* up, down, goto */
    int ok;               /* the run succeeded */
    double end_time;      /* Unix time the run ended, in seconds */
    long long duration_ms;
    long long runner_lock_wait_ms;   /* waiting for another runner's lock */
    const struct mg_run_report *rep; /* the steps that ran; may be NULL */
    int version_known;
    uint64_t version; /* the version after the run */
};

/*
 * Appends the metrics in the Prometheus text exposition format.  `previous`
 * is the text of the file being replaced (NULL: none): a failed run keeps
 * its migrate_last_success_timestamp_seconds.
 */
void mg_metrics_format(struct mg_buf *out, const struct mg_metrics *m, const char *previous);
/* Formats and writes `path` atomically (temporary file and rename in its directory). */
int mg_metrics_write(const char *path, const struct mg_metrics *m, struct mg_err *err);

#endif
