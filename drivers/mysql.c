/*
 * mysql.c — the MySQL and MariaDB driver, on MariaDB Connector/C.
 *
 * One driver serves both products: it learns which one it talks to from the
 * server's version string and picks the few statements that differ (the
 * statement timeout variable).  Statements are split by the rules of the
 * mysql command-line client, which is what migration files for MySQL are
 * written for: quotes with backslash escapes, backticks, `#`, `-- ` and
 * block comments, executable comments that are code, and the client-side
 * DELIMITER command.  Parameters go through server-side prepared statements
 * bound as strings; results come back as text.
 *
 * cancel() must be async-signal-safe, and nothing in Connector/C is: a
 * KILL QUERY has to travel over a second connection.  Each connection owns
 * a small watcher thread that sleeps on a pipe; cancel() writes one byte
 * into it (write() is async-signal-safe), and the thread, running normal
 * code, opens a second session with the same parameters and kills the
 * statement that exec() is running.
 */
#include <errno.h>
#include <fcntl.h>
#include <mysql.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "mylex.h"
#include "mysql_internal.h"
#include "util.h"

/* MySQL and MariaDB server error numbers the driver reacts to. */
enum {
    MY_ER_DBACCESS_DENIED = 1044,
    MY_ER_ACCESS_DENIED = 1045,
    MY_ER_BAD_DB = 1049,
    MY_ER_SERVER_SHUTDOWN = 1053,
    MY_ER_PARSE = 1064,
    MY_ER_LOCK_WAIT_TIMEOUT = 1205,
    MY_ER_LOCK_DEADLOCK = 1213,
    MY_ER_QUERY_INTERRUPTED = 1317,
    MY_ER_CONNECTION_KILLED = 1927, /* MariaDB */
    MY_ER_STATEMENT_TIMEOUT = 1969, /* MariaDB max_statement_time */
    MY_ER_QUERY_TIMEOUT = 3024,     /* MySQL max_execution_time */
    MY_CR_CONNECTION_ERROR = 2002,
    MY_CR_CONN_HOST_ERROR = 2003,
    MY_CR_UNKNOWN_HOST = 2005,
    MY_CR_SERVER_GONE = 2006,
    MY_CR_SERVER_LOST = 2013,
    MY_CR_SSL_CONNECTION_ERROR = 2026,
    MY_CR_SERVER_LOST_EXTENDED = 2055,
};

static const char *const my_schemes[] = {"mysql", "mariadb", NULL};

/* ---------- classification ---------- */

#define MY_MAX_WORDS 12

/* The first words of a statement, upper-cased; punctuation as "(" or "#". */
struct words {
    size_t n;
    char w[MY_MAX_WORDS][24];
};

static void add_word(struct words *out, const char *s, size_t len)
{
    if (out->n >= MY_MAX_WORDS)
        return;
    if (len >= sizeof(out->w[0]))
        len = sizeof(out->w[0]) - 1;
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        out->w[out->n][k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    out->w[out->n][len] = '\0';
    out->n++;
}

/* Collects words from s[i..end); executable comments the server runs count as code. */
static void collect_words(struct words *out, const char *s, size_t i, size_t end,
                          int server_version)
{
    while (i < end && out->n < MY_MAX_WORDS) {
        size_t next;
        const char *what;
        enum mg_mylex_tok t = mg_mylex_next(s, i, end, &next, &what);
        if (t == MG_MYLEX_ERROR)
            return;
        if (t == MG_MYLEX_WORD) {
            add_word(out, s + i, next - i);
        } else if (t == MG_MYLEX_EXEC_COMMENT) {
            size_t from, to;
            if (mg_mylex_exec_body(s, i, next, server_version, &from, &to))
                collect_words(out, s, from, to, server_version);
        } else if (t == MG_MYLEX_QUOTED) {
            add_word(out, s[i] == '`' ? "`" : "'", 1);
        } else if (t == MG_MYLEX_OTHER) {
            add_word(out, s[i] == '(' ? "(" : "#", 1);
        }
        i = next;
    }
}

static int word_is(const struct words *w, size_t i, const char *word)
{
    return i < w->n && !strcmp(w->w[i], word);
}

static int first_is(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(k, *list))
            return 1;
    return 0;
}

/*
 * Flags of one statement from its first words.  Every statement in MySQL
 * that changes the schema commits implicitly; the engine runs files
 * statement by statement there anyway, so no statement needs
 * DRV_STMT_NO_TXN.  SET autocommit counts as transaction control: it
 * would leave the engine's own history writes uncommitted.
 */
static unsigned classify(const struct words *w)
{
    static const char *const ddl[] = {"CREATE",  "ALTER",     "DROP",   "RENAME", "TRUNCATE",
                                      "ANALYZE", "OPTIMIZE",  "REPAIR", "GRANT",  "REVOKE",
                                      "INSTALL", "UNINSTALL", "FLUSH",  NULL};
    static const char *const dml[] = {"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT",  "WITH",
                                      "VALUES", "TABLE",  "LOAD",   "DO",      "HANDLER", NULL};
    static const char *const txn[] = {"COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA", NULL};
    size_t i = 0;

    while (word_is(w, i, "("))
        i++;
    if (i >= w->n)
        return 0;
    const char *k = w->w[i];
    if (!strcmp(k, "BEGIN"))
        /* MariaDB's anonymous compound statement; plain BEGIN [WORK] starts a transaction */
        return word_is(w, i + 1, "NOT") ? DRV_STMT_DDL | DRV_STMT_DML : DRV_STMT_TXN_CONTROL;
    if (!strcmp(k, "START"))
        return word_is(w, i + 1, "TRANSACTION") ? DRV_STMT_TXN_CONTROL : 0;
    if (first_is(k, txn))
        return DRV_STMT_TXN_CONTROL;
    if (!strcmp(k, "SET")) {
        for (size_t j = i + 1; j < w->n && j < i + 8; j++)
            if (word_is(w, j, "AUTOCOMMIT"))
                return DRV_STMT_TXN_CONTROL;
        return 0;
    }
    if (first_is(k, ddl))
        return DRV_STMT_DDL;
    if (first_is(k, dml))
        return DRV_STMT_DML;
    if (!strcmp(k, "CALL"))
        return DRV_STMT_DDL | DRV_STMT_DML;
    return 0;
}

/* ---------- splitting ---------- */

static int lex_error(struct mg_err *err, const char *sql, size_t at, const char *what)
{
    int line, col;

    mg_line_col(sql, at, &line, &col);
    mg_err_set(err, MG_EINPUT, "unterminated %s starting at line %d, column %d", what, line, col);
    if (!strcmp(what, "quoted string"))
        mg_err_hint(err, "close the quote; in MySQL strings a backslash escapes the next "
                         "character, so a string cannot end in a single backslash");
    else
        mg_err_hint(err, "close it, or remove it");
    err->line = line;
    err->col = col;
    return MG_EINPUT;
}

static int word_ci(const char *s, size_t i, size_t end, const char *word)
{
    size_t n = strlen(word);

    if (i + n > end || strncasecmp(s + i, word, n) != 0)
        return 0;
    return i + n == end || !mg_mylex_word_char(s[i + n]);
}

/*
 * Reads a DELIMITER command at s[i] (the start of a statement): the new
 * delimiter is the next word on the line, optionally quoted; nothing else
 * may follow on the line.  *next is the end of the line.
 */
static int read_delimiter(const char *sql, size_t i, size_t end, char *delim, size_t size,
                          size_t *next, struct mg_err *err)
{
    size_t k = i + strlen("DELIMITER"), from, to;
    int line, col;

    mg_line_col(sql, i, &line, &col);
    while (k < end && (sql[k] == ' ' || sql[k] == '\t'))
        k++;
    from = k;
    while (k < end && !mg_mylex_space(sql[k]))
        k++;
    to = k;
    if (to - from >= 2 && (sql[from] == '\'' || sql[from] == '"' || sql[from] == '`') &&
        sql[to - 1] == sql[from]) {
        from++;
        to--;
    }
    while (k < end && (sql[k] == ' ' || sql[k] == '\t' || sql[k] == '\r'))
        k++;
    err->line = line;
    err->col = col;
    if (from == to) {
        mg_err_set(err, MG_EINPUT, "DELIMITER at line %d names no delimiter", line);
        mg_err_hint(err, "write it as 'DELIMITER $$' and, after the statements that use it, "
                         "'DELIMITER ;'");
        return MG_EINPUT;
    }
    if (k < end && sql[k] != '\n') {
        mg_err_set(err, MG_EINPUT, "unexpected text after the delimiter on the DELIMITER line %d",
                   line);
        mg_err_hint(err, "a DELIMITER command stands alone on its line");
        return MG_EINPUT;
    }
    if (to - from >= size || memchr(sql + from, '\\', to - from)) {
        mg_err_set(err, MG_EINPUT, "the delimiter at line %d is not usable: '%.*s'", line,
                   (int)(to - from), sql + from);
        mg_err_hint(err, "use at most %zu characters and no backslash, such as $$ or //", size - 1);
        return MG_EINPUT;
    }
    memcpy(delim, sql + from, to - from);
    delim[to - from] = '\0';
    *next = k;
    err->line = 0;
    err->col = 0;
    return 0;
}

/* Does the statement starting at s[from..to) hold anything the server would run? */
static int has_code(const char *s, size_t from, size_t to, int server_version)
{
    while (from < to) {
        size_t next, a, b;
        const char *what;
        enum mg_mylex_tok t = mg_mylex_next(s, from, to, &next, &what);
        if (t == MG_MYLEX_ERROR)
            return 1;
        if (t == MG_MYLEX_EXEC_COMMENT) {
            if (mg_mylex_exec_body(s, from, next, server_version, &a, &b) && has_code(s, a, b, 0))
                return 1;
        } else if (t != MG_MYLEX_SPACE && t != MG_MYLEX_COMMENT) {
            return 1;
        }
        from = next;
    }
    return 0;
}

/* Moves a line/column cursor forward to `to`: statements are found in order, so positions
 * cost one pass over the text, not one per statement. */
struct cursor {
    size_t pos;
    int line, col;
};

static void cursor_to(struct cursor *c, const char *s, size_t to)
{
    for (; c->pos < to; c->pos++) {
        if (s[c->pos] == '\n') {
            c->line++;
            c->col = 1;
        } else {
            c->col++;
        }
    }
}

static int my_split(struct drv_stmt **out, size_t *n, const char *sql, size_t len,
                    int server_version, struct mg_err *err)
{
    struct cursor cur = {0, 1, 1};
    struct drv_stmt *v = NULL;
    size_t cap = 0, cnt = 0, i = 0;
    char delim[17] = ";";
    size_t dlen = 1;

    if (strlen(sql) != len) {
        int line, col;
        mg_line_col(sql, strlen(sql), &line, &col);
        mg_err_set(err, MG_EINPUT, "the SQL contains a NUL byte at line %d", line);
        err->line = line;
        err->col = col;
        return MG_EINPUT;
    }
    while (i < len) {
        size_t k = i, next, start, end;
        const char *what;
        enum mg_mylex_tok t;

        /* leading whitespace and comments belong to no statement */
        while (k < len) {
            t = mg_mylex_next(sql, k, len, &next, &what);
            if (t == MG_MYLEX_ERROR) {
                free(v);
                return lex_error(err, sql, next, what);
            }
            if (t != MG_MYLEX_SPACE && t != MG_MYLEX_COMMENT)
                break;
            k = next;
        }
        if (k >= len)
            break;
        if (word_ci(sql, k, len, "DELIMITER")) {
            if (read_delimiter(sql, k, len, delim, sizeof(delim), &i, err)) {
                free(v);
                return MG_EINPUT;
            }
            dlen = strlen(delim);
            continue;
        }
        start = k;
        end = len;
        i = len;
        while (k < len) {
            if (!strncmp(sql + k, delim, dlen)) {
                end = k;
                i = k + dlen;
                break;
            }
            t = mg_mylex_next(sql, k, len, &next, &what);
            if (t == MG_MYLEX_ERROR) {
                free(v);
                return lex_error(err, sql, next, what);
            }
            /* quotes and comments hide a delimiter; elsewhere it may start at any byte (END$$) */
            k = t == MG_MYLEX_QUOTED || t == MG_MYLEX_COMMENT || t == MG_MYLEX_EXEC_COMMENT ? next
                                                                                            : k + 1;
        }
        while (end > start && mg_mylex_space(sql[end - 1]))
            end--;
        if (end == start || !has_code(sql, start, end, server_version))
            continue;
        mg_grow_array((void **)&v, &cap, cnt + 1, sizeof(*v));
        struct drv_stmt *s = &v[cnt++];
        struct words w = {0};
        memset(s, 0, sizeof(*s));
        s->off = start;
        s->len = end - start;
        s->start = start;
        cursor_to(&cur, sql, start);
        s->line = cur.line;
        s->col = cur.col;
        collect_words(&w, sql, start, end, server_version);
        s->flags = classify(&w);
    }
    *out = v;
    *n = cnt;
    return 0;
}

static void my_quote_ident(struct mg_buf *out, const char *ident)
{
    mg_buf_addch(out, '`');
    for (const char *p = ident; *p; p++) {
        if (*p == '`')
            mg_buf_addch(out, '`');
        mg_buf_addch(out, *p);
    }
    mg_buf_addch(out, '`');
}

/* ---------- connections ---------- */

enum ssl_mode {
    SSL_DEFAULT, /* not given: the library's default */
    SSL_DISABLED,
    SSL_PREFERRED,
    SSL_REQUIRED,
    SSL_VERIFY_CA,
    SSL_VERIFY_IDENTITY,
};

/* Everything needed to open a session, kept so the watcher can open a second one. */
struct my_params {
    char *host, *user, *password, *db, *socket, *app;
    unsigned port;
    unsigned timeout_s;
    enum ssl_mode ssl;
    char *ssl_ca, *ssl_cert, *ssl_key;
};

#define MY_STMT_CACHE 16

struct my_cached {
    char *sql;
    MYSQL_STMT *st;
};

struct my_conn {
    struct drv_conn base;
    MYSQL *m;
    struct my_params p;
    unsigned long thread_id;
    int mariadb;
    struct my_cached cache[MY_STMT_CACHE];
    size_t ncache;
    /* cancel: the signal handler writes to wake[1]; the watcher thread reads wake[0] */
    int wake[2];
    pthread_t watcher;
    int has_watcher;
    struct mg_buf *dry;             /* dry run: statements are written here instead of sent */
    volatile sig_atomic_t in_exec;  /* exec() is running a statement */
    volatile sig_atomic_t canceled; /* cancel() was called: tells our KILL from another's */
    /* where metadata locks can be read: 0 not asked yet, 1 performance_schema, 2 the
       METADATA_LOCK_INFO plugin (MariaDB), -1 nowhere */
    int mdl_source;
    /* a statement sent by exec_start: the non-blocking call's state until exec_wait ends it */
    int busy;
    int busy_status;
    int busy_ret;
    char *busy_sql;
};

static void params_free(struct my_params *p)
{
    if (p->password) {
        memset(p->password, 0, strlen(p->password));
        free(p->password);
    }
    free(p->host);
    free(p->user);
    free(p->db);
    free(p->socket);
    free(p->app);
    free(p->ssl_ca);
    free(p->ssl_cert);
    free(p->ssl_key);
    memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
    return s ? mg_strdup(s) : NULL;
}

static int usage_param(struct mg_err *err, const char *key)
{
    mg_err_set(err, MG_EUSAGE, "unknown connection parameter '%s' in the database URL", key);
    mg_err_hint(err, "MySQL and MariaDB URLs take socket=/path/to/mysqld.sock, ssl-mode "
                     "(DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY), ssl-ca, "
                     "ssl-cert, ssl-key and connect-timeout");
    return MG_EUSAGE;
}

static int parse_ssl_mode(enum ssl_mode *out, const char *v, struct mg_err *err)
{
    static const struct {
        const char *name;
        enum ssl_mode mode;
    } modes[] = {
        {"DISABLED", SSL_DISABLED},
        {"PREFERRED", SSL_PREFERRED},
        {"REQUIRED", SSL_REQUIRED},
        {"VERIFY_CA", SSL_VERIFY_CA},
        {"VERIFY_IDENTITY", SSL_VERIFY_IDENTITY},
    };
    char up[32];
    size_t i;

    for (i = 0; v[i] && i + 1 < sizeof(up); i++)
        up[i] = v[i] == '-' ? '_' : (v[i] >= 'a' && v[i] <= 'z') ? (char)(v[i] - 32) : v[i];
    up[i] = '\0';
    for (i = 0; i < MG_ARRAY_SIZE(modes); i++)
        if (!strcmp(up, modes[i].name)) {
            *out = modes[i].mode;
            return 0;
        }
    mg_err_set(err, MG_EUSAGE, "unknown ssl-mode '%s' in the database URL", v);
    mg_err_hint(err, "use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
    return MG_EUSAGE;
}

/* A timeout in whole seconds: a bare number is seconds (as in mysql), else a duration. */
static int parse_timeout(unsigned *out, const char *v, struct mg_err *err)
{
    uint64_t secs;
    long ms;

    if (mg_parse_u64(&secs, v, strlen(v)) == 0) {
        ms = secs > 86400 ? 86400000 : (long)secs * 1000;
    } else if (mg_parse_duration(&ms, v, err) != 0) {
        mg_err_context(err, "connect-timeout in the database URL");
        return MG_EUSAGE;
    }
    *out = ms <= 0 ? 0 : (unsigned)((ms + 999) / 1000);
    return 0;
}

/* Reads the URL into connection parameters; every unknown or contradictory part is refused. */
static int params_from_url(struct my_params *p, const struct mg_url *url,
                           const struct drv_connect_opts *opts, struct mg_err *err)
{
    long ms = opts && opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
    int rc = 0;

    memset(p, 0, sizeof(*p));
    p->timeout_s = (unsigned)((ms + 999) / 1000);
    for (size_t i = 0; !rc && i < url->nparams; i++) {
        const char *k = url->keys[i], *v = url->values[i];
        if (!strcmp(k, "socket")) {
            free(p->socket);
            p->socket = mg_strdup(v);
        } else if (!strcmp(k, "ssl-mode") || !strcmp(k, "ssl_mode")) {
            rc = parse_ssl_mode(&p->ssl, v, err);
        } else if (!strcmp(k, "ssl-ca") || !strcmp(k, "ssl_ca")) {
            free(p->ssl_ca);
            p->ssl_ca = mg_strdup(v);
        } else if (!strcmp(k, "ssl-cert") || !strcmp(k, "ssl_cert")) {
            free(p->ssl_cert);
            p->ssl_cert = mg_strdup(v);
        } else if (!strcmp(k, "ssl-key") || !strcmp(k, "ssl_key")) {
            free(p->ssl_key);
            p->ssl_key = mg_strdup(v);
        } else if (!strcmp(k, "connect-timeout") || !strcmp(k, "connect_timeout")) {
            rc = parse_timeout(&p->timeout_s, v, err);
        } else {
            rc = usage_param(err, k);
        }
    }
    if (rc)
        goto fail;
    if (!url->dbname || !url->dbname[0]) {
        rc = mg_err_set(err, MG_EUSAGE, "the database URL names no database");
        mg_err_hint(err, "MySQL keeps the migration history in a database: write it as "
                         "mysql://user:password@host:3306/dbname");
        goto fail;
    }
    if (p->socket && url->host && strcmp(url->host, "localhost") != 0) {
        rc = mg_err_set(err, MG_EUSAGE,
                        "the database URL names both a host ('%s') and a socket ('%s')", url->host,
                        p->socket);
        mg_err_hint(err, "a Unix socket connection goes to localhost: write "
                         "mysql://user@localhost/dbname?socket=/path/to/mysqld.sock, or drop "
                         "socket= to connect over TCP");
        goto fail;
    }
    if (p->ssl == SSL_DISABLED && (p->ssl_ca || p->ssl_cert || p->ssl_key)) {
        rc = mg_err_set(err, MG_EUSAGE,
                        "ssl-mode=DISABLED contradicts ssl-ca, ssl-cert or "
                        "ssl-key in the database URL");
        mg_err_hint(err, "drop the certificate options, or choose another ssl-mode");
        goto fail;
    }
    if ((p->ssl == SSL_VERIFY_CA || p->ssl == SSL_VERIFY_IDENTITY) && !p->ssl_ca) {
        rc = mg_err_set(err, MG_EUSAGE, "ssl-mode=%s needs ssl-ca in the database URL",
                        p->ssl == SSL_VERIFY_CA ? "VERIFY_CA" : "VERIFY_IDENTITY");
        mg_err_hint(err, "add ssl-ca=/path/to/ca.pem: the certificate authority that signed the "
                         "server's certificate");
        goto fail;
    }
    if (!!p->ssl_cert != !!p->ssl_key) {
        rc = mg_err_set(err, MG_EUSAGE, "ssl-cert and ssl-key go together in the database URL");
        mg_err_hint(err, "give both the client certificate and its private key, or neither");
        goto fail;
    }
    if (url->port) {
        uint64_t port;
        mg_parse_u64(&port, url->port, strlen(url->port));
        p->port = (unsigned)port;
    }
    p->host = mg_strdup(p->socket || !url->host ? "localhost" : url->host);
    p->user = dup_or_null(url->user);
    p->password = dup_or_null(url->password);
    p->db = mg_strdup(url->dbname);
    p->app = mg_strdup(opts && opts->application_name ? opts->application_name : "migrate");
    return 0;
fail:
    params_free(p);
    return rc;
}

/* Fills err from a connection's last error; returns the MG_E* code. */
static int set_error(struct my_conn *c, unsigned no, const char *state, const char *msg,
                     struct mg_err *err)
{
    int code = MG_EFAIL;

    switch (no) {
    case MY_ER_LOCK_WAIT_TIMEOUT:
        code = MG_ELOCKTIMEOUT;
        break;
    case MY_ER_LOCK_DEADLOCK:
        code = MG_EDEADLOCK;
        break;
    case MY_ER_QUERY_INTERRUPTED:
        code = c && c->canceled ? MG_ECANCELED : MG_EFAIL;
        break;
    case MY_CR_CONNECTION_ERROR:
    case MY_CR_CONN_HOST_ERROR:
    case MY_CR_UNKNOWN_HOST:
    case MY_CR_SERVER_GONE:
    case MY_CR_SERVER_LOST:
    case MY_CR_SERVER_LOST_EXTENDED:
    case MY_ER_CONNECTION_KILLED:
    case MY_ER_SERVER_SHUTDOWN:
        code = MG_ECONN;
        break;
    default:
        break;
    }
    mg_err_set(err, code, "%s", msg && *msg ? msg : "the server reported an error");
    if (err->code != code)
        return code; /* a deeper error was already set: keep it */
    err->server_code = (int)no;
    if (state && *state && strcmp(state, "00000") != 0)
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    if (c)
        mg_err_detail(err, "%s error %u", c->mariadb ? "MariaDB" : "MySQL", no);
    switch (no) {
    case MY_ER_LOCK_WAIT_TIMEOUT:
        mg_err_hint(err, "another session holds a conflicting lock (a metadata lock for DDL, a "
                         "row lock for DML); find it in information_schema.PROCESSLIST or "
                         "performance_schema.metadata_locks, or retry later");
        break;
    case MY_ER_STATEMENT_TIMEOUT:
    case MY_ER_QUERY_TIMEOUT:
        mg_err_hint(err, "the statement ran longer than --statement-timeout; raise it or turn it "
                         "off with --statement-timeout 0");
        break;
    case MY_CR_SERVER_GONE:
    case MY_CR_SERVER_LOST:
    case MY_CR_SERVER_LOST_EXTENDED:
    case MY_ER_CONNECTION_KILLED:
    case MY_ER_SERVER_SHUTDOWN:
        mg_err_hint(err, "the server closed the connection (restart, crash, KILL, or "
                         "wait_timeout); check the server's error log");
        break;
    default:
        break;
    }
    return code;
}

static int conn_error(struct my_conn *c, struct mg_err *err)
{
    return set_error(c, mysql_errno(c->m), mysql_sqlstate(c->m), mysql_error(c->m), err);
}

static int stmt_error(struct my_conn *c, MYSQL_STMT *st, struct mg_err *err)
{
    return set_error(c, mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st), err);
}

/* Is this a connection over a Unix socket (where TLS adds nothing and is not used)? */
static int via_socket(const struct my_params *p)
{
    return !strcmp(p->host, "localhost");
}

/* Gives a failed connect the hint that fits its error number. */
static void connect_hint(struct mg_err *err, unsigned no, const struct my_params *p)
{
    switch (no) {
    case MY_ER_ACCESS_DENIED:
        mg_err_hint(err, "check the user and password in the URL (percent-encode special "
                         "characters), and that the account may connect from this host");
        break;
    case MY_ER_DBACCESS_DENIED:
        mg_err_hint(err, "grant the user access to database '%s', or fix its name in the URL",
                    p->db);
        break;
    case MY_ER_BAD_DB:
        mg_err_hint(err,
                    "create the database first (CREATE DATABASE `%s`) or fix its name in "
                    "the URL",
                    p->db);
        break;
    case MY_CR_CONNECTION_ERROR:
        if (via_socket(p))
            mg_err_hint(err, "check that the server is running and listens on that socket "
                             "(socket= in the URL, else the library's default); for TCP use the "
                             "host 127.0.0.1 instead of localhost");
        else
            mg_err_hint(err, "check that the server is running and that host and port in the "
                             "URL are right");
        break;
    case MY_CR_CONN_HOST_ERROR:
    case MY_CR_UNKNOWN_HOST:
        mg_err_hint(err, "check that the server is running and that host and port in the URL "
                         "are right");
        break;
    case MY_CR_SSL_CONNECTION_ERROR:
        mg_err_hint(err, "check ssl-mode and the certificate files in the URL, and that the "
                         "server has TLS enabled");
        break;
    default:
        break;
    }
}

/*
 * Opens a session with the parameters; on failure fills err (the message
 * never holds the password: the server's and the library's texts name only
 * the user and host).
 */
static int open_handle(const struct my_params *p, MYSQL **out, int nonblock, struct mg_err *err)
{
    MYSQL *m = mysql_init(NULL);
    unsigned int zero = 0, timeout = p->timeout_s;
    my_bool off = 0, on = 1;

    *out = NULL;
    if (!m)
        mg_die_oom("mysql_init");
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(m, MYSQL_OPT_RECONNECT, &off);
    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &zero);
    if (timeout)
        mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options4(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", p->app);
    /* the non-blocking API lets exec() call the engine's waiter while a statement runs */
    if (nonblock)
        mysql_options(m, MYSQL_OPT_NONBLOCK, 0);
    if (!via_socket(p) && p->ssl != SSL_DEFAULT && p->ssl != SSL_DISABLED) {
        if (p->ssl_ca)
            mysql_options(m, MYSQL_OPT_SSL_CA, p->ssl_ca);
        if (p->ssl_cert)
            mysql_options(m, MYSQL_OPT_SSL_CERT, p->ssl_cert);
        if (p->ssl_key)
            mysql_options(m, MYSQL_OPT_SSL_KEY, p->ssl_key);
        mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &on);
        mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
                      p->ssl == SSL_VERIFY_IDENTITY ? &on : &off);
    } else if (!via_socket(p) && p->ssl == SSL_DEFAULT && (p->ssl_ca || p->ssl_cert)) {
        /* certificates without a mode: use them, as the mysql client does */
        if (p->ssl_ca)
            mysql_options(m, MYSQL_OPT_SSL_CA, p->ssl_ca);
        if (p->ssl_cert)
            mysql_options(m, MYSQL_OPT_SSL_CERT, p->ssl_cert);
        if (p->ssl_key)
            mysql_options(m, MYSQL_OPT_SSL_KEY, p->ssl_key);
    }
    /* CLIENT_FOUND_ROWS: an UPDATE counts the rows it found, as PostgreSQL does, not only the
       ones whose values changed (drv_result.affected means the same on both servers) */
    if (!mysql_real_connect(m, p->host, p->user, p->password, p->db, p->port,
                            via_socket(p) ? p->socket : NULL,
                            CLIENT_MULTI_RESULTS | CLIENT_FOUND_ROWS)) {
        unsigned no = mysql_errno(m);
        char msg[1200];
        snprintf(msg, sizeof(msg), "cannot connect to MySQL/MariaDB: %s", mysql_error(m));
        set_error(NULL, no, mysql_sqlstate(m), msg, err);
        err->code = MG_ECONN;
        connect_hint(err, no, p);
        mysql_close(m);
        return MG_ECONN;
    }
    /* the library may fall back to plain text when the server lacks TLS: refuse that */
    if (!via_socket(p) && p->ssl >= SSL_REQUIRED && !mysql_get_ssl_cipher(m)) {
        mg_err_set(err, MG_ECONN, "the server did not agree to TLS, and ssl-mode requires it");
        mg_err_hint(err, "enable TLS on the server (ssl_cert, ssl_key), or lower ssl-mode to "
                         "PREFERRED");
        mysql_close(m);
        return MG_ECONN;
    }
    *out = m;
    return 0;
}

/* ---------- cancel: the watcher thread ---------- */

static void kill_running(struct my_conn *c)
{
    struct mg_err ignored;
    MYSQL *k;
    char sql[64];

    if (!c->in_exec)
        return;
    mg_err_clear(&ignored);
    if (open_handle(&c->p, &k, 0, &ignored))
        return;
    /* checked again now that the second session is open: it took a few milliseconds */
    if (c->in_exec) {
        snprintf(sql, sizeof(sql), "KILL QUERY %lu", c->thread_id);
        mysql_real_query(k, sql, strlen(sql));
    }
    mysql_close(k);
}

static void *watch_main(void *arg)
{
    struct my_conn *c = arg;
    char ch;

    mysql_thread_init();
    for (;;) {
        ssize_t n = read(c->wake[0], &ch, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || ch == 'q')
            break;
        kill_running(c);
    }
    mysql_thread_end();
    return NULL;
}

/* Starts the watcher with every signal blocked, so signals keep going to the main thread. */
static void start_watcher(struct my_conn *c)
{
    sigset_t all, old;

    c->wake[0] = c->wake[1] = -1;
    if (pipe2(c->wake, O_CLOEXEC) < 0) {
        c->wake[0] = c->wake[1] = -1;
        return;
    }
    fcntl(c->wake[1], F_SETFL, O_NONBLOCK);
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    c->has_watcher = pthread_create(&c->watcher, NULL, watch_main, c) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!c->has_watcher) {
        close(c->wake[0]);
        close(c->wake[1]);
        c->wake[0] = c->wake[1] = -1;
    }
}

static void stop_watcher(struct my_conn *c)
{
    if (c->has_watcher) {
        while (write(c->wake[1], "q", 1) < 0 && errno == EINTR) {
        }
        pthread_join(c->watcher, NULL);
    }
    if (c->wake[0] >= 0)
        close(c->wake[0]);
    if (c->wake[1] >= 0)
        close(c->wake[1]);
    c->has_watcher = 0;
    c->wake[0] = c->wake[1] = -1;
}

static void my_cancel(struct drv_conn *base)
{
    struct my_conn *c = (struct my_conn *)base;

    c->canceled = 1;
    if (c->wake[1] >= 0 && write(c->wake[1], "c", 1) < 0) {
        /* the pipe is full: a cancel is already on its way */
    }
}

/* ---------- statements ---------- */

static void cache_drop(struct my_conn *c, size_t i)
{
    mysql_stmt_close(c->cache[i].st);
    free(c->cache[i].sql);
    memmove(&c->cache[i], &c->cache[i + 1], (c->ncache - i - 1) * sizeof(c->cache[0]));
    c->ncache--;
}

/* The prepared statement for `sql`, prepared once per session. */
static int prepared(struct my_conn *c, const char *sql, size_t nparams, size_t *idx,
                    struct mg_err *err)
{
    MYSQL_STMT *st;

    for (size_t i = 0; i < c->ncache; i++)
        if (!strcmp(c->cache[i].sql, sql)) {
            *idx = i;
            return 0;
        }
    st = mysql_stmt_init(c->m);
    if (!st)
        return conn_error(c, err);
    if (mysql_stmt_prepare(st, sql, strlen(sql))) {
        int rc = stmt_error(c, st, err);
        mysql_stmt_close(st);
        return rc;
    }
    if (mysql_stmt_param_count(st) != nparams) {
        unsigned long want = mysql_stmt_param_count(st);
        mysql_stmt_close(st);
        return mg_err_set(err, MG_EFAIL,
                          "the statement has %lu placeholders but %zu values "
                          "were given",
                          want, nparams);
    }
    if (c->ncache == MY_STMT_CACHE)
        cache_drop(c, 0);
    c->cache[c->ncache].sql = mg_strdup(sql);
    c->cache[c->ncache].st = st;
    *idx = c->ncache++;
    return 0;
}

/* Reads every row of an executed prepared statement as text. */
static int fetch_stmt(struct my_conn *c, MYSQL_STMT *st, struct drv_result **out,
                      struct mg_err *err)
{
    enum { SMALL = 256 };
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    unsigned ncols;
    MYSQL_BIND *b;
    unsigned long *lens;
    my_bool *nulls, *errs;
    char *small, **cells;
    size_t *clen;
    struct drv_result *r;
    int rc = 0, f;

    if (!meta) {
        if (mysql_stmt_field_count(st))
            return stmt_error(c, st, err);
        *out = drv_result_new(0);
        my_ulonglong n = mysql_stmt_affected_rows(st);
        (*out)->affected = n == (my_ulonglong)-1 ? -1 : (long long)n;
        return 0;
    }
    ncols = mysql_num_fields(meta);
    r = drv_result_new(ncols);
    MYSQL_FIELD *fields = mysql_fetch_fields(meta);
    for (unsigned i = 0; i < ncols; i++)
        drv_result_set_name(r, i, fields[i].name);
    b = mg_calloc(ncols ? ncols : 1, sizeof(*b));
    lens = mg_calloc(ncols ? ncols : 1, sizeof(*lens));
    nulls = mg_calloc(ncols ? ncols : 1, sizeof(*nulls));
    errs = mg_calloc(ncols ? ncols : 1, sizeof(*errs));
    small = mg_calloc(ncols ? ncols : 1, SMALL);
    cells = mg_calloc(ncols ? ncols : 1, sizeof(*cells));
    clen = mg_calloc(ncols ? ncols : 1, sizeof(*clen));
    for (unsigned i = 0; i < ncols; i++) {
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = small + (size_t)i * SMALL;
        b[i].buffer_length = SMALL;
        b[i].length = &lens[i];
        b[i].is_null = &nulls[i];
        b[i].error = &errs[i];
    }
    if (mysql_stmt_bind_result(st, b) || mysql_stmt_store_result(st)) {
        rc = stmt_error(c, st, err);
        goto out;
    }
    while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
        for (unsigned i = 0; i < ncols; i++) {
            cells[i] = NULL;
            clen[i] = 0;
            if (nulls[i])
                continue;
            if (lens[i] < SMALL) {
                cells[i] = mg_strndup(small + (size_t)i * SMALL, lens[i]);
                clen[i] = lens[i];
            } else {
                /* longer than the first buffer: fetch the column again, whole */
                MYSQL_BIND one;
                unsigned long got = 0;
                cells[i] = mg_malloc(lens[i] + 1);
                memset(&one, 0, sizeof(one));
                one.buffer_type = MYSQL_TYPE_STRING;
                one.buffer = cells[i];
                one.buffer_length = lens[i] + 1;
                one.length = &got;
                if (mysql_stmt_fetch_column(st, &one, i, 0)) {
                    rc = stmt_error(c, st, err);
                    for (unsigned j = 0; j <= i; j++)
                        free(cells[j]);
                    goto out;
                }
                clen[i] = got < lens[i] ? got : lens[i];
                cells[i][clen[i]] = '\0';
            }
        }
        drv_result_add_row(r, (const char *const *)cells, clen);
        for (unsigned i = 0; i < ncols; i++)
            free(cells[i]);
    }
    if (f == 1)
        rc = stmt_error(c, st, err);
out:
    mysql_stmt_free_result(st);
    mysql_free_result(meta);
    free(b);
    free(lens);
    free(nulls);
    free(errs);
    free(small);
    free(cells);
    free(clen);
    if (rc)
        drv_result_free(r);
    else
        *out = r;
    return rc;
}

/* Reads the current text-protocol result (if any) into a drv_result. */
static int fetch_text(struct my_conn *c, struct drv_result **out, struct mg_err *err)
{
    MYSQL_RES *res = mysql_store_result(c->m);
    struct drv_result *r;
    MYSQL_ROW row;

    if (!res) {
        if (mysql_field_count(c->m))
            return conn_error(c, err);
        *out = drv_result_new(0);
        my_ulonglong n = mysql_affected_rows(c->m);
        (*out)->affected = n == (my_ulonglong)-1 ? -1 : (long long)n;
        return 0;
    }
    unsigned ncols = mysql_num_fields(res);
    MYSQL_FIELD *fields = mysql_fetch_fields(res);
    r = drv_result_new(ncols);
    for (unsigned i = 0; i < ncols; i++)
        drv_result_set_name(r, i, fields[i].name);
    size_t *lens = mg_calloc(ncols ? ncols : 1, sizeof(size_t));
    while ((row = mysql_fetch_row(res))) {
        unsigned long *l = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < ncols; i++)
            lens[i] = l[i];
        drv_result_add_row(r, (const char *const *)row, lens);
    }
    free(lens);
    mysql_free_result(res);
    *out = r;
    return 0;
}

/* Reads and discards the results after the first (CALL sends a status result last). */
static int drain_results(struct my_conn *c, struct mg_err *err)
{
    int st;

    while ((st = mysql_next_result(c->m)) == 0) {
        MYSQL_RES *res = mysql_use_result(c->m);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(c->m))
            return conn_error(c, err);
    }
    return st > 0 ? conn_error(c, err) : 0;
}

/*
 * Turns "... near 'text' at line N" of a syntax error into the server's
 * character position inside the statement, so the engine can point at the
 * file's line and column.
 */
static void locate_parse_error(const char *sql, size_t len, struct mg_err *err)
{
    const char *near = strstr(err->msg, "near '");
    const char *at = near ? strstr(near, "' at line ") : NULL;
    const char *last = at;
    long line;
    size_t i = 0, from;

    while (last && (at = strstr(last + 1, "' at line ")))
        last = at;
    if (!near || !last)
        return;
    line = strtol(last + strlen("' at line "), NULL, 10);
    for (long l = 1; l < line && i < len; i++)
        if (sql[i] == '\n')
            l++;
    from = i;
    near += strlen("near '");
    size_t nlen = (size_t)(last - near);
    if (nlen > 20)
        nlen = 20;
    if (nlen) {
        for (size_t k = from; k + nlen <= len; k++)
            if (!memcmp(sql + k, near, nlen)) {
                from = k;
                break;
            }
    } else {
        from = len; /* near '' is the end of the statement */
    }
    int chars = 1;
    for (size_t k = 0; k < from && k < len; k++)
        if (((unsigned char)sql[k] & 0xC0) != 0x80)
            chars++;
    err->position = chars;
}

/*
 * Dry run: writes a statement the way the mysql client would take it back; a
 * body with semicolons (a procedure, a trigger) goes between DELIMITER lines.
 */
static void dry_statement(struct my_conn *c, const char *sql, size_t len)
{
    if (memchr(sql, ';', len)) {
        const char *d = memmem(sql, len, "$$", 2) ? "//" : "$$";
        mg_buf_addf(c->dry, "DELIMITER %s\n", d);
        mg_buf_add(c->dry, sql, len);
        mg_buf_addf(c->dry, "%s\nDELIMITER ;\n", d);
        return;
    }
    mg_buf_add(c->dry, sql, len);
    mg_buf_adds(c->dry, ";\n");
}

/*
 * mysql_real_query, but while the server works the engine's waiter is called
 * about every waiter.every_ms (progress lines for long statements), through
 * Connector/C's non-blocking API and poll().  Returns what mysql_real_query
 * would.
 */
static int real_query_wait(struct my_conn *c, const char *sql, size_t len)
{
    const struct drv_waiter *w = &c->base.waiter;
    int ret = 0, status;

    if (!w->fn || w->every_ms <= 0)
        return mysql_real_query(c->m, sql, len);
    int64_t t0 = mg_monotonic_ms(), next = t0 + w->every_ms;
    status = mysql_real_query_start(&ret, c->m, sql, len);
    while (status) {
        struct pollfd pfd = {.fd = mysql_get_socket(c->m), .events = 0};
        int64_t now = mg_monotonic_ms(), wait = next > now ? next - now : 0;
        int io_timeout = 0, ready = 0, n;

        if (status & MYSQL_WAIT_READ)
            pfd.events |= POLLIN;
        if (status & MYSQL_WAIT_WRITE)
            pfd.events |= POLLOUT;
        if (status & MYSQL_WAIT_EXCEPT)
            pfd.events |= POLLPRI;
        if ((status & MYSQL_WAIT_TIMEOUT) && mysql_get_timeout_value_ms(c->m) <= wait) {
            wait = mysql_get_timeout_value_ms(c->m);
            io_timeout = 1;
        }
        n = poll(&pfd, 1, (int)wait);
        if (n < 0 && errno != EINTR)
            ready = status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE); /* let the library see it */
        if (n > 0) {
            if (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
                ready |= MYSQL_WAIT_READ;
            if (pfd.revents & POLLOUT)
                ready |= MYSQL_WAIT_WRITE;
            if (pfd.revents & POLLPRI)
                ready |= MYSQL_WAIT_EXCEPT;
            ready &= status | MYSQL_WAIT_READ;
        } else if (n == 0 && io_timeout) {
            ready = MYSQL_WAIT_TIMEOUT;
        }
        now = mg_monotonic_ms();
        if (now >= next) {
            w->fn(w->arg, now - t0);
            next = mg_monotonic_ms() + w->every_ms;
        }
        if (ready)
            status = mysql_real_query_cont(&ret, c->m, ready);
    }
    return ret;
}

static int after_query(struct my_conn *c, long long *rows, struct mg_err *err);

static int my_exec(struct drv_conn *base, const char *sql, size_t len, long long *rows,
                   struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    int rc;

    if (c->dry) {
        dry_statement(c, sql, len);
        if (rows)
            *rows = 0;
        return 0;
    }
    c->in_exec = 1;
    if (real_query_wait(c, sql, len)) {
        c->in_exec = 0;
        rc = conn_error(c, err);
        if (err->server_code == MY_ER_PARSE)
            locate_parse_error(sql, len, err);
        return rc;
    }
    return after_query(c, rows, err);
}

/* After a statement ran: its rows read and dropped, *rows set, later results drained. */
static int after_query(struct my_conn *c, long long *rows, struct mg_err *err)
{
    MYSQL_RES *res;
    int rc;

    /* a statement may return rows (SELECT, CALL): read them off the wire and drop them */
    res = mysql_use_result(c->m);
    if (res) {
        while (mysql_fetch_row(res)) {
        }
        /* an error while rows stream (a timeout, a KILL) ends the rows early */
        if (mysql_errno(c->m)) {
            c->in_exec = 0;
            rc = conn_error(c, err);
            mysql_free_result(res);
            return rc;
        }
        if (rows)
            *rows = (long long)mysql_num_rows(res);
        mysql_free_result(res);
    } else if (mysql_field_count(c->m)) {
        c->in_exec = 0;
        return conn_error(c, err);
    } else if (rows) {
        my_ulonglong n = mysql_affected_rows(c->m);
        *rows = n == (my_ulonglong)-1 ? -1 : (long long)n;
    }
    rc = drain_results(c, err);
    c->in_exec = 0;
    return rc;
}

static int my_query(struct drv_conn *base, struct drv_result **out, const char *sql,
                    const char *const *params, size_t nparams, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    MYSQL_BIND *b;
    unsigned long *lens;
    size_t idx = 0;
    int rc;

    *out = NULL;
    if (c->dry) {
        dry_statement(c, sql, strlen(sql));
        for (size_t i = 0; i < nparams; i++) {
            mg_buf_addf(c->dry, "--   ?%zu = ", i + 1);
            if (!params[i]) {
                mg_buf_adds(c->dry, "NULL\n");
                continue;
            }
            mg_buf_addch(c->dry, '\'');
            for (const char *q = params[i]; *q; q++) {
                if (*q == '\'' || *q == '\\')
                    mg_buf_addch(c->dry, *q);
                mg_buf_addch(c->dry, *q == '\n' ? ' ' : *q);
            }
            mg_buf_adds(c->dry, "'\n");
        }
        *out = drv_result_new(0);
        return 0;
    }
    if (!nparams) {
        /* nothing to bind: the text protocol runs every statement, SHOW included */
        if (mysql_real_query(c->m, sql, strlen(sql)))
            return conn_error(c, err);
        rc = fetch_text(c, out, err);
        if (!rc)
            rc = drain_results(c, err);
        if (rc && *out) {
            drv_result_free(*out);
            *out = NULL;
        }
        return rc;
    }
    rc = prepared(c, sql, nparams, &idx, err);
    if (rc)
        return rc;
    MYSQL_STMT *st = c->cache[idx].st;
    b = mg_calloc(nparams, sizeof(*b));
    lens = mg_calloc(nparams, sizeof(*lens));
    for (size_t i = 0; i < nparams; i++) {
        if (!params[i]) {
            b[i].buffer_type = MYSQL_TYPE_NULL;
            continue;
        }
        lens[i] = strlen(params[i]);
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = (void *)params[i];
        b[i].buffer_length = lens[i];
        b[i].length = &lens[i];
    }
    if (mysql_stmt_bind_param(st, b) || mysql_stmt_execute(st))
        rc = stmt_error(c, st, err);
    else
        rc = fetch_stmt(c, st, out, err);
    free(b);
    free(lens);
    if (rc)
        cache_drop(c, idx); /* a failed statement may be unusable (or its table changed) */
    return rc;
}

static int simple(struct my_conn *c, const char *sql, struct mg_err *err)
{
    return my_exec(&c->base, sql, strlen(sql), NULL, err);
}

static int my_begin(struct drv_conn *base, struct mg_err *err)
{
    return simple((struct my_conn *)base, "START TRANSACTION", err);
}

static int my_commit(struct drv_conn *base, struct mg_err *err)
{
    return simple((struct my_conn *)base, "COMMIT", err);
}

static int my_rollback(struct drv_conn *base, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;

    if (!(c->m->server_status & SERVER_STATUS_IN_TRANS))
        return 0;
    return simple(c, "ROLLBACK", err);
}

/* ---------- connect and close ---------- */

static void my_close(struct drv_conn *base)
{
    struct my_conn *c = (struct my_conn *)base;

    stop_watcher(c);
    free(c->busy_sql);
    while (c->ncache)
        cache_drop(c, c->ncache - 1);
    mysql_close(c->m);
    params_free(&c->p);
    free(c);
}

static void library_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

static int my_connect(struct drv_conn **out, const struct mg_url *url,
                      const struct drv_connect_opts *opts, struct mg_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct my_conn *c;
    struct drv_result *r;
    const char *v;
    int rc;

    /* the library must be initialised before any thread uses it */
    pthread_once(&once, library_init);
    c = mg_calloc(1, sizeof(*c));
    c->base.ops = &drv_mysql_ops;
    c->wake[0] = c->wake[1] = -1;
    rc = params_from_url(&c->p, url, opts, err);
    if (!rc)
        rc = open_handle(&c->p, &c->m, 1, err);
    if (rc) {
        params_free(&c->p);
        free(c);
        return rc;
    }
    c->thread_id = mysql_thread_id(c->m);

    struct drv_info *in = &c->base.info;
    v = mysql_get_server_info(c->m);
    c->mariadb = v && strstr(v, "MariaDB") != NULL;
    snprintf(in->dialect, sizeof(in->dialect), "mysql");
    snprintf(in->product, sizeof(in->product), "%s", c->mariadb ? "MariaDB" : "MySQL");
    snprintf(in->server_version, sizeof(in->server_version), "%s", v ? v : "unknown");
    in->version_num = (int)mysql_get_server_version(c->m);
    in->transactional_ddl = 0;

    /* every statement commits on its own, whatever the server's default: the history relies on it
     */
    if (mysql_autocommit(c->m, 1)) {
        rc = conn_error(c, err);
        goto fail;
    }
    rc = my_query(&c->base, &r, "SELECT DATABASE(), CURRENT_USER()", NULL, 0, err);
    if (rc)
        goto fail;
    snprintf(in->database, sizeof(in->database), "%s",
             r->nrows && drv_val(r, 0, 0) ? drv_val(r, 0, 0) : c->p.db);
    snprintf(in->user, sizeof(in->user), "%s",
             r->nrows && drv_val(r, 0, 1) ? drv_val(r, 0, 1) : "");
    drv_result_free(r);
    start_watcher(c);
    *out = &c->base;
    return 0;
fail:
    mysql_close(c->m);
    params_free(&c->p);
    free(c);
    return rc;
}

/* ---------- the runner lock ---------- */

/*
 * GET_LOCK names are server-wide and at most 64 characters: the name is
 * prefixed with the database so runners on different databases of one
 * server do not exclude each other, and hashed when that is too long.
 */
static void lock_name(const struct my_conn *c, const char *name, char out[65])
{
    struct mg_buf b = MG_BUF_INIT;
    char hex[65];

    mg_buf_addf(&b, "%s:%s", c->base.info.database, name);
    if (b.len <= 64) {
        memcpy(out, b.ptr, b.len + 1);
    } else {
        mg_sha256_hex(hex, b.ptr, b.len);
        snprintf(out, 65, "migrate:%.56s", hex);
    }
    mg_buf_free(&b);
}

/* The one value of a one-row query with one parameter; NULL cell -> *val = NULL. */
static int query_value(struct my_conn *c, const char *sql, const char *param, char **val,
                       struct mg_err *err)
{
    const char *p[1] = {param};
    struct drv_result *r;
    int rc = my_query(&c->base, &r, sql, p, 1, err);

    *val = NULL;
    if (rc)
        return rc;
    if (r->nrows && r->ncols && drv_val(r, 0, 0))
        *val = mg_strdup(drv_val(r, 0, 0));
    drv_result_free(r);
    return 0;
}

static int my_try_lock(struct drv_conn *base, const char *name, int *got, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    char ln[65], *v;
    int rc;

    lock_name(c, name, ln);
    rc = query_value(c, "SELECT GET_LOCK(?, 0)", ln, &v, err);
    if (rc)
        return rc;
    if (!v) {
        if (c->dry)
            return 0; /* nothing was sent */
        mg_err_set(err, MG_EFAIL, "GET_LOCK('%s') failed on the server", ln);
        return MG_EFAIL;
    }
    *got = !strcmp(v, "1");
    free(v);
    return 0;
}

static int my_unlock(struct drv_conn *base, const char *name, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    char ln[65], *v;
    int rc;

    lock_name(c, name, ln);
    rc = query_value(c, "SELECT RELEASE_LOCK(?)", ln, &v, err);
    free(v);
    return rc;
}

/*
 * Names the session holding the runner lock.  IS_USED_LOCK() gives its
 * connection id on MySQL and MariaDB alike and needs no privilege; the
 * process list adds user, host, and what it is doing (the whole list needs
 * the PROCESS privilege, so the details may be missing); the client program
 * name comes from performance_schema where that is enabled.
 */
static int my_lock_holder(struct drv_conn *base, const char *name, struct mg_buf *out,
                          struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    struct drv_result *r = NULL;
    struct mg_err ignored;
    char ln[65], *id, *prog = NULL;
    int rc;

    lock_name(c, name, ln);
    rc = query_value(c, "SELECT IS_USED_LOCK(?)", ln, &id, err);
    if (rc || !id)
        return rc;
    mg_err_clear(&ignored);
    query_value(c,
                "SELECT ATTR_VALUE FROM performance_schema.session_connect_attrs "
                "WHERE PROCESSLIST_ID = CAST(? AS UNSIGNED) AND ATTR_NAME = 'program_name'",
                id, &prog, &ignored);
    mg_err_clear(&ignored);
    const char *p[1] = {id};
    if (my_query(base, &r,
                 "SELECT USER, HOST, COALESCE(COMMAND, ''), COALESCE(TIME, 0), "
                 "COALESCE(STATE, ''), COALESCE(LEFT(INFO, 80), '') "
                 "FROM information_schema.PROCESSLIST WHERE ID = CAST(? AS UNSIGNED)",
                 p, 1, &ignored) == 0 &&
        r->nrows) {
        const char *cmd = drv_val(r, 0, 2), *state = drv_val(r, 0, 4), *info = drv_val(r, 0, 5);
        mg_buf_addf(out, "connection id %s (", id);
        if (prog)
            mg_buf_addf(out, "program '%s', ", prog);
        mg_buf_addf(out, "user '%s', from %s, %s for %ss", drv_val(r, 0, 0), drv_val(r, 0, 1),
                    cmd[0] ? cmd : "idle", drv_val(r, 0, 3));
        if (state[0])
            mg_buf_addf(out, ", state '%s'", state);
        if (info[0])
            mg_buf_addf(out, ", running: %s", info);
        mg_buf_addch(out, ')');
    } else {
        mg_buf_addf(out, "connection id %s%s%s%s (details need the PROCESS privilege)", id,
                    prog ? " (program '" : "", prog ? prog : "", prog ? "')" : "");
    }
    drv_result_free(r);
    free(id);
    free(prog);
    return 0;
}

/* ---------- timeouts ---------- */

/*
 * lock_wait_timeout bounds waits for metadata locks (what DDL waits for),
 * innodb_lock_wait_timeout waits for row locks; both count whole seconds,
 * so milliseconds round up, and "off" is the largest value they take.  The
 * statement timeout differs by product: MariaDB's max_statement_time (in
 * seconds, fractional) covers every statement, MySQL's max_execution_time
 * (in milliseconds) only read-only SELECTs.
 */
static int my_set_timeouts(struct drv_conn *base, long lock_ms, long stmt_ms, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    char l[24], il[24], s[32];
    const char *p[3] = {l, il, s};
    struct drv_result *r;
    int rc;

    snprintf(l, sizeof(l), "%ld", lock_ms ? (lock_ms + 999) / 1000 : 31536000L);
    snprintf(il, sizeof(il), "%ld", lock_ms ? (lock_ms + 999) / 1000 : 1073741824L);
    if (c->mariadb)
        snprintf(s, sizeof(s), "%ld.%03ld", stmt_ms / 1000, stmt_ms % 1000);
    else
        snprintf(s, sizeof(s), "%ld", stmt_ms);
    rc = my_query(base, &r,
                  c->mariadb ? "SET SESSION lock_wait_timeout = CAST(? AS UNSIGNED), "
                               "SESSION innodb_lock_wait_timeout = CAST(? AS UNSIGNED), "
                               "SESSION max_statement_time = CAST(? AS DECIMAL(20,3))"
                             : "SET SESSION lock_wait_timeout = CAST(? AS UNSIGNED), "
                               "SESSION innodb_lock_wait_timeout = CAST(? AS UNSIGNED), "
                               "SESSION max_execution_time = CAST(? AS UNSIGNED)",
                  p, 3, err);
    if (!rc)
        drv_result_free(r);
    return rc;
}

static long my_backend_id(struct drv_conn *base)
{
    return (long)((struct my_conn *)base)->thread_id;
}

/*
 * What the server says about session `backend`'s statement: MariaDB reports
 * stage and percentage for ALTER TABLE, LOAD DATA and the like; both name
 * the state, such as "Waiting for table metadata lock".
 */
static int my_progress(struct drv_conn *base, long backend, struct mg_buf *out, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    char id[24];
    const char *p[1] = {id};
    struct drv_result *r;
    int rc;

    snprintf(id, sizeof(id), "%ld", backend);
    rc = my_query(base, &r,
                  c->mariadb ? "SELECT COALESCE(STATE, ''), STAGE, MAX_STAGE, ROUND(PROGRESS, 1) "
                               "FROM information_schema.PROCESSLIST WHERE ID = CAST(? AS UNSIGNED)"
                             : "SELECT COALESCE(STATE, ''), 0, 0, 0 "
                               "FROM information_schema.PROCESSLIST WHERE ID = CAST(? AS UNSIGNED)",
                  p, 1, err);
    if (rc)
        return rc;
    if (r->nrows) {
        const char *state = drv_val(r, 0, 0), *stage = drv_val(r, 0, 1), *stages = drv_val(r, 0, 2),
                   *pct = drv_val(r, 0, 3);
        if (stages && atoi(stages) > 0 && pct && atof(pct) > 0)
            mg_buf_addf(out, "stage %s of %s, %s%%%s%s", stage ? stage : "?", stages, pct,
                        state[0] ? ", " : "", state);
        else
            mg_buf_adds(out, state);
    }
    drv_result_free(r);
    return 0;
}

/*
 * The binary log position for checkpoints: file and offset from SHOW MASTER
 * STATUS (SHOW BINARY LOG STATUS from MySQL 8.2, which removed the old
 * name in 8.4), the GTID set (MySQL's gtid_executed, MariaDB's
 * gtid_binlog_pos), and the server's identity.  Binary logging off is no
 * error: kind DRV_LOG_NONE with a note.  Without the privilege to read the
 * position (REPLICATION CLIENT, or BINLOG MONITOR on MariaDB) the GTID set
 * still counts, and the note says what is missing.
 */
static int my_log_position(struct drv_conn *base, struct drv_log_pos *out, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    struct drv_result *r;
    struct mg_err e;
    int rc;

    rc = my_query(base, &r,
                  c->mariadb ? "SELECT @@global.log_bin, @@global.server_id, '', "
                               "@@global.gtid_binlog_pos"
                             : "SELECT @@global.log_bin, @@global.server_id, @@global.server_uuid, "
                               "@@global.gtid_executed",
                  NULL, 0, err);
    if (rc)
        return rc;
    if (!r->nrows || r->ncols < 4) {
        drv_result_free(r);
        return mg_err_set(err, MG_EFAIL, "the server did not report its binary log settings");
    }
    const char *log_bin = drv_val(r, 0, 0), *sid = drv_val(r, 0, 1), *uuid = drv_val(r, 0, 2),
               *gtid = drv_val(r, 0, 3);
    out->server_id = sid ? strtoull(sid, NULL, 10) : 0;
    snprintf(out->server_uuid, sizeof(out->server_uuid), "%s", uuid ? uuid : "");
    if (!log_bin || strcmp(log_bin, "1") != 0) {
        out->kind = DRV_LOG_NONE;
        snprintf(out->note, sizeof(out->note),
                 "binary logging is off on this server (log_bin = OFF): there is no log a "
                 "restore could replay up to this point; start the server with --log-bin");
        drv_result_free(r);
        return 0;
    }
    out->kind = DRV_LOG_BINLOG;
    snprintf(out->gtid_var, sizeof(out->gtid_var), "%s",
             c->mariadb ? "gtid_binlog_pos" : "gtid_executed");
    mg_buf_reset(&out->gtid_set);
    mg_buf_adds(&out->gtid_set, gtid ? gtid : "");
    drv_result_free(r);

    mg_err_clear(&e);
    rc = my_query(base, &r,
                  !c->mariadb && c->base.info.version_num >= 80200 ? "SHOW BINARY LOG STATUS"
                                                                   : "SHOW MASTER STATUS",
                  NULL, 0, &e);
    if (rc == MG_ECONN) {
        mg_err_copy(err, &e);
        return rc;
    }
    if (rc) {
        snprintf(out->note, sizeof(out->note),
                 "cannot read the binary log position: %s (it needs the %s privilege)", e.msg,
                 c->mariadb ? "BINLOG MONITOR" : "REPLICATION CLIENT");
        return 0;
    }
    if (r->nrows && r->ncols >= 2 && drv_val(r, 0, 0) && drv_val(r, 0, 1)) {
        snprintf(out->binlog_file, sizeof(out->binlog_file), "%s", drv_val(r, 0, 0));
        out->binlog_pos = strtoull(drv_val(r, 0, 1), NULL, 10);
    } else {
        snprintf(out->note, sizeof(out->note),
                 "the server reported no binary log position (SHOW MASTER STATUS is empty)");
    }
    drv_result_free(r);
    return 0;
}

/* ---------- online schema change throttling ---------- */

/*
 * Replication lag as this server knows it: when it is itself a replica, the largest
 * Seconds_Behind_Master of its connections (a stopped one is DRV_LAG_STOPPED); a primary cannot
 * see its replicas' lag, and reports none (*replicas = 0).
 */
static int my_replica_lag(struct drv_conn *base, long *lag_ms, int *replicas, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    struct drv_result *r;
    int rc = my_query(base, &r, c->mariadb ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS", NULL,
                      0, err);
    size_t col = (size_t)-1;

    if (rc)
        return rc;
    for (size_t i = 0; i < r->ncols; i++)
        if (!strcmp(r->names[i], "Seconds_Behind_Master") ||
            !strcmp(r->names[i], "Seconds_Behind_Source"))
            col = i;
    *replicas = (int)r->nrows;
    for (size_t i = 0; col != (size_t)-1 && i < r->nrows; i++) {
        const char *v = drv_val(r, i, col);
        long ms = v ? atol(v) * 1000 : DRV_LAG_STOPPED;
        if (ms > *lag_ms)
            *lag_ms = ms;
    }
    drv_result_free(r);
    return 0;
}

/* Threads running a statement on the server, this one left out. */
static int my_active_sessions(struct drv_conn *base, long *n, struct mg_err *err)
{
    struct drv_result *r;
    int rc = my_query(base, &r, "SHOW GLOBAL STATUS LIKE 'Threads_running'", NULL, 0, err);

    if (rc)
        return rc;
    *n = r->nrows && drv_val(r, 0, 1) ? atol(drv_val(r, 0, 1)) - 1 : 0;
    if (*n < 0)
        *n = 0;
    drv_result_free(r);
    return 0;
}

static int my_dry_run(struct drv_conn *base, struct mg_buf *sink, struct mg_err *err)
{
    ((struct my_conn *)base)->dry = sink;
    return 0;
}

/* Every later transaction of the session, autocommitted statements included, is read-only. */
static int my_read_only(struct drv_conn *base, struct mg_err *err)
{
    return simple((struct my_conn *)base, "SET SESSION TRANSACTION READ ONLY", err);
}

/* ---------- estimate: metadata locks of a session ---------- */

/* Finds, once per connection, where this server shows metadata locks. */
static int mdl_source(struct my_conn *c, struct mg_err *err)
{
    struct drv_result *r;
    struct mg_err e2;

    if (c->mdl_source)
        return c->mdl_source;
    mg_err_clear(&e2);
    /* performance_schema on, with the metadata lock instrument (on by default in MySQL 8) */
    if (my_query(&c->base, &r,
                 "SELECT 1 FROM performance_schema.setup_instruments WHERE NAME = "
                 "'wait/lock/metadata/sql/mdl' AND ENABLED = 'YES' AND @@performance_schema = 1",
                 NULL, 0, &e2) == 0) {
        c->mdl_source = r->nrows ? 1 : 0;
        drv_result_free(r);
    }
    if (!c->mdl_source) {
        mg_err_clear(&e2);
        if (my_query(&c->base, &r,
                     "SELECT 1 FROM information_schema.PLUGINS WHERE PLUGIN_NAME = "
                     "'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'",
                     NULL, 0, &e2) == 0) {
            c->mdl_source = r->nrows ? 2 : -1;
            drv_result_free(r);
        } else {
            c->mdl_source = -1;
        }
    }
    if (c->mdl_source < 0)
        mg_err_set(err, MG_EUSAGE,
                   "the server does not show metadata locks: performance_schema is off (or its "
                   "wait/lock/metadata/sql/mdl instrument), and the METADATA_LOCK_INFO plugin is "
                   "not installed");
    return c->mdl_source;
}

static int my_session_locks(struct drv_conn *base, long long backend, struct drv_locks *out,
                            int *waiting, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    char id[24];
    const char *p[1] = {id};
    struct drv_result *r;
    int src = mdl_source(c, err), rc;

    if (src < 0)
        return MG_EUSAGE;
    snprintf(id, sizeof(id), "%llu",
             backend ? (unsigned long long)backend : (unsigned long long)c->thread_id);
    rc = my_query(base, &r,
                  src == 1
                      ? "SELECT m.OBJECT_SCHEMA, m.OBJECT_NAME, m.LOCK_TYPE, m.LOCK_STATUS "
                        "FROM performance_schema.metadata_locks m "
                        "JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID "
                        "WHERE t.PROCESSLIST_ID = CAST(? AS UNSIGNED) AND m.OBJECT_TYPE = 'TABLE'"
                      : "SELECT TABLE_SCHEMA, TABLE_NAME, LOCK_MODE, 'GRANTED' "
                        "FROM information_schema.METADATA_LOCK_INFO "
                        "WHERE THREAD_ID = CAST(? AS UNSIGNED) "
                        "AND LOCK_TYPE = 'Table metadata lock'",
                  p, 1, err);
    if (rc)
        return rc;
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        const char *schema = drv_val(r, i, 0), *name = drv_val(r, i, 1), *mode = drv_val(r, i, 2);
        int granted = drv_val(r, i, 3) && !strcmp(drv_val(r, i, 3), "GRANTED");
        if (!granted)
            *waiting = 1;
        if (!schema || !name || !mode || !strncmp(name, "#sql", 4) || !strcmp(schema, "mysql") ||
            !strcmp(schema, "information_schema") || !strcmp(schema, "performance_schema") ||
            !strcmp(schema, "sys"))
            continue;
        struct drv_lock *l = &out->v[out->n++];
        l->rel_id = mg_strdup(name);
        l->schema = mg_strdup("");
        l->name = mg_strdup(name);
        l->kind = DRV_REL_TABLE;
        /* the plugin says MDL_SHARED_UPGRADABLE where performance_schema says SHARED_UPGRADABLE */
        l->mode = mg_strdup(!strncmp(mode, "MDL_", 4) ? mode + 4 : mode);
        l->granted = granted;
    }
    drv_result_free(r);
    /* the plugin shows granted locks only: the process list tells a wait */
    rc = my_query(base, &r,
                  "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = CAST(? AS UNSIGNED) "
                  "AND STATE LIKE 'Waiting for%lock%'",
                  p, 1, err);
    if (rc) {
        drv_locks_free(out);
        return rc;
    }
    if (r->nrows)
        *waiting = 1;
    drv_result_free(r);
    return 0;
}

/* ---------- estimate: a statement in the background ---------- */

static int my_exec_start(struct drv_conn *base, const char *sql, size_t len, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;

    if (c->busy)
        return mg_err_set(err, MG_EFAIL, "a statement is still running on this connection");
    if (c->dry)
        return mg_err_set(err, MG_EFAIL, "a dry run cannot run statements in the background");
    /* the library may need the text until the statement has been sent */
    c->busy_sql = mg_strndup(sql, len);
    c->busy = 1;
    c->busy_ret = 0;
    c->in_exec = 1;
    c->busy_status = mysql_real_query_start(&c->busy_ret, c->m, c->busy_sql, len);
    return 0;
}

static int my_exec_wait(struct drv_conn *base, long timeout_ms, int *done, long long *rows,
                        struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    int64_t deadline = mg_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int rc;

    if (!c->busy)
        return mg_err_set(err, MG_EFAIL, "no statement is running on this connection");
    while (c->busy_status) {
        struct pollfd pfd = {.fd = mysql_get_socket(c->m), .events = 0};
        int64_t wait = deadline - mg_monotonic_ms();
        int io_timeout = 0, ready = 0, n;
        if (wait <= 0)
            return 0; /* still running */
        if (c->busy_status & MYSQL_WAIT_READ)
            pfd.events |= POLLIN;
        if (c->busy_status & MYSQL_WAIT_WRITE)
            pfd.events |= POLLOUT;
        if (c->busy_status & MYSQL_WAIT_EXCEPT)
            pfd.events |= POLLPRI;
        if ((c->busy_status & MYSQL_WAIT_TIMEOUT) && mysql_get_timeout_value_ms(c->m) <= wait) {
            wait = mysql_get_timeout_value_ms(c->m);
            io_timeout = 1;
        }
        n = poll(&pfd, 1, (int)wait);
        if (n < 0 && errno != EINTR)
            ready = c->busy_status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);
        if (n > 0) {
            if (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
                ready |= MYSQL_WAIT_READ;
            if (pfd.revents & POLLOUT)
                ready |= MYSQL_WAIT_WRITE;
            if (pfd.revents & POLLPRI)
                ready |= MYSQL_WAIT_EXCEPT;
            ready &= c->busy_status | MYSQL_WAIT_READ;
        } else if (n == 0 && io_timeout) {
            ready = MYSQL_WAIT_TIMEOUT;
        }
        if (ready)
            c->busy_status = mysql_real_query_cont(&c->busy_ret, c->m, ready);
    }
    *done = 1;
    c->busy = 0;
    if (c->busy_ret) {
        c->in_exec = 0;
        rc = conn_error(c, err);
        if (err->server_code == MY_ER_PARSE)
            locate_parse_error(c->busy_sql, strlen(c->busy_sql), err);
    } else {
        rc = after_query(c, rows, err);
    }
    free(c->busy_sql);
    c->busy_sql = NULL;
    return rc;
}

/* ---------- clone: rows that keep their bytes ---------- */

/*
 * Streams the rows of a query to `sink` with mysql_use_result: the server
 * sends them as the sink takes them, so memory holds one row.  Stopping
 * early reads the rest off the wire (the protocol has no other way to end a
 * result but KILL QUERY).
 */
static int my_query_rows(struct drv_conn *base, const char *sql, drv_row_sink sink, void *arg,
                         struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    struct drv_value *vals = NULL;
    MYSQL_RES *res;
    MYSQL_ROW row;
    int rc = 0;

    if (c->dry)
        return mg_err_set(err, MG_EFAIL, "a dry run cannot stream rows");
    c->in_exec = 1;
    if (mysql_real_query(c->m, sql, strlen(sql))) {
        c->in_exec = 0;
        return conn_error(c, err);
    }
    res = mysql_use_result(c->m);
    if (!res) {
        c->in_exec = 0;
        if (mysql_field_count(c->m))
            return conn_error(c, err);
        return drain_results(c, err);
    }
    unsigned ncols = mysql_num_fields(res);
    vals = mg_calloc(ncols ? ncols : 1, sizeof(*vals));
    while (!rc && (row = mysql_fetch_row(res))) {
        unsigned long *lens = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < ncols; i++) {
            vals[i].v = row[i];
            vals[i].len = row[i] ? lens[i] : 0;
            vals[i].binary = 0;
        }
        rc = sink(arg, vals, ncols, err);
        if (rc && !err->code)
            mg_err_set(err, rc, "reading the rows stopped");
    }
    /* an error while rows stream (a timeout, a KILL, the server going away) ends them early */
    if (!rc && mysql_errno(c->m))
        rc = conn_error(c, err);
    mysql_free_result(res);
    free(vals);
    c->in_exec = 0;
    if (!rc)
        rc = drain_results(c, err);
    return rc;
}

/*
 * A prepared statement (cached per session) with values bound by length:
 * text as MYSQL_TYPE_STRING, which the server reads in the session's
 * character set; binary as MYSQL_TYPE_BLOB, which it takes as bytes.
 */
static int my_exec_values(struct drv_conn *base, const char *sql, const struct drv_value *params,
                          size_t nparams, long long *rows, struct mg_err *err)
{
    struct my_conn *c = (struct my_conn *)base;
    MYSQL_BIND *b;
    unsigned long *lens;
    size_t idx = 0;
    int rc;

    if (c->dry)
        return mg_err_set(err, MG_EFAIL, "a dry run cannot send binary parameters");
    rc = prepared(c, sql, nparams, &idx, err);
    if (rc)
        return rc;
    MYSQL_STMT *st = c->cache[idx].st;
    b = mg_calloc(nparams ? nparams : 1, sizeof(*b));
    lens = mg_calloc(nparams ? nparams : 1, sizeof(*lens));
    for (size_t i = 0; i < nparams; i++) {
        if (!params[i].v) {
            b[i].buffer_type = MYSQL_TYPE_NULL;
            continue;
        }
        lens[i] = (unsigned long)params[i].len;
        b[i].buffer_type = params[i].binary ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
        b[i].buffer = (void *)params[i].v;
        b[i].buffer_length = lens[i];
        b[i].length = &lens[i];
    }
    c->in_exec = 1;
    if (mysql_stmt_bind_param(st, b) || mysql_stmt_execute(st)) {
        rc = stmt_error(c, st, err);
    } else if (rows) {
        my_ulonglong n = mysql_stmt_affected_rows(st);
        *rows = n == (my_ulonglong)-1 ? -1 : (long long)n;
    }
    c->in_exec = 0;
    free(b);
    free(lens);
    if (rc)
        cache_drop(c, idx);
    return rc;
}

const struct drv_ops drv_mysql_ops = {
    .api_version = DRV_API_VERSION,
    .name = "mysql",
    .schemes = my_schemes,
    .split = my_split,
    .quote_ident = my_quote_ident,
    .connect = my_connect,
    .close = my_close,
    .exec = my_exec,
    .query = my_query,
    .begin = my_begin,
    .commit = my_commit,
    .rollback = my_rollback,
    .try_lock = my_try_lock,
    .unlock = my_unlock,
    .lock_holder = my_lock_holder,
    .set_timeouts = my_set_timeouts,
    .cancel = my_cancel,
    .dry_run = my_dry_run,
    .read_only = my_read_only,
    .backend_id = my_backend_id,
    .progress = my_progress,
    .log_position = my_log_position,
    .schema_snapshot = drv_my_schema_snapshot,
    .data_fingerprint = drv_my_data_fingerprint,
    .db_identity = drv_my_db_identity,
    .session_locks = my_session_locks,
    .relation_files = drv_my_relation_files,
    .relation_stats = drv_my_relation_stats,
    .exec_start = my_exec_start,
    .exec_wait = my_exec_wait,
    .query_rows = my_query_rows,
    .exec_values = my_exec_values,
    .replica_lag = my_replica_lag,
    .active_sessions = my_active_sessions,
};
