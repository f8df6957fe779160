/* mylex.c — MySQL and MariaDB lexical rules (mylex.h). */
#include "mylex.h"

int mg_mylex_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int mg_mylex_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || (unsigned char)c >= 0x80;
}

int mg_mylex_exec_comment_at(const char *s, size_t i, size_t end)
{
    if (i + 2 >= end || s[i] != '/' || s[i + 1] != '*')
        return 0;
    return s[i + 2] == '!' || (s[i + 2] == 'M' && i + 3 < end && s[i + 3] == '!');
}

int mg_mylex_dash_comment_at(const char *s, size_t i, size_t end)
{
    return i + 1 < end && s[i] == '-' && s[i + 1] == '-' &&
           (i + 2 >= end || (unsigned char)s[i + 2] <= ' ');
}

size_t mg_mylex_skip_quoted(const char *s, size_t i, size_t end)
{
    char q = s[i];

    for (size_t k = i + 1; k < end; k++) {
        if (s[k] == '\\' && q != '`') {
            k++;
            continue;
        }
        if (s[k] == q) {
            if (k + 1 < end && s[k + 1] == q) {
                k++;
                continue;
            }
            return k + 1;
        }
    }
    return 0;
}

enum mg_mylex_tok mg_mylex_next(const char *s, size_t i, size_t end, size_t *next,
                                const char **what)
{
    char c = s[i];

    if (mg_mylex_space(c)) {
        while (i < end && mg_mylex_space(s[i]))
            i++;
        *next = i;
        return MG_MYLEX_SPACE;
    }
    if (c == '#' || mg_mylex_dash_comment_at(s, i, end)) {
        while (i < end && s[i] != '\n')
            i++;
        *next = i;
        return MG_MYLEX_COMMENT;
    }
    if (c == '/' && i + 1 < end && s[i + 1] == '*') {
        int exec = mg_mylex_exec_comment_at(s, i, end);
        size_t k = i + 2;
        while (k < end) {
            if (exec && (s[k] == '\'' || s[k] == '"' || s[k] == '`')) {
                size_t after = mg_mylex_skip_quoted(s, k, end);
                if (!after) {
                    *next = k;
                    *what = "quoted string";
                    return MG_MYLEX_ERROR;
                }
                k = after;
                continue;
            }
            if (s[k] == '*' && k + 1 < end && s[k + 1] == '/') {
                *next = k + 2;
                return exec ? MG_MYLEX_EXEC_COMMENT : MG_MYLEX_COMMENT;
            }
            k++;
        }
        *next = i;
        *what = exec ? "executable comment (/*! ... */)" : "comment (/* ... */)";
        return MG_MYLEX_ERROR;
    }
    if (c == '\'' || c == '"' || c == '`') {
        size_t after = mg_mylex_skip_quoted(s, i, end);
        if (!after) {
            *next = i;
            *what = c == '`' ? "quoted identifier (`...`)" : "quoted string";
            return MG_MYLEX_ERROR;
        }
        *next = after;
        return MG_MYLEX_QUOTED;
    }
    if (mg_mylex_word_char(c)) {
        while (i < end && mg_mylex_word_char(s[i]))
            i++;
        *next = i;
        return MG_MYLEX_WORD;
    }
    *next = i + 1;
    return MG_MYLEX_OTHER;
}

int mg_mylex_exec_body(const char *s, size_t i, size_t end, int server_version, size_t *from,
                       size_t *to)
{
    int mariadb_only = s[i + 2] == 'M';
    size_t k = i + (mariadb_only ? 4 : 3), digits = 0;
    long v = 0;

    while (k < end && s[k] >= '0' && s[k] <= '9' && digits < 6) {
        v = v * 10 + (s[k] - '0');
        k++;
        digits++;
    }
    *from = k;
    *to = end - 2;
    if (mariadb_only && server_version && server_version < 100000)
        return 0;
    return !(digits && server_version && v > server_version);
}
