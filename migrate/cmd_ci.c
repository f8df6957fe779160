/*
 * cmd_ci.c — migrate ci: the pull-request bundle in one command, with no
 * database service: everything it needs comes up and goes away inside it.
 *
 *   1. validate: with git, the migration files this change adds or changes
 *      since the merge base with --base (default origin/main, else main);
 *      a merged migration edited or deleted is an error, a new version below
 *      the highest at the base is an error (out of order), and the files'
 *      own problems (duplicates, missing downs ...) are reported;
 *   2. lint the new and changed files, the older ones serving as context;
 *   3. replay every migration on a sandbox of each driver, then check that
 *      each new migration's down undoes its up (test-rollback);
 *   4. report: text on stdout, --sarif FILE, --junit FILE, GitHub
 *      annotations under GITHUB_ACTIONS, a Markdown summary appended to
 *      GITHUB_STEP_SUMMARY.
 * The exit code is 3 when any error-level finding exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "checks.h"
#include "cmds.h"
#include "config.h"
#include "log.h"
#include "proc.h"
#include "rollback.h"
#include "run.h"
#include "util.h"

/* What git says about the change. */
struct change {
    int known;      /* git and the base ref were found */
    char base[128]; /* the ref compared with */
    char mb[64];    /* merge base commit */
    char **added;   /* file names in the migrations directory */
    size_t nadded, capa;
    char **changed; /* modified or deleted since the base */
    char *deleted;  /* per changed file: 1 when deleted */
    size_t nchanged, capc;
    uint64_t base_max; /* highest migration version at the base */
};

struct ci_step {
    const char *name; /* validate, lint, replay, rollback */
    const char *driver;
    int ran;
    double seconds;
};

struct ci {
    struct mg_ctx *ctx;
    struct mg_source src;
    struct change ch;
    struct mg_problems found; /* validate, replay and rollback findings */
    struct chk_config lint_cfg;
    struct chk_result lint;
    int linted;
    struct ci_step steps[8];
    size_t nsteps;
    int allow_ooo;
    const char *drivers[2];
    size_t ndrivers;
    struct mg_rollback_report rb[2]; /* per driver */
};

/* Runs git in the migrations directory; output in `out`, 0 on success. */
static int git(struct ci *c, struct mg_buf *out, const char *const *args)
{
    const char *argv[16] = {"git", "-C", c->ctx->path};
    size_t n = 3;
    struct mg_err e;

    for (const char *const *a = args; *a && n < 15; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    mg_err_clear(&e);
    mg_buf_reset(out);
    return mg_proc_run(argv, NULL, out, &e) == 0 ? 0 : -1;
}

static void add_name(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
    mg_grow_array((void **)v, cap, *n + 1, sizeof(char *));
    (*v)[(*n)++] = mg_strndup(s, len);
}

/* The version of a migration file name in any layout, or 0. */
static uint64_t name_version(const char *name)
{
    uint64_t v = 0;
    const char *p = name;
    size_t n = 0;

    if ((name[0] == 'V' || name[0] == 'U') && name[1] >= '0' && name[1] <= '9')
        p++;
    while (p[n] >= '0' && p[n] <= '9')
        n++;
    if (!n || !mg_str_ends_with(name, ".sql") || mg_parse_u64(&v, p, n) < 0)
        return 0;
    return v;
}

static void find_change(struct ci *c, const char *base)
{
    struct mg_buf out = MG_BUF_INIT;
    const char *candidates[2] = {base, base ? NULL : "main"};

    if (!base)
        candidates[0] = "origin/main";
    {
        const char *args[] = {"rev-parse", "--is-inside-work-tree", NULL};
        if (git(c, &out, args) < 0) {
            mg_warn("no git repository around '%s' (or no git): checking all migrations as new",
                    c->ctx->path);
            goto out;
        }
    }
    for (size_t i = 0; i < 2 && candidates[i] && !c->ch.known; i++) {
        char spec[160];
        snprintf(spec, sizeof(spec), "%s^{commit}", candidates[i]);
        const char *verify[] = {"rev-parse", "--verify", "--quiet", spec, NULL};
        if (git(c, &out, verify) < 0)
            continue;
        const char *mb[] = {"merge-base", "HEAD", candidates[i], NULL};
        if (git(c, &out, mb) < 0)
            continue;
        mg_buf_rtrim(&out);
        snprintf(c->ch.mb, sizeof(c->ch.mb), "%s", out.ptr);
        snprintf(c->ch.base, sizeof(c->ch.base), "%s", candidates[i]);
        c->ch.known = 1;
    }
    if (!c->ch.known) {
        mg_warn("the base %s was not found in git: checking all migrations as new",
                base ? base : "(origin/main or main)");
        goto out;
    }
    mg_info("comparing with %s (merge base %.12s)", c->ch.base, c->ch.mb);
    const char *diff[] = {"diff", "--relative", "--name-status", "--no-renames", c->ch.mb, "--",
                          ".",    NULL};
    if (git(c, &out, diff) == 0) {
        for (char *line = out.ptr; *line;) {
            char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (len > 2 && line[1] == '\t' && !memchr(line + 2, '/', len - 2)) {
                if (line[0] == 'A') {
                    add_name(&c->ch.added, &c->ch.nadded, &c->ch.capa, line + 2, len - 2);
                } else {
                    add_name(&c->ch.changed, &c->ch.nchanged, &c->ch.capc, line + 2, len - 2);
                    c->ch.deleted = mg_realloc(c->ch.deleted, c->ch.capc);
                    c->ch.deleted[c->ch.nchanged - 1] = line[0] == 'D';
                }
            }
            line = nl ? nl + 1 : line + len;
        }
    }
    const char *untracked[] = {"ls-files", "--others", "--exclude-standard", "--", ".", NULL};
    if (git(c, &out, untracked) == 0) {
        for (char *line = out.ptr; *line;) {
            char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            if (len && !memchr(line, '/', len))
                add_name(&c->ch.added, &c->ch.nadded, &c->ch.capa, line, len);
            line = nl ? nl + 1 : line + len;
        }
    }
    const char *tree[] = {"ls-tree", "--name-only", c->ch.mb, "--", ".", NULL};
    if (git(c, &out, tree) == 0) {
        for (char *line = out.ptr; *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            uint64_t v = name_version(line);
            if (v > c->ch.base_max && !strstr(line, ".down.sql") && line[0] != 'U')
                c->ch.base_max = v;
            line = nl ? nl + 1 : line + strlen(line);
        }
    }
out:
    mg_buf_free(&out);
}

static int is_added(const struct ci *c, const char *name)
{
    for (size_t i = 0; i < c->ch.nadded; i++)
        if (!strcmp(c->ch.added[i], name))
            return 1;
    return 0;
}

static int is_changed(const struct ci *c, const char *name)
{
    for (size_t i = 0; i < c->ch.nchanged; i++)
        if (!strcmp(c->ch.changed[i], name))
            return 1;
    return 0;
}

/* New or changed by this change (everything when git could not tell). */
static int is_fresh(const struct ci *c, const char *name)
{
    return !c->ch.known || is_added(c, name) || is_changed(c, name);
}

static void validate(struct ci *c)
{
    struct mg_buf path = MG_BUF_INIT, old = MG_BUF_INIT, cur = MG_BUF_INIT;

    for (size_t i = 0; i < c->src.problems.n; i++) {
        const struct mg_problem *p = &c->src.problems.v[i];
        mg_problems_add(&c->found, p->sev, p->code, p->file, p->line, p->version, p->hint, "%s",
                        p->msg);
    }
    if (!c->ch.known)
        goto out;
    for (size_t i = 0; i < c->ch.nchanged; i++) {
        const char *name = c->ch.changed[i];
        if (!name_version(name))
            continue;
        mg_buf_reset(&path);
        mg_buf_addf(&path, "%s/%s", c->ctx->path, name);
        if (c->ch.deleted[i]) {
            mg_problems_add(&c->found, MG_SEV_ERROR, "deleted-merged-migration", path.ptr, 0,
                            name_version(name),
                            "restore it: databases that applied it still have it; revert its "
                            "effect in a new migration instead",
                            "'%s' was merged in %s and this change deletes it", name, c->ch.base);
            continue;
        }
        /* compare as the checksum does, so a line-ending change alone is no edit */
        char spec[600];
        snprintf(spec, sizeof(spec), "%s:./%s", c->ch.mb, name);
        const char *show[] = {"show", spec, NULL};
        struct mg_err e;
        mg_err_clear(&e);
        mg_buf_reset(&cur);
        if (git(c, &old, show) < 0 || mg_read_file(&cur, path.ptr, (size_t)1 << 30, &e) < 0)
            continue;
        char a[65], b[65];
        mg_checksum(a, old.ptr, old.len);
        mg_checksum(b, cur.ptr, cur.len);
        if (strcmp(a, b) != 0)
            mg_problems_add(&c->found, MG_SEV_ERROR, "edited-merged-migration", path.ptr, 0,
                            name_version(name),
                            "undo the edit and make the change in a new migration: databases "
                            "that applied the old text will not run it again",
                            "'%s' was merged in %s and this change edits it", name, c->ch.base);
    }
    for (size_t i = 0; i < c->ch.nadded; i++) {
        const char *name = c->ch.added[i];
        uint64_t v = name_version(name);
        if (!v || v >= c->ch.base_max || strstr(name, ".down.sql") || name[0] == 'U')
            continue;
        mg_buf_reset(&path);
        mg_buf_addf(&path, "%s/%s", c->ctx->path, name);
        mg_problems_add(&c->found, c->allow_ooo ? MG_SEV_WARNING : MG_SEV_ERROR, "out-of-order",
                        path.ptr, 0, v,
                        "give it a version above the highest merged one, or pass "
                        "--allow-out-of-order if it does not depend on later migrations",
                        "'%s' is new but its version is below %llu, the highest in %s", name,
                        (unsigned long long)c->ch.base_max, c->ch.base);
    }
out:
    mg_buf_free(&path);
    mg_buf_free(&old);
    mg_buf_free(&cur);
}

static int lint(struct ci *c, const char *dialect, struct mg_err *err)
{
    char **paths = mg_calloc(c->src.n + 1, sizeof(char *));
    char **fresh = mg_calloc(c->src.n + 1, sizeof(char *));
    size_t npaths = 0, nfresh = 0;
    int rc;

    chk_config_init(&c->lint_cfg);
    if (c->ctx->config && c->ctx->config_path &&
        (rc = chk_config_load(&c->lint_cfg, c->ctx->config_path, 0, err))) {
        free(paths);
        free(fresh);
        return rc;
    }
    c->lint_cfg.dialect = !strcmp(dialect, "mysql") ? CHK_MY : CHK_PG;
    for (size_t i = 0; i < c->src.n; i++) {
        const struct mg_file *f = c->src.v[i].up;
        if (!f)
            continue;
        paths[npaths++] = f->path;
        if (c->ch.known && is_added(c, f->name))
            fresh[nfresh++] = f->path;
    }
    rc = chk_lint(&c->lint, &c->lint_cfg, paths, npaths, fresh, nfresh, c->ctx->max_file_size, err);
    if (!rc) {
        /* findings count for the files this change adds or edits */
        size_t keep = 0;
        for (size_t i = 0; i < c->lint.n; i++) {
            const char *p = c->lint.files[c->lint.v[i].file].path;
            const char *slash = strrchr(p, '/');
            if (is_fresh(c, slash ? slash + 1 : p))
                c->lint.v[keep++] = c->lint.v[i];
            else
                free(c->lint.v[i].msg);
        }
        c->lint.n = keep;
        memset(c->lint.count, 0, sizeof(c->lint.count));
        for (size_t i = 0; i < keep; i++)
            if (c->lint.v[i].sev >= CHK_INFO)
                c->lint.count[c->lint.v[i].sev]++;
        c->linted = 1;
    }
    free(paths);
    free(fresh);
    return rc;
}

/*
 * Replays every migration on a fresh sandbox of `driver`, testing the new
 * ones (and any after the first new one) with up, down and up again.
 */
static int replay(struct ci *c, size_t d, struct mg_err *err)
{
    struct mg_rollback_opts o = {0};
    int64_t t0 = mg_monotonic_ms();
    uint64_t first_new = UINT64_MAX;
    int rc;

    for (size_t i = 0; i < c->src.n; i++)
        if (c->src.v[i].up && (!c->ch.known || is_added(c, c->src.v[i].up->name)) &&
            c->src.v[i].version < first_new)
            first_new = c->src.v[i].version;
    o.driver = c->drivers[d];
    o.from = first_new;
    o.to = UINT64_MAX;
    mg_info("replaying %zu migrations on a %s sandbox%s", c->src.n, c->drivers[d],
            first_new != UINT64_MAX ? ", testing the new ones with up, down and up again" : "");
    rc = mg_rollback_test(&c->rb[d], c->ctx, &o, err);
    struct ci_step *st = &c->steps[c->nsteps++];
    st->name = "replay and test-rollback";
    st->driver = c->drivers[d];
    st->ran = 1;
    st->seconds = (double)(mg_monotonic_ms() - t0) / 1000;
    if (rc)
        return rc;
    for (size_t i = 0; i < c->rb[d].n; i++) {
        const struct mg_rb_mig *m = &c->rb[d].v[i];
        if (!m->failed)
            continue;
        const struct mg_migration *mm = mg_source_find(&c->src, m->version);
        for (int k = 0; k < MG_RB_NSTEPS; k++) {
            const struct mg_rb_step *sp = &m->steps[k];
            if (sp->status != MG_RB_FAILED)
                continue;
            const char *stepname = k == MG_RB_UP ? "up" : k == MG_RB_DOWN ? "down" : "up again";
            const struct mg_file *f = mm ? (k == MG_RB_DOWN && mm->down ? mm->down : mm->up) : NULL;
            mg_problems_add(&c->found, MG_SEV_ERROR,
                            k == MG_RB_DOWN ? "down-does-not-undo-up" : "rollback-step-failed",
                            f ? f->path : NULL, 0, m->version,
                            k == MG_RB_DOWN ? "make the down file revert exactly what the up "
                                              "file does"
                                            : "make the up file repeatable after its down",
                            "%s (%s): %s step: %s%s%s", c->drivers[d], m->title, stepname,
                            sp->message ? sp->message : "failed", sp->diff_text ? "\n" : "",
                            sp->diff_text ? sp->diff_text : "");
        }
    }
    if (c->rb[d].stopped)
        mg_problems_add(&c->found, MG_SEV_ERROR, "replay-stopped", NULL, 0, 0, NULL,
                        "%s: the replay stopped: %s", c->drivers[d], c->rb[d].stopped);
    return 0;
}

static void xml(struct mg_buf *out, const char *s)
{
    mg_buf_add_xml(out, s ? s : "");
}

/* One JUnit document: a suite per step, a case per file, migration or driver. */
static void junit(struct mg_buf *out, const struct ci *c)
{
    mg_buf_adds(out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"migrate ci\">\n");
    /* validate: one case per problem-free check, failures per problem */
    size_t nval = 0, fval = 0;
    for (size_t i = 0; i < c->found.n; i++)
        if (strstr(c->found.v[i].code, "rollback") == NULL &&
            strcmp(c->found.v[i].code, "down-does-not-undo-up") &&
            strcmp(c->found.v[i].code, "replay-stopped")) {
            nval++;
            fval += c->found.v[i].sev == MG_SEV_ERROR;
        }
    mg_buf_addf(out, "  <testsuite name=\"validate\" tests=\"%zu\" failures=\"%zu\">\n",
                nval ? nval : 1, fval);
    if (!nval)
        mg_buf_adds(out, "    <testcase classname=\"validate\" name=\"migrations directory\"/>\n");
    for (size_t i = 0; i < c->found.n; i++) {
        const struct mg_problem *p = &c->found.v[i];
        if (strstr(p->code, "rollback") || !strcmp(p->code, "down-does-not-undo-up") ||
            !strcmp(p->code, "replay-stopped"))
            continue;
        mg_buf_adds(out, "    <testcase classname=\"validate\" name=\"");
        xml(out, p->code);
        mg_buf_adds(out, " ");
        xml(out, p->file ? p->file : "");
        mg_buf_adds(out, "\">");
        if (p->sev == MG_SEV_ERROR) {
            mg_buf_adds(out, "<failure message=\"");
            xml(out, p->msg);
            mg_buf_adds(out, "\"/>");
        } else {
            mg_buf_adds(out, "<system-out>");
            xml(out, p->msg);
            mg_buf_adds(out, "</system-out>");
        }
        mg_buf_adds(out, "</testcase>\n");
    }
    mg_buf_adds(out, "  </testsuite>\n");
    /* lint: one case per linted file */
    if (c->linted) {
        size_t nfiles = 0, failing_files = 0;
        for (size_t f = 0; f < c->lint.nfiles; f++) {
            const char *p = c->lint.files[f].path, *slash = strrchr(p, '/');
            if (!is_fresh(c, slash ? slash + 1 : p))
                continue;
            nfiles++;
            for (size_t i = 0; i < c->lint.n; i++)
                if (c->lint.v[i].file == f && c->lint.v[i].sev >= c->lint_cfg.fail_on) {
                    failing_files++;
                    break;
                }
        }
        mg_buf_addf(out, "  <testsuite name=\"lint\" tests=\"%zu\" failures=\"%zu\">\n", nfiles,
                    failing_files);
        for (size_t f = 0; f < c->lint.nfiles; f++) {
            const char *p = c->lint.files[f].path, *slash = strrchr(p, '/');
            if (!is_fresh(c, slash ? slash + 1 : p))
                continue;
            struct mg_buf msg = MG_BUF_INIT;
            for (size_t i = 0; i < c->lint.n; i++) {
                const struct chk_finding *fi = &c->lint.v[i];
                if (fi->file != f || fi->sev < c->lint_cfg.fail_on)
                    continue;
                mg_buf_addf(&msg, "%s:%d:%d: %s: %s\n", p, fi->line, fi->col,
                            chk_rules[fi->rule].name, fi->msg);
            }
            mg_buf_adds(out, "    <testcase classname=\"lint\" name=\"");
            xml(out, p);
            mg_buf_adds(out, "\">");
            if (msg.len) {
                mg_buf_adds(out, "<failure message=\"lint findings\">");
                xml(out, msg.ptr);
                mg_buf_adds(out, "</failure>");
            }
            mg_buf_adds(out, "</testcase>\n");
            mg_buf_free(&msg);
        }
        mg_buf_adds(out, "  </testsuite>\n");
    }
    /* replay and test-rollback: one case per driver and tested migration */
    for (size_t d = 0; d < c->ndrivers; d++) {
        const struct mg_rollback_report *r = &c->rb[d];
        mg_buf_addf(out, "  <testsuite name=\"replay-%s\" tests=\"%zu\" failures=\"%zu\">\n",
                    c->drivers[d], r->n + 1, r->failed + (r->stopped ? 1 : 0));
        mg_buf_addf(out, "    <testcase classname=\"replay\" name=\"all migrations on %s\">",
                    c->drivers[d]);
        if (r->stopped) {
            mg_buf_adds(out, "<failure message=\"");
            xml(out, r->stopped);
            mg_buf_adds(out, "\"/>");
        }
        mg_buf_adds(out, "</testcase>\n");
        for (size_t i = 0; i < r->n; i++) {
            const struct mg_rb_mig *m = &r->v[i];
            mg_buf_addf(out, "    <testcase classname=\"test-rollback.%s\" name=\"%llu_",
                        c->drivers[d], (unsigned long long)m->version);
            xml(out, m->title);
            mg_buf_adds(out, "\">");
            if (m->failed) {
                mg_buf_adds(out, "<failure message=\"down does not undo up, or a step failed\">");
                for (int k = 0; k < MG_RB_NSTEPS; k++)
                    if (m->steps[k].status == MG_RB_FAILED) {
                        xml(out, m->steps[k].message);
                        mg_buf_adds(out, "\n");
                        xml(out, m->steps[k].diff_text);
                    }
                mg_buf_adds(out, "</failure>");
            } else if (!m->tested) {
                mg_buf_adds(out, "<skipped/>");
            }
            mg_buf_adds(out, "</testcase>\n");
        }
        mg_buf_adds(out, "  </testsuite>\n");
    }
    mg_buf_adds(out, "</testsuites>\n");
}

/* The lint SARIF, with the validation and rollback findings added as rules of their own. */
static json_t *sarif(const struct ci *c)
{
    struct mg_buf b = MG_BUF_INIT;
    json_error_t je;
    json_t *doc;

    chk_report_write(&b, &c->lint, &c->lint_cfg, CHK_FMT_SARIF);
    doc = json_loads(b.ptr, 0, &je);
    mg_buf_free(&b);
    if (!doc)
        return NULL;
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *rules =
        json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    json_t *results = json_object_get(run, "results");
    for (size_t i = 0; i < c->found.n; i++) {
        const struct mg_problem *p = &c->found.v[i];
        char id[96];
        snprintf(id, sizeof(id), "ci/%s", p->code);
        size_t idx = json_array_size(rules);
        int found = 0;
        for (size_t k = 0; k < json_array_size(rules); k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(rules, k), "id")), id)) {
                idx = k;
                found = 1;
            }
        if (!found)
            json_array_append_new(
                rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s}}", "id", id, "name", p->code,
                                 "shortDescription", "text", p->code, "help", "text",
                                 p->hint ? p->hint : p->code, "defaultConfiguration", "level",
                                 p->sev == MG_SEV_ERROR ? "error" : "warning"));
        json_t *r =
            json_pack("{s:s,s:I,s:s,s:{s:s}}", "ruleId", id, "ruleIndex", (json_int_t)idx, "level",
                      p->sev == MG_SEV_ERROR     ? "error"
                      : p->sev == MG_SEV_WARNING ? "warning"
                                                 : "note",
                      "message", "text", p->msg);
        if (p->file) {
            json_t *loc = json_pack("{s:{s:{s:s},s:{s:i}}}", "physicalLocation", "artifactLocation",
                                    "uri", p->file, "region", "startLine", p->line ? p->line : 1);
            json_object_set_new(r, "locations", json_pack("[o]", loc));
        }
        json_array_append_new(results, r);
    }
    return doc;
}

static void github(struct mg_buf *out, const struct ci *c)
{
    chk_report_github(out, &c->lint);
    for (size_t i = 0; i < c->found.n; i++) {
        const struct mg_problem *p = &c->found.v[i];
        mg_buf_addf(out, "::%s",
                    p->sev == MG_SEV_ERROR     ? "error"
                    : p->sev == MG_SEV_WARNING ? "warning"
                                               : "notice");
        if (p->file)
            mg_buf_addf(out, " file=%s,line=%d", p->file, p->line ? p->line : 1);
        mg_buf_addf(out, ",title=%s::", p->code);
        for (const char *s = p->msg; *s; s++) {
            if (*s == '\n')
                mg_buf_adds(out, "%0A");
            else if (*s == '%')
                mg_buf_adds(out, "%25");
            else
                mg_buf_addch(out, *s);
        }
        mg_buf_addch(out, '\n');
    }
}

static void markdown(struct mg_buf *out, const struct ci *c, size_t errors, size_t warnings)
{
    mg_buf_addf(out, "## migrate ci: %s\n\n", errors ? "failed" : "passed");
    if (c->ch.known)
        mg_buf_addf(out, "Compared with `%s`: %zu new and %zu changed migration files.\n\n",
                    c->ch.base, c->ch.nadded, c->ch.nchanged);
    else
        mg_buf_adds(out, "No git base: all migrations were checked as new.\n\n");
    mg_buf_addf(out, "| check | result |\n|---|---|\n| errors | %zu |\n| warnings | %zu |\n",
                errors, warnings);
    if (c->linted)
        mg_buf_addf(out, "| lint findings | %zu error, %zu warning, %zu info |\n",
                    c->lint.count[CHK_ERROR], c->lint.count[CHK_WARNING], c->lint.count[CHK_INFO]);
    for (size_t d = 0; d < c->ndrivers; d++)
        mg_buf_addf(out, "| test-rollback on %s | %zu passed, %zu failed |\n", c->drivers[d],
                    c->rb[d].passed, c->rb[d].failed);
    if (errors + warnings || c->lint.n) {
        mg_buf_adds(out, "\n| severity | where | what |\n|---|---|---|\n");
        for (size_t i = 0; i < c->found.n; i++) {
            const struct mg_problem *p = &c->found.v[i];
            mg_buf_addf(out, "| %s | %s | %s: ", mg_severity_name(p->sev), p->file ? p->file : "",
                        p->code);
            for (const char *s = p->msg; *s; s++)
                mg_buf_adds(out, *s == '\n' ? "<br>" : *s == '|' ? "\\|" : (char[2]){*s, 0});
            mg_buf_adds(out, " |\n");
        }
        for (size_t i = 0; i < c->lint.n; i++) {
            const struct chk_finding *f = &c->lint.v[i];
            mg_buf_addf(out, "| %s | %s:%d | %s: %s |\n", chk_sev_name(f->sev),
                        c->lint.files[f->file].path, f->line, chk_rules[f->rule].name, f->msg);
        }
    }
}

static int write_out(const char *path, const struct mg_buf *b, struct mg_err *err)
{
    return mg_write_file_atomic(path, b->ptr, b->len, err);
}

int cmd_ci(int argc, char **argv, struct mg_ctx *ctx, struct mg_err *err)
{
    static const struct option opts[] = {
        {"base", required_argument, NULL, 'B'},
        {"driver", required_argument, NULL, 'D'},
        {"allow-out-of-order", no_argument, NULL, 'O'},
        {"sarif", required_argument, NULL, 'S'},
        {"junit", required_argument, NULL, 'J'},
        {"no-replay", no_argument, NULL, 'R'},
        {0, 0, 0, 0},
    };
    struct ci c;
    const char *base = NULL, *driver = NULL, *sarif_path = NULL, *junit_path = NULL;
    int ch, rc, no_replay = 0;

    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    while ((ch = mg_cli_getopt(ctx, argc, argv, "", opts, err)) != -1) {
        switch (ch) {
        case 'B':
            base = optarg;
            break;
        case 'D':
            driver = optarg;
            break;
        case 'O':
            c.allow_ooo = 1;
            break;
        case 'S':
            sarif_path = optarg;
            break;
        case 'J':
            junit_path = optarg;
            break;
        case 'R':
            no_replay = 1;
            break;
        default:
            return MG_EUSAGE;
        }
    }
    if (optind < argc)
        return mg_err_set(err, MG_EUSAGE,
                          "usage: migrate ci [--base REF] [--driver postgres|mysql|both]");
    rc = mg_ctx_prepare(ctx, err);
    if (rc)
        return rc;
    if (!driver) {
        driver = ctx->database_url && !strncmp(ctx->database_url, "mysql", 5)     ? "mysql"
                 : ctx->database_url && !strncmp(ctx->database_url, "mariadb", 7) ? "mysql"
                                                                                  : "postgres";
    }
    if (!strcmp(driver, "both")) {
        c.drivers[c.ndrivers++] = "postgres";
        c.drivers[c.ndrivers++] = "mysql";
    } else if (!strcmp(driver, "postgres") || !strcmp(driver, "mysql") ||
               !strcmp(driver, "mariadb")) {
        c.drivers[c.ndrivers++] = !strcmp(driver, "mariadb") ? "mysql" : driver;
    } else {
        mg_err_set(err, MG_EUSAGE, "unknown --driver '%s'", driver);
        mg_err_hint(err, "use postgres, mysql or both");
        return MG_EUSAGE;
    }
    rc = mg_ctx_load_source(ctx, &c.src, err);
    if (rc)
        return rc;
    int64_t t0 = mg_monotonic_ms();
    find_change(&c, base);
    validate(&c);
    c.steps[c.nsteps++] =
        (struct ci_step){"validate", NULL, 1, (double)(mg_monotonic_ms() - t0) / 1000};
    t0 = mg_monotonic_ms();
    rc = lint(&c, c.drivers[0], err);
    c.steps[c.nsteps++] =
        (struct ci_step){"lint", NULL, 1, (double)(mg_monotonic_ms() - t0) / 1000};
    int file_errors = mg_problems_count(&c.src.problems, MG_SEV_ERROR) > 0;
    for (size_t d = 0; !rc && !no_replay && d < c.ndrivers; d++) {
        if (file_errors) {
            mg_warn("the migrations have file errors: replay and test-rollback skipped");
            break;
        }
        rc = replay(&c, d, err);
    }
    if (rc)
        goto out;

    size_t errors = mg_problems_count(&c.found, MG_SEV_ERROR);
    size_t warnings = mg_problems_count(&c.found, MG_SEV_WARNING) - errors;
    size_t lint_failing = c.linted ? chk_result_failing(&c.lint, &c.lint_cfg) : 0;

    /* text on stdout */
    struct mg_buf out = MG_BUF_INIT;
    if (c.linted && c.lint.n)
        chk_report_write(&out, &c.lint, &c.lint_cfg, CHK_FMT_TEXT);
    for (size_t i = 0; i < c.found.n; i++) {
        const struct mg_problem *p = &c.found.v[i];
        if (p->file)
            mg_buf_addf(&out, "%s:%d: ", p->file, p->line ? p->line : 1);
        mg_buf_addf(&out, "%s: %s: %s\n", mg_severity_name(p->sev), p->code, p->msg);
        if (p->hint)
            mg_buf_addf(&out, "  hint: %s\n", p->hint);
    }
    mg_buf_addf(&out, "\nmigrate ci: %zu migrations", c.src.n);
    if (c.ch.known)
        mg_buf_addf(&out, "; files new: %zu, changed: %zu since %s", c.ch.nadded, c.ch.nchanged,
                    c.ch.base);
    mg_buf_addf(&out, "\n");
    for (size_t i = 0; i < c.nsteps; i++)
        mg_buf_addf(&out, "  %-26s %s%s%s %.1fs\n", c.steps[i].name, c.steps[i].driver ? "(" : "",
                    c.steps[i].driver ? c.steps[i].driver : "", c.steps[i].driver ? ")" : "",
                    c.steps[i].seconds);
    for (size_t d = 0; d < c.ndrivers; d++)
        if (c.rb[d].n)
            mg_buf_addf(&out, "  test-rollback on %s: %zu passed, %zu failed\n", c.drivers[d],
                        c.rb[d].passed, c.rb[d].failed);
    mg_buf_addf(&out, "result: %s (%zu errors, %zu warnings, %zu lint findings at or above %s)\n",
                errors + lint_failing ? "FAILED" : "passed", errors, warnings, lint_failing,
                chk_sev_name(c.lint_cfg.fail_on));
    if (ctx->format == MG_FMT_JSON) {
        json_t *doc = json_object();
        json_t *probs = json_array();
        for (size_t i = 0; i < c.found.n; i++) {
            const struct mg_problem *p = &c.found.v[i];
            json_t *o = json_pack("{s:s,s:s,s:s}", "severity", mg_severity_name(p->sev), "code",
                                  p->code, "message", p->msg);
            if (p->file)
                json_object_set_new(o, "file", json_string(p->file));
            json_array_append_new(probs, o);
        }
        struct mg_buf lj = MG_BUF_INIT;
        chk_report_write(&lj, &c.lint, &c.lint_cfg, CHK_FMT_JSON);
        json_object_set_new(doc, "ok", json_boolean(!(errors + lint_failing)));
        json_object_set_new(doc, "base", c.ch.known ? json_string(c.ch.base) : json_null());
        json_object_set_new(doc, "problems", probs);
        json_object_set_new(doc, "lint", json_loads(lj.ptr, 0, NULL));
        json_t *rbs = json_object();
        for (size_t d = 0; d < c.ndrivers; d++)
            json_object_set_new(rbs, c.drivers[d], mg_rollback_json(&c.rb[d]));
        json_object_set_new(doc, "test_rollback", rbs);
        mg_print_json(doc);
        mg_buf_free(&lj);
    } else {
        fputs(out.ptr, stdout);
    }
    mg_buf_free(&out);

    if (sarif_path) {
        json_t *doc = sarif(&c);
        char *s = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        struct mg_buf b = MG_BUF_INIT;
        if (s)
            mg_buf_adds(&b, s);
        rc = s ? write_out(sarif_path, &b, err)
               : mg_err_set(err, MG_EFAIL, "cannot build the SARIF document");
        free(s);
        json_decref(doc);
        mg_buf_free(&b);
    }
    if (!rc && junit_path) {
        struct mg_buf b = MG_BUF_INIT;
        junit(&b, &c);
        rc = write_out(junit_path, &b, err);
        mg_buf_free(&b);
    }
    const char *gha = getenv("GITHUB_ACTIONS");
    if (gha && !strcmp(gha, "true")) {
        struct mg_buf b = MG_BUF_INIT;
        github(&b, &c);
        fputs(b.ptr, stderr);
        mg_buf_free(&b);
    }
    const char *summary = getenv("GITHUB_STEP_SUMMARY");
    if (summary && *summary) {
        struct mg_buf b = MG_BUF_INIT;
        markdown(&b, &c, errors, warnings);
        FILE *f = fopen(summary, "a");
        if (f) {
            fputs(b.ptr, f);
            fclose(f);
        } else {
            mg_warn("cannot append to GITHUB_STEP_SUMMARY '%s'", summary);
        }
        mg_buf_free(&b);
    }
    if (!rc && (errors || lint_failing)) {
        mg_err_set(err, MG_EFINDINGS, "migrate ci found %zu error%s", errors + lint_failing,
                   errors + lint_failing == 1 ? "" : "s");
        rc = MG_EFINDINGS;
    }
out:
    if (c.linted)
        chk_result_free(&c.lint);
    for (size_t d = 0; d < c.ndrivers; d++)
        mg_rollback_report_free(&c.rb[d]);
    for (size_t i = 0; i < c.ch.nadded; i++)
        free(c.ch.added[i]);
    for (size_t i = 0; i < c.ch.nchanged; i++)
        free(c.ch.changed[i]);
    free(c.ch.added);
    free(c.ch.changed);
    free(c.ch.deleted);
    mg_problems_free(&c.found);
    mg_source_free(&c.src);
    return rc;
}
