/*
 * config.c — the linter's configuration: defaults, --enable/--disable
 * lists, the PostgreSQL version, and the [lint] section of migrate.ini read
 * with libinih (format in docs/lint.md).
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint_int.h"
#include "util.h"

void chk_config_init(struct chk_config *c)
{
    memset(c, 0, sizeof(*c));
    c->dialect = CHK_PG;
    c->pg_version = 15;
    c->pg_minor = -1;
    c->fail_on = CHK_ERROR;
    for (int i = 0; i < CHK_NRULES; i++)
        c->sev[i] = chk_rules[i].opt_in ? CHK_OFF : chk_rules[i].severity;
}

int chk_config_rules(struct chk_config *c, const char *list, int enable, struct mg_err *err)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *s = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (p == s)
            break;
        if ((size_t)(p - s) == 3 && !strncasecmp(s, "all", 3)) {
            for (int i = 0; i < CHK_NRULES; i++)
                c->sev[i] = enable ? chk_rules[i].severity : CHK_OFF;
            continue;
        }
        int r = chk_rule_lookup(s, (size_t)(p - s));
        if (r < 0) {
            mg_err_set(err, MG_EUSAGE, "unknown rule '%.*s'", (int)(p - s), s);
            mg_err_hint(err, "docs/checks/ has a page per rule; use its name or id");
            return MG_EUSAGE;
        }
        c->sev[r] = enable ? chk_rules[r].severity : CHK_OFF;
    }
    return 0;
}

int chk_config_pg_version(struct chk_config *c, const char *s, struct mg_err *err)
{
    char *end;
    errno = 0;
    long major = strtol(s, &end, 10);
    long minor = -1;
    if (end != s && *end == '.') {
        const char *m = end + 1;
        minor = strtol(m, &end, 10);
        if (end == m)
            minor = -2;
    }
    if (errno || end == s || *end || major < 9 || major > 99 || minor == -2) {
        mg_err_set(err, MG_EUSAGE, "'%s' is not a PostgreSQL version", s);
        mg_err_hint(err, "give the major version, as --pg-version 15, or major.minor as 14.3");
        return MG_EUSAGE;
    }
    c->pg_version = (int)major;
    c->pg_minor = (int)minor;
    return 0;
}

struct ini_state {
    struct chk_config *c;
    struct mg_err *err;
    const char *path;
};

/* libinih handler: one name = value of the file; returns 0 to stop on an error. */
static int lint_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    struct chk_config *c = st->c;
    struct mg_err *err = st->err;

    if (!strcasecmp(section, "lint")) {
        if (!strcasecmp(name, "disable") || !strcasecmp(name, "disabled"))
            return chk_config_rules(c, value, 0, err) == 0;
        if (!strcasecmp(name, "enable") || !strcasecmp(name, "enabled"))
            return chk_config_rules(c, value, 1, err) == 0;
        if (!strcasecmp(name, "fail-on")) {
            if (chk_sev_parse(&c->fail_on, value) || c->fail_on == CHK_OFF) {
                mg_err_set(err, MG_EUSAGE, "fail-on must be error, warning or info, not '%s'",
                           value);
                return 0;
            }
            return 1;
        }
        if (!strcasecmp(name, "docs-url")) {
            snprintf(c->docs_url, sizeof(c->docs_url), "%s", value);
            return 1;
        }
        if (!strcasecmp(name, "pg-version"))
            return chk_config_pg_version(c, value, err) == 0;
        if (!strcasecmp(name, "dialect")) {
            if (!strcasecmp(value, "postgres") || !strcasecmp(value, "postgresql"))
                c->dialect = CHK_PG;
            else if (!strcasecmp(value, "mysql") || !strcasecmp(value, "mariadb"))
                c->dialect = CHK_MY;
            else {
                mg_err_set(err, MG_EUSAGE, "dialect must be postgres or mysql, not '%s'", value);
                return 0;
            }
            c->dialect_configured = 1;
            return 1;
        }
        mg_err_set(err, MG_EUSAGE, "unknown setting '%s' in [lint]", name);
        mg_err_hint(err, "[lint] knows enable, disable, fail-on, pg-version, dialect and docs-url; "
                         "severities go in [lint.severity]");
        return 0;
    }
    if (!strcasecmp(section, "lint.severity")) {
        int r = chk_rule_lookup(name, strlen(name));
        enum chk_sev sev;
        if (r < 0) {
            mg_err_set(err, MG_EUSAGE, "unknown rule '%s' in [lint.severity]", name);
            return 0;
        }
        if (chk_sev_parse(&sev, value)) {
            mg_err_set(err, MG_EUSAGE, "severity of '%s' must be error, warning, info or off",
                       name);
            return 0;
        }
        c->sev[r] = sev;
        return 1;
    }
    return 1; /* other sections belong to other commands */
}

int chk_config_load(struct chk_config *c, const char *path, int required, struct mg_err *err)
{
    FILE *fp = fopen(path, "r");
    struct ini_state st = {c, err, path};

    if (!fp) {
        if (!required && errno == ENOENT)
            return 0;
        mg_err_set(err, MG_EUSAGE, "cannot read the configuration '%s': %s", path, strerror(errno));
        return MG_EUSAGE;
    }
    int line = ini_parse_file(fp, lint_ini_handler, &st);
    fclose(fp);
    if (line != 0) {
        if (!err->code)
            mg_err_set(err, MG_EUSAGE, "cannot parse the configuration");
        mg_err_context(err, "%s line %d", path, line);
        snprintf(err->file, sizeof(err->file), "%s", path);
        err->line = line;
        if (!err->hint[0])
            mg_err_hint(err, "docs/lint.md describes the [lint] section of migrate.ini");
        return MG_EUSAGE;
    }
    return 0;
}
