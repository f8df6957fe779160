/*
 * postgres.c — the PostgreSQL driver, on libpq.
 *
 * Statements are split with libpg_query's scanner (the server's own lexer:
 * dollar quotes, nested comments, E'' strings) and classified from its tokens,
 * so a statement with a syntax error still splits and classifies.  Every
 * PGresult is judged by one function, result_error(), which keeps the
 * server's SQLSTATE, primary message, detail, hint and position.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pg_query.h>
#include <pg_query.pb-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "util.h"

/*
 * Queries run more than once (the engine's history writes, once per
 * migration) are prepared on their second use, so the server parses and
 * plans them once per session.
 */
#define PREPARED_MAX 64

struct prepared {
    char *sql;
    int uses;
    int ready; /* prepared on the server as "mg_<index>" */
};

struct pg_conn {
    struct drv_conn base;
    PGconn *pg;
    PGcancel *cancel;
    volatile int canceled; /* set by cancel(); tells a user cancel from statement_timeout */
    struct prepared prep[PREPARED_MAX];
    size_t nprep;
    struct mg_buf *dry; /* dry run: statements are written here instead of sent */
};

static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};

/* ---------- splitting and classification ---------- */

/* Skips whitespace and comments (nested block comments too) from `i`. */
static size_t skip_space_comments(const char *s, size_t i, size_t end)
{
    while (i < end) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            i++;
        } else if (c == '-' && i + 1 < end && s[i + 1] == '-') {
            while (i < end && s[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < end && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < end && depth) {
                if (s[i] == '/' && i + 1 < end && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < end && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            }
        } else {
            break;
        }
    }
    return i;
}

#define MAX_WORDS 48

/* Upper-cased keyword and identifier tokens of a statement, up to MAX_WORDS. */
struct words {
    size_t n;
    char w[MAX_WORDS][24];
};

/* Scans `stmt`; returns the number of tokens that are not comments, or -1 on a scan error. */
static long scan_words_in(struct words *out, const char *stmt)
{
    PgQueryScanResult r;
    PgQuery__ScanResult *sr;
    long tokens = 0;

    out->n = 0;
    r = pg_query_scan(stmt);
    if (r.error) {
        pg_query_free_scan_result(r);
        return -1;
    }
    sr = pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        PgQuery__ScanToken *t = sr->tokens[i];
        if (t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT)
            continue;
        if (tokens++ >= MAX_WORDS)
            continue; /* counted, not kept */
        if (t->keyword_kind == PG_QUERY__KEYWORD_KIND__NO_KEYWORD &&
            t->token != PG_QUERY__TOKEN__IDENT) {
            /* keep punctuation as a marker so "CLUSTER;" and "(" are visible */
            if (t->token == '(' || t->token == ')') {
                snprintf(out->w[out->n++], sizeof(out->w[0]), "%c", (char)t->token);
            } else {
                snprintf(out->w[out->n++], sizeof(out->w[0]), "#");
            }
            continue;
        }
        size_t len = (size_t)(t->end - t->start);
        if (len >= sizeof(out->w[0]))
            len = sizeof(out->w[0]) - 1;
        for (size_t k = 0; k < len; k++) {
            char c = stmt[t->start + (int)k];
            out->w[out->n][k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
        out->w[out->n][len] = '\0';
        out->n++;
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    return tokens;
}

static int has_word(const struct words *w, size_t from, size_t to, const char *word)
{
    for (size_t i = from; i < w->n && i < to; i++)
        if (!strcmp(w->w[i], word))
            return 1;
    return 0;
}

static int word_is(const struct words *w, size_t i, const char *word)
{
    return i < w->n && !strcmp(w->w[i], word);
}

/*
 * How many leading words classify_words() reads, judged from the words
 * scanned so far: keep in step with it.  Only relied on when more words
 * than that were scanned, so the first two it looks at are complete.
 */
static size_t words_needed(const struct words *w)
{
    const char *k = w->n ? w->w[0] : "";
    if (!strcmp(k, "CREATE"))
        return 4; /* CREATE [UNIQUE] INDEX CONCURRENTLY */
    if (!strcmp(k, "DROP") || !strcmp(k, "CLUSTER"))
        return 3; /* DROP INDEX CONCURRENTLY, CLUSTER [VERBOSE] name */
    if (!strcmp(k, "REINDEX"))
        return 8; /* CONCURRENTLY among the options */
    if (!strcmp(k, "PREPARE"))
        return 2;
    if (!strcmp(k, "VACUUM"))
        return 1;
    if (!strcmp(k, "ALTER") &&
        !(word_is(w, 1, "TYPE") || word_is(w, 1, "TABLE") || word_is(w, 1, "DATABASE")))
        return 2;
    return MAX_WORDS;
}

/*
 * The leading words of a statement, as many as classification reads.  The
 * statement is scanned by a prefix of `prefix` bytes first, then of four
 * times as many, and so on: once a prefix holds more tokens than the words
 * needed, every one of those ends before the cut.  A cut inside a token (a
 * scan error) or too few tokens move on to the longer prefix, and in the
 * end to the whole statement.  Lexing a wide CREATE TABLE or a function
 * body in full would cost far more than classifying it.
 */
static void scan_words(struct words *out, const char *stmt, size_t prefix)
{
    size_t len = strlen(stmt);
    for (; prefix < len; prefix *= 4) {
        char *head = mg_strndup(stmt, prefix);
        long n = scan_words_in(out, head);
        free(head);
        if (n > 0 && (size_t)n > words_needed(out))
            return;
    }
    scan_words_in(out, stmt);
}

/* Flags for one statement from its leading words; *why says why it cannot run in a transaction. */
static unsigned classify_words(const struct words *w, int server_version, const char **why)
{
    unsigned f = 0;

    *why = NULL;
    if (!w->n)
        return 0;
    const char *k = w->w[0];
    if (!strcmp(k, "BEGIN") || !strcmp(k, "START") || !strcmp(k, "COMMIT") || !strcmp(k, "END") ||
        !strcmp(k, "ROLLBACK") || !strcmp(k, "ABORT") || !strcmp(k, "SAVEPOINT") ||
        !strcmp(k, "RELEASE") || (!strcmp(k, "PREPARE") && word_is(w, 1, "TRANSACTION")))
        return DRV_STMT_TXN_CONTROL;
    if (!strcmp(k, "CREATE")) {
        f = DRV_STMT_DDL;
        size_t idx = word_is(w, 1, "UNIQUE") ? 2 : 1;
        if (word_is(w, idx, "INDEX") && word_is(w, idx + 1, "CONCURRENTLY")) {
            *why = "CREATE INDEX CONCURRENTLY cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT;
        }
        if (word_is(w, 1, "DATABASE")) {
            *why = "CREATE DATABASE cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "TABLESPACE")) {
            *why = "CREATE TABLESPACE cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "SUBSCRIPTION")) {
            *why = "CREATE SUBSCRIPTION (with a replication slot) cannot run inside a "
                   "transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        return f;
    }
    if (!strcmp(k, "DROP")) {
        f = DRV_STMT_DDL;
        if (word_is(w, 1, "INDEX") && word_is(w, 2, "CONCURRENTLY")) {
            *why = "DROP INDEX CONCURRENTLY cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT;
        }
        if (word_is(w, 1, "DATABASE")) {
            *why = "DROP DATABASE cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "TABLESPACE")) {
            *why = "DROP TABLESPACE cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "SUBSCRIPTION")) {
            *why = "DROP SUBSCRIPTION (with a replication slot) cannot run inside a "
                   "transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        return f;
    }
    if (!strcmp(k, "REINDEX")) {
        f = DRV_STMT_DDL;
        if (has_word(w, 1, 8, "CONCURRENTLY")) {
            *why = "REINDEX CONCURRENTLY cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT;
        }
        if (word_is(w, 1, "DATABASE") || word_is(w, 1, "SYSTEM")) {
            *why = "REINDEX DATABASE/SYSTEM cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        return f;
    }
    if (!strcmp(k, "VACUUM")) {
        *why = "VACUUM cannot run inside a transaction block";
        return DRV_STMT_NO_TXN;
    }
    if (!strcmp(k, "CLUSTER")) {
        /* CLUSTER without a table name reclusters the whole database */
        size_t i = 1;
        if (word_is(w, i, "VERBOSE"))
            i++;
        if (i >= w->n) {
            *why = "CLUSTER without a table cannot run inside a transaction block";
            return DRV_STMT_DDL | DRV_STMT_NO_TXN;
        }
        return DRV_STMT_DDL;
    }
    if (!strcmp(k, "ALTER")) {
        f = DRV_STMT_DDL;
        if (word_is(w, 1, "SYSTEM")) {
            *why = "ALTER SYSTEM cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "TYPE") && has_word(w, 2, MAX_WORDS, "ADD") &&
            has_word(w, 2, MAX_WORDS, "VALUE") && server_version && server_version < 120000) {
            *why = "ALTER TYPE ... ADD VALUE cannot run inside a transaction block before "
                   "PostgreSQL 12";
            return f | DRV_STMT_NO_TXN;
        }
        if (word_is(w, 1, "TABLE") && has_word(w, 2, MAX_WORDS, "DETACH") &&
            has_word(w, 2, MAX_WORDS, "CONCURRENTLY")) {
            *why = "ALTER TABLE ... DETACH PARTITION CONCURRENTLY cannot run inside a "
                   "transaction block";
            return f | DRV_STMT_NO_TXN | DRV_STMT_CONCURRENT;
        }
        if (word_is(w, 1, "DATABASE") && has_word(w, 2, MAX_WORDS, "TABLESPACE")) {
            *why = "ALTER DATABASE ... SET TABLESPACE cannot run inside a transaction block";
            return f | DRV_STMT_NO_TXN;
        }
        return f;
    }
    if (!strcmp(k, "COMMENT") || !strcmp(k, "GRANT") || !strcmp(k, "REVOKE") ||
        !strcmp(k, "TRUNCATE") || !strcmp(k, "SECURITY") || !strcmp(k, "REFRESH") ||
        !strcmp(k, "IMPORT"))
        return DRV_STMT_DDL;
    if (!strcmp(k, "INSERT") || !strcmp(k, "UPDATE") || !strcmp(k, "DELETE") ||
        !strcmp(k, "MERGE") || !strcmp(k, "COPY") || !strcmp(k, "SELECT") || !strcmp(k, "WITH") ||
        !strcmp(k, "VALUES") || !strcmp(k, "TABLE"))
        return DRV_STMT_DML;
    if (!strcmp(k, "DO") || !strcmp(k, "CALL"))
        return DRV_STMT_DDL | DRV_STMT_DML;
    return 0;
}

/* Is s[from, to) only whitespace, comments and semicolons? */
static int ignorable(const char *s, size_t from, size_t to)
{
    for (size_t i = skip_space_comments(s, from, to); i < to; i = skip_space_comments(s, i + 1, to))
        if (s[i] != ';')
            return 0;
    return 1;
}

/* The first word of a statement, upper-cased, into w (size 16); "" when none. */
static void first_word(const char *s, size_t len, char w[16])
{
    size_t k = 0;

    for (size_t i = 0; i < len && k < 15; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (!((c >= 'A' && c <= 'Z') || c == '_'))
            break;
        w[k++] = c;
    }
    w[k] = '\0';
}

/*
 * BEGIN ATOMIC bodies of SQL functions (PostgreSQL 14+) hold semicolons that
 * the scanner split cuts at.  Returns how many BEGIN/CASE are still open at
 * the end of the statement, so the caller can glue the following pieces on.
 */
static int atomic_depth(const char *stmt)
{
    PgQueryScanResult r = pg_query_scan(stmt);
    PgQuery__ScanResult *sr;
    int depth = 0, in_body = 0;

    if (r.error) {
        pg_query_free_scan_result(r);
        return 0;
    }
    sr = pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        PgQuery__ScanToken *t = sr->tokens[i];
        int len = t->end - t->start;
        const char *w = stmt + t->start;
        if (t->keyword_kind == PG_QUERY__KEYWORD_KIND__NO_KEYWORD)
            continue;
        if (len == 5 && !strncasecmp(w, "BEGIN", 5) && i + 1 < sr->n_tokens &&
            sr->tokens[i + 1]->end - sr->tokens[i + 1]->start == 6 &&
            !strncasecmp(stmt + sr->tokens[i + 1]->start, "ATOMIC", 6)) {
            in_body = 1;
            depth++;
        } else if (in_body && len == 4 && !strncasecmp(w, "CASE", 4)) {
            depth++;
        } else if (in_body && len == 3 && !strncasecmp(w, "END", 3) && depth > 0) {
            depth--;
        }
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    return depth;
}

/*
 * Does "ATOMIC", in any case, start within sql[from, to)?  Bounded: a search
 * to the end of the file for every CREATE made long files quadratic.
 */
static int atomic_within(const char *sql, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if ((sql[i] == 'a' || sql[i] == 'A') && !strncasecmp(sql + i, "ATOMIC", 6))
            return 1;
    return 0;
}

/* Flags of a statement, scanning it only when its first word can matter. */
static unsigned classify_stmt(const char *sql, size_t start, size_t end, int server_version,
                              const char **why)
{
    static const char *const deep[] = {"CREATE",  "DROP",   "REINDEX", "ALTER",
                                       "CLUSTER", "VACUUM", "PREPARE"};
    struct words w;
    char first[16];

    *why = NULL;
    first_word(sql + start, end - start, first);
    for (size_t i = 0; i < MG_ARRAY_SIZE(deep); i++) {
        if (!strcmp(first, deep[i])) {
            char *copy = mg_strndup(sql + start, end - start);
            /* ALTER TABLE/TYPE/DATABASE look at up to MAX_WORDS words, the others at a few */
            scan_words(&w, copy, strcmp(first, "ALTER") ? 64 : 1024);
            free(copy);
            return classify_words(&w, server_version, why);
        }
    }
    /*
     * The rest is decided by the first word alone: no need to lex a 50 MB
     * INSERT.  A run of letters and underscores is one token, a keyword or
     * an identifier, so it is the first word as scanning would give it.
     */
    w.n = first[0] ? 1 : 0;
    snprintf(w.w[0], sizeof(w.w[0]), "%s", first);
    return classify_words(&w, server_version, why);
}

/*
 * Splits with libpg_query's scanner split, then repairs what it gets wrong
 * so that no text is ever lost: pieces it drops (an unbalanced parenthesis
 * makes it swallow the rest) are kept as statements for the server to
 * judge, and BEGIN ATOMIC bodies are glued back together.
 */
static int pg_split(struct drv_stmt **out, size_t *n, const char *sql, size_t len,
                    int server_version, struct mg_err *err)
{
    PgQuerySplitResult r;
    struct drv_stmt *v = NULL;
    size_t cap = 0, cnt = 0, *seg = NULL, nseg = 0, segcap = 0, prev_end = 0;
    size_t line_off = 0;
    int line = 1, col = 1;

    if (strlen(sql) != len) {
        mg_line_col(sql, strlen(sql), &line, &col);
        mg_err_set(err, MG_EINPUT, "the SQL contains a NUL byte at line %d", line);
        err->line = line;
        err->col = col;
        return MG_EINPUT;
    }
    r = pg_query_split_with_scanner(sql);
    if (r.error) {
        line = col = 0;
        if (r.error->cursorpos > 0)
            mg_line_col(sql, (size_t)r.error->cursorpos - 1, &line, &col);
        mg_err_set(err, MG_EINPUT, "cannot split the SQL into statements: %s", r.error->message);
        mg_err_hint(err, "look for an unterminated quote, dollar quote or comment");
        err->line = line;
        err->col = col;
        pg_query_free_split_result(r);
        return MG_EINPUT;
    }
    /* pieces as [start, end) pairs, covering every byte that is not ignorable */
    for (int i = 0; i <= r.n_stmts; i++) {
        size_t off, end;
        if (i < r.n_stmts) {
            off = (size_t)r.stmts[i]->stmt_location;
            end = r.stmts[i]->stmt_len ? off + (size_t)r.stmts[i]->stmt_len : len;
        } else {
            off = end = len;
        }
        if (off > prev_end && !ignorable(sql, prev_end, off)) {
            /* text the split left out: keep it, from after the last ';' */
            size_t from = prev_end;
            while (from < off && (sql[from] == ';'))
                from++;
            mg_grow_array((void **)&seg, &segcap, nseg + 2, 2 * sizeof(size_t));
            seg[2 * nseg] = from;
            seg[2 * nseg + 1] = off;
            nseg++;
        }
        if (i < r.n_stmts) {
            mg_grow_array((void **)&seg, &segcap, nseg + 2, 2 * sizeof(size_t));
            seg[2 * nseg] = off;
            seg[2 * nseg + 1] = end;
            nseg++;
            prev_end = end;
        }
    }
    pg_query_free_split_result(r);

    for (size_t i = 0; i < nseg; i++) {
        size_t off = seg[2 * i], end = seg[2 * i + 1];
        size_t start = skip_space_comments(sql, off, end);
        if (start >= end)
            continue; /* only comments */
        char w[16];
        first_word(sql + start, end - start, w);
        if (!strcmp(w, "CREATE") && atomic_within(sql, start, end)) {
            /* glue following pieces on while BEGIN ATOMIC ... END is open */
            char *copy = mg_strndup(sql + start, end - start);
            int depth = atomic_depth(copy);
            free(copy);
            while (depth > 0 && i + 1 < nseg) {
                i++;
                end = seg[2 * i + 1];
                copy = mg_strndup(sql + start, end - start);
                depth = atomic_depth(copy);
                free(copy);
            }
        }
        while (end > start && (sql[end - 1] == ' ' || sql[end - 1] == '\n' ||
                               sql[end - 1] == '\t' || sql[end - 1] == '\r' || sql[end - 1] == ';'))
            end--;
        mg_grow_array((void **)&v, &cap, cnt + 1, sizeof(*v));
        struct drv_stmt *st = &v[cnt++];
        st->off = start;
        st->len = end - start;
        st->start = start;
        /* line and column counted on from the previous statement: linear in the file */
        for (; line_off < start; line_off++) {
            if (sql[line_off] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        st->line = line;
        st->col = col;
        st->flags = classify_stmt(sql, start, end, server_version, &st->why);
    }
    free(seg);
    *out = v;
    *n = cnt;
    return 0;
}

static void pg_quote_ident(struct mg_buf *out, const char *ident)
{
    mg_buf_addch(out, '"');
    for (const char *p = ident; *p; p++) {
        if (*p == '"')
            mg_buf_addch(out, '"');
        mg_buf_addch(out, *p);
    }
    mg_buf_addch(out, '"');
}

/* ---------- errors ---------- */

static void copy_field(char *dst, size_t size, const char *src)
{
    if (src)
        snprintf(dst, size, "%s", src);
}

/* Copies libpq's message without its trailing newline. */
static void conn_message(struct pg_conn *c, struct mg_err *err, int code, const char *what)
{
    char msg[1024];
    size_t l;

    snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c->pg));
    l = strlen(msg);
    while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
        msg[--l] = '\0';
    mg_err_set(err, code, "%s: %s", what, msg[0] ? msg : "no message from libpq");
}

/*
 * Judges one PGresult: 0 for success, else the error filled from the
 * server's fields.  The result is not freed here.
 */
static int result_error(struct pg_conn *c, PGresult *res, struct mg_err *err)
{
    ExecStatusType st;
    const char *state, *primary;
    int code = MG_EFAIL;

    if (!res) {
        if (PQstatus(c->pg) == CONNECTION_BAD) {
            conn_message(c, err, MG_ECONN, "lost the connection to the server");
            return MG_ECONN;
        }
        conn_message(c, err, MG_EFAIL, "query failed");
        return MG_EFAIL;
    }
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
        return 0;
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (state) {
        if (!strcmp(state, "55P03"))
            code = MG_ELOCKTIMEOUT;
        else if (!strcmp(state, "40P01"))
            code = MG_EDEADLOCK;
        else if (!strcmp(state, "57014"))
            code = c->canceled ? MG_ECANCELED : MG_EFAIL;
        else if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
                 !strcmp(state, "57P03"))
            code = MG_ECONN;
    }
    if (PQstatus(c->pg) == CONNECTION_BAD)
        code = MG_ECONN;
    if (primary) {
        mg_err_set(err, code, "%s", primary);
    } else {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(res));
        size_t l = strlen(msg);
        while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
            msg[--l] = '\0';
        if (!msg[0])
            snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c->pg));
        l = strlen(msg);
        while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
            msg[--l] = '\0';
        mg_err_set(err, code, "%s", msg[0] ? msg : "the server reported an error");
    }
    if (err->code == code) {
        copy_field(err->sqlstate, sizeof(err->sqlstate), state);
        copy_field(err->detail, sizeof(err->detail),
                   PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
        copy_field(err->hint, sizeof(err->hint), PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        if (pos)
            err->position = atoi(pos);
        if (code == MG_ELOCKTIMEOUT && !err->hint[0])
            mg_err_hint(err, "another session holds a conflicting lock; find it in pg_locks "
                             "joined with pg_stat_activity, or retry later");
    }
    return code;
}

/* ---------- connections ---------- */

/* Is `key` a libpq connection keyword? */
static int libpq_keyword(const char *key)
{
    static PQconninfoOption *defs;
    if (!defs)
        defs = PQconndefaults();
    for (PQconninfoOption *o = defs; o && o->keyword; o++)
        if (!strcmp(o->keyword, key))
            return 1;
    return 0;
}

static int pg_connect(struct drv_conn **out, const struct mg_url *url,
                      const struct drv_connect_opts *opts, struct mg_err *err)
{
    const char *keys[64], *vals[64];
    size_t n = 0;
    char timeout[32];
    struct pg_conn *c;
    PGresult *res;

    /* the URL's own parameters come first, so host=/socket/dir and sslmode work */
    for (size_t i = 0; i < url->nparams; i++) {
        if (!libpq_keyword(url->keys[i])) {
            mg_err_set(err, MG_EUSAGE, "unknown connection parameter '%s' in the database URL",
                       url->keys[i]);
            mg_err_hint(err, "PostgreSQL URLs take libpq's keywords: sslmode, sslrootcert, "
                             "host (a socket directory), connect_timeout, options ...");
            return MG_EUSAGE;
        }
        if (n >= 50) {
            return mg_err_set(err, MG_EUSAGE, "too many parameters in the database URL");
        }
        keys[n] = url->keys[i];
        vals[n++] = url->values[i];
    }
    if (url->host && !mg_url_param(url, "host")) {
        keys[n] = "host";
        vals[n++] = url->host;
    }
    if (url->port && !mg_url_param(url, "port")) {
        keys[n] = "port";
        vals[n++] = url->port;
    }
    if (url->user && !mg_url_param(url, "user")) {
        keys[n] = "user";
        vals[n++] = url->user;
    }
    if (url->password && !mg_url_param(url, "password")) {
        keys[n] = "password";
        vals[n++] = url->password;
    }
    if (url->dbname && !mg_url_param(url, "dbname")) {
        keys[n] = "dbname";
        vals[n++] = url->dbname;
    }
    if (!mg_url_param(url, "connect_timeout")) {
        long ms = opts && opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
        snprintf(timeout, sizeof(timeout), "%ld", (ms + 999) / 1000);
        keys[n] = "connect_timeout";
        vals[n++] = timeout;
    }
    if (!mg_url_param(url, "application_name")) {
        keys[n] = "application_name";
        vals[n++] = opts && opts->application_name ? opts->application_name : "migrate";
    }
    keys[n] = NULL;
    vals[n] = NULL;

    c = mg_calloc(1, sizeof(*c));
    c->base.ops = &drv_postgres_ops;
    c->pg = PQconnectdbParams(keys, vals, 0);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        const char *m = c->pg ? PQerrorMessage(c->pg) : "";
        conn_message(c, err, MG_ECONN, "cannot connect to PostgreSQL");
        if (strstr(m, "password authentication failed") || strstr(m, "no password supplied") ||
            (c->pg && PQconnectionNeedsPassword(c->pg)))
            mg_err_hint(err, "check the user and password in the URL, ~/.pgpass or PGPASSFILE");
        else if (strstr(m, "does not exist") && strstr(m, "database"))
            mg_err_hint(err, "create the database first (CREATE DATABASE ...) or fix its name in "
                             "the URL");
        else if (strstr(m, "Connection refused") || strstr(m, "No such file") ||
                 strstr(m, "could not translate host name") || strstr(m, "timeout"))
            mg_err_hint(err, "check that the server is running and that host and port in the URL "
                             "are right");
        PQfinish(c->pg);
        free(c);
        return MG_ECONN;
    }
    c->cancel = PQgetCancel(c->pg);

    /* who we are talking to */
    struct drv_info *in = &c->base.info;
    snprintf(in->dialect, sizeof(in->dialect), "postgres");
    snprintf(in->product, sizeof(in->product), "PostgreSQL");
    in->version_num = PQserverVersion(c->pg);
    in->transactional_ddl = 1;
    snprintf(in->database, sizeof(in->database), "%s", PQdb(c->pg));
    snprintf(in->user, sizeof(in->user), "%s", PQuser(c->pg));
    const char *sv = PQparameterStatus(c->pg, "server_version");
    snprintf(in->server_version, sizeof(in->server_version), "%s", sv ? sv : "unknown");

    /*
     * The engine's SQL needs no notices.  From PostgreSQL 14 the server also
     * checks every second that we are still there, so a killed runner does
     * not leave its statement running (and its locks held) until it ends.
     */
    res = PQexec(c->pg, in->version_num >= 140000 ? "SET client_min_messages = warning; "
                                                    "SET client_connection_check_interval = '1s'"
                                                  : "SET client_min_messages = warning");
    int rc = result_error(c, res, err);
    PQclear(res);
    if (rc) {
        PQfreeCancel(c->cancel);
        PQfinish(c->pg);
        free(c);
        return rc;
    }
    *out = &c->base;
    return 0;
}

static void pg_close(struct drv_conn *base)
{
    struct pg_conn *c = (struct pg_conn *)base;

    if (c->cancel)
        PQfreeCancel(c->cancel);
    PQfinish(c->pg);
    for (size_t i = 0; i < c->nprep; i++)
        free(c->prep[i].sql);
    free(c);
}

/*
 * PQexec, but while the statement runs the engine's waiter is called about
 * every waiter.every_ms (progress lines for long statements).  Of several
 * results (a text with many statements) the first error, else the last.
 */
static PGresult *exec_wait(struct pg_conn *c, const char *sql)
{
    const struct drv_waiter *w = &c->base.waiter;
    PGresult *last = NULL, *r;

    if (!w->fn || w->every_ms <= 0)
        return PQexec(c->pg, sql);
    if (!PQsendQuery(c->pg, sql))
        return NULL;
    int64_t t0 = mg_monotonic_ms(), next = t0 + w->every_ms;
    while (PQisBusy(c->pg)) {
        struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
        int64_t now = mg_monotonic_ms();
        int n = poll(&p, 1, next > now ? (int)(next - now) : 0);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && !PQconsumeInput(c->pg))
            break;
        now = mg_monotonic_ms();
        if (now >= next) {
            w->fn(w->arg, now - t0);
            next = now + w->every_ms;
        }
    }
    while ((r = PQgetResult(c->pg))) {
        if (PQresultStatus(r) == PGRES_COPY_IN)
            PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported in a migration");
        if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
            PQclear(r);
            continue;
        }
        PQclear(last);
        last = r;
    }
    return last;
}

static int pg_exec(struct drv_conn *base, const char *sql, size_t len, long long *rows,
                   struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    PGresult *res;
    int rc;
    char *copy = NULL;

    if (c->dry) {
        mg_buf_add(c->dry, sql, len);
        mg_buf_adds(c->dry, ";\n");
        if (rows)
            *rows = 0;
        return 0;
    }
    if (sql[len] != '\0') {
        copy = mg_strndup(sql, len);
        sql = copy;
    }
    res = exec_wait(c, sql);
    rc = result_error(c, res, err);
    if (!rc && rows) {
        const char *t = PQcmdTuples(res);
        *rows = t && *t ? atoll(t) : -1;
    }
    PQclear(res);
    free(copy);
    return rc;
}

/* Runs a parameterised query, through a prepared statement once it repeats. */
static PGresult *exec_params(struct pg_conn *c, const char *sql, const char *const *params,
                             size_t nparams)
{
    struct prepared *p = NULL;
    char name[16];

    if (c->dry) {
        mg_buf_adds(c->dry, sql);
        mg_buf_adds(c->dry, ";\n");
        for (size_t i = 0; i < nparams; i++) {
            mg_buf_addf(c->dry, "--   $%zu = ", i + 1);
            if (!params[i]) {
                mg_buf_adds(c->dry, "NULL\n");
                continue;
            }
            mg_buf_addch(c->dry, '\'');
            for (const char *q = params[i]; *q; q++) {
                if (*q == '\'')
                    mg_buf_addch(c->dry, '\'');
                mg_buf_addch(c->dry, *q == '\n' ? ' ' : *q);
            }
            mg_buf_adds(c->dry, "'\n");
        }
        return PQmakeEmptyPGresult(c->pg, PGRES_TUPLES_OK);
    }
    for (size_t i = 0; i < c->nprep; i++)
        if (!strcmp(c->prep[i].sql, sql))
            p = &c->prep[i];
    if (!p && c->nprep < PREPARED_MAX) {
        p = &c->prep[c->nprep++];
        p->sql = mg_strdup(sql);
        p->uses = 0;
        p->ready = 0;
    }
    if (!p || p->uses++ == 0)
        return PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
    snprintf(name, sizeof(name), "mg_%zu", (size_t)(p - c->prep));
    if (!p->ready) {
        PGresult *r = PQprepare(c->pg, name, sql, (int)nparams, NULL);
        p->ready = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!p->ready) /* e.g. inside a failed transaction: let the plain path report it */
            return PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
    }
    PGresult *res = PQexecPrepared(c->pg, name, (int)nparams, params, NULL, NULL, 0);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && !strcmp(state, "26000")) {
        /* a migration ran DEALLOCATE ALL or DISCARD ALL: forget and run it plainly */
        PQclear(res);
        for (size_t i = 0; i < c->nprep; i++)
            c->prep[i].ready = 0;
        return PQexecParams(c->pg, sql, (int)nparams, NULL, params, NULL, NULL, 0);
    }
    return res;
}

static int pg_query(struct drv_conn *base, struct drv_result **out, const char *sql,
                    const char *const *params, size_t nparams, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    PGresult *res;
    int rc;

    *out = NULL;
    res = exec_params(c, sql, params, nparams);
    rc = result_error(c, res, err);
    if (!rc) {
        int nf = PQnfields(res), nt = PQntuples(res);
        struct drv_result *r = drv_result_new((size_t)nf);
        const char *cells[256];
        size_t lens[256];
        if (nf > 256) {
            PQclear(res);
            drv_result_free(r);
            return mg_err_set(err, MG_EFAIL, "a result with more than 256 columns");
        }
        for (int f = 0; f < nf; f++)
            drv_result_set_name(r, (size_t)f, PQfname(res, f));
        for (int t = 0; t < nt; t++) {
            for (int f = 0; f < nf; f++) {
                cells[f] = PQgetisnull(res, t, f) ? NULL : PQgetvalue(res, t, f);
                lens[f] = (size_t)PQgetlength(res, t, f);
            }
            drv_result_add_row(r, cells, lens);
        }
        *out = r;
    }
    PQclear(res);
    return rc;
}

static int simple(struct drv_conn *base, const char *sql, struct mg_err *err)
{
    return pg_exec(base, sql, strlen(sql), NULL, err);
}

static int pg_begin(struct drv_conn *base, struct mg_err *err)
{
    return simple(base, "BEGIN", err);
}

static int pg_begin_timeouts(struct drv_conn *base, long lock_ms, long stmt_ms, struct mg_err *err)
{
    char sql[160];

    /* two integers of ours, not user input: one round trip instead of two */
    snprintf(sql, sizeof(sql),
             "BEGIN; SET LOCAL lock_timeout = %ld; SET LOCAL statement_timeout = %ld", lock_ms,
             stmt_ms);
    return simple(base, sql, err);
}

static int pg_commit(struct drv_conn *base, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    if (c->dry)
        return simple(base, "COMMIT", err);
    PGresult *res = PQexec(c->pg, "COMMIT");
    int rc = result_error(c, res, err);

    /* COMMIT of a failed transaction "succeeds" as ROLLBACK: treat it as the failure it is */
    if (!rc && res && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = mg_err_set(err, MG_EFAIL, "the transaction was rolled back instead of committed");
    PQclear(res);
    return rc;
}

static int pg_rollback(struct drv_conn *base, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;

    if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return 0;
    return simple(base, "ROLLBACK", err);
}

/* The advisory lock key: the first 8 bytes of SHA-256 of the name, as two 32-bit halves. */
static void lock_key(const char *name, char key[24], char hi[12], char lo[12])
{
    char hex[65];
    uint64_t k = 0;

    mg_sha256_hex(hex, name, strlen(name));
    for (int i = 0; i < 16; i++) {
        char ch = hex[i];
        k = (k << 4) | (uint64_t)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    snprintf(key, 24, "%lld", (long long)k);
    snprintf(hi, 12, "%u", (unsigned)(k >> 32));
    snprintf(lo, 12, "%u", (unsigned)(k & 0xffffffffu));
}

static int pg_try_lock(struct drv_conn *base, const char *name, int *got, struct mg_err *err)
{
    char key[24], hi[12], lo[12];
    const char *p[1] = {key};
    struct drv_result *r;
    int rc;

    lock_key(name, key, hi, lo);
    rc = pg_query(base, &r, "SELECT pg_try_advisory_lock($1::bigint)", p, 1, err);
    if (rc)
        return rc;
    *got = r->nrows && drv_val(r, 0, 0) && !strcmp(drv_val(r, 0, 0), "t");
    drv_result_free(r);
    return 0;
}

static int pg_unlock(struct drv_conn *base, const char *name, struct mg_err *err)
{
    char key[24], hi[12], lo[12];
    const char *p[1] = {key};
    struct drv_result *r;
    int rc;

    lock_key(name, key, hi, lo);
    rc = pg_query(base, &r, "SELECT pg_advisory_unlock($1::bigint)", p, 1, err);
    drv_result_free(r);
    return rc;
}

static int pg_lock_holder(struct drv_conn *base, const char *name, struct mg_buf *out,
                          struct mg_err *err)
{
    char key[24], hi[12], lo[12];
    const char *p[2] = {hi, lo};
    struct drv_result *r;
    int rc;

    lock_key(name, key, hi, lo);
    rc = pg_query(base, &r,
                  "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.usename, ''), "
                  "coalesce(host(a.client_addr), 'local socket'), "
                  "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                  "coalesce(a.state, ''), "
                  "extract(epoch FROM now() - a.backend_start)::bigint "
                  "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                  "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                  "AND l.classid = $1::oid AND l.objid = $2::oid "
                  "AND l.database = (SELECT oid FROM pg_database WHERE datname = "
                  "current_database())",
                  p, 2, err);
    if (rc)
        return rc;
    if (r->nrows)
        mg_buf_addf(out,
                    "backend pid %s (application_name '%s', user '%s', from %s, connected since "
                    "%s, %ss ago, state %s)",
                    drv_val(r, 0, 0), drv_val(r, 0, 1), drv_val(r, 0, 2), drv_val(r, 0, 3),
                    drv_val(r, 0, 4), drv_val(r, 0, 6), drv_val(r, 0, 5));
    drv_result_free(r);
    return 0;
}

static int pg_set_timeouts(struct drv_conn *base, long lock_ms, long stmt_ms, struct mg_err *err)
{
    char l[32], s[32];
    const char *p[2] = {l, s};
    struct drv_result *r;
    int rc;

    snprintf(l, sizeof(l), "%ldms", lock_ms);
    snprintf(s, sizeof(s), "%ldms", stmt_ms);
    rc = pg_query(base, &r,
                  "SELECT set_config('lock_timeout', $1, false), "
                  "set_config('statement_timeout', $2, false)",
                  p, 2, err);
    drv_result_free(r);
    return rc;
}

static int pg_dry_run(struct drv_conn *base, struct mg_buf *sink, struct mg_err *err)
{
    ((struct pg_conn *)base)->dry = sink;
    return 0;
}

static int pg_read_only(struct drv_conn *base, struct mg_err *err)
{
    return simple(base, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", err);
}

static long pg_backend_id(struct drv_conn *base)
{
    return PQbackendPID(((struct pg_conn *)base)->pg);
}

/* Index builds and CLUSTER / VACUUM FULL report their phase and how many blocks or tuples. */
static int pg_progress(struct drv_conn *base, long backend, struct mg_buf *out, struct mg_err *err)
{
    char pid[24];
    const char *p[1] = {pid};
    struct drv_result *r;
    int rc;

    snprintf(pid, sizeof(pid), "%ld", backend);
    rc =
        pg_query(base, &r,
                 "SELECT command || ': ' || phase, CASE "
                 "WHEN blocks_total > 0 THEN round(100.0 * blocks_done / blocks_total) "
                 "WHEN tuples_total > 0 THEN round(100.0 * tuples_done / tuples_total) END "
                 "FROM pg_stat_progress_create_index WHERE pid = $1::int "
                 "UNION ALL "
                 "SELECT command || ': ' || phase, CASE "
                 "WHEN heap_blks_total > 0 THEN round(100.0 * heap_blks_scanned / heap_blks_total) "
                 "END FROM pg_stat_progress_cluster WHERE pid = $1::int",
                 p, 1, err);
    if (rc)
        return rc;
    if (r->nrows) {
        mg_buf_adds(out, drv_val(r, 0, 0) ? drv_val(r, 0, 0) : "");
        if (drv_val(r, 0, 1))
            mg_buf_addf(out, ", %s%%", drv_val(r, 0, 1));
    }
    drv_result_free(r);
    return 0;
}

static void pg_cancel(struct drv_conn *base)
{
    struct pg_conn *c = (struct pg_conn *)base;
    char buf[256];

    c->canceled = 1;
    if (c->cancel)
        PQcancel(c->cancel, buf, sizeof(buf));
}

/* ---------- checkpoints ---------- */

/*
 * The WAL position and the cluster's identity in one round trip.  On a
 * primary the position is the insert LSN rather than pg_current_wal_lsn()
 * (the write position), which can lag behind records already inserted: the
 * insert LSN is the first position no earlier record can be at, which makes
 * it a recovery target that keeps everything before it.  On a standby it is
 * the last replayed LSN (the WAL functions of a primary fail there).
 */
static int pg_log_position(struct drv_conn *base, struct drv_log_pos *out, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    rc = pg_query(base, &r,
                  "SELECT pg_is_in_recovery(), "
                  "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
                  "ELSE pg_current_wal_insert_lsn() END::text, "
                  "CASE WHEN pg_is_in_recovery() THEN NULL "
                  "ELSE pg_walfile_name(pg_current_wal_insert_lsn()) END, "
                  "(SELECT timeline_id FROM pg_control_checkpoint()), "
                  "current_setting('wal_level'), "
                  "(SELECT system_identifier FROM pg_control_system())::text",
                  NULL, 0, err);
    if (rc)
        return rc;
    out->kind = DRV_LOG_WAL;
    out->in_recovery = drv_val(r, 0, 0) && drv_val(r, 0, 0)[0] == 't';
    copy_field(out->lsn, sizeof(out->lsn), drv_val(r, 0, 1));
    copy_field(out->wal_file, sizeof(out->wal_file), drv_val(r, 0, 2));
    out->timeline = drv_val(r, 0, 3) ? atol(drv_val(r, 0, 3)) : 0;
    copy_field(out->wal_level, sizeof(out->wal_level), drv_val(r, 0, 4));
    copy_field(out->system_id, sizeof(out->system_id), drv_val(r, 0, 5));
    if (out->in_recovery && !out->lsn[0])
        snprintf(out->note, sizeof(out->note),
                 "the standby has not replayed any WAL yet, so it has no position to report");
    else if (!strcmp(out->wal_level, "minimal"))
        snprintf(out->note, sizeof(out->note),
                 "wal_level is 'minimal': the WAL cannot be used for point-in-time recovery");
    drv_result_free(r);
    return 0;
}

static int pg_create_restore_point(struct drv_conn *base, const char *name, struct mg_buf *pos,
                                   struct mg_err *err)
{
    const char *p[1] = {name};
    struct drv_result *r;
    int rc;

    rc = pg_query(base, &r, "SELECT pg_create_restore_point($1)::text", p, 1, err);
    if (rc) {
        if (!strcmp(err->sqlstate, "42501") && !err->hint[0])
            mg_err_hint(err,
                        "pg_create_restore_point needs a superuser, or a superuser can allow it: "
                        "GRANT EXECUTE ON FUNCTION pg_create_restore_point(text) TO \"%s\"",
                        base->info.user);
        return rc;
    }
    if (drv_val(r, 0, 0))
        mg_buf_adds(pos, drv_val(r, 0, 0));
    drv_result_free(r);
    return 0;
}

const struct drv_ops drv_postgres_ops = {
    .api_version = DRV_API_VERSION,
    .name = "postgres",
    .schemes = pg_schemes,
    .split = pg_split,
    .quote_ident = pg_quote_ident,
    .connect = pg_connect,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .try_lock = pg_try_lock,
    .unlock = pg_unlock,
    .lock_holder = pg_lock_holder,
    .set_timeouts = pg_set_timeouts,
    .cancel = pg_cancel,
    .begin_timeouts = pg_begin_timeouts,
    .dry_run = pg_dry_run,
    .read_only = pg_read_only,
    .backend_id = pg_backend_id,
    .progress = pg_progress,
    .log_position = pg_log_position,
    .create_restore_point = pg_create_restore_point,
};
