/* scratch.c — throwaway databases on a sandbox server (see scratch.h). */
#include "scratch.h"

#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "util.h"

int mg_scratch_dburl(struct mg_buf *out, const char *url, const char *dbname, struct mg_err *err)
{
    const char *p = strstr(url, "://");
    const char *q, *slash;

    if (!p)
        return mg_err_set(err, MG_EUSAGE, "'%s' is not a database URL", url);
    p += 3;
    q = strchr(p, '?');
    if (!q)
        q = p + strlen(p);
    slash = memchr(p, '/', (size_t)(q - p));
    if (!slash)
        slash = q;
    mg_buf_add(out, url, (size_t)(slash - url));
    mg_buf_addch(out, '/');
    mg_buf_adds(out, dbname);
    mg_buf_adds(out, q);
    return 0;
}

/* Runs one statement on the sandbox's own database. */
static int admin_exec(struct mg_scratch *s, const char *verb, struct mg_err *err)
{
    struct drv_conn *c;
    struct mg_buf sql = MG_BUF_INIT;
    struct drv_connect_opts o = {.application_name = "migrate scratch"};
    int rc = drv_open(&c, s->admin_url, &o, err);

    if (rc)
        return rc;
    mg_buf_addf(&sql, "%s ", verb);
    drv_quote_ident(c, &sql, s->dbname);
    rc = drv_exec(c, sql.ptr, NULL, err);
    if (rc)
        mg_err_context(err, "%s on the sandbox", sql.ptr);
    drv_close(c);
    mg_buf_free(&sql);
    return rc;
}

int mg_scratch_start(struct mg_scratch *out, const char *driver, const char *dbname,
                     struct mg_err *err)
{
    struct mg_buf url = MG_BUF_INIT;
    const char *kind = !strcmp(driver, "mysql") ? "mariadb" : driver;
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(out->dbname, sizeof(out->dbname), "%s", dbname);
    mg_info("starting a %s sandbox", kind);
    rc = mg_sandbox_start(&out->sb, kind, NULL, err);
    if (rc) {
        mg_err_context(err, "starting the %s sandbox", kind);
        return rc;
    }
    out->started = 1;
    snprintf(out->admin_url, sizeof(out->admin_url), "%s", out->sb.url);
    rc = mg_scratch_dburl(&url, out->sb.url, dbname, err);
    if (!rc)
        snprintf(out->url, sizeof(out->url), "%s", url.ptr);
    mg_buf_free(&url);
    if (!rc)
        rc = admin_exec(out, "CREATE DATABASE", err);
    if (rc)
        mg_scratch_stop(out);
    return rc;
}

int mg_scratch_reset(struct mg_scratch *s, struct mg_err *err)
{
    int rc = admin_exec(s, "DROP DATABASE", err);

    if (!rc)
        rc = admin_exec(s, "CREATE DATABASE", err);
    return rc;
}

void mg_scratch_stop(struct mg_scratch *s)
{
    struct mg_err e;

    if (!s->started)
        return;
    mg_err_clear(&e);
    if (mg_sandbox_stop(&s->sb, 0, &e))
        mg_warn("could not stop the sandbox in %s: %s", s->sb.dir, e.msg);
    s->started = 0;
}
