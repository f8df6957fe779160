/* config.c — migrate.ini environments (see config.h). */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "util.h"

struct parse_state {
    struct mg_config *c;
    struct mg_err *err;
    struct mg_env *cur; /* section being read, or NULL for sections that are not ours */
    char section[128];
    FILE *f;
    int line; /* Debian's inih passes no line numbers: the reader counts them */
};

static char *read_line(char *str, int num, void *stream)
{
    struct parse_state *st = stream;
    char *r = fgets(str, num, st->f);

    if (r)
        st->line++;
    return r;
}

static int truthy(const char *v, int *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
        !strcmp(v, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
        !strcmp(v, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    struct mg_config *c = st->c;
    int lineno = st->line;

    if (!name) /* a new section (INI_CALL_HANDLER_ON_NEW_SECTION builds only) */
        return 1;
    if (strcmp(st->section, section) != 0) {
        snprintf(st->section, sizeof(st->section), "%s", section);
        st->cur = NULL;
        if (!strncmp(section, "env.", 4)) {
            if (!section[4]) {
                mg_err_set(st->err, MG_EUSAGE, "%s:%d: [env.] needs a name, as in [env.staging]",
                           c->path, lineno);
                return 0;
            }
            for (size_t i = 0; i < c->n; i++)
                if (!strcmp(c->envs[i].name, section + 4)) {
                    mg_err_set(st->err, MG_EUSAGE, "%s:%d: environment '%s' is defined twice",
                               c->path, lineno, section + 4);
                    return 0;
                }
            mg_grow_array((void **)&c->envs, &c->cap, c->n + 1, sizeof(*c->envs));
            st->cur = &c->envs[c->n++];
            memset(st->cur, 0, sizeof(*st->cur));
            st->cur->name = mg_strdup(section + 4);
            st->cur->line = lineno;
        }
    }
    if (!st->cur)
        return 1; /* [lint] and others belong to other modules */
    struct mg_env *e = st->cur;
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"database", offsetof(struct mg_env, database)},
        {"path", offsetof(struct mg_env, path)},
        {"lock_timeout", offsetof(struct mg_env, lock_timeout)},
        {"statement_timeout", offsetof(struct mg_env, statement_timeout)},
        {"retries", offsetof(struct mg_env, retries)},
        {"lock_wait", offsetof(struct mg_env, lock_wait)},
        {"retry_delay", offsetof(struct mg_env, retry_delay)},
        {"checkpoint_dir", offsetof(struct mg_env, checkpoint_dir)},
        {"gate.lint", offsetof(struct mg_env, gate_lint)},
        {"gate.preflight", offsetof(struct mg_env, gate_preflight)},
        {"gate.max_xact_age", offsetof(struct mg_env, gate_max_xact_age)},
        {"gate.max_lag", offsetof(struct mg_env, gate_max_lag)},
        {"gate.max_blocking", offsetof(struct mg_env, gate_max_blocking)},
        {"gate.checkpoint", offsetof(struct mg_env, gate_checkpoint)},
        {"gate.confirm", offsetof(struct mg_env, gate_confirm)},
        {"osc.max_lag", offsetof(struct mg_env, osc_max_lag)},
        {"osc.replicas", offsetof(struct mg_env, osc_replicas)},
        {"osc.max_load", offsetof(struct mg_env, osc_max_load)},
        {"osc.critical_load", offsetof(struct mg_env, osc_critical_load)},
        {"osc.chunk_time", offsetof(struct mg_env, osc_chunk_time)},
        {"osc.threads", offsetof(struct mg_env, osc_threads)},
    };
    if (!strcmp(name, "production")) {
        if (truthy(value, &e->production) < 0) {
            mg_err_set(st->err, MG_EUSAGE, "%s:%d: production = '%s' is not true or false", c->path,
                       lineno, value);
            return 0;
        }
        return 1;
    }
    for (size_t i = 0; i < MG_ARRAY_SIZE(keys); i++) {
        if (strcmp(name, keys[i].key) != 0)
            continue;
        char **slot = (char **)((char *)e + keys[i].off);
        free(*slot);
        *slot = mg_strdup(value);
        return 1;
    }
    mg_err_set(st->err, MG_EUSAGE, "%s:%d: unknown setting '%s' in [env.%s]", c->path, lineno, name,
               e->name);
    mg_err_hint(st->err, "settings: database, path, production, lock_timeout, "
                         "statement_timeout, retries, lock_wait, retry_delay, checkpoint_dir, "
                         "gate.lint, gate.preflight, gate.max_xact_age, gate.max_lag, "
                         "gate.max_blocking, gate.checkpoint, gate.confirm, osc.max_lag, "
                         "osc.replicas, osc.max_load, osc.critical_load, osc.chunk_time, "
                         "osc.threads");
    return 0;
}

int mg_config_load(struct mg_config *out, const char *path, int must_exist, struct mg_err *err)
{
    struct parse_state st;
    FILE *f;
    int rc;

    memset(out, 0, sizeof(*out));
    f = fopen(path, "r");
    if (!f) {
        if (!must_exist && errno == ENOENT)
            return 0;
        return mg_err_set(err, must_exist && errno == ENOENT ? MG_EUSAGE : MG_EFAIL,
                          "cannot read the configuration file '%s': %s", path, strerror(errno));
    }
    out->path = mg_strdup(path);
    memset(&st, 0, sizeof(st));
    st.c = out;
    st.err = err;
    st.f = f;
    rc = ini_parse_stream(read_line, &st, on_entry, &st);
    fclose(f);
    if (err->code)
        return err->code;
    if (rc > 0)
        return mg_err_set(err, MG_EUSAGE, "%s:%d: this line is not 'key = value' or '[section]'",
                          path, rc);
    if (rc < 0)
        return mg_err_set(err, MG_EFAIL, "cannot read the configuration file '%s'", path);
    return 0;
}

void mg_config_free(struct mg_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct mg_env *e = &c->envs[i];
        char **all[] = {&e->name,         &e->database,          &e->path,
                        &e->lock_timeout, &e->statement_timeout, &e->retries,
                        &e->lock_wait,    &e->retry_delay,       &e->checkpoint_dir,
                        &e->gate_lint,    &e->gate_preflight,    &e->gate_max_xact_age,
                        &e->gate_max_lag, &e->gate_max_blocking, &e->gate_checkpoint,
                        &e->gate_confirm, &e->osc_max_lag,       &e->osc_replicas,
                        &e->osc_max_load, &e->osc_critical_load, &e->osc_chunk_time,
                        &e->osc_threads};
        for (size_t k = 0; k < MG_ARRAY_SIZE(all); k++)
            free(*all[k]);
    }
    free(c->envs);
    free(c->path);
    memset(c, 0, sizeof(*c));
}

const struct mg_env *mg_config_env(const struct mg_config *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->envs[i].name, name))
            return &c->envs[i];
    return NULL;
}

int mg_config_resolve(char **out, const char *raw, const char *what, struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT;

    *out = NULL;
    if (!strncmp(raw, "@file:", 6)) {
        struct mg_err e2;
        mg_err_clear(&e2);
        if (mg_read_file(&b, raw + 6, 1 << 20, &e2) < 0) {
            mg_buf_free(&b);
            mg_err_set(err, MG_EUSAGE, "%s: %s", what, e2.msg);
            return MG_EUSAGE;
        }
        mg_buf_rtrim(&b);
        *out = mg_buf_detach(&b);
        return 0;
    }
    for (const char *p = raw; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p, '}');
            if (!close) {
                mg_buf_free(&b);
                return mg_err_set(err, MG_EUSAGE, "%s: '${' without its '}'", what);
            }
            char *var = mg_strndup(p + 2, (size_t)(close - p - 2));
            const char *v = getenv(var);
            if (!v) {
                mg_err_set(err, MG_EUSAGE, "%s: the environment variable %s is not set", what, var);
                free(var);
                mg_buf_free(&b);
                return MG_EUSAGE;
            }
            free(var);
            mg_buf_adds(&b, v);
            p = close + 1;
        } else {
            mg_buf_addch(&b, *p++);
        }
    }
    *out = mg_buf_detach(&b);
    return 0;
}

/* A URL written with its password in the file, rather than through ${VAR} or @file:? */
int mg_config_literal_password(const char *raw)
{
    struct mg_url u;
    struct mg_err e;
    int has;

    if (!strncmp(raw, "@file:", 6))
        return 0;
    mg_err_clear(&e);
    if (mg_url_parse(&u, raw, &e) < 0)
        return 0;
    has = (u.password && !strstr(u.password, "${")) ||
          (mg_url_param(&u, "password") && !strstr(mg_url_param(&u, "password"), "${"));
    mg_url_free(&u);
    /* ${...} in the password part parses as text; check the raw text too */
    if (has) {
        const char *at = strrchr(raw, '@');
        const char *colon = strstr(raw, "://");
        colon = colon ? strchr(colon + 3, ':') : NULL;
        if (colon && at && colon < at && memmem(colon, (size_t)(at - colon), "${", 2))
            return 0;
    }
    return has;
}

int mg_env_confirm_required(const struct mg_env *env)
{
    int on;

    if (!env)
        return 0;
    if (env->gate_confirm && truthy(env->gate_confirm, &on) == 0)
        return on;
    return env->production;
}

int mg_config_apply(struct mg_ctx *ctx, const struct mg_env *env, struct mg_err *err)
{
    char what[160];
    char *v = NULL;

    if (env->production && env->database && mg_config_literal_password(env->database)) {
        mg_err_set(err, MG_EUSAGE,
                   "environment '%s' is marked production and its database URL holds a "
                   "literal password",
                   env->name);
        mg_err_hint(err, "keep the password out of migrate.ini: write ${DATABASE_URL} or "
                         "@file:/run/secrets/database-url, or use ~/.pgpass");
        return MG_EUSAGE;
    }
    if (env->production && env->osc_replicas) {
        /* each URL of the list, as the user wrote it */
        char *list = mg_strdup(env->osc_replicas), *save = NULL;
        int bad = 0;
        for (char *u = strtok_r(list, " \t\r\n", &save); u && !bad;
             u = strtok_r(NULL, " \t\r\n", &save))
            bad = mg_config_literal_password(u);
        free(list);
        if (bad) {
            mg_err_set(err, MG_EUSAGE,
                       "environment '%s' is marked production and a URL of its osc.replicas holds "
                       "a literal password",
                       env->name);
            mg_err_hint(err, "write ${REPLICA_URL} or @file:PATH in migrate.ini instead");
            return MG_EUSAGE;
        }
    }
#define RESOLVE(field, bit, key)                                                                   \
    do {                                                                                           \
        if (env->field && !(ctx->cli_set & (bit))) {                                               \
            snprintf(what, sizeof(what), "migrate.ini [env.%s] %s", env->name, key);               \
            if (mg_config_resolve(&v, env->field, what, err))                                      \
                return err->code;                                                                  \
        } else {                                                                                   \
            v = NULL;                                                                              \
        }                                                                                          \
    } while (0)

    /* the context points at these until exit: kept here, they stay reachable */
    static char *database, *path;
    RESOLVE(database, MG_SET_DATABASE, "database");
    if (v) {
        free(database);
        ctx->database_url = database = v;
    }
    RESOLVE(path, MG_SET_PATH, "path");
    if (v) {
        free(path);
        ctx->path = path = v;
    }
    RESOLVE(lock_timeout, MG_SET_LOCK_TIMEOUT, "lock_timeout");
    if (v && mg_parse_duration(&ctx->lock_timeout_ms, v, err))
        goto bad;
    free(v);
    RESOLVE(statement_timeout, MG_SET_STATEMENT_TIMEOUT, "statement_timeout");
    if (v && mg_parse_duration(&ctx->statement_timeout_ms, v, err))
        goto bad;
    free(v);
    RESOLVE(lock_wait, MG_SET_LOCK_WAIT, "lock_wait");
    if (v && mg_parse_duration(&ctx->lock_wait_ms, v, err))
        goto bad;
    free(v);
    RESOLVE(retry_delay, MG_SET_RETRY_DELAY, "retry_delay");
    if (v && mg_parse_duration(&ctx->retry_delay_ms, v, err))
        goto bad;
    free(v);
    RESOLVE(retries, MG_SET_RETRIES, "retries");
    if (v) {
        uint64_t n;
        if (mg_parse_u64(&n, v, strlen(v)) < 0 || n > 100) {
            mg_err_set(err, MG_EUSAGE, "%s: retries = '%s' is not a number from 0 to 100", what, v);
            goto bad;
        }
        ctx->retries = (int)n;
    }
    free(v);
    ctx->env = env;
    return 0;
bad:
    mg_err_context(err, "%s", what);
    free(v);
    return err->code;
#undef RESOLVE
}
