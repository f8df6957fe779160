/*
 * my_lex.c — MySQL/MariaDB tokenizer and statement splitter for the
 * linter: quotes ('', "", backticks, backslash escapes), comments (#, "-- ",
 * nested-free block comments), executable comments (their content is code),
 * DELIMITER.  Each statement gets its tokens (comments dropped) and a
 * normalised text for the PCRE2 patterns: words upper-cased, strings as ?,
 * one space between tokens.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"
#include "mylex.h"
#include "util.h"

struct lexer {
    const char *s;
    size_t len, i;
    int in_exec; /* inside an executable comment (slash-star-bang) */
    struct mg_err *err;
};

static int is_word(unsigned char c)
{
    return mg_mylex_word_char((char)c);
}

static int lex_error(struct lexer *lx, size_t at, const char *what)
{
    int line, col;
    mg_line_col(lx->s, at, &line, &col);
    mg_err_set(lx->err, MG_EINPUT, "%s starting at line %d, column %d", what, line, col);
    lx->err->line = line;
    lx->err->col = col;
    return MG_EINPUT;
}

/* Skips whitespace and comments; returns < 0 on an unterminated comment. */
static int skip_space(struct lexer *lx)
{
    const char *s = lx->s;
    while (lx->i < lx->len) {
        char c = s[lx->i];
        if (mg_mylex_space(c)) {
            lx->i++;
        } else if (c == '#' || mg_mylex_dash_comment_at(s, lx->i, lx->len)) {
            while (lx->i < lx->len && s[lx->i] != '\n')
                lx->i++;
        } else if (c == '/' && lx->i + 1 < lx->len && s[lx->i + 1] == '*') {
            if (mg_mylex_exec_comment_at(s, lx->i, lx->len)) {
                /* executable comment: its content is SQL (after an optional version) */
                lx->i += s[lx->i + 2] == 'M' ? 4 : 3;
                while (lx->i < lx->len && isdigit((unsigned char)s[lx->i]))
                    lx->i++;
                lx->in_exec = 1;
                continue;
            }
            const char *e = lx->i + 2 <= lx->len ? strstr(s + lx->i + 2, "*/") : NULL;
            if (!e || (size_t)(e - s) >= lx->len)
                return lex_error(lx, lx->i, "unterminated comment");
            lx->i = (size_t)(e - s) + 2;
        } else if (lx->in_exec && c == '*' && lx->i + 1 < lx->len && s[lx->i + 1] == '/') {
            lx->in_exec = 0;
            lx->i += 2;
        } else {
            break;
        }
    }
    return 0;
}

/* Reads one token at lx->i (not at whitespace). */
static int next_token(struct lexer *lx, struct my_tok *t)
{
    const char *s = lx->s;
    size_t st = lx->i;
    unsigned char c = (unsigned char)s[st];

    t->off = st;
    if (c == '\'' || c == '"' || c == '`') {
        size_t i = mg_mylex_skip_quoted(s, st, lx->len);
        if (!i)
            return lex_error(lx, st,
                             c == '`' ? "unterminated quoted identifier" : "unterminated string");
        t->kind = c == '`' ? MT_QIDENT : MT_STRING;
        t->len = i - st;
        lx->i = i;
        return 0;
    }
    if (c == '@') {
        size_t i = st + 1;
        while (i < lx->len && (s[i] == '@' || is_word((unsigned char)s[i]) || s[i] == '.'))
            i++;
        t->kind = MT_VAR;
        t->len = i - st;
        lx->i = i;
        return 0;
    }
    if (isdigit(c) || (c == '.' && st + 1 < lx->len && isdigit((unsigned char)s[st + 1]))) {
        size_t i = st;
        while (i < lx->len && (is_word((unsigned char)s[i]) || s[i] == '.'))
            i++;
        /* 12, 12.5, 1e5, 0x1F are numbers; 1abc is an identifier in MySQL */
        int word = 0;
        int hex = i - st > 2 && s[st] == '0' && (s[st + 1] == 'x' || s[st + 1] == 'X');
        for (size_t k = hex ? st + 2 : st; k < i; k++) {
            unsigned char d = (unsigned char)s[k];
            if (hex ? !isxdigit(d) : !(isdigit(d) || d == '.' || d == 'e' || d == 'E'))
                word = 1;
        }
        t->kind = word ? MT_WORD : MT_NUMBER;
        t->len = i - st;
        lx->i = i;
        return 0;
    }
    if (is_word(c)) {
        size_t i = st;
        while (i < lx->len && is_word((unsigned char)s[i]))
            i++;
        t->kind = MT_WORD;
        t->len = i - st;
        lx->i = i;
        return 0;
    }
    t->kind = MT_PUNCT;
    t->len = 1;
    lx->i = st + 1;
    return 0;
}

void chk_my_stmt_free(struct my_stmt *m)
{
    free(m->t);
    free(m->norm);
    free(m->pos);
    if (m->info)
        my_info_free(m->info);
    memset(m, 0, sizeof(*m));
}

/* Builds the normalised text and token positions of a statement. */
static void normalise(struct my_stmt *m, const char *text)
{
    struct mg_buf b = MG_BUF_INIT;
    m->pos = mg_malloc((m->n + 1) * sizeof(size_t));
    for (size_t i = 0; i < m->n; i++) {
        const struct my_tok *t = &m->t[i];
        if (i)
            mg_buf_addch(&b, ' ');
        m->pos[i] = b.len;
        switch (t->kind) {
        case MT_STRING:
            mg_buf_addch(&b, '?');
            break;
        case MT_WORD:
        case MT_VAR:
            for (size_t k = 0; k < t->len; k++)
                mg_buf_addch(&b, (char)toupper((unsigned char)text[t->off + k]));
            break;
        default:
            mg_buf_add(&b, text + t->off, t->len);
        }
    }
    m->pos[m->n] = b.len;
    m->norm = mg_buf_detach(&b);
    if (!m->norm[0] && !m->n) {
        free(m->norm);
        m->norm = mg_strdup("");
    }
}

/* Is the DELIMITER client command at lx->i (start of a statement)?  Sets the new delimiter. */
static int delimiter_cmd(struct lexer *lx, char *delim, size_t dsize)
{
    const char *s = lx->s;
    if (lx->len - lx->i < 10 || strncasecmp(s + lx->i, "DELIMITER", 9) != 0 ||
        (s[lx->i + 9] != ' ' && s[lx->i + 9] != '\t'))
        return 0;
    size_t i = lx->i + 9;
    while (i < lx->len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t st = i;
    while (i < lx->len && s[i] != '\n' && s[i] != '\r' && s[i] != ' ' && s[i] != '\t')
        i++;
    if (i == st || i - st >= dsize)
        return 0;
    memcpy(delim, s + st, i - st);
    delim[i - st] = '\0';
    while (i < lx->len && s[i] != '\n')
        i++;
    lx->i = i;
    return 1;
}

int chk_my_split(struct chk_stmt **out, size_t *n, const char *text, size_t len, struct mg_err *err)
{
    struct lexer lx = {text, len, 0, 0, err};
    struct chk_stmt *v = NULL;
    size_t cnt = 0, cap = 0;
    char delim[32] = ";";
    struct my_tok *toks = NULL;
    size_t ntok = 0, tcap = 0;

    for (;;) {
        if (skip_space(&lx) < 0)
            goto fail;
        int at_end = lx.i >= lx.len;
        size_t dl = strlen(delim);
        int at_delim = !at_end && !strncmp(text + lx.i, delim, dl);
        if (!at_end && !at_delim && ntok == 0 && delimiter_cmd(&lx, delim, sizeof(delim)))
            continue;
        if (at_end || at_delim) {
            if (ntok) {
                mg_grow_array((void **)&v, &cap, cnt + 1, sizeof(*v));
                struct chk_stmt *s = &v[cnt++];
                memset(s, 0, sizeof(*s));
                s->off = toks[0].off;
                s->len = toks[ntok - 1].off + toks[ntok - 1].len - s->off;
                s->sql = mg_strndup(text + s->off, s->len);
                s->my.t = toks;
                s->my.n = ntok;
                normalise(&s->my, text);
                toks = NULL;
                ntok = tcap = 0;
            }
            if (at_end)
                break;
            lx.i += dl;
            continue;
        }
        mg_grow_array((void **)&toks, &tcap, ntok + 1, sizeof(*toks));
        if (next_token(&lx, &toks[ntok]) < 0)
            goto fail;
        ntok++;
    }
    *out = v ? v : mg_calloc(1, sizeof(*v));
    *n = cnt;
    return 0;
fail:
    free(toks);
    for (size_t i = 0; i < cnt; i++) {
        chk_my_stmt_free(&v[i].my);
        free(v[i].sql);
    }
    free(v);
    *out = NULL;
    *n = 0;
    return err->code;
}

char *my_ident(const char *text, const struct my_tok *t)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t from = t->off, to = t->off + t->len;
    if (t->kind == MT_QIDENT || t->kind == MT_STRING) {
        from++;
        to--;
    }
    for (size_t i = from; i < to; i++) {
        if (t->kind == MT_QIDENT && text[i] == '`' && i + 1 < to && text[i + 1] == '`')
            i++;
        mg_buf_addch(&b, (char)tolower((unsigned char)text[i]));
    }
    return mg_buf_detach(&b);
}

int my_charset_bytes(const char *name, size_t len)
{
    static const struct {
        const char *name;
        int bytes;
    } sets[] = {{"latin1", 1},  {"ascii", 1},   {"binary", 1}, {"latin2", 1},
                {"cp1250", 1},  {"cp1251", 1},  {"cp1252", 1}, {"utf8", 3},
                {"utf8mb3", 3}, {"utf8mb4", 4}, {"ucs2", 2},   {"utf16", 4},
                {"utf32", 4},   {"gbk", 2},     {"big5", 2},   {"sjis", 2}};
    for (size_t i = 0; i < MG_ARRAY_SIZE(sets); i++)
        if (strlen(sets[i].name) == len && !strncasecmp(sets[i].name, name, len))
            return sets[i].bytes;
    return 0;
}
