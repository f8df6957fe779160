/* run.c — executing migrations (see run.h for what is guaranteed). */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "osc.h"
#include "util.h"

static struct drv_conn *volatile watched;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    if (watched)
        drv_cancel(watched);
}

void mg_run_watch(struct drv_conn *c)
{
    static int installed;
    struct sigaction sa;

    watched = c;
    if (installed)
        return;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* a second signal kills the process the usual way */
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    installed = 1;
}

int mg_run_interrupted(void)
{
    return interrupted != 0;
}

void mg_stmt_chain(char out[65], const char *prev, const char *stmt, size_t len)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_adds(&b, prev);
    mg_buf_addch(&b, '\n');
    mg_buf_add(&b, stmt, len);
    mg_sha256_hex(out, b.ptr, b.len);
    mg_buf_free(&b);
}

void mg_run_fix_statements(const struct mg_file *f, struct drv_stmt *v, size_t *n)
{
    size_t out = 0;

    for (size_t i = 0; i < *n; i++) {
        v[i].line += f->line_offset;
        /* statements inside one explicit span (goose StatementBegin/End) become one */
        const struct mg_span *sp = NULL;
        for (size_t k = 0; k < f->nspans && !sp; k++)
            if (v[i].off >= f->spans[k].start && v[i].off < f->spans[k].end)
                sp = &f->spans[k];
        if (sp && out > 0 && v[out - 1].off >= sp->start && v[out - 1].off < sp->end) {
            struct drv_stmt *prev = &v[out - 1];
            prev->len = v[i].off + v[i].len - prev->off;
            prev->flags |= v[i].flags;
            if (!prev->why)
                prev->why = v[i].why;
            continue;
        }
        v[out++] = v[i];
    }
    *n = out;
}

/* Everything one step needs while it runs. */
struct step {
    struct mg_session *s;
    const struct mg_ctx *ctx;
    const struct mg_step *st;
    const struct mg_migration *m;
    const struct mg_file *f;
    struct drv_stmt *stmts;
    size_t n;
    int notx;
    int start; /* 0-based first statement to run */
    long lock_ms;
    char chain[65]; /* hash of the statements done so far */
    int64_t t0;
    struct mg_step_result *res;
    /* progress of a long statement */
    size_t running;           /* index of the statement running */
    long long printed_at;     /* elapsed ms of the last progress line, 0: none yet */
    struct drv_conn *monitor; /* second session reading the server's progress views */
    int monitor_failed;
    unsigned char *online; /* -- migrate:online: online[k] when statement k goes through osc */
};

static const char *file_label(const struct step *p)
{
    return p->f->name;
}

/* Turns the server's character position into the file's line and column. */
static void locate(const struct step *p, size_t k, struct mg_err *err)
{
    const struct drv_stmt *st = &p->stmts[k];
    size_t off = st->off;

    snprintf(err->file, sizeof(err->file), "%s", p->f->path);
    if (err->position > 0) {
        /* positions count characters: walk UTF-8 lead bytes */
        int chars = 1;
        size_t i = st->off;
        while (i < st->off + st->len && chars < err->position) {
            i++;
            while (i < st->off + st->len && ((unsigned char)p->f->text.ptr[i] & 0xC0) == 0x80)
                i++;
            chars++;
        }
        off = i;
    }
    mg_line_col(p->f->text.ptr, off, &err->line, &err->col);
    err->line += p->f->line_offset;
}

static void statement_excerpt(struct mg_buf *out, const struct step *p, size_t k)
{
    const struct drv_stmt *st = &p->stmts[k];
    size_t len = st->len > 500 ? 500 : st->len;

    mg_buf_add(out, p->f->text.ptr + st->off, len);
    if (len < st->len)
        mg_buf_adds(out, " ...");
}

static void fill_row(struct mg_hrow *row, const struct step *p, enum mg_hstatus status,
                     int stmts_done, const char *done_hash)
{
    char at[40];

    mg_now_iso(at);
    memset(row, 0, sizeof(*row));
    row->version = p->m->version;
    row->name = p->m->title;
    /* the checksum recorded is always the up file's: it is what status compares */
    row->checksum = (char *)(p->m->up ? p->m->up->checksum : p->f->checksum);
    row->status = status;
    row->kind = (char *)"migration";
    row->stmts_done = stmts_done;
    row->stmts_total = (int)p->n;
    row->done_hash = (char *)done_hash;
    row->no_transaction = p->notx || p->start > 0;
    row->applied_at = mg_strdup(at);
    row->applied_by = (char *)mg_os_user();
    row->duration_ms = mg_monotonic_ms() - p->t0;
    row->run_id = (char *)p->ctx->run_id;
}

/*
 * Appends the step's event; with `row` (or `del` for a down) the history
 * change is written by the same statement where the dialect can.
 */
static int event_with(const struct step *p, const char *outcome, const struct mg_err *failure,
                      const struct mg_hrow *row, int del, int commit, struct mg_err *err)
{
    json_t *meta = json_object();
    struct mg_event ev = {
        .run_id = p->ctx->run_id,
        .action = p->st->dir == MG_UP ? "up" : "down",
        .outcome = outcome,
        .version = p->m->version,
        .name = p->m->title,
        .checksum = p->f->checksum,
        .meta = meta,
    };
    int rc;

    json_object_set_new(meta, "command", json_string(p->ctx->command));
    json_object_set_new(meta, "statements", json_integer((json_int_t)p->n));
    json_object_set_new(meta, "transaction", json_boolean(!p->notx));
    json_object_set_new(meta, "duration_ms", json_integer(mg_monotonic_ms() - p->t0));
    if (p->start)
        json_object_set_new(meta, "resumed_at", json_integer(p->start + 1));
    if (failure)
        json_object_set_new(meta, "error", mg_err_json(failure));
    if (row || del)
        rc = mg_history_write_with_event(p->s->conn, row, p->m->version, &ev, commit, err);
    else
        rc = mg_event_append(p->s->conn, &ev, err);
    json_decref(meta);
    return rc;
}

static int event(const struct step *p, const char *outcome, const struct mg_err *failure,
                 struct mg_err *err)
{
    return event_with(p, outcome, failure, NULL, 0, 0, err);
}

/*
 * Records a failure (`failure` stays untouched).  Returns 0 when the record
 * was written; when it could not be (connection gone), says so in the
 * failure's context.
 */
static void record_failure(struct step *p, size_t k, int stmts_done, struct mg_err *failure)
{
    struct mg_err e2;
    struct mg_hrow row;
    struct mg_buf excerpt = MG_BUF_INIT;
    int rc = 0;
    enum mg_hstatus status = p->st->dir == MG_UP ? MG_H_FAILED : MG_H_REVERT_FAILED;

    mg_err_clear(&e2);
    statement_excerpt(&excerpt, p, k);
    if (p->st->dir == MG_UP || p->notx || p->start > 0) {
        fill_row(&row, p, status, stmts_done, p->chain);
        row.err_sqlstate = failure->sqlstate[0] ? failure->sqlstate : NULL;
        row.err_message = failure->msg;
        row.err_detail = failure->detail[0] ? failure->detail : NULL;
        row.err_hint = failure->hint[0] ? failure->hint : NULL;
        row.err_line = failure->line;
        row.err_statement = excerpt.ptr;
        row.err_stmt = (int)k + 1;
        rc = mg_history_upsert(p->s->conn, &row, &e2);
        free(row.applied_at);
    }
    /* a failed transactional down changed nothing: the row stays applied */
    if (!rc)
        rc = event(p, "failed", failure, &e2);
    if (rc)
        mg_err_context(failure,
                       "the failure could not be recorded in the history (%s); "
                       "'migrate status' shows the last recorded progress",
                       e2.msg);
    mg_buf_free(&excerpt);
}

static void describe_failure(const struct step *p, size_t k, struct mg_err *err)
{
    locate(p, k, err);
    mg_err_context(err, "%s, statement %zu of %zu (line %d)", file_label(p), k + 1, p->n,
                   p->stmts[k].line);
    if (err->code == MG_ECANCELED)
        mg_err_hint(err, "the run was interrupted; run 'migrate up' again to finish");
}

/*
 * Called by the driver while a statement runs: a line after one second, then
 * every ten, with the server's own progress (index builds, CLUSTER) read on
 * a second session when it has any.
 */
static void on_wait(void *arg, long long elapsed)
{
    struct step *p = arg;
    const struct drv_stmt *st = &p->stmts[p->running];
    struct mg_buf progress = MG_BUF_INIT;

    if (elapsed < 1000 || (p->printed_at && elapsed - p->printed_at < 10000))
        return;
    p->printed_at = elapsed;
    if (!p->monitor && !p->monitor_failed && p->s->conn->ops->progress) {
        struct drv_connect_opts o = {.application_name = "migrate progress"};
        struct mg_err e;
        mg_err_clear(&e);
        if (drv_open(&p->monitor, p->ctx->database_url, &o, &e) < 0) {
            mg_debug("no progress: %s", e.msg);
            p->monitor_failed = 1;
        }
    }
    if (p->monitor) {
        struct mg_err e;
        mg_err_clear(&e);
        if (drv_progress(p->monitor, drv_backend_id(p->s->conn), &progress, &e) < 0)
            mg_debug("no progress: %s", e.msg);
    }
    mg_info("  statement %zu of %zu (line %d) running for %.0fs%s%s", p->running + 1, p->n,
            st->line, (double)elapsed / 1000, progress.len ? ": " : "", progress.ptr);
    mg_buf_free(&progress);
}

static int exec_stmt(struct step *p, size_t k, struct mg_err *err)
{
    const struct drv_stmt *st = &p->stmts[k];
    int64_t t = mg_monotonic_ms();
    int rc;

    if (mg_run_interrupted())
        return mg_err_set(err, MG_ECANCELED, "interrupted before statement %zu", k + 1);
    p->running = k;
    p->printed_at = 0;
    p->s->conn->waiter = (struct drv_waiter){.fn = on_wait, .arg = p, .every_ms = 1000};
    rc = drv_execn(p->s->conn, p->f->text.ptr + st->off, st->len, NULL, err);
    p->s->conn->waiter = (struct drv_waiter){0};
    t = mg_monotonic_ms() - t;
    if (t >= 1000)
        mg_info("  statement %zu of %zu (line %d) took %.1fs", k + 1, p->n, st->line,
                (double)t / 1000);
    return rc;
}

/* Waits before the next attempt; returns 0 to retry, or the error to give up with. */
static int backoff(struct step *p, int attempt, struct mg_err *err)
{
    if (!mg_err_retryable(err) || attempt > p->ctx->retries || mg_run_interrupted())
        return err->code;
    long ms = mg_backoff_ms(p->ctx->retry_delay_ms, attempt, 60000);
    mg_warn("%s: %s; retry %d of %d in %ldms", file_label(p), err->msg, attempt, p->ctx->retries,
            ms);
    p->res->lock_wait_ms += p->lock_ms;
    mg_sleep_ms(ms);
    mg_err_clear(err);
    p->res->attempts++;
    return 0;
}

static int run_in_transaction(struct step *p, struct mg_err *err)
{
    struct drv_conn *c = p->s->conn;
    int attempt = 0, rc;

    for (;;) {
        size_t k = (size_t)p->start;
        rc = drv_begin_timeouts(c, p->lock_ms, p->ctx->statement_timeout_ms, err);
        for (; !rc && k < p->n; k++)
            rc = exec_stmt(p, k, err);
        if (!rc) {
            struct mg_hrow row;
            char h[65];
            memcpy(h, p->chain, sizeof(h));
            for (size_t i = (size_t)p->start; i < p->n; i++)
                mg_stmt_chain(h, h, p->f->text.ptr + p->stmts[i].off, p->stmts[i].len);
            if (p->st->dir == MG_UP) {
                fill_row(&row, p, MG_H_APPLIED, (int)p->n, h);
                rc = event_with(p, "ok", NULL, &row, 0, 1, err);
                free(row.applied_at);
            } else {
                rc = event_with(p, "ok", NULL, NULL, 1, 1, err);
            }
            if (!rc)
                return 0;
            /* recording (or committing) failed: nothing of the migration is applied */
            k = p->n - 1;
            if (!err->file[0])
                snprintf(err->file, sizeof(err->file), "%s", p->f->path);
            drv_rollback_quiet(c);
            mg_err_context(err, "the migration's statements ran, but recording it failed, so its "
                                "transaction was rolled back: nothing of it is applied");
            if (err->code != MG_ECONN)
                record_failure(p, k, p->start, err);
            return rc;
        }
        /* the failing statement is the one before k (k advanced past it) */
        size_t failed = k > 0 ? k - 1 : 0;
        if (k == (size_t)p->start && rc)
            failed = (size_t)p->start; /* set_timeouts or BEGIN failed */
        drv_rollback_quiet(c);
        if (rc == MG_ECONN) {
            describe_failure(p, failed, err);
            mg_err_context(err, "the transaction was rolled back by the server: nothing of "
                                "this migration was applied");
            return rc;
        }
        attempt++;
        if (backoff(p, attempt, err) == 0)
            continue;
        describe_failure(p, failed, err);
        record_failure(p, failed, p->start, err);
        return rc;
    }
}

/*
 * After a failed statement and its rollback: how many statements the history
 * holds as done now.  Normally k, since every statement commits on its own;
 * but when the file opened a transaction itself (BEGIN in a no-transaction
 * file), the rollback took the progress rows written inside it along with
 * the statements they recorded, and the file must go on from the last
 * committed statement.  p->chain follows the recorded progress.
 */
static size_t committed_progress(struct step *p, size_t k)
{
    struct mg_history h;
    struct mg_err ignored;
    size_t done = k;

    mg_err_clear(&ignored);
    if (mg_history_load(&h, p->s->conn, &ignored) != 0)
        return k;
    const struct mg_hrow *r = mg_history_find(&h, p->m->version);
    if (r && r->stmts_done >= p->start && (size_t)r->stmts_done < k) {
        done = (size_t)r->stmts_done;
        snprintf(p->chain, sizeof(p->chain), "%s", r->done_hash ? r->done_hash : "");
    }
    mg_history_free(&h);
    return done;
}

/*
 * Runs statement k of a -- migrate:online file through the online schema change engine: it
 * starts the statement's job, or resumes the one an earlier run left unfinished.  The cut-over
 * waits for its lock at most the file's -- migrate:lock-timeout (default the engine's 100ms)
 * per attempt.
 */
static int run_online(struct step *p, size_t k, struct mg_err *err)
{
    const struct drv_stmt *st = &p->stmts[k];
    struct mg_osc_opts o;

    if (mg_run_interrupted())
        return mg_err_set(err, MG_ECANCELED, "interrupted before statement %zu", k + 1);
    mg_osc_opts_init(&o);
    if (mg_osc_opts_env(&o, p->ctx->env, 0, err))
        return err->code;
    o.statement_timeout_ms = p->ctx->statement_timeout_ms;
    o.run_id = p->ctx->run_id;
    o.url = p->ctx->database_url;
    o.from_migration = 1;
    o.mig_version = p->m->version;
    o.mig_statement = (int)k + 1;
    if (p->f->dir.lock_timeout_ms > 0)
        o.cutover_lock_ms = p->f->dir.lock_timeout_ms;
    mg_info("  statement %zu of %zu (line %d): online schema change", k + 1, p->n, st->line);
    int rc = mg_osc_run_statement(p->s->conn, &o, p->f->text.ptr + st->off, st->len, err);
    mg_osc_opts_free(&o);
    return rc;
}

static int run_statements(struct step *p, struct mg_err *err)
{
    struct drv_conn *c = p->s->conn;
    struct mg_hrow row;
    int rc;
    enum mg_hstatus running = p->st->dir == MG_UP ? MG_H_RUNNING : MG_H_REVERTING;
    long set_lock = -1; /* the lock timeout the session has now; -1 unknown */

    /* the row says "in progress" before anything runs, so a killed run is visible */
    fill_row(&row, p, running, p->start, p->chain);
    rc = mg_history_upsert(c, &row, err);
    free(row.applied_at);
    if (rc)
        return rc;
    for (size_t k = (size_t)p->start; k < p->n; k++) {
        const struct drv_stmt *st = &p->stmts[k];
        long lock = (st->flags & DRV_STMT_CONCURRENT) ? 0 : p->lock_ms;
        int attempt = 0;
        if (p->online && p->online[k]) {
            rc = run_online(p, k, err);
            set_lock = -1; /* the engine set its own timeouts on this session */
            if (rc) {
                describe_failure(p, k, err);
                if (rc != MG_ECONN)
                    record_failure(p, k, (int)k, err);
                return rc;
            }
        }
        for (; !(p->online && p->online[k]);) {
            /* set only when it changes: one round trip per file, not per statement */
            rc =
                lock == set_lock ? 0 : drv_set_timeouts(c, lock, p->ctx->statement_timeout_ms, err);
            if (!rc) {
                set_lock = lock;
                rc = exec_stmt(p, k, err);
            }
            if (!rc)
                break;
            /* a statement outside a transaction block still may have left one open; its
               rollback can undo a setting made inside it */
            drv_rollback_quiet(c);
            set_lock = -1;
            if (rc == MG_ECONN) {
                describe_failure(p, k, err);
                mg_err_context(err,
                               "statements 1 to %zu are applied and recorded; the server "
                               "may or may not have finished statement %zu",
                               k, k + 1);
                return rc;
            }
            size_t done = committed_progress(p, k);
            if (done < k)
                mg_warn("%s: the failure at statement %zu rolled back the transaction the file "
                        "opened: statements %zu to %zu are undone",
                        file_label(p), k + 1, done + 1, k);
            attempt++;
            if (backoff(p, attempt, err) == 0) {
                if (done < k) {
                    /* retry the whole transaction, from its first statement */
                    k = done;
                    st = &p->stmts[k];
                    lock = (st->flags & DRV_STMT_CONCURRENT) ? 0 : p->lock_ms;
                }
                continue;
            }
            describe_failure(p, k, err);
            if (st->flags & DRV_STMT_CONCURRENT)
                mg_err_hint(err, "a failed CONCURRENTLY statement can leave an INVALID index "
                                 "behind; drop it (DROP INDEX CONCURRENTLY) before resuming");
            if (done < k)
                mg_err_context(err,
                               "the transaction the file opened was rolled back: statements "
                               "%zu to %zu are undone, and '%s' resumes at statement %zu",
                               done + 1, k, p->st->dir == MG_UP ? "up" : "down", done + 1);
            record_failure(p, k, (int)done, err);
            return rc;
        }
        mg_stmt_chain(p->chain, p->chain, p->f->text.ptr + st->off, st->len);
        rc = mg_history_progress(c, p->m->version, (int)k + 1, p->chain, mg_monotonic_ms() - p->t0,
                                 err);
        if (rc) {
            describe_failure(p, k, err);
            return rc;
        }
    }
    if (p->st->dir == MG_UP) {
        fill_row(&row, p, MG_H_APPLIED, (int)p->n, p->chain);
        rc = event_with(p, "ok", NULL, &row, 0, 0, err);
        free(row.applied_at);
    } else {
        rc = event_with(p, "ok", NULL, NULL, 1, 0, err);
    }
    return rc;
}

/* Checks a resume: the statements that already ran must be unchanged. */
static int check_resume(struct step *p, struct mg_err *err)
{
    const struct mg_hrow *r = p->st->e->row;
    char h[65] = "";

    if (!p->st->resume || !r->no_transaction || r->stmts_done <= 0)
        return 0;
    if ((size_t)r->stmts_done > p->n) {
        mg_err_set(err, MG_EATTENTION, "'%s' now has %zu statements, but %d of it already ran",
                   p->f->name, p->n, r->stmts_done);
        mg_err_hint(err, "restore the statements that ran, or put the database right by hand "
                         "and record it with 'migrate force'");
        return MG_EATTENTION;
    }
    for (int i = 0; i < r->stmts_done; i++)
        mg_stmt_chain(h, h, p->f->text.ptr + p->stmts[i].off, p->stmts[i].len);
    if (r->done_hash && strcmp(h, r->done_hash) != 0) {
        mg_err_set(err, MG_EATTENTION,
                   "statements 1 to %d of '%s' already ran, and they were edited since",
                   r->stmts_done, p->f->name);
        mg_err_hint(err, "only the failed statement and those after it may change before a "
                         "resume; undo the other edits, or resolve by hand and use 'migrate "
                         "force'");
        return MG_EATTENTION;
    }
    memcpy(p->chain, h, sizeof(h));
    p->start = r->stmts_done;
    return 0;
}

static int run_step(struct mg_session *s, const struct mg_ctx *ctx, const struct mg_step *st,
                    struct mg_step_result *res, struct mg_err *err)
{
    struct step p;
    int rc;
    size_t first_notx = (size_t)-1, first_ctl = (size_t)-1;

    memset(&p, 0, sizeof(p));
    p.s = s;
    p.ctx = ctx;
    p.st = st;
    p.m = st->e->m;
    p.f = st->dir == MG_UP ? p.m->up : p.m->down;
    p.res = res;
    p.t0 = mg_monotonic_ms();
    res->version = p.m->version;
    res->title = p.m->title;
    res->dir = st->dir;
    res->attempts = 1;

    rc = drv_split(s->conn->ops, &p.stmts, &p.n, p.f->text.ptr, p.f->text.len,
                   s->conn->info.version_num, err);
    if (rc) {
        snprintf(err->file, sizeof(err->file), "%s", p.f->path);
        mg_err_context(err, "%s", p.f->name);
        return rc;
    }
    mg_run_fix_statements(p.f, p.stmts, &p.n);
    if (p.n == 0 && st->dir == MG_UP) {
        free(p.stmts);
        mg_err_set(err, MG_EINPUT, "'%s' contains no SQL statements", p.f->name);
        mg_err_hint(err, "write the SQL of the change, or delete the migration");
        return MG_EINPUT;
    }
    for (size_t i = 0; i < p.n; i++) {
        if ((p.stmts[i].flags & DRV_STMT_NO_TXN) && first_notx == (size_t)-1)
            first_notx = i;
        if ((p.stmts[i].flags & DRV_STMT_TXN_CONTROL) && first_ctl == (size_t)-1)
            first_ctl = i;
    }
    p.notx =
        p.f->dir.no_transaction || first_notx != (size_t)-1 || !s->conn->info.transactional_ddl;
    if (first_ctl != (size_t)-1 && !p.f->dir.no_transaction) {
        mg_err_set(err, MG_EINPUT, "'%s' controls transactions itself (line %d)", p.f->name,
                   p.stmts[first_ctl].line);
        mg_err_hint(err, "remove BEGIN/COMMIT: migrate runs each file in one transaction; or "
                         "add '-- migrate:no-transaction' at the top to manage them yourself");
        snprintf(err->file, sizeof(err->file), "%s", p.f->path);
        err->line = p.stmts[first_ctl].line;
        free(p.stmts);
        return MG_EINPUT;
    }
    if (p.f->dir.online && first_ctl != (size_t)-1) {
        mg_err_set(err, MG_EINPUT,
                   "'%s' asks for an online schema change and controls transactions (line %d)",
                   p.f->name, p.stmts[first_ctl].line);
        mg_err_detail(err, "an online change commits batch by batch, outside any transaction");
        mg_err_hint(err, "remove BEGIN/COMMIT from the file");
        snprintf(err->file, sizeof(err->file), "%s", p.f->path);
        err->line = p.stmts[first_ctl].line;
        free(p.stmts);
        return MG_EINPUT;
    }
    if (p.f->dir.online) {
        /*
         * Each ALTER TABLE goes through the online schema change engine, which commits batch
         * by batch: the file runs statement by statement, its progress recorded after each.
         */
        size_t nonline = 0;
        p.online = mg_calloc(p.n ? p.n : 1, 1);
        for (size_t i = 0; i < p.n; i++) {
            char *table = NULL;
            p.online[i] = (unsigned char)mg_osc_online_statement(
                s->conn->info.dialect, p.f->text.ptr + p.stmts[i].off, p.stmts[i].len, &table);
            nonline += p.online[i];
            free(table);
        }
        if (!nonline)
            mg_warn("%s: -- migrate:online, but the file has no ALTER TABLE statement", p.f->name);
        p.notx = 1;
    }
    p.lock_ms = p.f->dir.lock_timeout_ms >= 0 ? p.f->dir.lock_timeout_ms : ctx->lock_timeout_ms;
    rc = check_resume(&p, err);
    if (rc) {
        free(p.online);
        free(p.stmts);
        return rc;
    }
    res->stmts_total = (int)p.n;
    res->first_stmt = p.start + 1;
    res->transaction = !p.notx;

    const char *verb = st->dir == MG_UP ? "applying" : "reverting";
    if (p.start)
        mg_info("%s %s from statement %d of %zu (resuming)", verb, p.f->name, p.start + 1, p.n);
    else if (p.notx && first_notx != (size_t)-1)
        mg_info("%s %s (%zu statement%s, no transaction: %s at line %d)", verb, p.f->name, p.n,
                p.n == 1 ? "" : "s", p.stmts[first_notx].why, p.stmts[first_notx].line);
    else if (p.notx && !s->conn->info.transactional_ddl)
        mg_info("%s %s (%zu statement%s, one by one: %s commits DDL implicitly)", verb, p.f->name,
                p.n, p.n == 1 ? "" : "s", s->conn->info.product);
    else
        mg_info("%s %s (%zu statement%s%s)", verb, p.f->name, p.n, p.n == 1 ? "" : "s",
                p.notx ? ", no transaction" : "");

    rc = p.notx ? run_statements(&p, err) : run_in_transaction(&p, err);
    drv_close(p.monitor);
    res->duration_ms = mg_monotonic_ms() - p.t0;
    res->ok = rc == 0;
    if (!rc)
        mg_debug("%s %s in %lldms", st->dir == MG_UP ? "applied" : "reverted", p.f->name,
                 res->duration_ms);
    free(p.online);
    free(p.stmts);
    return rc;
}

int mg_run_plan(struct mg_session *s, const struct mg_ctx *ctx, const struct mg_plan *plan,
                struct mg_run_report *rep, struct mg_err *err)
{
    int rc = 0;

    mg_run_watch(s->conn);
    for (size_t i = 0; i < plan->n; i++) {
        mg_grow_array((void **)&rep->v, &rep->cap, rep->n + 1, sizeof(*rep->v));
        struct mg_step_result *res = &rep->v[rep->n++];
        memset(res, 0, sizeof(*res));
        rc = run_step(s, ctx, &plan->v[i], res, err);
        if (rc)
            break;
    }
    mg_run_watch(NULL);
    return rc;
}

void mg_run_report_free(struct mg_run_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof(*rep));
}

json_t *mg_run_report_json(const struct mg_run_report *rep)
{
    json_t *a = json_array();

    for (size_t i = 0; i < rep->n; i++) {
        const struct mg_step_result *r = &rep->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer((json_int_t)r->version));
        json_object_set_new(o, "name", json_string(r->title));
        json_object_set_new(o, "direction", json_string(r->dir == MG_UP ? "up" : "down"));
        json_object_set_new(o, "ok", json_boolean(r->ok));
        json_object_set_new(o, "transaction", json_boolean(r->transaction));
        json_object_set_new(o, "statements", json_integer(r->stmts_total));
        json_object_set_new(o, "first_statement", json_integer(r->first_stmt));
        json_object_set_new(o, "attempts", json_integer(r->attempts));
        json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
        json_array_append_new(a, o);
    }
    return a;
}
