/*
 * report.c — the linter's output writers: text with the offending line and
 * a caret, one JSON document, SARIF 2.1.0 for code scanning, JUnit XML, and
 * GitHub workflow annotations.  Every writer appends to an mg_buf; the
 * command prints it.  Lines and columns are 1-based, columns in characters.
 */
#include <jansson.h>
#include <openssl/evp.h>
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

/*
 * Appends the statement text with runs of whitespace folded to one space
 * (none at the end).  The buffer is never empty here, so whitespace at the
 * start becomes one space too.
 */
static void folded(struct mg_buf *out, const char *s, size_t len)
{
    mg_buf_grow(out, len);
    char *p = out->ptr + out->len;
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (space)
            *p++ = ' ';
        space = 0;
        *p++ = c;
    }
    mg_buf_setlen(out, (size_t)(p - out->ptr));
}

/* Writes v in decimal to d (no NUL); returns the number of digits. */
static size_t put_uint(char *d, uintmax_t v)
{
    char t[24];
    size_t n = 0, k = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        d[k++] = t[--n];
    return k;
}

/* Occurrence counters by (statement class, rule): open addressing, 0 marks a free slot. */
struct occ_table {
    uint64_t *keys;
    uint32_t *counts;
    size_t n, cap;
};

/* The counter of `key` (not 0), added at 0 if missing. */
static uint32_t *occ_counter(struct occ_table *t, uint64_t key)
{
    if ((t->n + 1) * 2 > t->cap) {
        struct occ_table old = *t;
        t->cap = old.cap ? old.cap * 2 : 1024;
        t->keys = mg_calloc(t->cap, sizeof(*t->keys));
        t->counts = mg_calloc(t->cap, sizeof(*t->counts));
        for (size_t i = 0; i < old.cap; i++) {
            if (!old.keys[i])
                continue;
            size_t j = (size_t)(old.keys[i] * 0x9e3779b97f4a7c15ULL >> 20) & (t->cap - 1);
            while (t->keys[j])
                j = (j + 1) & (t->cap - 1);
            t->keys[j] = old.keys[i];
            t->counts[j] = old.counts[i];
        }
        free(old.keys);
        free(old.counts);
    }
    size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & (t->cap - 1);
    while (t->keys[i] && t->keys[i] != key)
        i = (i + 1) & (t->cap - 1);
    if (!t->keys[i]) {
        t->keys[i] = key;
        t->n++;
    }
    return &t->counts[i];
}

/*
 * A finding's fingerprint is the first 32 hex digits of the SHA-256 of
 * "<rule id>\n<path>\n<folded statement>\n<occurrence>", the occurrence
 * counting the same rule on an identical (folded) statement earlier under
 * the same path.  Findings are sorted by file and offset, so those of one
 * statement follow each other: each statement is folded and looked up
 * once, and each finding hashes the pieces without copying them.
 */
void chk_fingerprints(char (*out)[33], const struct chk_result *r)
{
    struct chk_map stmts = {0};  /* "<path>\n<folded>" -> statement class, from 1 */
    struct occ_table seen = {0}; /* (class, rule) -> occurrences so far */
    struct mg_buf text = MG_BUF_INIT;
    static const char hex[] = "0123456789abcdef";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    /* fetched once: EVP_sha256() would look the implementation up again on every init */
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    size_t file = (size_t)-1, off = 0, len = 0, pathlen = 0;
    uintptr_t cls = 0;

    if (!ctx || !md)
        mg_die_oom("a SHA-256 context");
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const char *path = display_path(r->files[f->file].path);
        if (i == 0 || f->file != file || f->stmt_off != off || f->stmt_len != len) {
            file = f->file;
            off = f->stmt_off;
            len = f->stmt_len;
            pathlen = strlen(path);
            mg_buf_reset(&text);
            mg_buf_add(&text, path, pathlen);
            mg_buf_addch(&text, '\n');
            folded(&text, r->files[file].text.ptr + off, len);
            void **slot = chk_map_ref(&stmts, text.ptr);
            if (!*slot)
                *slot = (void *)(uintptr_t)stmts.n; /* the entry just added is the n-th */
            cls = (uintptr_t)*slot;
        }
        uint32_t *counter = occ_counter(&seen, (uint64_t)cls * CHK_NRULES + (uint64_t)f->rule + 1);
        uintmax_t occurrence = (*counter)++;

        const char *id = chk_rules[f->rule].id;
        char tail[32];
        size_t tl = 1 + put_uint(tail + 1, occurrence);
        tail[0] = '\n';
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        if (!EVP_DigestInit_ex2(ctx, md, NULL) || !EVP_DigestUpdate(ctx, id, strlen(id)) ||
            !EVP_DigestUpdate(ctx, "\n", 1) || !EVP_DigestUpdate(ctx, text.ptr, text.len) ||
            !EVP_DigestUpdate(ctx, tail, tl) || !EVP_DigestFinal_ex(ctx, digest, &dlen))
            mg_die_oom("SHA-256 of a fingerprint");
        for (int k = 0; k < 16; k++) {
            out[i][2 * k] = hex[digest[k] >> 4];
            out[i][2 * k + 1] = hex[digest[k] & 15];
        }
        out[i][32] = '\0';
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    mg_buf_free(&text);
    chk_map_free(&stmts, NULL);
    free(seen.keys);
    free(seen.counts);
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

/* ---------- --format json ---------- */

/*
 * The JSON report is written as it goes rather than built as a jansson tree
 * and dumped: with tens of thousands of findings the tree (an object and a
 * hash table per finding, then a generic dump and free) cost more than
 * linting.  jansson still encodes every string of input text (escapes,
 * UTF-8 check); the layout is jansson's JSON_INDENT(2) one, which the other
 * writers and the golden files use.
 */

static int json_append(const char *buffer, size_t size, void *data)
{
    mg_buf_add(data, buffer, size);
    return 0;
}

/* Appends s as a JSON string; -1 (nothing appended) when it is not valid UTF-8. */
static int json_text(struct mg_buf *out, const char *s)
{
    json_t *j = json_string(s);
    if (!j)
        return -1;
    json_dump_callback(j, json_append, out, JSON_ENCODE_ANY);
    json_decref(j);
    return 0;
}

/* Appends a string that needs no escaping: rule names and ids, severities, hex digits. */
static void json_word(struct mg_buf *out, const char *s)
{
    mg_buf_addch(out, '"');
    mg_buf_adds(out, s);
    mg_buf_addch(out, '"');
}

/* Opens member `key` of an object whose members are indented by `indent` (at most 8) spaces. */
static void json_key(struct mg_buf *out, int indent, const char *key, int first)
{
    if (!first)
        mg_buf_addch(out, ',');
    mg_buf_addch(out, '\n');
    mg_buf_add(out, "        ", (size_t)indent);
    json_word(out, key);
    mg_buf_add(out, ": ", 2);
}

/* Appends an integer (printf, per number of tens of thousands of findings, shows). */
static void json_int(struct mg_buf *out, long long v)
{
    char d[24];
    size_t k = 0;
    if (v < 0)
        d[k++] = '-';
    k += put_uint(d + k, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v);
    mg_buf_add(out, d, k);
}

static void write_json(struct mg_buf *out, const struct chk_result *r, const struct chk_config *cfg)
{
    size_t failing = chk_result_failing(r, cfg);
    struct mg_buf item = MG_BUF_INIT, path = MG_BUF_INIT;
    size_t path_file = (size_t)-1;
    int path_ok = 0, first = 1;
    char(*fps)[33] = mg_calloc(r->n ? r->n : 1, sizeof(*fps));

    mg_buf_addch(out, '{');
    json_key(out, 2, "ok", 1);
    mg_buf_adds(out, failing == 0 ? "true" : "false");
    json_key(out, 2, "dialect", 0);
    json_word(out, cfg->dialect == CHK_PG ? "postgres" : "mysql");
    json_key(out, 2, "pg_version", 0);
    json_int(out, cfg->pg_version);
    json_key(out, 2, "fail_on", 0);
    json_word(out, chk_sev_name(cfg->fail_on));
    json_key(out, 2, "counts", 0);
    mg_buf_addf(out, "{\n    \"error\": %zu,\n    \"warning\": %zu,\n    \"info\": %zu\n  }",
                r->count[CHK_ERROR], r->count[CHK_WARNING], r->count[CHK_INFO]);
    json_key(out, 2, "failing", 0);
    json_int(out, (long long)failing);

    /* an entry whose text is not valid UTF-8 is left out, as jansson's json_pack leaves it */
    json_key(out, 2, "files", 0);
    mg_buf_addch(out, '[');
    for (size_t i = 0; i < r->nfiles; i++) {
        const struct chk_file *f = &r->files[i];
        mg_buf_reset(&item);
        if (json_text(&item, display_path(f->path)) < 0)
            continue;
        mg_buf_adds(out, first ? "\n    {" : ",\n    {");
        first = 0;
        json_key(out, 6, "path", 1);
        mg_buf_add(out, item.ptr, item.len);
        json_key(out, 6, "statements", 0);
        json_int(out, (long long)f->nstmts);
        json_key(out, 6, "transaction", 0);
        mg_buf_adds(out, f->transaction ? "true" : "false");
        json_key(out, 6, "new", 0);
        mg_buf_adds(out, f->is_new ? "true" : "false");
        mg_buf_adds(out, "\n    }");
    }
    mg_buf_adds(out, first ? "]" : "\n  ]");

    chk_fingerprints(fps, r);
    first = 1;
    json_key(out, 2, "findings", 0);
    mg_buf_addch(out, '[');
    for (size_t i = 0; i < r->n; i++) {
        const struct chk_finding *f = &r->v[i];
        const struct chk_rule *rule = &chk_rules[f->rule];
        if (f->file != path_file) {
            /* findings are sorted by file: each path is encoded once */
            path_file = f->file;
            mg_buf_reset(&path);
            path_ok = json_text(&path, display_path(r->files[f->file].path)) == 0;
        }
        mg_buf_reset(&item);
        if (!path_ok || json_text(&item, f->msg) < 0)
            continue;
        mg_buf_adds(out, first ? "\n    {" : ",\n    {");
        first = 0;
        json_key(out, 6, "file", 1);
        mg_buf_add(out, path.ptr, path.len);
        json_key(out, 6, "line", 0);
        json_int(out, f->line);
        json_key(out, 6, "column", 0);
        json_int(out, f->col);
        json_key(out, 6, "severity", 0);
        json_word(out, chk_sev_name(f->sev));
        json_key(out, 6, "rule", 0);
        json_word(out, rule->name);
        json_key(out, 6, "id", 0);
        json_word(out, rule->id);
        json_key(out, 6, "message", 0);
        mg_buf_add(out, item.ptr, item.len);
        json_key(out, 6, "fingerprint", 0);
        json_word(out, fps[i]);
        mg_buf_adds(out, "\n    }");
    }
    mg_buf_adds(out, first ? "]" : "\n  ]");
    mg_buf_adds(out, "\n}\n");
    free(fps);
    mg_buf_free(&item);
    mg_buf_free(&path);
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
