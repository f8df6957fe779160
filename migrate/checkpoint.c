/*
 * checkpoint.c — recording checkpoints around a run, and reading them back
 * from the table or the files (see checkpoint.h; the restore arguments are
 * in checkpoint_restore.c).
 */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "history.h"
#include "log.h"
#include "sqltext.h"
#include "url.h"
#include "util.h"

#ifndef MG_VERSION
#define MG_VERSION "dev"
#endif

/* A JSON string of s, null for NULL; text that is not UTF-8 is cut at its first bad byte. */
static json_t *jstr(const char *s)
{
    size_t len, bad;

    if (!s)
        return json_null();
    len = strlen(s);
    if (!mg_utf8_valid(s, len, &bad))
        len = bad;
    return json_stringn(s, len);
}

/* The same, with "" as null: for fields a server may leave empty. */
static json_t *jstr_opt(const char *s)
{
    return s && *s ? jstr(s) : json_null();
}

void mg_checkpoint_init(struct mg_checkpoint *cp)
{
    memset(cp, 0, sizeof(*cp));
}

void mg_checkpoint_free(struct mg_checkpoint *cp)
{
    json_decref(cp->doc);
    free(cp->path);
    memset(cp, 0, sizeof(*cp));
}

/* Adds a warning to the document and says it on stderr. */
static void warn(json_t *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *doc, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mg_warn("checkpoint: %s", msg);
    json_array_append_new(json_object_get(doc, "warnings"), jstr(msg));
}

/* The database the session talks to; never a password (the URL is redacted). */
static json_t *identity_json(const struct mg_session *s, const struct mg_ctx *ctx,
                             const struct drv_log_pos *pos)
{
    const struct drv_info *in = &s->conn->info;
    struct mg_url u;
    struct mg_err ignored;
    json_t *o = json_object();
    const char *host = NULL, *port = NULL;
    int parsed;

    mg_err_clear(&ignored);
    parsed = mg_url_parse(&u, ctx->database_url, &ignored) == 0;
    if (parsed) {
        /* a Unix socket directory comes as ?host=/dir, a TCP host in the authority */
        host = mg_url_param(&u, "host") ? mg_url_param(&u, "host") : u.host;
        port = mg_url_param(&u, "port") ? mg_url_param(&u, "port") : u.port;
    }
    json_object_set_new(o, "driver", json_string(s->conn->ops->name));
    json_object_set_new(o, "product", jstr(in->product));
    json_object_set_new(o, "server_version", jstr(in->server_version));
    json_object_set_new(o, "server_version_num", json_integer(in->version_num));
    json_object_set_new(o, "host", jstr_opt(host));
    json_object_set_new(o, "port", jstr_opt(port));
    json_object_set_new(o, "database", jstr(in->database));
    json_object_set_new(o, "user", jstr(in->user));
    json_object_set_new(o, "system_identifier", jstr_opt(pos ? pos->system_id : NULL));
    json_object_set_new(o, "server_uuid", jstr_opt(pos ? pos->server_uuid : NULL));
    json_object_set_new(o, "server_id",
                        pos && pos->kind != DRV_LOG_WAL && pos->server_id
                            ? json_integer((json_int_t)pos->server_id)
                            : json_null());
    json_object_set_new(o, "url", jstr(s->redacted_url));
    if (parsed)
        mg_url_free(&u);
    return o;
}

/* A log position as the document keeps it; `error` when it could not be read. */
static json_t *position_json(const struct drv_log_pos *p, const char *error)
{
    json_t *o = json_object();

    if (error) {
        json_object_set_new(o, "kind", json_string("unknown"));
        json_object_set_new(o, "note", jstr(error));
        return o;
    }
    switch (p->kind) {
    case DRV_LOG_WAL:
        json_object_set_new(o, "kind", json_string("wal"));
        json_object_set_new(o, "lsn", jstr_opt(p->lsn));
        json_object_set_new(o, "timeline", p->timeline ? json_integer(p->timeline) : json_null());
        json_object_set_new(o, "wal_file", jstr_opt(p->wal_file));
        json_object_set_new(o, "wal_level", jstr_opt(p->wal_level));
        json_object_set_new(o, "in_recovery", json_boolean(p->in_recovery));
        break;
    case DRV_LOG_BINLOG:
        json_object_set_new(o, "kind", json_string("binlog"));
        json_object_set_new(o, "binlog_file", jstr_opt(p->binlog_file));
        json_object_set_new(o, "binlog_position",
                            p->binlog_file[0] ? json_integer((json_int_t)p->binlog_pos)
                                              : json_null());
        json_object_set_new(o, "gtid_variable", jstr_opt(p->gtid_var));
        json_object_set_new(o, "gtid_set", jstr_opt(p->gtid_set.ptr));
        json_object_set_new(o, "in_recovery", json_boolean(p->in_recovery));
        break;
    case DRV_LOG_NONE:
        json_object_set_new(o, "kind", json_string("none"));
        break;
    }
    json_object_set_new(o, "note", jstr_opt(p->note));
    return o;
}

/*
 * SHA-256 over the lines of the dialect's schema query (sql/<dialect>/
 * checkpoint_schema.sql), each followed by a newline.  *out is "" when the
 * dialect has no such query.
 */
static int schema_hash(char out[65], struct drv_conn *c, struct mg_err *err)
{
    const char *sql = mg_sql_find(c->info.dialect, "checkpoint_schema");
    struct drv_result *r;
    struct mg_buf text = MG_BUF_INIT;
    int rc;

    out[0] = '\0';
    if (!sql)
        return 0;
    rc = drv_query(c, &r, sql, NULL, 0, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nrows; i++) {
        const char *line = drv_val(r, i, 0);
        mg_buf_adds(&text, line ? line : "");
        mg_buf_addch(&text, '\n');
    }
    mg_sha256_hex(out, text.ptr, text.len);
    mg_buf_free(&text);
    drv_result_free(r);
    return 0;
}

static json_t *plan_json(const struct mg_plan *plan)
{
    json_t *a = json_array();

    for (size_t i = 0; i < plan->n; i++) {
        const struct mg_step *st = &plan->v[i];
        const struct mg_migration *m = st->e->m;
        const struct mg_file *f = m ? (st->dir == MG_UP ? m->up : m->down) : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer((json_int_t)st->e->version));
        json_object_set_new(o, "name", jstr(st->e->title ? st->e->title : ""));
        json_object_set_new(o, "direction", json_string(st->dir == MG_UP ? "up" : "down"));
        json_object_set_new(o, "file", jstr_opt(f ? f->name : NULL));
        json_object_set_new(o, "checksum", jstr_opt(f ? f->checksum : NULL));
        json_object_set_new(o, "resume", json_boolean(st->resume));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *applied_json(const struct mg_run_report *rep)
{
    json_t *a = json_array();

    for (size_t i = 0; rep && i < rep->n; i++) {
        const struct mg_step_result *r = &rep->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer((json_int_t)r->version));
        json_object_set_new(o, "name", jstr(r->title ? r->title : ""));
        json_object_set_new(o, "direction", json_string(r->dir == MG_UP ? "up" : "down"));
        json_object_set_new(o, "ok", json_boolean(r->ok));
        json_object_set_new(o, "statements", json_integer(r->stmts_total));
        json_object_set_new(o, "first_statement", json_integer(r->first_stmt));
        json_object_set_new(o, "transaction", json_boolean(r->transaction));
        json_object_set_new(o, "attempts", json_integer(r->attempts));
        json_object_set_new(o, "duration_ms", json_integer(r->duration_ms));
        json_array_append_new(a, o);
    }
    return a;
}

/* The document's text: the same bytes go to the file and to the table. */
static char *doc_text(const json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    struct mg_buf b = MG_BUF_INIT;

    if (!s)
        mg_die_oom("checkpoint document");
    mg_buf_adds(&b, s);
    mg_buf_addch(&b, '\n');
    free(s);
    return mg_buf_detach(&b);
}

static int write_file(struct mg_checkpoint *cp, const char *text, struct mg_err *err)
{
    int rc = mg_write_file_atomic(cp->path, text, strlen(text), err);

    if (rc)
        mg_err_hint(err, "make the checkpoint directory writable, choose another with "
                         "--checkpoint-dir, or run without a checkpoint (--no-checkpoint)");
    return rc;
}

static const char *status_of(const json_t *doc)
{
    return json_string_value(json_object_get(doc, "status"));
}

static int db_insert(struct mg_checkpoint *cp, struct drv_conn *c, const char *text,
                     const char *position, struct mg_err *err)
{
    const char *sql = mg_sql_find(c->info.dialect, "checkpoint_insert");
    const json_t *d = cp->doc;
    const json_t *rp = json_object_get(d, "restore_point");
    char before[24];
    const char *p[9];
    struct drv_result *r;
    int rc;

    if (!sql)
        return mg_err_set(err, MG_EFAIL, "the %s dialect has no checkpoints table",
                          c->info.dialect);
    snprintf(before, sizeof(before), "%lld",
             (long long)json_integer_value(json_object_get(d, "version_before")));
    p[0] = cp->id;
    p[1] = json_string_value(json_object_get(d, "created_at"));
    p[2] = status_of(d);
    p[3] = json_string_value(json_object_get(d, "command"));
    p[4] = json_string_value(json_object_get(d, "run_id"));
    p[5] = before;
    p[6] = json_is_object(rp) ? json_string_value(json_object_get(rp, "name")) : NULL;
    p[7] = position;
    p[8] = text;
    rc = drv_query(c, &r, sql, p, 9, err);
    drv_result_free(r);
    if (rc)
        mg_err_context(err, "recording checkpoint %s in migrate_checkpoints", cp->id);
    return rc;
}

static int db_update(struct mg_checkpoint *cp, struct drv_conn *c, const char *text,
                     struct mg_err *err)
{
    const json_t *d = cp->doc;
    const json_t *after = json_object_get(d, "version_after");
    char va[24];
    const char *p[5];
    struct drv_result *r;
    int rc;

    snprintf(va, sizeof(va), "%lld", (long long)json_integer_value(after));
    p[0] = cp->id;
    p[1] = json_string_value(json_object_get(d, "completed_at"));
    p[2] = status_of(d);
    p[3] = json_is_integer(after) ? va : NULL;
    p[4] = text;
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "checkpoint_update"), p, 5, err);
    drv_result_free(r);
    if (rc)
        mg_err_context(err, "completing checkpoint %s in migrate_checkpoints", cp->id);
    return rc;
}

static int log_event(struct mg_checkpoint *cp, struct drv_conn *c, const struct mg_ctx *ctx,
                     const char *outcome, struct mg_err *err)
{
    struct mg_buf pos = MG_BUF_INIT;
    const json_t *rp = json_object_get(cp->doc, "restore_point");
    json_t *meta = json_object();
    struct mg_event ev = {
        .run_id = ctx->run_id,
        .action = "checkpoint",
        .outcome = outcome,
        .meta = meta,
    };
    int rc;

    mg_checkpoint_describe_position(&pos, cp->doc);
    json_object_set_new(meta, "command", json_string(ctx->command));
    json_object_set_new(meta, "checkpoint", json_string(cp->id));
    json_object_set_new(meta, "restore_point",
                        json_is_object(rp) ? json_deep_copy(json_object_get(rp, "name"))
                                           : json_null());
    json_object_set_new(meta, "position", jstr(pos.ptr));
    json_object_set_new(meta, "file", jstr(cp->path));
    rc = mg_event_append(c, &ev, err);
    json_decref(meta);
    mg_buf_free(&pos);
    return rc;
}

/* Reads the log position, keeping a lost connection as the only hard failure. */
static int read_position(json_t **out, struct drv_log_pos *pos, struct drv_conn *c, json_t *doc,
                         const char *when, struct mg_err *err)
{
    struct mg_err e;
    int rc;

    mg_err_clear(&e);
    if (!c->ops->log_position) {
        char msg[256];
        snprintf(msg, sizeof(msg), "the %s driver cannot read a log position", c->ops->name);
        warn(doc, "%s", msg);
        *out = position_json(pos, msg);
        return 0;
    }
    rc = drv_log_position(c, pos, &e);
    if (rc == MG_ECONN) {
        mg_err_copy(err, &e);
        return rc;
    }
    if (rc) {
        warn(doc, "cannot read the log position %s: %s", when, e.msg);
        *out = position_json(pos, e.msg);
        return 0;
    }
    *out = position_json(pos, NULL);
    if (pos->note[0])
        warn(doc, "%s", pos->note);
    return 0;
}

/*
 * Creates the restore point where the server allows; fills the document's
 * restore_point (or leaves it null with a warning) and, when created, the
 * position's LSN from it: the restore point's end is where the state
 * "before" ends.
 */
static int restore_point(struct mg_checkpoint *cp, struct drv_conn *c,
                         const struct drv_log_pos *pos, json_t *position, struct mg_err *err)
{
    char name[64];
    struct mg_buf at = MG_BUF_INIT;
    struct mg_err e;
    int rc;

    if (!c->ops->create_restore_point || pos->kind != DRV_LOG_WAL)
        return 0;
    if (pos->in_recovery) {
        warn(cp->doc, "the server is a standby (in recovery): restore points cannot be created "
                      "there; the checkpoint records the replayed LSN alone");
        return 0;
    }
    snprintf(name, sizeof(name), "%s%s", MG_RESTORE_POINT_PREFIX, cp->id);
    mg_err_clear(&e);
    rc = drv_create_restore_point(c, name, &at, &e);
    if (rc == MG_ECONN) {
        mg_err_copy(err, &e);
        mg_buf_free(&at);
        return rc;
    }
    if (rc) {
        struct mg_buf msg = MG_BUF_INIT;
        mg_buf_addf(&msg, "cannot create restore point '%s': %s", name, e.msg);
        if (e.hint[0])
            mg_buf_addf(&msg, " (hint: %s)", e.hint);
        mg_buf_adds(&msg, "; the checkpoint records the LSN alone");
        warn(cp->doc, "%s", msg.ptr);
        mg_buf_free(&msg);
        mg_buf_free(&at);
        return 0;
    }
    json_t *rp = json_object();
    json_object_set_new(rp, "name", json_string(name));
    json_object_set_new(rp, "lsn", jstr_opt(at.ptr));
    json_object_set(cp->doc, "restore_point", rp);
    json_decref(rp);
    if (at.len)
        json_object_set_new(position, "lsn", jstr(at.ptr));
    mg_buf_free(&at);
    return 0;
}

int mg_checkpoint_begin(struct mg_checkpoint *cp, struct mg_session *s, const struct mg_ctx *ctx,
                        const struct mg_status *st, const struct mg_plan *plan, struct mg_err *err)
{
    struct drv_conn *c = s->conn;
    struct drv_log_pos pos;
    json_t *doc, *position = NULL, *who;
    char at[40], hash[65];
    struct mg_buf path = MG_BUF_INIT, desc = MG_BUF_INIT;
    struct mg_err e;
    char *text = NULL;
    int rc;

    mg_checkpoint_init(cp);
    if (!mg_sql_find(c->info.dialect, "checkpoint_insert")) {
        mg_warn("checkpoint: checkpoints are not supported on %s yet; running without one",
                c->info.product);
        return 0;
    }
    mg_uuid(cp->id);
    mg_now_iso(at);
    drv_log_pos_init(&pos);
    doc = json_object();
    cp->doc = doc;
    json_object_set_new(doc, "format", json_string(MG_CHECKPOINT_FORMAT));
    json_object_set_new(doc, "format_version", json_integer(MG_CHECKPOINT_FORMAT_VERSION));
    json_object_set_new(doc, "id", json_string(cp->id));
    json_object_set_new(doc, "created_at", json_string(at));
    json_object_set_new(doc, "completed_at", json_null());
    json_object_set_new(doc, "status", json_string("started"));
    json_object_set_new(doc, "command", json_string(ctx->command ? ctx->command : ""));
    json_object_set_new(doc, "run_id", json_string(ctx->run_id));
    json_object_set_new(doc, "tool_version", json_string(MG_VERSION));
    /* every key in its place from the start: the file reads in this order */
    json_object_set_new(doc, "database", json_null());
    who = json_object();
    json_object_set_new(who, "os_user", jstr(mg_os_user()));
    json_object_set_new(who, "host", jstr(mg_host_name()));
    json_object_set_new(who, "pipeline", mg_audit_pipeline());
    json_object_set_new(doc, "recorded_by", who);
    json_object_set_new(doc, "version_before", json_integer((json_int_t)st->current));
    json_object_set_new(doc, "version_after", json_null());
    json_object_set_new(doc, "plan", plan_json(plan));
    json_object_set_new(doc, "applied", json_array());
    json_object_set_new(doc, "outcome", json_null());
    json_object_set_new(doc, "schema_hash", json_null());
    json_object_set_new(doc, "restore_point", json_null());
    json_object_set_new(doc, "position_before", json_null());
    json_object_set_new(doc, "position_after", json_null());
    json_object_set_new(doc, "warnings", json_array());

    /* the position first: it says whether this is a standby, and who the server is */
    rc = read_position(&position, &pos, c, doc, "before the run", err);
    if (rc)
        goto fail;
    json_object_set_new(doc, "database", identity_json(s, ctx, &pos));

    mg_err_clear(&e);
    rc = schema_hash(hash, c, &e);
    if (rc == MG_ECONN) {
        mg_err_copy(err, &e);
        goto fail;
    }
    if (rc)
        warn(doc, "cannot compute the schema hash: %s", e.msg);
    json_t *sh = json_object();
    json_object_set_new(sh, "algorithm", json_string("sha256"));
    json_object_set_new(sh, "source", json_string("catalog-query"));
    json_object_set_new(sh, "before", jstr_opt(rc ? NULL : hash));
    json_object_set_new(sh, "after", json_null());
    json_object_set_new(doc, "schema_hash", sh);

    rc = restore_point(cp, c, &pos, position, err);
    if (rc)
        goto fail;
    json_object_set(doc, "position_before", position);

    /* the file first: it is the cheap one to undo if the row cannot be written */
    rc = mg_mkdirs(ctx->checkpoint_dir, err);
    if (rc) {
        mg_err_hint(err, "choose a writable directory with --checkpoint-dir, or run without a "
                         "checkpoint (--no-checkpoint)");
        goto fail;
    }
    mg_buf_addf(&path, "%s/%s.json", ctx->checkpoint_dir, cp->id);
    cp->path = mg_buf_detach(&path);
    text = doc_text(doc);
    rc = write_file(cp, text, err);
    if (rc)
        goto fail;
    mg_checkpoint_describe_position(&desc, doc);
    rc = db_insert(cp, c, text, desc.ptr, err);
    if (!rc)
        rc = log_event(cp, c, ctx, "recorded", err);
    if (rc) {
        unlink(cp->path);
        goto fail;
    }
    cp->in_db = 1;
    mg_info("checkpoint %s recorded: %s (%s)", cp->id, desc.ptr, cp->path);
    json_decref(position);
    drv_log_pos_free(&pos);
    mg_buf_free(&desc);
    free(text);
    return 0;

fail:
    mg_err_context(err, "recording checkpoint %s before the run: nothing was run", cp->id);
    mg_err_hint(err, "to run without a checkpoint, add --no-checkpoint");
    json_decref(position);
    drv_log_pos_free(&pos);
    mg_buf_free(&desc);
    free(text);
    mg_checkpoint_free(cp);
    return rc;
}

void mg_checkpoint_finish(struct mg_checkpoint *cp, struct mg_session *s, const struct mg_ctx *ctx,
                          const struct mg_run_report *rep, const struct mg_err *run_err,
                          uint64_t version_after, int version_known)
{
    struct drv_conn *c = s->conn;
    json_t *doc = cp->doc, *position = NULL;
    struct drv_log_pos pos;
    struct mg_err e;
    char at[40], hash[65];
    char *text;
    int alive = c != NULL, rc;

    if (!doc)
        return;
    mg_now_iso(at);
    drv_log_pos_init(&pos);
    json_object_set_new(doc, "completed_at", json_string(at));
    json_object_set_new(doc, "status", json_string(run_err ? "failed" : "completed"));
    json_object_set_new(doc, "version_after",
                        version_known ? json_integer((json_int_t)version_after) : json_null());
    json_object_set_new(doc, "applied", applied_json(rep));
    json_t *outcome = json_object();
    json_object_set_new(outcome, "ok", json_boolean(run_err == NULL));
    json_object_set_new(outcome, "error", run_err ? mg_err_json(run_err) : json_null());
    json_object_set_new(doc, "outcome", outcome);
    if (!version_known)
        warn(doc, "the version after the run could not be read");

    mg_err_clear(&e);
    if (alive && read_position(&position, &pos, c, doc, "after the run", &e) == MG_ECONN)
        alive = 0;
    if (!alive && !position)
        position = position_json(&pos, "the connection to the server was lost");
    json_object_set(doc, "position_after", position);
    json_decref(position);

    mg_err_clear(&e);
    rc = alive ? schema_hash(hash, c, &e) : MG_ECONN;
    if (rc == MG_ECONN)
        alive = 0;
    else if (rc)
        warn(doc, "cannot compute the schema hash after the run: %s", e.msg);
    json_object_set_new(json_object_get(doc, "schema_hash"), "after", jstr_opt(rc ? NULL : hash));

    mg_err_clear(&e);
    if (!alive)
        warn(doc, "the connection was lost: the checkpoint is completed in its file only, and "
                  "its row in migrate_checkpoints still says 'started'");
    text = doc_text(doc);
    if (alive && cp->in_db) {
        rc = db_update(cp, c, text, &e);
        if (!rc)
            rc = log_event(cp, c, ctx, run_err ? "failed" : "completed", &e);
        if (rc) {
            /* the file must say what the table lacks */
            warn(doc, "the checkpoint could not be completed in the database: %s", e.msg);
            free(text);
            text = doc_text(doc);
        }
    }
    mg_err_clear(&e);
    if (write_file(cp, text, &e))
        mg_warn("checkpoint %s: cannot complete its file: %s", cp->id, e.msg);
    else
        mg_debug("checkpoint %s completed: %s", cp->id, status_of(doc));
    free(text);
    drv_log_pos_free(&pos);
}

/* --- reading --- */

int mg_checkpoint_check_doc(const json_t *doc, const char *where, struct mg_err *err)
{
    const char *format = json_string_value(json_object_get(doc, "format"));
    json_int_t version = json_integer_value(json_object_get(doc, "format_version"));
    const char *id = json_string_value(json_object_get(doc, "id"));

    if (!json_is_object(doc) || !format || strcmp(format, MG_CHECKPOINT_FORMAT) != 0) {
        mg_err_set(err, MG_EINPUT, "%s is not a migrate checkpoint", where);
        mg_err_hint(err, "checkpoint files have \"format\": \"%s\" (docs/checkpoint.md)",
                    MG_CHECKPOINT_FORMAT);
        return MG_EINPUT;
    }
    if (version < 1 || version > MG_CHECKPOINT_FORMAT_VERSION) {
        mg_err_set(err, MG_EINPUT,
                   "%s has checkpoint format version %lld; this migrate reads up "
                   "to version %d",
                   where, (long long)version, MG_CHECKPOINT_FORMAT_VERSION);
        mg_err_hint(err, "read it with the migrate release that wrote it, or a newer one");
        return MG_EINPUT;
    }
    if (!id || strlen(id) != 36) {
        mg_err_set(err, MG_EINPUT, "%s has no valid checkpoint id", where);
        return MG_EINPUT;
    }
    return 0;
}

/* Sort: oldest first, by creation time, then id. */
static int by_created(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *cx = json_string_value(json_object_get(x, "created_at"));
    const char *cy = json_string_value(json_object_get(y, "created_at"));
    int c = strcmp(cx ? cx : "", cy ? cy : "");

    if (c)
        return c;
    return strcmp(json_string_value(json_object_get(x, "id")),
                  json_string_value(json_object_get(y, "id")));
}

static json_t *sorted(json_t **v, size_t n)
{
    json_t *a = json_array();

    if (n > 1)
        qsort(v, n, sizeof(*v), by_created);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, v[i]);
    return a;
}

int mg_checkpoint_load_dir(json_t **out, const char *dir, struct mg_err *err)
{
    DIR *d;
    struct dirent *de;
    json_t **v = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) {
            *out = json_array();
            return 0;
        }
        return mg_err_set(err, MG_EFAIL, "cannot read the checkpoint directory '%s': %s", dir,
                          strerror(errno));
    }
    while ((de = readdir(d))) {
        struct mg_buf path = MG_BUF_INIT, text = MG_BUF_INIT;
        struct mg_err e;
        json_error_t je;
        json_t *doc;

        /* <uuid>.json: temporary files of an atomic write in progress are not */
        if (strlen(de->d_name) != 41 || !mg_str_ends_with(de->d_name, ".json"))
            continue;
        mg_err_clear(&e);
        mg_buf_addf(&path, "%s/%s", dir, de->d_name);
        if (mg_read_file(&text, path.ptr, 64u << 20, &e)) {
            mg_warn("skipping %s: %s", path.ptr, e.msg);
        } else if (!(doc = json_loadb(text.ptr, text.len, 0, &je))) {
            mg_warn("skipping %s: not JSON (line %d: %s)", path.ptr, je.line, je.text);
        } else if (mg_checkpoint_check_doc(doc, path.ptr, &e)) {
            mg_warn("skipping %s: %s", path.ptr, e.msg);
            json_decref(doc);
        } else {
            mg_grow_array((void **)&v, &cap, n + 1, sizeof(*v));
            v[n++] = doc;
        }
        mg_buf_free(&path);
        mg_buf_free(&text);
    }
    closedir(d);
    *out = sorted(v, n);
    free(v);
    return 0;
}

int mg_checkpoint_load_db(json_t **out, struct drv_conn *c, struct mg_err *err)
{
    const char *exists = mg_sql_find(c->info.dialect, "checkpoint_exists");
    struct drv_result *r;
    json_t **v = NULL;
    size_t n = 0, cap = 0;
    int rc, has;

    *out = NULL;
    if (!exists) {
        mg_err_set(err, MG_EUSAGE, "checkpoints are not supported on %s yet", c->info.product);
        return MG_EUSAGE;
    }
    rc = drv_query(c, &r, exists, NULL, 0, err);
    if (rc)
        return rc;
    has = drv_val(r, 0, 0) && (drv_val(r, 0, 0)[0] == 't' || drv_val(r, 0, 0)[0] == '1');
    drv_result_free(r);
    if (!has) {
        *out = json_array();
        return 0;
    }
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "checkpoint_select"), NULL, 0, err);
    if (rc) {
        mg_err_context(err, "reading migrate_checkpoints");
        return rc;
    }
    for (size_t i = 0; i < r->nrows; i++) {
        const char *id = drv_val(r, i, 0), *text = drv_val(r, i, 1);
        char where[128];
        struct mg_err e;
        json_error_t je;
        json_t *doc = text ? json_loads(text, 0, &je) : NULL;

        mg_err_clear(&e);
        snprintf(where, sizeof(where), "the row of checkpoint %s", id ? id : "(null)");
        if (!doc) {
            mg_warn("skipping %s in migrate_checkpoints: its document is not JSON", where);
        } else if (mg_checkpoint_check_doc(doc, where, &e)) {
            mg_warn("skipping %s: %s", where, e.msg);
            json_decref(doc);
        } else {
            mg_grow_array((void **)&v, &cap, n + 1, sizeof(*v));
            v[n++] = doc;
        }
    }
    drv_result_free(r);
    *out = sorted(v, n);
    free(v);
    return 0;
}

int mg_checkpoint_find(json_t **out, json_t *all, const char *id, struct mg_err *err)
{
    size_t i, len = strlen(id), hits = 0;
    json_t *doc, *found = NULL;
    struct mg_buf names = MG_BUF_INIT;

    *out = NULL;
    if (!len) {
        mg_err_set(err, MG_EUSAGE, "an empty checkpoint id");
        return MG_EUSAGE;
    }
    json_array_foreach(all, i, doc)
    {
        const char *cid = json_string_value(json_object_get(doc, "id"));
        if (cid && strlen(cid) >= len && strncasecmp(cid, id, len) == 0) {
            hits++;
            found = doc;
            if (hits <= 3)
                mg_buf_addf(&names, "%s%s", hits > 1 ? ", " : "", cid);
        }
    }
    if (hits == 1) {
        *out = found;
        mg_buf_free(&names);
        return 0;
    }
    if (!hits) {
        mg_err_set(err, MG_ENOTFOUND, "no checkpoint with id '%s'", id);
        mg_err_hint(err, "'migrate checkpoint list' shows the checkpoints there are");
    } else {
        mg_err_set(err, MG_EUSAGE, "'%s' matches %zu checkpoints", id, hits);
        mg_err_detail(err, "%s%s", names.ptr, hits > 3 ? ", ..." : "");
        mg_err_hint(err, "give more characters of the id");
    }
    mg_buf_free(&names);
    return err->code;
}
