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
#include <time.h>

#include "driver.h"
#include "postgres_internal.h"
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
    /*
     * "BEGIN; SET LOCAL ..." of begin_timeouts, not sent yet: it goes with the
     * next statement in one round trip (flush_begin sends it alone when the
     * next thing is not a statement).
     */
    char pending_begin[160];
    /* a statement sent by exec_start: its first error and rows, until exec_wait sees its end */
    int busy;
    int busy_rc;
    long long busy_rows;
    struct mg_err busy_err;
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
                   struct mg_err *err);

/* Sends a pending BEGIN on its own, before anything that is not the next statement. */
static int flush_begin(struct pg_conn *c, struct mg_err *err)
{
    char sql[160];

    if (!c->pending_begin[0])
        return 0;
    memcpy(sql, c->pending_begin, sizeof(sql));
    c->pending_begin[0] = '\0';
    return pg_exec(&c->base, sql, strlen(sql), NULL, err);
}

static int pg_exec(struct drv_conn *base, const char *sql, size_t len, long long *rows,
                   struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    PGresult *res;
    int rc;
    char *copy = NULL;
    size_t prefix = 0;

    if (c->pending_begin[0]) {
        /* the transaction's BEGIN and timeouts ride with its first statement */
        struct mg_buf b = MG_BUF_INIT;
        mg_buf_adds(&b, c->pending_begin);
        mg_buf_adds(&b, ";\n");
        prefix = b.len;
        mg_buf_add(&b, sql, len);
        c->pending_begin[0] = '\0';
        rc = pg_exec(base, b.ptr, b.len, rows, err);
        /* positions are the statement's own, not the combined text's */
        if (rc && err->position > 0)
            err->position = err->position > (int)prefix ? err->position - (int)prefix : 0;
        mg_buf_free(&b);
        return rc;
    }
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
    struct mg_err flush_err;

    mg_err_clear(&flush_err);
    if (c->pending_begin[0] && flush_begin(c, &flush_err) < 0)
        return NULL; /* the connection says why; result_error reports it */
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
        const char *affected = PQcmdTuples(res);
        if (affected && *affected)
            r->affected = atoll(affected);
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

    struct pg_conn *c = (struct pg_conn *)base;

    /* two integers of ours, not user input; sent with the next statement */
    snprintf(sql, sizeof(sql),
             "BEGIN; SET LOCAL lock_timeout = %ld; SET LOCAL statement_timeout = %ld", lock_ms,
             stmt_ms);
    memcpy(c->pending_begin, sql, sizeof(c->pending_begin));
    (void)err;
    return 0;
}

static int pg_commit(struct drv_conn *base, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    if (flush_begin(c, err))
        return err->code;
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

/*
 * The last write of a migration and its COMMIT in one round trip, with
 * libpq's pipeline mode, once the statement is prepared (its first use goes
 * the plain way and prepares nothing).
 */
static int pg_query_commit(struct drv_conn *base, const char *sql, const char *const *params,
                           size_t nparams, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    struct prepared *p = NULL;
    char name[16];
    int rc = 0;

    if (flush_begin(c, err))
        return err->code;
    for (size_t i = 0; i < c->nprep; i++)
        if (!strcmp(c->prep[i].sql, sql))
            p = &c->prep[i];
    if (c->dry || !p || !p->ready) {
        struct drv_result *r;
        rc = pg_query(base, &r, sql, params, nparams, err);
        drv_result_free(r);
        return rc ? rc : pg_commit(base, err);
    }
    snprintf(name, sizeof(name), "mg_%zu", (size_t)(p - c->prep));
    if (!PQenterPipelineMode(c->pg) ||
        !PQsendQueryPrepared(c->pg, name, (int)nparams, params, NULL, NULL, 0) ||
        !PQsendQueryParams(c->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
        !PQpipelineSync(c->pg)) {
        conn_message(c, err, PQstatus(c->pg) == CONNECTION_BAD ? MG_ECONN : MG_EFAIL,
                     "cannot send the history write and COMMIT");
        PQexitPipelineMode(c->pg);
        return err->code;
    }
    /* results: the write, COMMIT (each followed by NULL), then the sync */
    for (int stage = 0; stage < 2; stage++) {
        PGresult *res = PQgetResult(c->pg);
        if (!res)
            break;
        if (!rc) {
            if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED)
                rc = mg_err_set(err, MG_EFAIL, "COMMIT was not run: the write before it failed");
            else
                rc = result_error(c, res, err);
            if (!rc && stage == 1 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
                rc = mg_err_set(err, MG_EFAIL,
                                "the transaction was rolled back instead of committed");
        }
        PQclear(res);
        while ((res = PQgetResult(c->pg)) != NULL)
            PQclear(res);
    }
    PGresult *sync = PQgetResult(c->pg);
    PQclear(sync);
    if (!PQexitPipelineMode(c->pg) && !rc)
        rc = mg_err_set(err, MG_EFAIL, "cannot leave pipeline mode: %s", PQerrorMessage(c->pg));
    return rc;
}

static int pg_rollback(struct drv_conn *base, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;

    c->pending_begin[0] = '\0'; /* never sent: nothing to roll back */
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

/* ---------- schema snapshots (postgres_schema.c) ---------- */

/* The snapshot runs its own read-only transaction: refuse inside another one. */
static int need_idle(struct pg_conn *c, const char *what, struct mg_err *err)
{
    if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return 0;
    return mg_err_set(err, MG_EFAIL, "cannot take %s inside an open transaction", what);
}

static int pg_schema_snapshot(struct drv_conn *base, struct mg_buf *out, struct mg_err *err)
{
    int rc = need_idle((struct pg_conn *)base, "a schema snapshot", err);
    return rc ? rc : drv_pg_schema_snapshot(base, out, err);
}

static int pg_data_fingerprint(struct drv_conn *base, struct drv_result **out, long long max_rows,
                               struct mg_err *err)
{
    int rc = need_idle((struct pg_conn *)base, "a row fingerprint", err);
    return rc ? rc : drv_pg_data_fingerprint(base, out, max_rows, err);
}

/* ---------- estimate, clone and preflight ---------- */

static char *dup_cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return v ? mg_strdup(v) : NULL;
}

static long long ll_cell(const struct drv_result *r, size_t row, size_t col)
{
    const char *v = drv_val(r, row, col);
    return v ? atoll(v) : -1;
}

static int pg_db_identity(struct drv_conn *base, struct drv_db_identity *out, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    /* pg_control_system() may be revoked on managed servers: ask first, then read */
    rc = pg_query(base, &r,
                  "SELECT has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE'), "
                  "pg_postmaster_start_time()::text, d.oid::text, current_database(), "
                  "coalesce(host(inet_server_addr()), 'local socket') || ':' || "
                  "current_setting('port') "
                  "FROM pg_database d WHERE d.datname = current_database()",
                  NULL, 0, err);
    if (rc)
        return rc;
    if (r->nrows != 1) {
        drv_result_free(r);
        return mg_err_set(err, MG_EFAIL, "cannot find the current database in pg_database");
    }
    snprintf(out->started, sizeof(out->started), "%s", drv_val(r, 0, 1));
    snprintf(out->database_id, sizeof(out->database_id), "%s", drv_val(r, 0, 2));
    snprintf(out->database, sizeof(out->database), "%s", drv_val(r, 0, 3));
    snprintf(out->address, sizeof(out->address), "%s", drv_val(r, 0, 4));
    int can = drv_val(r, 0, 0) && drv_val(r, 0, 0)[0] == 't';
    drv_result_free(r);
    if (!can)
        return 0;
    rc =
        pg_query(base, &r, "SELECT system_identifier::text FROM pg_control_system()", NULL, 0, err);
    if (rc)
        return rc;
    if (r->nrows == 1 && drv_val(r, 0, 0))
        snprintf(out->server_id, sizeof(out->server_id), "%s", drv_val(r, 0, 0));
    drv_result_free(r);
    return 0;
}

static int pg_session_locks(struct drv_conn *base, long long backend, struct drv_locks *out,
                            int *waiting, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    char pid[24];
    const char *p[1] = {pid};
    struct drv_result *r;
    int rc;

    snprintf(pid, sizeof(pid), "%lld", backend ? backend : (long long)PQbackendPID(c->pg));
    /*
     * Relation locks in this database, plus any lock the session waits for:
     * a wait on a transaction or virtual xid (CONCURRENTLY waiting for older
     * transactions) is not a relation lock but still a wait.
     */
    rc = pg_query(base, &r,
                  "SELECT l.locktype = 'relation', l.relation::text, n.nspname, c.relname, "
                  "c.relkind::text, l.mode, l.granted "
                  "FROM pg_catalog.pg_locks l "
                  "LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation "
                  "LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE l.pid = $1::int AND ((l.locktype = 'relation' AND l.database = "
                  "(SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) "
                  "AND (n.nspname IS NULL OR (n.nspname NOT IN ('pg_catalog', "
                  "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%')))"
                  " OR NOT l.granted)",
                  p, 1, err);
    if (rc)
        return rc;
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        int granted = drv_val(r, i, 6) && drv_val(r, i, 6)[0] == 't';
        if (!granted)
            *waiting = 1;
        if (!(drv_val(r, i, 0) && drv_val(r, i, 0)[0] == 't'))
            continue;
        struct drv_lock *l = &out->v[out->n++];
        l->rel_id = dup_cell(r, i, 1);
        l->schema = dup_cell(r, i, 2);
        l->name = dup_cell(r, i, 3);
        l->kind = drv_val(r, i, 4) ? drv_val(r, i, 4)[0] : 0;
        l->mode = dup_cell(r, i, 5);
        l->granted = granted;
    }
    drv_result_free(r);
    return 0;
}

/* Fills out from rows of (oid, schema, name, kind, table, file, bytes, total, pages, rows). */
static void rels_from_result(struct drv_rels *out, const struct drv_result *r)
{
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        struct drv_rel *x = &out->v[out->n++];
        x->id = dup_cell(r, i, 0);
        x->schema = dup_cell(r, i, 1);
        x->name = dup_cell(r, i, 2);
        x->kind = drv_val(r, i, 3) ? drv_val(r, i, 3)[0] : 0;
        x->table_id = dup_cell(r, i, 4);
        x->file = dup_cell(r, i, 5);
        x->bytes = ll_cell(r, i, 6);
        x->total_bytes = ll_cell(r, i, 7);
        x->pages = ll_cell(r, i, 8);
        x->rows = drv_val(r, i, 9) ? atof(drv_val(r, i, 9)) : -1;
        if (x->rows < 0)
            x->rows = -1; /* reltuples is -1 before the first VACUUM or ANALYZE (PostgreSQL 14+) */
    }
}

#define REL_COLUMNS                                                                                \
    "c.oid::text, n.nspname, c.relname, c.relkind::text, "                                         \
    "CASE WHEN c.relkind IN ('i', 'I') THEN ix.indrelid::text END, "                               \
    "pg_catalog.pg_relation_filenode(c.oid)::text, "                                               \
    "pg_catalog.pg_relation_size(c.oid), "                                                         \
    "CASE WHEN c.relkind IN ('r', 'm', 't') THEN pg_catalog.pg_total_relation_size(c.oid) "        \
    "ELSE pg_catalog.pg_relation_size(c.oid) END, "                                                \
    "c.relpages, c.reltuples::float8 "

static int pg_relation_files(struct drv_conn *base, struct drv_rels *out, struct mg_err *err)
{
    struct drv_result *r;
    int rc;

    rc = pg_query(base, &r,
                  /* no sizes: pg_relation_size() would lock every relation */
                  "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, "
                  "CASE WHEN c.relkind IN ('i', 'I') THEN ix.indrelid::text END, "
                  "pg_catalog.pg_relation_filenode(c.oid)::text, NULL, NULL, "
                  "c.relpages, c.reltuples::float8 "
                  "FROM pg_catalog.pg_class c "
                  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  "LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.oid "
                  "WHERE c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f') "
                  "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                  "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
                  "ORDER BY c.oid",
                  NULL, 0, err);
    if (rc)
        return rc;
    rels_from_result(out, r);
    drv_result_free(r);
    return 0;
}

static int pg_relation_stats(struct drv_conn *base, const char *const *names, size_t n,
                             struct drv_rels *out, struct mg_err *err)
{
    struct mg_buf list = MG_BUF_INIT;
    const char *p[1];
    struct drv_result *r;
    int rc;

    /* the names travel as one parameter, a JSON array: no quoting of ours */
    mg_buf_addch(&list, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            mg_buf_addch(&list, ',');
        mg_buf_addch(&list, '"');
        for (const char *s = names[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                mg_buf_addch(&list, '\\');
            if ((unsigned char)*s < 0x20)
                mg_buf_addf(&list, "\\u%04x", (unsigned char)*s);
            else
                mg_buf_addch(&list, *s);
        }
        mg_buf_addch(&list, '"');
    }
    mg_buf_addch(&list, ']');
    p[0] = list.ptr;
    rc = pg_query(
        base, &r,
        "WITH want AS (SELECT DISTINCT pg_catalog.to_regclass(x) AS oid "
        "FROM pg_catalog.json_array_elements_text($1::json) x), "
        "rels AS (SELECT oid FROM want WHERE oid IS NOT NULL UNION "
        "SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN want w ON i.indrelid = w.oid) "
        "SELECT " REL_COLUMNS "FROM rels JOIN pg_catalog.pg_class c ON c.oid = rels.oid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.oid ORDER BY c.oid",
        p, 1, err);
    mg_buf_free(&list);
    if (rc)
        return rc;
    rels_from_result(out, r);
    drv_result_free(r);
    return 0;
}

static int pg_exec_start(struct drv_conn *base, const char *sql, size_t len, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    char *copy = NULL;
    int ok;

    if (c->busy)
        return mg_err_set(err, MG_EFAIL, "a statement is still running on this connection");
    if (flush_begin(c, err))
        return err->code;
    if (sql[len] != '\0') {
        copy = mg_strndup(sql, len);
        sql = copy;
    }
    ok = PQsendQuery(c->pg, sql);
    free(copy);
    if (!ok) {
        int code = PQstatus(c->pg) == CONNECTION_BAD ? MG_ECONN : MG_EFAIL;
        conn_message(c, err, code, "cannot send the statement");
        return code;
    }
    c->busy = 1;
    c->busy_rc = 0;
    c->busy_rows = -1;
    mg_err_clear(&c->busy_err);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pg_exec_wait(struct drv_conn *base, long timeout_ms, int *done, long long *rows,
                        struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

    if (!c->busy)
        return mg_err_set(err, MG_EFAIL, "no statement is running on this connection");
    for (;;) {
        if (!PQconsumeInput(c->pg)) {
            c->busy = 0;
            *done = 1;
            conn_message(c, err, MG_ECONN, "lost the connection to the server");
            return MG_ECONN;
        }
        while (!PQisBusy(c->pg)) {
            PGresult *res = PQgetResult(c->pg);
            if (!res) {
                c->busy = 0;
                *done = 1;
                if (rows)
                    *rows = c->busy_rows;
                if (c->busy_rc)
                    mg_err_copy(err, &c->busy_err);
                return c->busy_rc;
            }
            if (!c->busy_rc) {
                c->busy_rc = result_error(c, res, &c->busy_err);
                const char *t = PQcmdTuples(res);
                if (!c->busy_rc && t && *t)
                    c->busy_rows = atoll(t);
            }
            PQclear(res);
        }
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0) {
            c->busy = 0;
            *done = 1;
            conn_message(c, err, MG_ECONN, "lost the connection to the server");
            return MG_ECONN;
        }
        poll(&pfd, 1, (int)left);
    }
}

static int pg_copy_out(struct drv_conn *base, const char *sql, drv_copy_sink sink, void *arg,
                       struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    if (flush_begin(c, err))
        return err->code;
    PGresult *res = PQexec(c->pg, sql);
    int rc = 0, n;
    char *data;

    if (!res || PQresultStatus(res) != PGRES_COPY_OUT) {
        rc = result_error(c, res, err);
        PQclear(res);
        return rc ? rc : mg_err_set(err, MG_EFAIL, "the statement is not a COPY ... TO STDOUT");
    }
    PQclear(res);
    while ((n = PQgetCopyData(c->pg, &data, 0)) > 0) {
        if (!rc && sink(arg, data, (size_t)n, err)) {
            rc = err->code ? err->code : MG_EFAIL;
            /* stop the server sending; what still arrives is read and dropped */
            char buf[256];
            if (c->cancel)
                PQcancel(c->cancel, buf, sizeof(buf));
        }
        PQfreemem(data);
    }
    /* n == -1: done, -2: an error, both followed by the final result */
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (!rc)
            rc = result_error(c, res, err);
        PQclear(res);
    }
    if (!rc && n == -2) {
        conn_message(c, err, MG_EFAIL, "COPY failed");
        rc = MG_EFAIL;
    }
    return rc;
}

static int pg_copy_in_start(struct drv_conn *base, const char *sql, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    if (flush_begin(c, err))
        return err->code;
    PGresult *res = PQexec(c->pg, sql);
    int rc = 0;

    if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
        rc = result_error(c, res, err);
        if (!rc)
            rc = mg_err_set(err, MG_EFAIL, "the statement is not a COPY ... FROM STDIN");
    }
    PQclear(res);
    return rc;
}

static int pg_copy_in_put(struct drv_conn *base, const char *data, size_t len, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;

    if (len > (size_t)0x7fffffff)
        return mg_err_set(err, MG_EFAIL, "a COPY chunk over 2 GB");
    if (PQputCopyData(c->pg, data, (int)len) != 1) {
        conn_message(c, err, MG_ECONN, "COPY FROM STDIN failed");
        return MG_ECONN;
    }
    return 0;
}

static int pg_copy_in_end(struct drv_conn *base, int abort, long long *rows, struct mg_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    PGresult *res;
    int rc = 0, first = 1;

    if (PQputCopyEnd(c->pg, abort ? "aborted by migrate" : NULL) != 1) {
        conn_message(c, err, MG_ECONN, "COPY FROM STDIN failed");
        return MG_ECONN;
    }
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (first && !abort) {
            rc = result_error(c, res, err);
            const char *t = PQcmdTuples(res);
            if (!rc && rows && t && *t)
                *rows = atoll(t);
        }
        first = 0;
        PQclear(res);
    }
    return rc;
}

/* ---------- online schema change throttling ---------- */

/*
 * Replay lag of the streaming replicas as the primary sees it.  replay_lag is NULL while a
 * replica is idle and caught up, and for sessions without pg_read_all_stats: both count as 0.
 */
static int pg_replica_lag(struct drv_conn *base, long *lag_ms, int *replicas, struct mg_err *err)
{
    struct drv_result *r;
    int rc = pg_query(base, &r,
                      "SELECT coalesce(max(extract(epoch FROM replay_lag) * 1000), 0)::bigint, "
                      "count(*) FROM pg_stat_replication",
                      NULL, 0, err);

    if (rc)
        return rc;
    *lag_ms = atol(drv_val(r, 0, 0) ? drv_val(r, 0, 0) : "0");
    *replicas = atoi(drv_val(r, 0, 1) ? drv_val(r, 0, 1) : "0");
    drv_result_free(r);
    return 0;
}

/* Client sessions of the whole server that run a statement, like MySQL's Threads_running. */
static int pg_active_sessions(struct drv_conn *base, long *n, struct mg_err *err)
{
    struct drv_result *r;
    int rc = pg_query(base, &r,
                      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                      "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                      NULL, 0, err);

    if (rc)
        return rc;
    *n = atol(drv_val(r, 0, 0) ? drv_val(r, 0, 0) : "0");
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
    .query_commit = pg_query_commit,
    .backend_id = pg_backend_id,
    .progress = pg_progress,
    .log_position = pg_log_position,
    .create_restore_point = pg_create_restore_point,
    .schema_snapshot = pg_schema_snapshot,
    .data_fingerprint = pg_data_fingerprint,
    .db_identity = pg_db_identity,
    .session_locks = pg_session_locks,
    .relation_files = pg_relation_files,
    .relation_stats = pg_relation_stats,
    .exec_start = pg_exec_start,
    .exec_wait = pg_exec_wait,
    .copy_out = pg_copy_out,
    .copy_in_start = pg_copy_in_start,
    .copy_in_put = pg_copy_in_put,
    .copy_in_end = pg_copy_in_end,
    .replica_lag = pg_replica_lag,
    .active_sessions = pg_active_sessions,
};
