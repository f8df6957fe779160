/*
 * osc.c — the online schema change engine: a job's life from start (or resume) to the end,
 * independent of the database.  It sizes batches to the target time, throttles on lag, load,
 * a user query and a pause file, reports progress, verifies before swapping, retries the
 * cut-over with backoff, and records every step in migrate_osc_jobs.  The statements
 * themselves come from the dialect's backend (osc_impl.h).
 */
#include "osc.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "ctx.h"
#include "history.h"
#include "log.h"
#include "osc_impl.h"
#include "run.h"
#include "sqltext.h"
#include "url.h"
#include "util.h"

#define FIRST_BATCH     1000    /* rows of the first copy batch: start small */
#define FIRST_VERIFY    10000   /* rows of the first verified range */
#define MIN_BATCH       100     /* never smaller */
#define MAX_BATCH       2000000 /* never larger */
#define VERIFY_ATTEMPTS 3       /* a range that mismatches this often aborts the job */
#define PROGRESS_EVERY  2000    /* ms between progress lines */
#define REPLAY_EVERY    1000    /* ms between replays of the change log during the copy */
#define REPLAY_BATCH    1000    /* keys per replay transaction */
#define CUTOVER_BACKLOG 1000    /* replay until fewer log entries remain before locking */
#define PAUSE_POLL      500     /* ms between checks while paused */

void mg_osc_opts_init(struct mg_osc_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->chunk_ms = 500;
    o->threads = 1;
    o->cutover_timeout_ms = 60000;
    o->cutover_lock_ms = 100;
}

void mg_osc_opts_free(struct mg_osc_opts *o)
{
    if (o->env_replicas && o->replicas == (const char *const *)o->env_replicas) {
        o->replicas = NULL;
        o->nreplicas = 0;
    }
    for (size_t i = 0; o->env_replicas && o->env_replicas[i]; i++)
        free(o->env_replicas[i]);
    free(o->env_replicas);
    o->env_replicas = NULL;
}

/* One osc.* setting of the environment, resolved (*out NULL when it is not set). */
static int env_value(char **out, const struct mg_env *env, const char *raw, const char *key,
                     struct mg_err *err)
{
    char what[160];

    *out = NULL;
    if (!raw)
        return 0;
    snprintf(what, sizeof(what), "migrate.ini [env.%s] %s", env->name, key);
    return mg_config_resolve(out, raw, what, err);
}

static int env_count(long *out, const struct mg_env *env, const char *raw, const char *key,
                     struct mg_err *err)
{
    char *v;
    uint64_t n;
    int rc = env_value(&v, env, raw, key, err);

    if (rc || !v)
        return rc;
    if (mg_parse_u64(&n, v, strlen(v)) < 0 || n > 1000000)
        rc = mg_err_set(err, MG_EUSAGE, "migrate.ini [env.%s] %s = '%s' is not a whole number",
                        env->name, key, v);
    else
        *out = (long)n;
    free(v);
    return rc;
}

static int env_duration(long *out, const struct mg_env *env, const char *raw, const char *key,
                        struct mg_err *err)
{
    char *v;
    int rc = env_value(&v, env, raw, key, err);

    if (rc || !v)
        return rc;
    rc = mg_parse_duration(out, v, err);
    if (rc)
        mg_err_context(err, "migrate.ini [env.%s] %s", env->name, key);
    free(v);
    return rc;
}

int mg_osc_opts_env(struct mg_osc_opts *o, const struct mg_env *env, unsigned given,
                    struct mg_err *err)
{
    char *list = NULL, *save = NULL;
    size_t n = 0;
    int rc = 0;

    if (!env)
        return 0;
    if (!(given & MG_OSC_GIVEN_MAX_LAG))
        rc = env_duration(&o->max_lag_ms, env, env->osc_max_lag, "osc.max_lag", err);
    if (!rc && !(given & MG_OSC_GIVEN_CHUNK_TIME))
        rc = env_duration(&o->chunk_ms, env, env->osc_chunk_time, "osc.chunk_time", err);
    if (!rc && !(given & MG_OSC_GIVEN_MAX_LOAD))
        rc = env_count(&o->max_load, env, env->osc_max_load, "osc.max_load", err);
    if (!rc && !(given & MG_OSC_GIVEN_CRITICAL_LOAD))
        rc = env_count(&o->critical_load, env, env->osc_critical_load, "osc.critical_load", err);
    if (!rc && !(given & MG_OSC_GIVEN_THREADS) && !o->backfill) {
        long t = o->threads;
        rc = env_count(&t, env, env->osc_threads, "osc.threads", err);
        o->threads = (int)(t > 1000 ? 1000 : t);
    }
    if (!rc && !(given & MG_OSC_GIVEN_REPLICAS))
        rc = env_value(&list, env, env->osc_replicas, "osc.replicas", err);
    if (rc || !list)
        return rc;
    mg_osc_opts_free(o);
    o->env_replicas = mg_calloc(strlen(list) / 2 + 2, sizeof(*o->env_replicas));
    for (char *u = strtok_r(list, " \t\r\n", &save); u; u = strtok_r(NULL, " \t\r\n", &save))
        o->env_replicas[n++] = mg_strdup(u);
    free(list);
    o->replicas = (const char *const *)o->env_replicas;
    o->nreplicas = n;
    return 0;
}

long mg_osc_next_batch(long size, long long took_ms, long target_ms)
{
    double f;
    long next;

    if (took_ms < 1)
        took_ms = 1;
    f = (double)target_ms / (double)took_ms;
    /* grow at most 2x a batch (a cold cache makes the first ones slow), shrink at most 4x */
    if (f > 2.0)
        f = 2.0;
    if (f < 0.25)
        f = 0.25;
    next = (long)((double)size * f);
    if (next < MIN_BATCH)
        next = MIN_BATCH;
    if (next > MAX_BATCH)
        next = MAX_BATCH;
    return next;
}

void osc_lock_name(char *out, size_t size, long long id)
{
    snprintf(out, size, "migrate:osc:%lld", id);
}

/* ---------- what both backends use ---------- */

void osc_qi(struct osc_ctx *x, struct mg_buf *b, const char *ident)
{
    drv_quote_ident(x->c, b, ident);
}

const char *osc_st_str(const struct osc_ctx *x, const char *key)
{
    return json_string_value(json_object_get(x->j->state, key));
}

const char *osc_sqlt(const struct osc_ctx *x, const char *name)
{
    const char *s = json_string_value(json_object_get(json_object_get(x->j->state, "sql"), name));
    if (!s)
        mg_die_oom("osc job state lacks a statement"); /* a state we wrote ourselves */
    return s;
}

int osc_q(struct osc_ctx *x, struct drv_result **r, const char *sql, const char *const *p, size_t n,
          struct mg_err *err)
{
    return drv_query(x->c, r, sql, p, n, err);
}

int osc_q0(struct osc_ctx *x, const char *sql, const char *const *p, size_t n, struct mg_err *err)
{
    struct drv_result *r;
    int rc = drv_query(x->c, &r, sql, p, n, err);

    drv_result_free(r);
    return rc;
}

int osc_ex(struct osc_ctx *x, const char *sql, struct mg_err *err)
{
    mg_debug("osc: %s", sql);
    return drv_exec(x->c, sql, NULL, err);
}

int osc_is_true(const char *v)
{
    return v && (v[0] == '1' || v[0] == 't');
}

int osc_retry_wait(struct osc_ctx *x, int attempt, int64_t deadline, const char *what,
                   struct mg_err *err)
{
    int64_t now = mg_monotonic_ms();
    long wait;

    if (!mg_err_retryable(err) || now >= deadline || mg_run_interrupted())
        return err->code;
    wait = mg_backoff_ms(x->o->cutover_lock_ms * 2, attempt, 5000);
    if (now + wait > deadline)
        wait = (long)(deadline - now);
    mg_warn("osc: %s: %s; retry %d in %ldms", what, err->msg, attempt, wait);
    mg_err_clear(err);
    mg_sleep_ms(wait);
    return 0;
}

/* ---------- the job row ---------- */

void osc_job_free(struct osc_job *j)
{
    if (!j)
        return;
    free(j->schema);
    free(j->table);
    free(j->statement);
    free(j->where);
    free(j->error);
    json_decref(j->keycols);
    json_decref(j->last_key);
    json_decref(j->max_key);
    json_decref(j->verified_key);
    json_decref(j->state);
    json_decref(j->options);
    free(j);
}

char *osc_json_text(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!s)
        mg_die_oom("json");
    return s;
}

static json_t *parse_json(const char *s)
{
    json_error_t e;

    if (!s)
        return NULL;
    return json_loads(s, JSON_DECODE_ANY, &e);
}

static char *dup_or_null(const char *s)
{
    return s ? mg_strdup(s) : NULL;
}

/* Fills a job from one row of the osc_job_* queries (their column order). */
static int job_from_row(struct osc_job **out, const struct drv_result *r, size_t i,
                        struct mg_err *err)
{
    struct osc_job *j = mg_calloc(1, sizeof(*j));
    const char *v;

    j->id = atoll(drv_val(r, i, 0));
    snprintf(j->kind, sizeof(j->kind), "%s", drv_val(r, i, 1));
    j->schema = mg_strdup(drv_val(r, i, 2));
    j->table = mg_strdup(drv_val(r, i, 3));
    j->statement = mg_strdup(drv_val(r, i, 4));
    j->where = dup_or_null(drv_val(r, i, 5));
    snprintf(j->phase, sizeof(j->phase), "%s", drv_val(r, i, 6));
    j->keycols = parse_json(drv_val(r, i, 7));
    j->last_key = parse_json(drv_val(r, i, 8));
    j->max_key = parse_json(drv_val(r, i, 9));
    j->verified_key = parse_json(drv_val(r, i, 10));
    j->batch_size = atol(drv_val(r, i, 11));
    j->batches = atoll(drv_val(r, i, 12));
    j->rows_copied = atoll(drv_val(r, i, 13));
    j->rows_estimate = atoll(drv_val(r, i, 14));
    j->rows_replayed = atoll(drv_val(r, i, 15));
    j->ranges_verified = atoll(drv_val(r, i, 16));
    j->ranges_recopied = atoll(drv_val(r, i, 17));
    j->state = parse_json(drv_val(r, i, 18));
    j->options = parse_json(drv_val(r, i, 19));
    v = drv_val(r, i, 20);
    if (v) {
        j->from_migration = 1;
        mg_parse_u64(&j->mig_version, v, strlen(v));
        j->mig_statement = atoi(drv_val(r, i, 21) ? drv_val(r, i, 21) : "0");
    }
    snprintf(j->run_id, sizeof(j->run_id), "%s", drv_val(r, i, 22) ? drv_val(r, i, 22) : "");
    snprintf(j->started_at, sizeof(j->started_at), "%s",
             drv_val(r, i, 23) ? drv_val(r, i, 23) : "");
    snprintf(j->updated_at, sizeof(j->updated_at), "%s",
             drv_val(r, i, 24) ? drv_val(r, i, 24) : "");
    j->error = dup_or_null(drv_val(r, i, 25));
    /* JSON null reads as "no key yet" */
    if (j->last_key && !json_is_array(j->last_key)) {
        json_decref(j->last_key);
        j->last_key = NULL;
    }
    if (j->max_key && !json_is_array(j->max_key)) {
        json_decref(j->max_key);
        j->max_key = NULL;
    }
    if (j->verified_key && !json_is_array(j->verified_key)) {
        json_decref(j->verified_key);
        j->verified_key = NULL;
    }
    if (!json_is_array(j->keycols) || !json_is_object(j->state)) {
        osc_job_free(j);
        mg_err_set(err, MG_EFAIL, "the row of osc job %s in migrate_osc_jobs cannot be read",
                   drv_val(r, i, 0));
        mg_err_hint(err, "the row was changed by hand; restore it or delete it");
        return MG_EFAIL;
    }
    if (!j->options)
        j->options = json_object();
    *out = j;
    return 0;
}

int osc_job_get(struct drv_conn *c, long long id, struct osc_job **out, struct mg_err *err)
{
    char ids[24];
    const char *p[1] = {ids};
    struct drv_result *r;
    int rc;

    *out = NULL;
    snprintf(ids, sizeof(ids), "%lld", id);
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "osc_job_get"), p, 1, err);
    if (rc)
        return rc;
    if (!r->nrows) {
        drv_result_free(r);
        mg_err_set(err, MG_ENOTFOUND, "there is no osc job %lld", id);
        mg_err_hint(err, "'migrate osc --list' lists the jobs");
        return MG_ENOTFOUND;
    }
    rc = job_from_row(out, r, 0, err);
    drv_result_free(r);
    return rc;
}

size_t osc_key_params(const json_t *key, const char **out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; key && i < json_array_size(key) && n < max; i++)
        out[n++] = json_string_value(json_array_get(key, i));
    return n;
}

int osc_key_json(const char *const *vals, size_t n, json_t **out, struct mg_err *err)
{
    json_t *a = json_array();

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *v = vals[i] ? json_string(vals[i]) : json_null();
        if (!v) {
            /* a key that does not read back as the same text would copy the wrong range */
            json_decref(a);
            mg_err_set(err, MG_EUSAGE, "a value of the key is not UTF-8 text");
            mg_err_detail(err, "the job keeps its position as text, and this value would not "
                               "come back the same");
            mg_err_hint(err, "use another key (or an encoding that yields UTF-8), or make the "
                             "change without osc");
            return MG_EUSAGE;
        }
        json_array_append_new(a, v);
    }
    *out = a;
    return 0;
}

/* Runs one of the job SQL texts that returns no rows the engine needs. */
static int job_write(struct drv_conn *c, const char *name, const char *const *p, size_t n,
                     struct mg_err *err)
{
    struct drv_result *r;
    int rc = drv_query(c, &r, mg_sql(c->info.dialect, name), p, n, err);

    drv_result_free(r);
    if (rc)
        mg_err_context(err, "recording the job in migrate_osc_jobs");
    return rc;
}

int osc_job_save_batch(struct osc_ctx *x, long long rows, struct mg_err *err)
{
    char id[24], bs[24], n[24];
    char *key = x->j->last_key ? osc_json_text(x->j->last_key) : NULL;
    const char *p[5] = {id, key, bs, n, x->j->phase};
    int rc;

    snprintf(id, sizeof(id), "%lld", x->j->id);
    snprintf(bs, sizeof(bs), "%ld", x->j->batch_size);
    snprintf(n, sizeof(n), "%lld", rows);
    rc = job_write(x->c, "osc_job_batch", p, 5, err);
    free(key);
    return rc;
}

int osc_read_max_key(struct osc_ctx *x, const char *sql, struct mg_err *err)
{
    size_t nk = json_array_size(x->j->keycols);
    struct drv_result *r;
    int rc = osc_q(x, &r, sql, NULL, 0, err);

    if (rc)
        return rc;
    json_decref(x->j->max_key);
    x->j->max_key = NULL;
    if (r->nrows && r->ncols >= nk) {
        const char **vals = mg_calloc(nk ? nk : 1, sizeof(*vals));
        for (size_t i = 0; i < nk; i++)
            vals[i] = drv_val(r, 0, i);
        rc = osc_key_json(vals, nk, &x->j->max_key, err);
        free(vals);
    }
    drv_result_free(r);
    return rc;
}

void osc_backfill_plan(struct osc_ctx *x, const json_t *sql, json_t *key_index,
                       long long rows_estimate, long long bytes)
{
    json_t *plan = json_object();
    const struct mg_osc_opts *o = x->o;

    json_object_set_new(plan, "table", json_string(x->qtable.ptr));
    json_object_set_new(plan, "statement", json_string(o->backfill));
    json_object_set_new(plan, "where", o->where ? json_string(o->where) : json_null());
    json_object_set_new(plan, "key", json_string(x->res->key));
    json_object_set_new(plan, "key_index", key_index ? key_index : json_null());
    json_object_set_new(plan, "rows_estimate", json_integer(rows_estimate));
    json_object_set_new(plan, "size_bytes", json_integer(bytes));
    json_object_set_new(plan, "sql",
                        json_pack("{s:[O],s:[O,O]}", "setup", json_object_get(sql, "max_key"),
                                  "batch", json_object_get(sql, "boundary_next"),
                                  json_object_get(sql, "update_next")));
    x->res->plan = plan;
}

int osc_batch_commit(struct osc_ctx *x, json_t *hi, long long rows, struct mg_err *err)
{
    json_t *prev = x->j->last_key;
    char phase[16];
    int rc;

    snprintf(phase, sizeof(phase), "%s", x->j->phase);
    x->j->last_key = hi;
    if (osc_keys_equal(hi, x->j->max_key))
        snprintf(x->j->phase, sizeof(x->j->phase), "%s",
                 strcmp(x->j->kind, "backfill") ? OSC_BUILD : OSC_DONE);
    rc = osc_job_save_batch(x, rows, err);
    if (!rc)
        rc = drv_commit(x->c, err);
    if (!rc) {
        json_decref(prev);
        return 0;
    }
    /* not recorded: the job stays where it was */
    x->j->last_key = prev;
    snprintf(x->j->phase, sizeof(x->j->phase), "%s", phase);
    return rc;
}

int osc_job_save_verified(struct osc_ctx *x, int recopied, struct mg_err *err)
{
    char id[24], rc_s[16];
    char *key = x->j->verified_key ? osc_json_text(x->j->verified_key) : NULL;
    const char *p[4] = {id, key, rc_s, x->j->phase};
    int rc;

    snprintf(id, sizeof(id), "%lld", x->j->id);
    snprintf(rc_s, sizeof(rc_s), "%d", recopied);
    rc = job_write(x->c, "osc_job_verified", p, 4, err);
    free(key);
    return rc;
}

struct osc_job *osc_job_new(struct osc_ctx *x, const char *kind, const char *phase,
                            const char *schema, const char *table, json_t *keycols,
                            long long rows_estimate)
{
    const struct mg_osc_opts *o = x->o;
    struct osc_job *j = mg_calloc(1, sizeof(*j));

    snprintf(j->kind, sizeof(j->kind), "%s", kind);
    snprintf(j->phase, sizeof(j->phase), "%s", phase);
    j->schema = mg_strdup(schema);
    j->table = mg_strdup(table);
    j->statement = mg_strdup(o->alter ? o->alter : o->backfill);
    j->where = o->where ? mg_strdup(o->where) : NULL;
    j->keycols = json_incref(keycols);
    j->batch_size = 1000;
    j->rows_estimate = rows_estimate;
    j->state = json_object();
    j->options = json_pack(
        "{s:I,s:I,s:I,s:I,s:I,s:I,s:i}", "chunk_ms", (json_int_t)o->chunk_ms, "max_lag_ms",
        (json_int_t)o->max_lag_ms, "max_load", (json_int_t)o->max_load, "critical_load",
        (json_int_t)o->critical_load, "cutover_timeout_ms", (json_int_t)o->cutover_timeout_ms,
        "cutover_lock_ms", (json_int_t)o->cutover_lock_ms, "threads", o->threads);
    if (o->nreplicas) {
        json_t *names = json_array();
        for (size_t i = 0; i < o->nreplicas; i++) {
            struct mg_buf b = MG_BUF_INIT;
            mg_url_redact_str(&b, o->replicas[i]);
            json_array_append_new(names, json_string(b.ptr));
            mg_buf_free(&b);
        }
        json_object_set_new(j->options, "replicas", names);
    }
    return j;
}

int osc_job_insert(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    char id[24], bs[24], est[24], ver[24], stn[16];
    char *keycols = osc_json_text(x->j->keycols),
         *maxk = x->j->max_key ? osc_json_text(x->j->max_key) : NULL,
         *state = osc_json_text(x->j->state), *opts = osc_json_text(x->j->options);
    int rc;

    snprintf(id, sizeof(id), "%lld", x->j->id);
    snprintf(bs, sizeof(bs), "%ld", x->j->batch_size);
    snprintf(est, sizeof(est), "%lld", x->j->rows_estimate);
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)o->mig_version);
    snprintf(stn, sizeof(stn), "%d", o->mig_statement);
    const char *p[17] = {x->j->id ? id : NULL,
                         x->j->kind,
                         x->j->schema,
                         x->j->table,
                         x->j->statement,
                         x->j->where,
                         x->j->phase,
                         keycols,
                         NULL,
                         maxk,
                         bs,
                         est,
                         state,
                         opts,
                         o->from_migration ? ver : NULL,
                         o->from_migration ? stn : NULL,
                         o->run_id ? o->run_id : ""};
    struct drv_result *r;
    rc = drv_query(x->c, &r, mg_sql(x->c->info.dialect, "osc_job_insert"), p, 17, err);
    drv_result_free(r);
    free(keycols);
    free(maxk);
    free(state);
    free(opts);
    return rc;
}

int osc_check_no_other_job(struct osc_ctx *x, const char *schema, const char *name,
                           struct mg_err *err)
{
    const char *p[2] = {schema, name};
    struct drv_result *r;
    int rc = drv_query(x->c, &r, mg_sql(x->c->info.dialect, "osc_job_unfinished"), p, 2, err);

    if (rc)
        return rc;
    if (r->nrows) {
        mg_err_set(err, MG_EATTENTION, "%s has an unfinished osc job %s (phase %s)", x->qtable.ptr,
                   drv_val(r, 0, 0), drv_val(r, 0, 6));
        mg_err_hint(err,
                    "finish it with 'migrate osc --resume %s' or remove it with 'migrate osc "
                    "--abort %s'",
                    drv_val(r, 0, 0), drv_val(r, 0, 0));
        rc = MG_EATTENTION;
    }
    drv_result_free(r);
    return rc;
}

int osc_check_signature(struct osc_ctx *x, const char *now, const char *what, struct mg_err *err)
{
    const char *then = json_string_value(json_object_get(x->j->state, "signature"));

    if (then && now && !strcmp(then, now))
        return 0;
    mg_err_set(err, MG_EATTENTION, "%s was altered while the job ran (its %s changed)",
               x->qtable.ptr, what);
    mg_err_detail(err, "the shadow table was made from the definition the job started with");
    mg_err_hint(err,
                "nothing was swapped; remove the job with 'migrate osc --abort %lld' and start "
                "again",
                x->j->id);
    return MG_EATTENTION;
}

int osc_keys_equal(const json_t *a, const json_t *b)
{
    if (!a || !b || json_array_size(a) != json_array_size(b))
        return 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *x = json_string_value(json_array_get(a, i)),
                   *y = json_string_value(json_array_get(b, i));
        if (!x || !y || strcmp(x, y))
            return 0;
    }
    return 1;
}

int osc_range_compared(struct osc_ctx *x, const json_t *lo, json_t *hi, const char *count_t,
                       const char *sum_t, const char *count_s, const char *sum_s, int *match,
                       struct mg_buf *detail, struct mg_err *err)
{
    json_t *prev = x->j->verified_key;
    char phase[16];
    int rc;

    *match = 0;
    if (strcmp(count_t, count_s) || strcmp(sum_t, sum_s)) {
        char *los = lo ? osc_json_text(lo) : mg_strdup("the start"), *his = osc_json_text(hi);
        mg_buf_addf(detail,
                    "key range (%s, %s]: the original has %s rows (checksum %s), the shadow %s "
                    "(checksum %s)",
                    los, his, count_t, sum_t, count_s, sum_s);
        free(los);
        free(his);
        return 0;
    }
    snprintf(phase, sizeof(phase), "%s", x->j->phase);
    x->j->verified_key = json_incref(hi);
    if (osc_keys_equal(hi, x->j->max_key))
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", OSC_CUTOVER);
    rc = osc_job_save_verified(x, x->recopying, err);
    if (!rc)
        rc = drv_commit(x->c, err);
    if (rc) {
        json_decref(x->j->verified_key);
        x->j->verified_key = prev;
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", phase);
    } else {
        json_decref(prev);
        *match = 1;
    }
    return rc;
}

int osc_job_save_phase(struct osc_ctx *x, const char *phase, int with_state, struct mg_err *err)
{
    char id[24];
    char *state = with_state ? osc_json_text(x->j->state) : NULL;
    const char *p[3] = {id, phase, state};
    int rc;

    snprintf(id, sizeof(id), "%lld", x->j->id);
    rc = job_write(x->c, "osc_job_phase", p, 3, err);
    free(state);
    if (!rc && phase != x->j->phase)
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", phase);
    return rc;
}

int osc_job_save_replayed(struct osc_ctx *x, long long n, struct mg_err *err)
{
    char id[24], ns[24];
    const char *p[2] = {id, ns};

    snprintf(id, sizeof(id), "%lld", x->j->id);
    snprintf(ns, sizeof(ns), "%lld", n);
    return job_write(x->c, "osc_job_replayed", p, 2, err);
}

/* Records the failure on the job row (best effort: the connection may be gone). */
static void job_save_error(struct osc_ctx *x, const struct mg_err *failure)
{
    struct mg_err ignored;
    char id[24];
    const char *p[2] = {id, failure->msg};
    struct drv_result *r;

    if (!x->j || !x->j->id || failure->code == MG_ECONN)
        return;
    mg_err_clear(&ignored);
    drv_rollback_quiet(x->c);
    snprintf(id, sizeof(id), "%lld", x->j->id);
    if (drv_query(x->c, &r, mg_sql(x->c->info.dialect, "osc_job_error"), p, 2, &ignored) == 0)
        drv_result_free(r);
}

/* ---------- tables ---------- */

int mg_osc_ensure_tables(struct drv_conn *c, struct mg_err *err)
{
    struct drv_result *r;
    int rc, exists, got = 0;
    int64_t deadline;

    rc = drv_query(c, &r, mg_sql(c->info.dialect, "osc_job_exists"), NULL, 0, err);
    if (rc)
        return rc;
    exists = drv_val(r, 0, 0) && (drv_val(r, 0, 0)[0] == 't' || drv_val(r, 0, 0)[0] == '1');
    drv_result_free(r);
    if (exists)
        return 0;
    /* created under the runner lock, as the history tables are */
    deadline = mg_monotonic_ms() + 60000;
    for (;;) {
        rc = drv_try_lock(c, MG_RUNNER_LOCK, &got, err);
        if (rc || got)
            break;
        if (mg_monotonic_ms() > deadline) {
            mg_err_set(err, MG_ELOCKED,
                       "cannot create migrate_osc_jobs: another migrate run holds the "
                       "migration lock");
            mg_err_hint(err, "wait for that run to finish, then try again");
            return MG_ELOCKED;
        }
        mg_sleep_ms(200);
    }
    if (rc)
        return rc;
    rc = mg_history_ensure(c, err);
    struct mg_err e2;
    mg_err_clear(&e2);
    drv_unlock(c, MG_RUNNER_LOCK, &e2);
    return rc;
}

/* ---------- throttling ---------- */

/* Is the --throttle-query asking for a pause? */
static int throttle_query_true(struct osc_ctx *x, int *yes, struct mg_err *err)
{
    struct drv_result *r;
    int rc = drv_query(x->c, &r, x->o->throttle_query, NULL, 0, err);
    const char *v;

    *yes = 0;
    if (rc) {
        mg_err_context(err, "running --throttle-query");
        return rc;
    }
    v = r->nrows && r->ncols ? drv_val(r, 0, 0) : NULL;
    *yes = v && (!strcmp(v, "t") || !strcmp(v, "1") || !strcasecmp(v, "true"));
    drv_result_free(r);
    return 0;
}

/* ---------- sessions at once (--threads) ---------- */

int osc_workers_open(struct osc_ctx *x, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = "migrate osc"};
    size_t want = x->o->threads > 1 ? (size_t)x->o->threads - 1 : 0;

    if (x->workers || !want)
        return 0;
    if (!x->o->url)
        return mg_err_set(err, MG_EFAIL, "--threads: the database's URL is not known here");
    x->workers = mg_calloc(want, sizeof(*x->workers));
    for (size_t i = 0; i < want; i++) {
        int rc = drv_open(&x->workers[i], x->o->url, &co, err);
        if (rc) {
            mg_err_context(err, "opening session %zu of --threads %d", i + 2, x->o->threads);
            return rc;
        }
        x->nworkers++;
    }
    return 0;
}

static void workers_close(struct osc_ctx *x)
{
    for (size_t i = 0; i < x->nworkers; i++)
        drv_close(x->workers[i]);
    free(x->workers);
    x->workers = NULL;
    x->nworkers = 0;
}

struct task_run {
    struct drv_conn *c;
    struct osc_task *t;
    long lock_ms, stmt_ms;
    int done; /* set by the thread when its task is over (read with __atomic_load_n) */
};

/* One task on one session; the session's own transaction, committed or rolled back. */
static void task_exec(struct task_run *w)
{
    struct osc_task *t = w->t;

    mg_err_clear(&t->err);
    t->r = NULL;
    t->rc = drv_set_timeouts(w->c, w->lock_ms, w->stmt_ms, &t->err);
    if (!t->rc && t->pre) {
        struct drv_result *r = NULL;
        t->rc = drv_query(w->c, &r, t->pre, NULL, 0, &t->err);
        drv_result_free(r);
    }
    if (!t->rc)
        t->rc = drv_begin(w->c, &t->err);
    if (!t->rc)
        t->rc = drv_query(w->c, &t->r, t->sql, t->p, t->np, &t->err);
    if (!t->rc)
        t->rc = drv_commit(w->c, &t->err);
    if (t->rc) {
        drv_rollback_quiet(w->c);
        drv_result_free(t->r);
        t->r = NULL;
    }
}

static void *task_thread(void *arg)
{
    struct task_run *w = arg;

    task_exec(w);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int osc_run_tasks(struct osc_ctx *x, struct osc_task *tasks, size_t n, struct mg_err *err)
{
    struct task_run runs[OSC_MAX_THREADS];
    pthread_t th[OSC_MAX_THREADS];
    int started[OSC_MAX_THREADS];
    int rc = 0;

    if (n > x->nworkers + 1 || n > OSC_MAX_THREADS)
        return mg_err_set(err, MG_EFAIL, "%zu tasks for %zu sessions", n, x->nworkers + 1);
    for (size_t i = 0; i < n; i++) {
        runs[i] = (struct task_run){i ? x->workers[i - 1] : x->c, &tasks[i], x->o->cutover_lock_ms,
                                    x->o->statement_timeout_ms, 0};
        started[i] = 0;
    }
    for (size_t i = 1; i < n; i++) {
        /* the threads take no signal: an interrupt reaches the main thread's watch */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        started[i] = pthread_create(&th[i], NULL, task_thread, &runs[i]) == 0;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (!started[i])
            task_exec(&runs[i]); /* no thread to be had: in turn, then */
    }
    if (n)
        task_exec(&runs[0]);
    /* an interrupt cancels the job's own statement (mg_run_watch); the other sessions' are
       cancelled here, so that the run stops after this round rather than after theirs */
    for (int cancelled = 0;;) {
        int busy = 0;
        for (size_t i = 1; i < n; i++)
            busy |= started[i] && !__atomic_load_n(&runs[i].done, __ATOMIC_ACQUIRE);
        if (!busy)
            break;
        if (mg_run_interrupted() && !cancelled) {
            for (size_t i = 1; i < n; i++)
                if (started[i] && !__atomic_load_n(&runs[i].done, __ATOMIC_ACQUIRE))
                    drv_cancel(runs[i].c);
            cancelled = 1;
        }
        mg_sleep_ms(5);
    }
    for (size_t i = 1; i < n; i++)
        if (started[i])
            pthread_join(th[i], NULL);
    for (size_t i = 0; i < n && !rc; i++)
        if (tasks[i].rc && !mg_err_retryable(&tasks[i].err))
            rc = tasks[i].rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = tasks[i].rc;
    for (size_t i = 0; i < n; i++) {
        if (tasks[i].rc == rc && rc) {
            *err = tasks[i].err;
            break;
        }
    }
    return rc;
}

/* ---------- the replicas of --replica ---------- */

static int replica_open(struct osc_replica *r, struct mg_err *err)
{
    struct drv_connect_opts co = {.application_name = "migrate osc", .connect_timeout_ms = 5000};
    return drv_open(&r->c, r->url, &co, err);
}

/*
 * Connects to each --replica before a job starts and checks it is a replica of the same kind
 * of server: a wrong URL is said at once, not found out by a pause that never ends.
 */
static int replicas_open(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;

    if (!o->nreplicas || x->replicas)
        return 0;
    if (strcmp(x->c->info.dialect, "mysql")) {
        mg_err_set(err, MG_EUSAGE,
                   "--replica (or osc.replicas in migrate.ini) is for MySQL and "
                   "MariaDB");
        mg_err_detail(err, "a PostgreSQL primary sees its standbys' replay lag itself "
                           "(pg_stat_replication), which --max-lag reads");
        return MG_EUSAGE;
    }
    x->replicas = mg_calloc(o->nreplicas, sizeof(*x->replicas));
    for (size_t i = 0; i < o->nreplicas; i++) {
        struct osc_replica *r = &x->replicas[i];
        struct mg_buf name = MG_BUF_INIT;
        long lag;
        int links, rc;
        r->url = o->replicas[i];
        mg_url_redact_str(&name, r->url);
        snprintf(r->name, sizeof(r->name), "%s", name.ptr);
        mg_buf_free(&name);
        rc = replica_open(r, err);
        if (rc) {
            mg_err_context(err, "--replica %s", r->name);
            return rc;
        }
        if (strcmp(r->c->info.dialect, x->c->info.dialect)) {
            mg_err_set(err, MG_EUSAGE, "--replica %s is a %s server, the table's is %s", r->name,
                       r->c->info.product, x->c->info.product);
            return MG_EUSAGE;
        }
        rc = drv_replica_lag(r->c, &lag, &links, err);
        if (rc) {
            mg_err_context(err, "reading the replication status of --replica %s", r->name);
            return rc;
        }
        if (!links) {
            mg_err_set(err, MG_EUSAGE,
                       "--replica %s is not a replica: it replicates from no server", r->name);
            mg_err_hint(err, "name the replicas of the server the table is on");
            return MG_EUSAGE;
        }
        if (lag == DRV_LAG_STOPPED) {
            mg_err_set(err, MG_EUSAGE, "replication is stopped on --replica %s", r->name);
            mg_err_hint(err, "start it (START SLAVE), or leave that replica out: the job would "
                             "wait for it from its first batch");
            return MG_EUSAGE;
        }
        mg_info("osc: --max-lag watches replica %s (lag now %ldms)", r->name, lag);
    }
    return 0;
}

static void replicas_close(struct osc_ctx *x)
{
    for (size_t i = 0; x->replicas && i < x->o->nreplicas; i++)
        if (x->replicas[i].c)
            drv_close(x->replicas[i].c);
    free(x->replicas);
    x->replicas = NULL;
}

/*
 * The first reason to wait that a --replica gives: its lag above --max-lag, its replication
 * stopped, or the replica out of reach (reconnected at the next look).  A replica that cannot
 * be read is waited for rather than ignored: the copy would otherwise run at full speed while
 * nobody watches that replica's lag.
 */
static void replicas_lag(struct osc_ctx *x, char *why, size_t size)
{
    for (size_t i = 0; x->replicas && i < x->o->nreplicas && !why[0]; i++) {
        struct osc_replica *r = &x->replicas[i];
        struct mg_err e;
        long lag;
        int links;
        mg_err_clear(&e);
        if ((!r->c && replica_open(r, &e)) || drv_replica_lag(r->c, &lag, &links, &e)) {
            if (r->c)
                drv_close(r->c);
            r->c = NULL;
            snprintf(why, size, "replica %s cannot be reached: %s", r->name, e.msg);
        } else if (!links) {
            snprintf(why, size, "replica %s replicates from no server any more", r->name);
        } else if (lag == DRV_LAG_STOPPED) {
            snprintf(why, size, "replication is stopped on replica %s", r->name);
        } else if (lag > x->o->max_lag_ms) {
            snprintf(why, size, "replica %s lags %ldms, above --max-lag %ldms", r->name, lag,
                     x->o->max_lag_ms);
        }
    }
}

/*
 * Waits while a pause is asked for; returns an error above --critical-load or when the run
 * is interrupted.  The reason of a pause is said once, and again when it changes.
 */
static int throttle(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    char said[256] = "";
    int64_t t0 = mg_monotonic_ms();
    int rc;

    for (;;) {
        char why[256] = "";
        struct stat stb;
        if (mg_run_interrupted())
            return mg_err_set(err, MG_ECANCELED, "interrupted");
        if (o->critical_load || o->max_load) {
            long n;
            rc = drv_active_sessions(x->c, &n, err);
            if (rc)
                return rc;
            if (o->critical_load && n > o->critical_load) {
                mg_err_set(err, MG_EFAIL,
                           "stopped: %ld active sessions on the server, above --critical-load %ld",
                           n, o->critical_load);
                mg_err_hint(err, "resume the job when the load is lower, or raise --critical-load");
                return MG_EFAIL;
            }
            if (o->max_load && n > o->max_load)
                snprintf(why, sizeof(why), "%ld active sessions, above --max-load %ld", n,
                         o->max_load);
        }
        if (!why[0] && o->max_lag_ms) {
            long lag;
            int replicas;
            rc = drv_replica_lag(x->c, &lag, &replicas, err);
            if (rc)
                return rc;
            if (!replicas && !o->nreplicas && !x->lag_warned &&
                !strcmp(x->c->info.dialect, "mysql")) {
                mg_warn("--max-lag: the server is not a replica, and a MySQL/MariaDB "
                        "primary cannot see its replicas' lag; name them with --replica URL, or "
                        "watch them with --throttle-query (a heartbeat table, for example)");
                x->lag_warned = 1;
            }
            if (lag == DRV_LAG_STOPPED)
                snprintf(why, sizeof(why), "replication is stopped on this server");
            else if (lag > o->max_lag_ms)
                snprintf(why, sizeof(why), "replication lag %ldms, above --max-lag %ldms", lag,
                         o->max_lag_ms);
            if (!why[0])
                replicas_lag(x, why, sizeof(why));
        }
        if (!why[0] && o->throttle_query) {
            int yes;
            rc = throttle_query_true(x, &yes, err);
            if (rc)
                return rc;
            if (yes)
                snprintf(why, sizeof(why), "--throttle-query returned true");
        }
        if (!why[0] && o->pause_file && stat(o->pause_file, &stb) == 0)
            snprintf(why, sizeof(why), "the pause file %s exists", o->pause_file);
        if (!why[0])
            break;
        if (strcmp(why, said) != 0) {
            mg_info("osc job %lld: paused: %s", x->j ? x->j->id : 0LL, why);
            snprintf(said, sizeof(said), "%s", why);
        }
        mg_sleep_ms(PAUSE_POLL);
    }
    if (said[0])
        mg_info("osc job %lld: resumed after %.1fs", x->j ? x->j->id : 0LL,
                (double)(mg_monotonic_ms() - t0) / 1000);
    x->res->throttled_ms += mg_monotonic_ms() - t0;
    return 0;
}

/* ---------- progress ---------- */

static void fmt_count(char *out, size_t size, long long n)
{
    char tmp[32];
    size_t len, k = 0;

    snprintf(tmp, sizeof(tmp), "%lld", n < 0 ? -n : n);
    len = strlen(tmp);
    if (n < 0 && k + 1 < size)
        out[k++] = '-';
    for (size_t i = 0; i < len && k + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = '\0';
}

struct progress {
    int64_t t0, last;
    long long rows0;   /* rows done when this phase started */
    long long paused0; /* time paused before it */
};

static void progress(struct osc_ctx *x, struct progress *p, const char *verb, long long done,
                     long long total, long batch, int force)
{
    int64_t now = mg_monotonic_ms();
    char d[32], t[32], rate_s[32], b[32], eta[64] = "";
    double secs, rate;

    if (!force && now - p->last < PROGRESS_EVERY)
        return;
    p->last = now;
    secs = (double)(now - p->t0 - (x->res->throttled_ms - p->paused0)) / 1000;
    rate = secs > 0 ? (double)(done - p->rows0) / secs : 0;
    fmt_count(d, sizeof(d), done);
    fmt_count(rate_s, sizeof(rate_s), (long long)rate);
    fmt_count(b, sizeof(b), batch);
    if (!force && total > 0 && rate > 0 && done < total) {
        struct mg_buf e = MG_BUF_INIT;
        mg_format_duration(&e, (double)(total - done) / rate * 1000);
        snprintf(eta, sizeof(eta), ", ETA %s", e.ptr);
        mg_buf_free(&e);
    }
    if (total > 0) {
        fmt_count(t, sizeof(t), total);
        mg_info("osc job %lld: %s %s of ~%s rows (%.0f%%), %s rows/s, batch %s%s", x->j->id, verb,
                d, t, done >= total ? 100.0 : 100.0 * (double)done / (double)total, rate_s, b, eta);
    } else {
        mg_info("osc job %lld: %s %s rows, %s rows/s, batch %s", x->j->id, verb, d, rate_s, b);
    }
}

/* ---------- phases ---------- */

static int is_phase(const struct osc_ctx *x, const char *ph)
{
    return !strcmp(x->j->phase, ph);
}

/* Replays the change log until it is drained (or only `keep` entries are left). */
static int drain(struct osc_ctx *x, long long keep, struct mg_err *err)
{
    for (int round = 0; round < 1000; round++) {
        long long done = 0, left = 0;
        int rc = x->be->replay(x, REPLAY_BATCH, &done, &left, err);
        if (rc)
            return rc;
        x->j->rows_replayed += done;
        if (left <= keep || done == 0)
            return 0;
        if (mg_run_interrupted())
            return mg_err_set(err, MG_ECANCELED, "interrupted");
    }
    return 0;
}

static int run_copy(struct osc_ctx *x, struct mg_err *err)
{
    struct progress p = {mg_monotonic_ms(), mg_monotonic_ms(), x->j->rows_copied,
                         x->res->throttled_ms};
    int64_t t0 = mg_monotonic_ms();
    int backfill = !strcmp(x->j->kind, "backfill");
    const char *verb = backfill ? "updated" : "copied";
    int rc;

    if (x->j->batch_size < MIN_BATCH)
        x->j->batch_size = FIRST_BATCH;
    while (is_phase(x, OSC_COPY)) {
        long long rows = 0;
        long n = x->j->batch_size;
        int64_t t;
        rc = throttle(x, err);
        if (rc)
            return rc;
        t = mg_monotonic_ms();
        rc = x->be->batch(x, n, &rows, err);
        if (rc)
            return rc;
        t = mg_monotonic_ms() - t;
        x->j->rows_copied += rows;
        x->j->batches++;
        mg_debug("osc job %lld: batch of %ld rows took %lldms", x->j->id, n, (long long)t);
        /* the next size follows the time this one took; a short last batch says nothing */
        if (is_phase(x, OSC_COPY) || rows >= n)
            x->j->batch_size = mg_osc_next_batch(n, t, x->o->chunk_ms);
        progress(x, &p, verb, x->j->rows_copied, x->j->rows_estimate, n, !is_phase(x, OSC_COPY));
    }
    x->res->copy_ms += mg_monotonic_ms() - t0;
    return 0;
}

static int run_verify(struct osc_ctx *x, struct mg_err *err)
{
    struct progress p = {mg_monotonic_ms(), mg_monotonic_ms(), 0, x->res->throttled_ms};
    int64_t t0 = mg_monotonic_ms();
    /* reading is cheaper than copying: start where the copy's sizing ended, twice over */
    long n = x->j->batch_size > FIRST_VERIFY / 2 ? 2 * x->j->batch_size : FIRST_VERIFY;
    long long checked = 0;
    int attempts = 0, rc;

    if (x->o->no_verify) {
        /* the user's call: no checksums, the swap relies on the triggers and the replay */
        mg_info("osc job %lld: verification skipped (--no-verify)", x->j->id);
        x->res->verify_skipped = 1;
        return osc_job_save_phase(x, OSC_CUTOVER, 0, err);
    }
    rc = drain(x, 0, err);
    if (rc)
        return rc;
    while (is_phase(x, OSC_VERIFY)) {
        struct mg_buf detail = MG_BUF_INIT;
        long long rows = 0;
        int match = 0;
        int64_t t;
        rc = throttle(x, err);
        if (rc)
            return rc;
        t = mg_monotonic_ms();
        x->recopying = attempts > 0;
        rc = x->be->verify(x, n, &match, &rows, &detail, err);
        t = mg_monotonic_ms() - t;
        if (rc) {
            mg_buf_free(&detail);
            return rc;
        }
        if (match) {
            if (attempts)
                x->j->ranges_recopied++;
            attempts = 0;
            checked += rows;
            x->j->ranges_verified++;
            if (is_phase(x, OSC_VERIFY))
                n = mg_osc_next_batch(n, t, x->o->chunk_ms);
            progress(x, &p, "verified", checked, x->j->rows_estimate, n, !is_phase(x, OSC_VERIFY));
            mg_buf_free(&detail);
            continue;
        }
        attempts++;
        if (attempts >= VERIFY_ATTEMPTS) {
            mg_err_set(err, MG_EFAIL,
                       "verification failed: a range of the shadow table still differs from the "
                       "original after %d re-copies",
                       VERIFY_ATTEMPTS - 1);
            mg_err_detail(err, "%s", detail.ptr);
            mg_err_hint(err,
                        "nothing was swapped; the cause is usually a USING expression that "
                        "is not deterministic, or a change made to the table outside the "
                        "triggers.  Remove the job with 'migrate osc --abort %lld'",
                        x->j->id);
            mg_buf_free(&detail);
            return MG_EFAIL;
        }
        mg_warn("osc job %lld: %s; re-copying the range", x->j->id, detail.ptr);
        mg_buf_free(&detail);
        rc = drain(x, 0, err);
        if (rc)
            return rc;
    }
    x->res->verify_ms += mg_monotonic_ms() - t0;
    return 0;
}

static int run_cutover(struct osc_ctx *x, struct mg_err *err)
{
    int64_t t0 = mg_monotonic_ms(), deadline = t0 + x->o->cutover_timeout_ms;
    int rc;

    for (;;) {
        rc = drain(x, CUTOVER_BACKLOG / 10, err);
        if (rc)
            return rc;
        x->res->cutover_attempts++;
        int64_t t = mg_monotonic_ms();
        rc = x->be->cutover(x, err);
        if (!rc) {
            x->res->lock_held_ms = mg_monotonic_ms() - t;
            break;
        }
        if (!mg_err_retryable(err) || mg_run_interrupted())
            return rc;
        int64_t now = mg_monotonic_ms();
        if (now >= deadline) {
            struct mg_buf who = MG_BUF_INIT;
            x->be->blockers(x, &who);
            mg_err_context(err, "the cut-over did not get its lock in %d attempts over %.1fs",
                           x->res->cutover_attempts, (double)(now - t0) / 1000);
            if (who.len)
                mg_err_detail(err, "locks on the table are held by %s", who.ptr);
            snprintf(err->hint, sizeof(err->hint),
                     "the shadow table stays in sync and nothing was swapped; end the "
                     "long-running sessions or retry later with 'migrate osc --resume %lld' "
                     "(--cut-over-timeout sets how long to keep trying)",
                     x->j->id);
            mg_buf_free(&who);
            return rc;
        }
        long wait = mg_backoff_ms(x->o->cutover_lock_ms * 2, x->res->cutover_attempts, 5000);
        if (now + wait > deadline)
            wait = (long)(deadline - now);
        struct mg_buf who = MG_BUF_INIT;
        x->be->blockers(x, &who);
        mg_warn("osc job %lld: cut-over attempt %d: %s%s%s%s; retrying in %ldms", x->j->id,
                x->res->cutover_attempts, err->msg, who.len ? " (locks held by " : "",
                who.len ? who.ptr : "", who.len ? ")" : "", wait);
        mg_buf_free(&who);
        mg_err_clear(err);
        mg_sleep_ms(wait);
    }
    x->res->cutover_ms += mg_monotonic_ms() - t0;
    mg_info("osc job %lld: swapped after %d attempt%s (the table was locked for %lldms)", x->j->id,
            x->res->cutover_attempts, x->res->cutover_attempts == 1 ? "" : "s",
            x->res->lock_held_ms);
    return 0;
}

/* Runs the job from its current phase to the end. */
static int run_job(struct osc_ctx *x, struct mg_err *err)
{
    int rc = 0;

    if (is_phase(x, OSC_COPY))
        rc = run_copy(x, err);
    if (!rc && is_phase(x, OSC_BUILD)) {
        int64_t t0 = mg_monotonic_ms();
        rc = x->be->build(x, err);
        x->res->build_ms += mg_monotonic_ms() - t0;
    }
    if (!rc && is_phase(x, OSC_VERIFY))
        rc = run_verify(x, err);
    if (!rc && is_phase(x, OSC_CUTOVER))
        rc = run_cutover(x, err);
    if (!rc && is_phase(x, OSC_SWAPPED))
        rc = x->be->finish(x, err);
    return rc;
}

/* ---------- entry points ---------- */

static const struct osc_backend *backend_for(struct drv_conn *c, struct mg_err *err)
{
    if (!strcmp(c->info.dialect, "postgres"))
        return &osc_pg_backend;
    if (!strcmp(c->info.dialect, "mysql"))
        return &osc_my_backend;
    mg_err_set(err, MG_EUSAGE, "online schema changes are not supported on %s", c->info.product);
    return NULL;
}

static void fill_result(struct osc_ctx *x)
{
    struct mg_osc_result *r = x->res;
    const struct osc_job *j = x->j;
    json_t *v;

    if (!j)
        return;
    r->job_id = j->id;
    snprintf(r->kind, sizeof(r->kind), "%s", j->kind);
    snprintf(r->phase, sizeof(r->phase), "%s", j->phase);
    snprintf(r->table, sizeof(r->table), "%s", x->qtable.ptr);
    r->key[0] = '\0';
    for (size_t i = 0; i < json_array_size(j->keycols); i++) {
        size_t l = strlen(r->key);
        snprintf(r->key + l, sizeof(r->key) - l, "%s%s", i ? ", " : "",
                 json_string_value(json_array_get(j->keycols, i)));
    }
    r->rows_estimate = j->rows_estimate;
    r->batch_size = j->batch_size;
    r->rows_copied = j->rows_copied;
    r->batches = j->batches;
    r->rows_replayed = j->rows_replayed;
    r->ranges_verified = j->ranges_verified;
    r->ranges_recopied = j->ranges_recopied;
    v = json_object_get(j->state, "old_table");
    snprintf(r->old_table, sizeof(r->old_table), "%s",
             json_is_string(v) ? json_string_value(v) : "");
    if (json_is_true(json_object_get(j->state, "old_dropped")))
        r->old_table[0] = '\0';
}

/* Takes the job's advisory lock: one process per job. */
static int lock_job(struct osc_ctx *x, struct mg_err *err)
{
    char name[64];
    int got = 0, rc;

    osc_lock_name(name, sizeof(name), x->j->id);
    rc = drv_try_lock(x->c, name, &got, err);
    if (rc)
        return rc;
    if (!got) {
        struct mg_buf who = MG_BUF_INIT;
        struct mg_err e2;
        mg_err_clear(&e2);
        drv_lock_holder(x->c, name, &who, &e2);
        mg_err_set(err, MG_ELOCKED, "osc job %lld is being run by another process", x->j->id);
        if (who.len)
            mg_err_detail(err, "held by %s", who.ptr);
        mg_err_hint(err, "wait for it to finish, or end that session on the server");
        mg_buf_free(&who);
        return MG_ELOCKED;
    }
    x->locked = 1;
    return 0;
}

static void unlock_job(struct osc_ctx *x)
{
    char name[64];
    struct mg_err e2;

    if (!x->locked)
        return;
    x->locked = 0;
    mg_err_clear(&e2);
    osc_lock_name(name, sizeof(name), x->j->id);
    drv_unlock(x->c, name, &e2);
}

static void set_qtable(struct osc_ctx *x)
{
    mg_buf_reset(&x->qtable);
    drv_quote_ident(x->c, &x->qtable, x->j->schema);
    mg_buf_addch(&x->qtable, '.');
    drv_quote_ident(x->c, &x->qtable, x->j->table);
}

static int opts_check(const struct mg_osc_opts *o, struct mg_err *err)
{
    if (o->chunk_ms < 10) {
        mg_err_set(err, MG_EUSAGE, "--chunk-time must be at least 10ms");
        return MG_EUSAGE;
    }
    if (o->cutover_lock_ms < 1) {
        mg_err_set(err, MG_EUSAGE, "--cut-over-lock-timeout must be at least 1ms");
        mg_err_hint(err, "without a lock timeout a blocked cut-over would queue every query on "
                         "the table behind it");
        return MG_EUSAGE;
    }
    if (o->threads < 1 || o->threads > OSC_MAX_THREADS) {
        mg_err_set(err, MG_EUSAGE, "--threads must be from 1 to %d, not %d", OSC_MAX_THREADS,
                   o->threads);
        return MG_EUSAGE;
    }
    if (o->threads > 1 && o->backfill) {
        mg_err_set(err, MG_EUSAGE,
                   "--threads is for --alter: a backfill updates one range at a "
                   "time");
        return MG_EUSAGE;
    }
    if (o->nreplicas && !o->max_lag_ms) {
        mg_err_set(err, MG_EUSAGE, "--replica goes with --max-lag");
        mg_err_hint(err, "say how much lag to allow: --max-lag 5s (in migrate.ini: osc.max_lag "
                         "beside osc.replicas)");
        return MG_EUSAGE;
    }
    if (o->critical_load && o->max_load && o->critical_load <= o->max_load) {
        mg_err_set(err, MG_EUSAGE, "--critical-load (%ld) must be above --max-load (%ld)",
                   o->critical_load, o->max_load);
        return MG_EUSAGE;
    }
    return 0;
}

static int restart_setup(struct osc_ctx *x, struct mg_osc_result *out, struct mg_err *err)
{
    struct mg_osc_opts o = *x->o;
    int rc = lock_job(x, err);

    if (rc)
        return rc;
    mg_info("osc job %lld stopped while it set up its shadow table (nothing was copied yet); "
            "removing what it made and starting the change of %s again",
            x->j->id, x->qtable.ptr);
    rc = x->be->abort(x, err);
    unlock_job(x);
    if (rc) {
        mg_err_context(err, "osc job %lld (%s, phase setup)", x->j->id, x->qtable.ptr);
        return rc;
    }
    o.resume_id = 0;
    o.table = NULL;
    o.alter = x->j->statement;
    o.from_migration = x->j->from_migration;
    o.mig_version = x->j->mig_version;
    o.mig_statement = x->j->mig_statement;
    return mg_osc_run(x->c, &o, out, err);
}

int mg_osc_run(struct drv_conn *c, const struct mg_osc_opts *opts, struct mg_osc_result *out,
               struct mg_err *err)
{
    struct osc_ctx x;
    int64_t t0 = mg_monotonic_ms();
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    mg_buf_init(&x.qtable);
    x.c = c;
    x.o = opts;
    x.res = out;
    rc = opts_check(opts, err);
    if (rc)
        return rc;
    x.be = backend_for(c, err);
    if (!x.be)
        return MG_EUSAGE;
    if (opts->threads > 1 && !x.be->threads) {
        mg_err_set(err, MG_EUSAGE, "--threads (or osc.threads) is for MariaDB and MySQL for now");
        mg_err_detail(err, "on %s the copy and the verification run in one session",
                      c->info.product);
        return MG_EUSAGE;
    }
    rc = mg_osc_ensure_tables(c, err);
    if (rc)
        return rc;
    if (opts->resume_id) {
        rc = osc_job_get(c, opts->resume_id, &x.j, err);
        if (!rc) {
            set_qtable(&x);
            out->resumed = 1;
            if (is_phase(&x, OSC_DONE) && !opts->drop_old) {
                mg_info("osc job %lld is already done", x.j->id);
            } else if (is_phase(&x, OSC_ABORTED)) {
                mg_err_set(err, MG_EUSAGE, "osc job %lld was aborted", x.j->id);
                mg_err_hint(err, "start a new job instead");
                rc = MG_EUSAGE;
            } else if (is_phase(&x, "setup") && !strcmp(x.j->kind, "alter")) {
                /*
                 * Stopped before its shadow and triggers were complete (MySQL commits each DDL
                 * statement; the PostgreSQL setup is one transaction): nothing was copied, so
                 * what it made goes and the change starts again as a new job.
                 */
                rc = restart_setup(&x, out, err);
                osc_job_free(x.j);
                mg_buf_free(&x.qtable);
                return rc;
            } else {
                rc = lock_job(&x, err);
                /* the replicas matter while rows are still copied, replayed or compared */
                if (!rc &&
                    (is_phase(&x, OSC_COPY) || is_phase(&x, OSC_BUILD) || is_phase(&x, OSC_VERIFY)))
                    rc = replicas_open(&x, err);
                if (!rc) {
                    mg_info("osc job %lld: resuming %s of %s (phase %s)", x.j->id,
                            !strcmp(x.j->kind, "backfill") ? "the backfill" : "the change",
                            x.qtable.ptr, x.j->phase);
                    rc = x.be->check(&x, err);
                    if (!rc && is_phase(&x, OSC_DONE))
                        rc = x.be->finish(&x, err);
                    else if (!rc)
                        rc = run_job(&x, err);
                }
            }
        }
    } else {
        rc = replicas_open(&x, err); /* a dry run checks them too */
        if (!rc)
            rc = opts->alter ? x.be->start_alter(&x, err) : x.be->start_backfill(&x, err);
        if (!rc && x.j)
            set_qtable(&x);
        if (!rc && !opts->dry_run) {
            rc = lock_job(&x, err);
            if (!rc)
                rc = run_job(&x, err);
        }
    }
    fill_result(&x);
    out->total_ms = mg_monotonic_ms() - t0;
    if (rc && x.j && x.j->id && !opts->dry_run) {
        job_save_error(&x, err);
        if (rc == MG_ECANCELED || err->code == MG_ECANCELED)
            mg_err_hint(err,
                        "the job stopped after its last committed batch; continue it with "
                        "'migrate osc --resume %lld'",
                        x.j->id);
        else if (!err->hint[0] && strcmp(x.j->phase, OSC_SWAPPED) && strcmp(x.j->phase, OSC_DONE))
            mg_err_hint(err,
                        "the original table is untouched; continue with 'migrate osc "
                        "--resume %lld' once the cause is fixed, or remove the job with "
                        "'migrate osc --abort %lld'",
                        x.j->id, x.j->id);
        else if (!err->hint[0])
            mg_err_hint(err, "the swap is done; finish the job with 'migrate osc --resume %lld'",
                        x.j->id);
        mg_err_context(err, "osc job %lld (%s, phase %s)", x.j->id, x.qtable.ptr, x.j->phase);
    }
    unlock_job(&x);
    replicas_close(&x);
    workers_close(&x);
    osc_job_free(x.j);
    mg_buf_free(&x.qtable);
    return rc;
}

int mg_osc_abort(struct drv_conn *c, long long id, const struct mg_osc_opts *opts,
                 struct mg_osc_result *out, struct mg_err *err)
{
    struct osc_ctx x;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&x, 0, sizeof(x));
    mg_buf_init(&x.qtable);
    x.c = c;
    x.o = opts;
    x.res = out;
    x.be = backend_for(c, err);
    if (!x.be)
        return MG_EUSAGE;
    rc = mg_osc_ensure_tables(c, err);
    if (!rc)
        rc = osc_job_get(c, id, &x.j, err);
    if (rc)
        return rc;
    set_qtable(&x);
    if (is_phase(&x, OSC_SWAPPED) || is_phase(&x, OSC_DONE)) {
        mg_err_set(err, MG_EUSAGE, "osc job %lld cannot be aborted: the tables were swapped", id);
        mg_err_hint(err,
                    "the change is live; the original table is kept as %s until you drop "
                    "it",
                    json_string_value(json_object_get(x.j->state, "old_table"))
                        ? json_string_value(json_object_get(x.j->state, "old_table"))
                        : "its old name");
        rc = MG_EUSAGE;
    } else if (is_phase(&x, OSC_ABORTED)) {
        mg_info("osc job %lld was already aborted", id);
    } else {
        rc = lock_job(&x, err);
        if (!rc)
            rc = x.be->abort(&x, err);
        unlock_job(&x);
    }
    fill_result(&x);
    osc_job_free(x.j);
    mg_buf_free(&x.qtable);
    return rc;
}

int mg_osc_list(struct drv_conn *c, json_t **out, struct mg_err *err)
{
    struct drv_result *r;
    json_t *a;
    int rc;

    *out = NULL;
    rc = mg_osc_ensure_tables(c, err);
    if (!rc)
        rc = drv_query(c, &r, mg_sql(c->info.dialect, "osc_job_list"), NULL, 0, err);
    if (rc)
        return rc;
    a = json_array();
    for (size_t i = 0; i < r->nrows; i++) {
        struct osc_job *j;
        char name[64], running = 0;
        struct mg_buf who = MG_BUF_INIT;
        struct mg_err e2;
        if (job_from_row(&j, r, i, err)) {
            json_decref(a);
            drv_result_free(r);
            return err->code;
        }
        mg_err_clear(&e2);
        osc_lock_name(name, sizeof(name), j->id);
        if (drv_lock_holder(c, name, &who, &e2) == 0 && who.len)
            running = 1;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(j->id));
        json_object_set_new(o, "kind", json_string(j->kind));
        json_object_set_new(o, "schema", json_string(j->schema));
        json_object_set_new(o, "table", json_string(j->table));
        json_object_set_new(o, "phase", json_string(j->phase));
        json_object_set_new(o, "running", json_boolean(running));
        json_object_set_new(o, "statement", json_string(j->statement));
        json_object_set_new(o, "rows_copied", json_integer(j->rows_copied));
        json_object_set_new(o, "rows_estimate", json_integer(j->rows_estimate));
        json_object_set_new(o, "batches", json_integer(j->batches));
        json_object_set_new(o, "started_at", json_string(j->started_at));
        json_object_set_new(o, "updated_at", json_string(j->updated_at));
        json_t *old = json_object_get(j->state, "old_table");
        if (json_is_string(old) && !json_is_true(json_object_get(j->state, "old_dropped")))
            json_object_set(o, "old_table", old);
        if (j->from_migration) {
            json_object_set_new(o, "migration_version", json_integer((json_int_t)j->mig_version));
            json_object_set_new(o, "migration_statement", json_integer(j->mig_statement));
        }
        json_object_set_new(o, "error", j->error ? json_string(j->error) : json_null());
        json_array_append_new(a, o);
        mg_buf_free(&who);
        osc_job_free(j);
    }
    drv_result_free(r);
    *out = a;
    return 0;
}

void mg_osc_result_free(struct mg_osc_result *r)
{
    json_decref(r->plan);
    r->plan = NULL;
}

json_t *mg_osc_result_json(const struct mg_osc_result *r)
{
    json_t *o = json_object();

    json_object_set_new(o, "job", json_integer(r->job_id));
    json_object_set_new(o, "kind", json_string(r->kind));
    json_object_set_new(o, "table", json_string(r->table));
    json_object_set_new(o, "key", json_string(r->key));
    json_object_set_new(o, "phase", json_string(r->phase));
    json_object_set_new(o, "resumed", json_boolean(r->resumed));
    json_object_set_new(o, "rows_estimate", json_integer(r->rows_estimate));
    json_object_set_new(o, "rows_copied", json_integer(r->rows_copied));
    json_object_set_new(o, "rows_replayed", json_integer(r->rows_replayed));
    json_object_set_new(o, "batches", json_integer(r->batches));
    json_object_set_new(o, "batch_size", json_integer(r->batch_size));
    json_object_set_new(o, "ranges_verified", json_integer(r->ranges_verified));
    json_object_set_new(o, "ranges_recopied", json_integer(r->ranges_recopied));
    json_object_set_new(o, "cutover_attempts", json_integer(r->cutover_attempts));
    json_object_set_new(o, "lock_held_ms", json_integer(r->lock_held_ms));
    json_object_set_new(o, "copy_ms", json_integer(r->copy_ms));
    json_object_set_new(o, "build_ms", json_integer(r->build_ms));
    json_object_set_new(o, "verify_ms", json_integer(r->verify_ms));
    json_object_set_new(o, "verified", json_boolean(!r->verify_skipped));
    json_object_set_new(o, "cutover_ms", json_integer(r->cutover_ms));
    json_object_set_new(o, "throttled_ms", json_integer(r->throttled_ms));
    json_object_set_new(o, "duration_ms", json_integer(r->total_ms));
    json_object_set_new(o, "old_table", r->old_table[0] ? json_string(r->old_table) : json_null());
    return o;
}

/* ---------- online migration files ---------- */

int mg_osc_online_statement(const char *dialect, const char *sql, size_t len, char **table)
{
    *table = NULL;
    if (!strcmp(dialect, "postgres"))
        return osc_pg_online_statement(sql, len, table);
    if (!strcmp(dialect, "mysql"))
        return osc_my_online_statement(sql, len, table);
    return 0;
}

int mg_osc_run_statement(struct drv_conn *c, const struct mg_osc_opts *base, const char *sql,
                         size_t len, struct mg_err *err)
{
    struct mg_osc_opts o = *base;
    struct mg_osc_result res;
    struct drv_result *r;
    char ver[24], stmt[16];
    const char *p[2] = {ver, stmt};
    char *text = mg_strndup(sql, len);
    int rc;

    rc = mg_osc_ensure_tables(c, err);
    if (rc) {
        free(text);
        return rc;
    }
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)base->mig_version);
    snprintf(stmt, sizeof(stmt), "%d", base->mig_statement);
    rc = drv_query(c, &r, mg_sql(c->info.dialect, "osc_job_for_stmt"), p, 2, err);
    if (rc) {
        free(text);
        return rc;
    }
    if (r->nrows) {
        struct osc_job *j;
        rc = job_from_row(&j, r, 0, err);
        if (!rc) {
            if (!strcmp(j->phase, OSC_DONE)) {
                mg_info("  statement %d: osc job %lld already did this change", base->mig_statement,
                        j->id);
                osc_job_free(j);
                drv_result_free(r);
                free(text);
                return 0;
            }
            if (strcmp(j->phase, OSC_ABORTED) != 0) {
                if (strcmp(j->statement, text) != 0 && strcmp(j->phase, OSC_SWAPPED) != 0) {
                    mg_err_set(err, MG_EATTENTION,
                               "osc job %lld was started for this statement as it read before "
                               "an edit",
                               j->id);
                    mg_err_hint(err,
                                "restore the statement, or remove the job with 'migrate osc "
                                "--abort %lld' and run 'migrate up' again",
                                j->id);
                    rc = MG_EATTENTION;
                } else {
                    o.resume_id = j->id;
                }
            }
            osc_job_free(j);
        }
    }
    drv_result_free(r);
    if (!rc) {
        o.alter = text;
        rc = mg_osc_run(c, &o, &res, err);
        if (!rc)
            mg_info("  statement %d: online change of %s done (osc job %lld, %lld rows, %lldms)",
                    base->mig_statement, res.table, res.job_id, res.rows_copied, res.total_ms);
        mg_osc_result_free(&res);
    }
    free(text);
    return rc;
}
