/*
 * mylex.h — MySQL and MariaDB lexical rules: quotes, comments, executable comments, words.
 * One reading of the text for the driver's statement splitter (drivers/mysql.c), lint's token
 * stream (checks/my_lex.c) and the online schema change's statement reader (osc_my.c).  A
 * utility: text in, positions out, no server involved.
 */
#ifndef MG_MYLEX_H
#define MG_MYLEX_H

#include <stddef.h>

enum mg_mylex_tok {
    MG_MYLEX_SPACE,
    MG_MYLEX_COMMENT,      /* #..., -- ..., and block comments the server ignores */
    MG_MYLEX_EXEC_COMMENT, /* executable comments (slash-star-bang, slash-star-M-bang) */
    MG_MYLEX_QUOTED,       /* '...', "..." or `...` */
    MG_MYLEX_WORD,         /* keyword, identifier or number */
    MG_MYLEX_OTHER,        /* one punctuation byte */
    MG_MYLEX_ERROR,        /* unterminated quote or comment */
};

int mg_mylex_space(char c);
/* Bytes of a word: letters, digits, _, $ and every byte of a multi-byte UTF-8 character. */
int mg_mylex_word_char(char c);
/* Is there an executable comment ("/" "*!" or "/" "*M!") at s[i]? */
int mg_mylex_exec_comment_at(const char *s, size_t i, size_t end);
/*
 * Does a `--` comment start at s[i]?  Only when a space or a control character follows (or
 * the text ends): in MySQL `1--1` is one minus minus one.
 */
int mg_mylex_dash_comment_at(const char *s, size_t i, size_t end);
/*
 * Skips a quoted string or identifier opened at s[i].  In strings a backslash escapes the
 * next byte and a doubled quote is one quote; in backticks only the doubling applies.
 * Returns the index after the closing quote, or 0 when the quote is not closed.
 */
size_t mg_mylex_skip_quoted(const char *s, size_t i, size_t end);
/*
 * Reads the token at s[i] (i < end) and sets *next after it.  On MG_MYLEX_ERROR, *next is
 * where the unterminated construct opens and *what names it ("quoted string", ...).
 */
enum mg_mylex_tok mg_mylex_next(const char *s, size_t i, size_t end, size_t *next,
                                const char **what);
/*
 * The code inside an executable comment at s[i..end): [from, to) gets the part after the
 * marker and version number, before the closing delimiter.  Returns 1 when the server would
 * run it: a versioned one ("!NNNNN") when NNNNN is at most the server's version (0: any), a
 * MariaDB one ("M!") only on MariaDB (whose version numbers start at 100000).
 */
int mg_mylex_exec_body(const char *s, size_t i, size_t end, int server_version, size_t *from,
                       size_t *to);

#endif
