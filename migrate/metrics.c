/* metrics.c — Prometheus text-format metrics of a run (see metrics.h). */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Appends a label value with the exposition format's escapes (\\, \", \n). */
static void label_value(struct mg_buf *out, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\\')
            mg_buf_adds(out, "\\\\");
        else if (*p == '"')
            mg_buf_adds(out, "\\\"");
        else if (*p == '\n')
            mg_buf_adds(out, "\\n");
        else
            mg_buf_addch(out, *p);
    }
}

static void family(struct mg_buf *out, const char *name, const char *help)
{
    mg_buf_addf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{database="..."[,extra]} — extra is already formatted ("" for none). */
static void sample_start(struct mg_buf *out, const char *name, const struct mg_metrics *m,
                         const char *extra)
{
    mg_buf_addf(out, "%s{database=\"", name);
    label_value(out, m->database);
    mg_buf_addf(out, "\"%s} ", extra);
}

/*
 * The value of `name` with exactly these labels in a previous file, copied
 * into `out` (a number as written), or 0 when there is none.
 */
static int previous_value(char *out, size_t size, const char *previous, const char *prefix)
{
    size_t plen = strlen(prefix);

    for (const char *line = previous; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > plen && !strncmp(line, prefix, plen)) {
            size_t vlen = len - plen;
            if (vlen >= size)
                return 0;
            memcpy(out, line + plen, vlen);
            out[vlen] = '\0';
            /* only a number: nothing else may pass into our file */
            char *stop;
            strtod(out, &stop);
            return stop != out && *stop == '\0';
        }
        line = end ? end + 1 : NULL;
    }
    return 0;
}

void mg_metrics_format(struct mg_buf *out, const struct mg_metrics *m, const char *previous)
{
    const struct mg_run_report *rep = m->rep;
    long long lock_wait = 0, up = 0, down = 0, failed = 0, retries = 0;
    struct mg_buf extra = MG_BUF_INIT, prefix = MG_BUF_INIT;
    char last_ok[64];

    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct mg_step_result *r = &rep->v[i];
        lock_wait += r->lock_wait_ms;
        retries += r->attempts > 1 ? r->attempts - 1 : 0;
        if (!r->ok)
            failed++;
        else if (r->dir == MG_UP)
            up++;
        else
            down++;
    }

    mg_buf_adds(&extra, ",command=\"");
    label_value(&extra, m->command);
    mg_buf_adds(&extra, "\"");
    family(out, "migrate_last_run_timestamp_seconds",
           "When the last run of migrate up, down or goto ended, in Unix time.");
    sample_start(out, "migrate_last_run_timestamp_seconds", m, extra.ptr);
    mg_buf_addf(out, "%.3f\n", m->end_time);
    family(out, "migrate_last_run_success", "1 when the last run succeeded, 0 when it failed.");
    sample_start(out, "migrate_last_run_success", m, extra.ptr);
    mg_buf_addf(out, "%d\n", m->ok ? 1 : 0);

    /* a failed run keeps the time of the last success from the file it replaces */
    sample_start(&prefix, "migrate_last_success_timestamp_seconds", m, "");
    if (m->ok)
        snprintf(last_ok, sizeof(last_ok), "%.3f", m->end_time);
    else if (!previous_value(last_ok, sizeof(last_ok), previous, prefix.ptr))
        last_ok[0] = '\0';
    if (last_ok[0]) {
        family(out, "migrate_last_success_timestamp_seconds",
               "When a run last succeeded, in Unix time.");
        mg_buf_addf(out, "%s%s\n", prefix.ptr, last_ok);
    }

    family(out, "migrate_run_duration_seconds", "How long the last run took.");
    sample_start(out, "migrate_run_duration_seconds", m, "");
    mg_buf_addf(out, "%.3f\n", (double)m->duration_ms / 1000);
    family(out, "migrate_migrations_applied",
           "Migrations the last run applied (direction up) or reverted (direction down).");
    sample_start(out, "migrate_migrations_applied", m, ",direction=\"up\"");
    mg_buf_addf(out, "%lld\n", up);
    sample_start(out, "migrate_migrations_applied", m, ",direction=\"down\"");
    mg_buf_addf(out, "%lld\n", down);
    family(out, "migrate_migrations_failed", "Migrations of the last run that failed.");
    sample_start(out, "migrate_migrations_failed", m, "");
    mg_buf_addf(out, "%lld\n", failed);
    if (rep && rep->n) {
        family(out, "migrate_migration_duration_seconds",
               "How long each migration of the last run took, retries included.");
        for (size_t i = 0; i < rep->n; i++) {
            const struct mg_step_result *r = &rep->v[i];
            mg_buf_reset(&extra);
            mg_buf_addf(&extra, ",version=\"%llu\",name=\"", (unsigned long long)r->version);
            label_value(&extra, r->title);
            mg_buf_addf(&extra, "\",direction=\"%s\"", r->dir == MG_UP ? "up" : "down");
            sample_start(out, "migrate_migration_duration_seconds", m, extra.ptr);
            mg_buf_addf(out, "%.3f\n", (double)r->duration_ms / 1000);
        }
    }
    family(out, "migrate_lock_wait_seconds",
           "Time the last run's statements lost to lock timeouts before they were retried.");
    sample_start(out, "migrate_lock_wait_seconds", m, "");
    mg_buf_addf(out, "%.3f\n", (double)lock_wait / 1000);
    family(out, "migrate_runner_lock_wait_seconds",
           "Time the last run waited for another runner to release the migration lock.");
    sample_start(out, "migrate_runner_lock_wait_seconds", m, "");
    mg_buf_addf(out, "%.3f\n", (double)m->runner_lock_wait_ms / 1000);
    family(out, "migrate_retries", "Retries the last run needed after lock timeouts or deadlocks.");
    sample_start(out, "migrate_retries", m, "");
    mg_buf_addf(out, "%lld\n", retries);
    if (m->version_known) {
        family(out, "migrate_version", "The database's migration version after the last run.");
        sample_start(out, "migrate_version", m, "");
        mg_buf_addf(out, "%llu\n", (unsigned long long)m->version);
    }
    mg_buf_free(&extra);
    mg_buf_free(&prefix);
}

int mg_metrics_write(const char *path, const struct mg_metrics *m, struct mg_err *err)
{
    struct mg_buf old = MG_BUF_INIT, text = MG_BUF_INIT;
    struct mg_err ignored;
    int rc;

    mg_err_clear(&ignored);
    if (mg_read_file(&old, path, 1 << 20, &ignored) != 0)
        mg_buf_reset(&old);
    mg_metrics_format(&text, m, old.len ? old.ptr : NULL);
    rc = mg_write_file_atomic(path, text.ptr, text.len, err);
    if (rc)
        mg_err_context(err, "writing the metrics file (--metrics-file)");
    mg_buf_free(&old);
    mg_buf_free(&text);
    return rc;
}
