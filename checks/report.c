/*
 * report.c — the linter's output writers: text with the offending line and
 * a caret, one JSON document, SARIF 2.1.0 for code scanning, JUnit XML, and
 * GitHub workflow annotations.  Every writer appends to an mg_buf; the
 * command prints it.  Lines and columns are 1-based, columns in characters.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"
#include "util.h"

#ifndef MG_VERSION
#define MG_VERSION "dev"
#endif

static const char *level_sarif(enum chk_sev s)
{
    return s == CHK_ERROR ? "error" : s == CHK_WARNING ? "warning" : "note";
}

/* The file's path as written in reports: without a leading "./". */
static const char *display_path(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* Line `line` (1-based) of the file, without its newline. */
static void source_line(const struct chk_file *f, int line, const char **start, size_t *len)
{
    size_t a = f->lines[line - 1];
    size_t b = (size_t)line < f->nlines ? f->lines[line] : f->text.len;
    while (b > a && (f->text.ptr[b - 1] == '\n' || f->text.ptr[b - 1] == '\r'))
        b--;
    *start = f->text.ptr + a;
    *len = b - a;
}

static void write_text(struct mg_buf *out, const struct chk_result *r, const struct chk_config *cfg)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const struct chk_file *file = &r->files[f->file];
        const char *src;
        size_t len;
        mg_buf_addf(out, "%s:%d:%d: %s: %s: %s\n", display_path(file->path), f->line, f->col,
                    chk_sev_name(f->sev), chk_rules[f->rule].name, f->msg);
        source_line(file, f->line, &src, &len);
        mg_buf_adds(out, "    ");
        mg_buf_add(out, src, len);
        mg_buf_adds(out, "\n    ");
        /* keep tabs so the caret lines up under the character */
        int col = 1;
        for (size_t k = 0; k < len && col < f->col; k++) {
            if (((unsigned char)src[k] & 0xC0) == 0x80)
                continue;
            mg_buf_addch(out, src[k] == '\t' ? '\t' : ' ');
            col++;
        }
        mg_buf_adds(out, "^\n");
    }
    size_t failing = chk_result_failing(r, cfg);
    mg_buf_addf(out, "%zu file%s: %zu error%s, %zu warning%s, %zu info (failing on %s: %zu)\n",
                r->nfiles, r->nfiles == 1 ? "" : "s", r->count[CHK_ERROR],
                r->count[CHK_ERROR] == 1 ? "" : "s", r->count[CHK_WARNING],
                r->count[CHK_WARNING] == 1 ? "" : "s", r->count[CHK_INFO],
                chk_sev_name(cfg->fail_on), failing);
}

/* Appends the statement text with runs of whitespace folded to one space. */
static void folded(struct mg_buf *out, const char *s, size_t len)
{
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && out->len)
            mg_buf_addch(out, ' ');
        space = 0;
        mg_buf_addch(out, c);
    }
}

void chk_fingerprints(char (*out)[33], const struct chk_result *r)
{
    struct chk_map seen = {0};
    struct mg_buf key = MG_BUF_INIT;
    char hex[65];

    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const struct chk_file *file = &r->files[f->file];
        mg_buf_reset(&key);
        mg_buf_addf(&key, "%s\n%s\n", chk_rules[f->rule].id, display_path(file->path));
        folded(&key, file->text.ptr + f->stmt_off, f->stmt_len);
        /* the same rule on an identical statement earlier in the file: count it */
        uintptr_t occurrence = (uintptr_t)chk_map_get(&seen, key.ptr);
        chk_map_put(&seen, key.ptr, (void *)(occurrence + 1));
        mg_buf_addf(&key, "\n%lu", (unsigned long)occurrence);
        mg_sha256_hex(hex, key.ptr, key.len);
        memcpy(out[i], hex, 32);
        out[i][32] = '\0';
    }
    mg_buf_free(&key);
    chk_map_free(&seen, NULL);
}

static void dump(struct mg_buf *out, json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        mg_buf_adds(out, s);
        mg_buf_addch(out, '\n');
        free(s);
    }
    json_decref(doc);
}

static void write_json(struct mg_buf *out, const struct chk_result *r, const struct chk_config *cfg)
{
    json_t *arr = json_array();
    char(*fps)[33] = mg_calloc(r->n ? r->n : 1, sizeof(*fps));
    chk_fingerprints(fps, r);
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const char *fp = fps[i];
        json_array_append_new(
            arr, json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s}", "file",
                           display_path(r->files[f->file].path), "line", f->line, "column", f->col,
                           "severity", chk_sev_name(f->sev), "rule", chk_rules[f->rule].name, "id",
                           chk_rules[f->rule].id, "message", f->msg, "fingerprint", fp));
    }
    free(fps);
    json_t *files = json_array();
    for (size_t i = 0; i < r->nfiles; i++)
        json_array_append_new(files,
                              json_pack("{s:s,s:I,s:b,s:b}", "path", display_path(r->files[i].path),
                                        "statements", (json_int_t)r->files[i].nstmts, "transaction",
                                        r->files[i].transaction, "new", r->files[i].is_new));
    size_t failing = chk_result_failing(r, cfg);
    json_t *doc =
        json_pack("{s:b,s:s,s:i,s:s,s:{s:I,s:I,s:I},s:I}", "ok", failing == 0, "dialect",
                  cfg->dialect == CHK_PG ? "postgres" : "mysql", "pg_version", cfg->pg_version,
                  "fail_on", chk_sev_name(cfg->fail_on), "counts", "error",
                  (json_int_t)r->count[CHK_ERROR], "warning", (json_int_t)r->count[CHK_WARNING],
                  "info", (json_int_t)r->count[CHK_INFO], "failing", (json_int_t)failing);
    json_object_set_new(doc, "files", files);
    json_object_set_new(doc, "findings", arr);
    dump(out, doc);
}

static json_t *text_obj(const char *s)
{
    return json_pack("{s:s}", "text", s);
}

static void write_sarif(struct mg_buf *out, const struct chk_result *r,
                        const struct chk_config *cfg)
{
    json_t *rules = json_array();
    int index[CHK_NRULES];
    int nrules = 0;

    /* every rule that is on, so a clean run still documents what was checked */
    for (int i = 0; i < CHK_NRULES; i++) {
        const struct chk_rule *ru = &chk_rules[i];
        index[i] = -1;
        if (cfg->sev[i] == CHK_OFF || !(ru->dialects & cfg->dialect))
            continue;
        index[i] = nrules++;
        struct mg_buf full = MG_BUF_INIT, md = MG_BUF_INIT, help = MG_BUF_INIT;
        mg_buf_addf(&full, "%s. Safer: %s.", ru->message, ru->summary);
        mg_buf_addf(&help, "%s. See docs/checks/%s.md.", ru->summary, ru->name);
        mg_buf_addf(&md, "**%s** (%s): %s.\n\nSafer: %s.\n\nSee `docs/checks/%s.md` for the SQL.",
                    ru->name, ru->id, ru->message, ru->summary, ru->name);
        json_t *rule = json_pack("{s:s,s:s,s:o,s:o,s:{s:s,s:s}}", "id", ru->id, "name", ru->name,
                                 "shortDescription", text_obj(ru->message), "fullDescription",
                                 text_obj(full.ptr), "help", "text", help.ptr, "markdown", md.ptr);
        if (cfg->docs_url[0]) {
            struct mg_buf uri = MG_BUF_INIT;
            mg_buf_addf(&uri, "%s%s%s.md", cfg->docs_url,
                        mg_str_ends_with(cfg->docs_url, "/") ? "" : "/", ru->name);
            json_object_set_new(rule, "helpUri", json_string(uri.ptr));
            mg_buf_free(&uri);
        }
        json_object_set_new(rule, "defaultConfiguration",
                            json_pack("{s:s}", "level", level_sarif(cfg->sev[i])));
        json_object_set_new(rule, "properties",
                            json_pack("{s:[s],s:s}", "tags", "migration", "precision", "high"));
        json_array_append_new(rules, rule);
        mg_buf_free(&full);
        mg_buf_free(&md);
        mg_buf_free(&help);
    }
    json_t *results = json_array();
    char(*fps)[33] = mg_calloc(r->n ? r->n : 1, sizeof(*fps));
    chk_fingerprints(fps, r);
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const char *fp = fps[i];
        json_t *res = json_pack(
            "{s:s,s:i,s:s,s:{s:s},s:[{s:{s:{s:s},s:{s:i,s:i}}}],s:{s:s}}", "ruleId",
            chk_rules[f->rule].id, "ruleIndex", index[f->rule] < 0 ? 0 : index[f->rule], "level",
            level_sarif(f->sev), "message", "text", f->msg, "locations", "physicalLocation",
            "artifactLocation", "uri", display_path(r->files[f->file].path), "region", "startLine",
            f->line, "startColumn", f->col, "partialFingerprints", "migrateLint/v1", fp);
        if (index[f->rule] < 0)
            json_object_del(res, "ruleIndex");
        json_array_append_new(results, res);
    }
    free(fps);
    json_t *driver = json_pack("{s:s,s:s}", "name", "migrate-lint", "version", MG_VERSION);
    if (cfg->docs_url[0])
        json_object_set_new(driver, "informationUri", json_string(cfg->docs_url));
    json_object_set_new(driver, "rules", rules);
    json_t *run = json_pack("{s:{s:o},s:s,s:o}", "tool", "driver", driver, "columnKind",
                            "unicodeCodePoints", "results", results);
    json_t *doc =
        json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
                  "version", "2.1.0", "runs", run);
    dump(out, doc);
}

/*
 * One test case per file that has no failing finding, and one failing test
 * case per finding at or above --fail-on; findings below it are listed in
 * the file's <system-out>.
 */
static void write_junit(struct mg_buf *out, const struct chk_result *r,
                        const struct chk_config *cfg)
{
    size_t failing = chk_result_failing(r, cfg), tests = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        size_t n = 0, low = 0;
        for (size_t k = 0; k < r->n; k++) {
            if (r->v[k].file != i)
                continue;
            if (r->v[k].sev >= cfg->fail_on)
                n++;
            else
                low++;
        }
        tests += n + (!n || low ? 1 : 0); /* as written below */
    }
    mg_buf_addf(out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<testsuites name=\"migrate lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
                "  <testsuite name=\"migrate lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                "skipped=\"0\">\n",
                tests, failing, tests, failing);
    for (size_t i = 0; i < r->nfiles; i++) {
        const char *path = display_path(r->files[i].path);
        size_t nfail = 0;
        struct mg_buf low = MG_BUF_INIT;
        for (size_t k = 0; k < r->n; k++) {
            const struct chk_finding *f = &r->v[k];
            if (f->file != i)
                continue;
            struct mg_buf line = MG_BUF_INIT;
            mg_buf_addf(&line, "%s:%d:%d: %s: %s: %s", path, f->line, f->col, chk_sev_name(f->sev),
                        chk_rules[f->rule].name, f->msg);
            if (f->sev < cfg->fail_on) {
                mg_buf_add_xml(&low, line.ptr);
                mg_buf_addch(&low, '\n');
                mg_buf_free(&line);
                continue;
            }
            nfail++;
            mg_buf_adds(out, "    <testcase classname=\"");
            mg_buf_add_xml(out, path);
            mg_buf_addf(out, "\" name=\"%s at line %d\">\n      <failure type=\"%s\" message=\"",
                        chk_rules[f->rule].name, f->line, chk_sev_name(f->sev));
            mg_buf_add_xml(out, f->msg);
            mg_buf_adds(out, "\">");
            mg_buf_add_xml(out, line.ptr);
            mg_buf_adds(out, "</failure>\n    </testcase>\n");
            mg_buf_free(&line);
        }
        if (!nfail || low.len) {
            mg_buf_adds(out, "    <testcase classname=\"");
            mg_buf_add_xml(out, path);
            mg_buf_adds(out, "\" name=\"");
            mg_buf_add_xml(out, path);
            mg_buf_adds(out, "\"");
            if (low.len) {
                mg_buf_adds(out, ">\n      <system-out>");
                mg_buf_add(out, low.ptr, low.len);
                mg_buf_adds(out, "</system-out>\n    </testcase>\n");
            } else {
                mg_buf_adds(out, " />\n");
            }
        }
        mg_buf_free(&low);
    }
    mg_buf_adds(out, "  </testsuite>\n</testsuites>\n");
}

void chk_report_write(struct mg_buf *out, const struct chk_result *r, const struct chk_config *cfg,
                      enum chk_format fmt)
{
    switch (fmt) {
    case CHK_FMT_TEXT:
        write_text(out, r, cfg);
        break;
    case CHK_FMT_JSON:
        write_json(out, r, cfg);
        break;
    case CHK_FMT_SARIF:
        write_sarif(out, r, cfg);
        break;
    case CHK_FMT_JUNIT:
        write_junit(out, r, cfg);
        break;
    }
}

/* Workflow-command escaping: data needs %, CR, LF escaped; properties also : and ,. */
static void gh_escaped(struct mg_buf *out, const char *s, int property)
{
    for (; *s; s++) {
        if (*s == '%')
            mg_buf_adds(out, "%25");
        else if (*s == '\r')
            mg_buf_adds(out, "%0D");
        else if (*s == '\n')
            mg_buf_adds(out, "%0A");
        else if (property && *s == ':')
            mg_buf_adds(out, "%3A");
        else if (property && *s == ',')
            mg_buf_adds(out, "%2C");
        else
            mg_buf_addch(out, *s);
    }
}

void chk_report_github(struct mg_buf *out, const struct chk_result *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        mg_buf_addf(out, "::%s file=",
                    f->sev == CHK_ERROR     ? "error"
                    : f->sev == CHK_WARNING ? "warning"
                                            : "notice");
        gh_escaped(out, display_path(r->files[f->file].path), 1);
        mg_buf_addf(out, ",line=%d,col=%d,title=", f->line, f->col);
        gh_escaped(out, chk_rules[f->rule].name, 1);
        mg_buf_adds(out, "::");
        gh_escaped(out, f->msg, 0);
        mg_buf_addch(out, '\n');
    }
}
