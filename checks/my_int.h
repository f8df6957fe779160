/*
 * my_int.h — a MySQL/MariaDB statement as the MySQL rules see it: its kind,
 * its table, and for CREATE/ALTER TABLE the clauses with parsed column
 * definitions.  Built once per statement by my_parse.c from the token
 * stream (my_lex.c), with PCRE2 patterns (JIT-compiled) classifying
 * statements and clauses on the normalised text.
 */
#ifndef CHK_MY_INT_H
#define CHK_MY_INT_H

#include "lint_int.h"

enum my_kind {
    MY_OTHER,
    MY_CREATE_TABLE,
    MY_ALTER_TABLE,
    MY_DROP_TABLE,
    MY_DROP_DATABASE,
    MY_DROP_SCHEMA,
    MY_TRUNCATE,
    MY_RENAME_TABLE,
    MY_CREATE_INDEX,
    MY_DROP_INDEX,
    MY_UPDATE,
    MY_DELETE,
    MY_INSERT,
    MY_BEGIN,
    MY_COMMIT,
    MY_SET,
    MY_CREATE_OTHER, /* view, trigger, procedure ...: DDL that is not about a table's rows */
    MY_DROP_OTHER,
};

struct my_coldef {
    char *name; /* lower-case */
    size_t name_tok;
    char *type;  /* normalised: "varchar(255)", "int unsigned", "enum('a','b')" */
    char *base;  /* "varchar" */
    long len;    /* first type argument, -1 */
    char **vals; /* ENUM/SET values */
    size_t nvals;
    int not_null, null, has_default, default_expr, auto_inc, stored, references, primary;
    int charset_bytes; /* 0 when no CHARACTER SET is given */
    size_t default_tok, references_tok, generated_tok;
};

enum my_clause_kind {
    MC_OTHER,
    MC_ADD_COLUMN,
    MC_ADD_INDEX,
    MC_ADD_UNIQUE,
    MC_ADD_FULLTEXT,
    MC_ADD_PK,
    MC_ADD_FK,
    MC_ADD_CHECK,
    MC_DROP_COLUMN,
    MC_DROP_PK,
    MC_DROP_FK,
    MC_DROP_INDEX,
    MC_DROP_CHECK,
    MC_DROP_VERSIONING,
    MC_MODIFY,
    MC_CHANGE,
    MC_RENAME_COLUMN,
    MC_RENAME_TABLE,
    MC_DROP_DEFAULT,
    MC_SET_DEFAULT,
    MC_CONVERT,
    MC_ENGINE,
    MC_PARTITION,
};

struct my_clause {
    enum my_clause_kind kind;
    size_t from, to; /* tokens */
    char *name;      /* column or constraint the clause is about, lower-case */
    char *new_name;  /* CHANGE / RENAME */
    char *cols;      /* key columns, "a,b" */
    int not_enforced;
    struct my_coldef col; /* ADD COLUMN, MODIFY, CHANGE */
};

struct my_info {
    enum my_kind kind;
    char *table; /* lower-case, without database */
    size_t table_tok;
    char **tables; /* DROP TABLE / RENAME TABLE / TRUNCATE: every table named */
    size_t ntables;
    char **new_names;     /* RENAME TABLE a TO b: the b's */
    struct my_clause *cl; /* ALTER TABLE clauses, or CREATE TABLE elements */
    size_t ncl;
    int if_not_exists;
    int algorithm_copy, lock_blocking; /* ALGORITHM=COPY, LOCK=SHARED|EXCLUSIVE */
    size_t algorithm_tok;
    int table_charset_bytes;
    int index_fulltext; /* CREATE FULLTEXT/SPATIAL INDEX */
    int has_where;      /* UPDATE/DELETE */
    int ddl, dml;
    int fk_checks_off;  /* SET foreign_key_checks = 0 */
    int sets_lock_wait; /* SET lock_wait_timeout */
};

void my_info_free(struct my_info *m);
/* Parses the tokens of s into s->my.info. */
void my_parse(struct chk_run *r, struct chk_stmt *s);
/* The identifier text of token i, unquoted and lower-cased (malloc'ed). */
char *my_ident(const char *text, const struct my_tok *t);
/* Bytes per character of a character set name, 0 when unknown. */
int my_charset_bytes(const char *name, size_t len);

#endif
