/*
 * lint_int.h — what the rule files share with the engine: the statement a
 * rule sees, the run's knowledge of the schema (tables, columns, indexes
 * created by the files read so far) and the per-file transaction state.
 * Not part of the linter's public interface (checks.h).
 */
#ifndef CHK_LINT_INT_H
#define CHK_LINT_INT_H

#include <stddef.h>

#include "checks.h"

/* ---------- a string-keyed hash map (open addressing) ---------- */

struct chk_map {
    char **keys;
    void **vals;
    size_t *hashes; /* of the keys: growing never hashes again, probes compare these first */
    size_t n, cap;
};
void *chk_map_get(const struct chk_map *m, const char *key);
/* Sets key (copied) to val; returns the previous value or NULL. */
void *chk_map_put(struct chk_map *m, const char *key, void *val);
void *chk_map_del(struct chk_map *m, const char *key);
/*
 * The value slot of key, with key added (copied, value NULL) if missing:
 * one lookup where get-then-put takes two.  Set a new entry's value before
 * the next call on the map.
 */
void **chk_map_ref(struct chk_map *m, const char *key);
void chk_map_free(struct chk_map *m, void (*free_val)(void *));

/*
 * A set of names for duplicate checks within one statement: the names are
 * not copied and must outlive the set.
 */
struct chk_names {
    const char **slot;
    size_t cap;
    const char *small[64];
};
/* Room for n names. */
void chk_names_init(struct chk_names *s, size_t n);
/* Adds the name; returns 1 if it was there already. */
int chk_names_add(struct chk_names *s, const char *name);
void chk_names_free(struct chk_names *s);

/* ---------- what the run knows about the schema ---------- */

struct chk_col {
    char *name;
    char *type; /* normalised: "varchar(20)", "int4", "enum('a','b')" */
    int not_null;
    int proven; /* a validated CHECK (col IS NOT NULL) exists */
    int has_default;
    int charset_bytes; /* MySQL: bytes per character of the column's charset, 0 unknown */
};

struct chk_table {
    char *name;
    size_t file;       /* file that created it */
    int partitioned;   /* PARTITION BY */
    int charset_bytes; /* MySQL: bytes per character of the table's default charset, 0 unknown */
    struct chk_col *cols;
    size_t ncols, capcols;
    char **idx; /* names of its indexes (some may be gone: look them up) */
    size_t nidx, capidx;
};

struct chk_index {
    char *name;
    char *table;
    char *cols; /* comma-separated column names, "" for expressions */
    int unique;
};

/* A CHECK (col IS NOT NULL) constraint, by name: validating it proves NOT NULL. */
struct chk_nncheck {
    char *table;
    char *col;
};

/* A foreign key whose index is looked for at the end of the run. */
struct chk_fk {
    char *table;
    char *cols;
    size_t file, off, stmt_off, stmt_len;
    size_t ign_from, ign_to; /* statement-scope ignores in force */
};

/* One rule named by a `-- migrate:ignore` comment. */
struct chk_ignore {
    size_t file;
    size_t off; /* of the comment */
    int rule;   /* index, or -1 for an unknown name */
    char *name;
    int used;
    int file_scope;
};

/* ---------- one statement as the rules see it ---------- */

enum my_tok_kind { MT_WORD, MT_QIDENT, MT_STRING, MT_NUMBER, MT_PUNCT, MT_VAR };

struct my_tok {
    int kind;
    size_t off, len; /* in the file text (a QIDENT or STRING includes its quotes) */
};

/* A MySQL statement: tokens (comments dropped) and the normalised text PCRE2 runs on. */
struct my_stmt {
    struct my_tok *t;
    size_t n;
    char *norm;           /* tokens separated by one space: words upper-cased, strings as '?' */
    size_t *pos;          /* pos[i]: where token i starts in norm; pos[n] = strlen(norm) */
    struct my_info *info; /* what the statement does (my_parse.c) */
};

struct chk_stmt {
    size_t index;
    size_t off, len;   /* in the file text */
    unsigned flags;    /* enum drv_stmt_flag */
    const char *why;   /* why DRV_STMT_NO_TXN is set (static text), or NULL */
    char *sql;         /* NUL-terminated copy of the statement */
    struct Node *node; /* PostgreSQL raw parse tree (pg_parse.c), NULL on a syntax error */
    struct my_stmt my; /* MySQL tokens */
    int in_txn;        /* runs inside a transaction (the runner's or BEGIN) */
    const struct chk_stmt *next;
    size_t ign_from, ign_to; /* statement-scope ignores (indexes into chk_run.ign) */
};

struct chk_run {
    const struct chk_config *cfg;
    struct chk_result *res;
    size_t file; /* current file index */
    const char *text;

    /* schema model, across files */
    struct chk_map tables;   /* name -> struct chk_table */
    struct chk_map indexes;  /* name -> struct chk_index */
    struct chk_map nnchecks; /* constraint name -> struct chk_nncheck */
    struct chk_fk *fks;
    size_t nfks, capfks;

    /* ignores, all files */
    struct chk_ignore *ign;
    size_t nign, capign;
    size_t file_ign_from, file_ign_to;

    /* per file */
    int file_txn;  /* the runner wraps the file in a transaction */
    int txn_depth; /* explicit BEGIN nesting */
    int lock_timeout, statement_timeout;
    int lock_timeout_told, statement_timeout_told;
    long strong_lock;       /* statement index holding a blocking lock in this transaction, -1 */
    char strong_table[128]; /* table it locked */
    int strong_told;
    char **altered; /* tables altered in the current transaction */
    size_t naltered, capaltered;
    char **notvalid; /* constraints added NOT VALID in the current transaction */
    size_t nnotvalid, capnotvalid;
    char **dropped; /* constraints dropped IF EXISTS earlier in the file */
    size_t ndropped, capdropped;
    long first_ddl, first_dml; /* MySQL: statement offsets, -1 */
    size_t first_dml_off, first_ddl_off;
    int in_explicit_txn_ddl_told;
    int fk_checks_off; /* MySQL: SET foreign_key_checks = 0 seen in the file */
    int mixed_told;

    const struct chk_stmt *cur;
};

/*
 * Reports a finding of `rule` at byte `loc` inside the current statement
 * (-1: the statement's start).  fmt NULL uses the rule's message.  Ignored
 * and disabled rules are dropped here.
 */
void chk_report(struct chk_run *r, int rule, int loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, at a file offset of the current file. */
void chk_report_off(struct chk_run *r, int rule, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Is the rule on (severity not off)?  Lets a check skip work. */
int chk_on(const struct chk_run *r, int rule);

/* A table created earlier in this file, or by a file listed as new: not visible to others yet. */
int chk_table_is_new(const struct chk_run *r, const char *name);
struct chk_table *chk_table_get(const struct chk_run *r, const char *name);
/* Records a table created by the current file (replacing an older one of the same name). */
struct chk_table *chk_table_create(struct chk_run *r, const char *name);
void chk_table_drop(struct chk_run *r, const char *name);
/* RENAME TO: the table, its indexes and where it was created move to the new name. */
void chk_table_rename(struct chk_run *r, const char *from, const char *to);
struct chk_col *chk_col_get(struct chk_table *t, const char *name);
struct chk_col *chk_col_add(struct chk_table *t, const char *name, const char *type);
/* The same for a name the table is known not to have yet (no lookup). */
struct chk_col *chk_col_append(struct chk_table *t, const char *name, const char *type);
void chk_col_drop(struct chk_table *t, const char *name);
void chk_index_add(struct chk_run *r, const char *name, const char *table, const char *cols,
                   int unique);
/* Does an index (or key) of the table start with these columns? */
int chk_table_has_index(const struct chk_run *r, const char *table, const char *cols);
void chk_fk_add(struct chk_run *r, const char *table, const char *cols, int loc);
/* Remembers a table as altered in the current transaction; returns 1 if it already was. */
int chk_txn_altered(struct chk_run *r, const char *table);
void chk_txn_reset(struct chk_run *r);
void chk_strv_add(char ***v, size_t *n, size_t *cap, const char *s);
int chk_strv_has(char *const *v, size_t n, const char *s);
/* Case-insensitive ASCII compare of a name with a literal. */
int chk_eq(const char *a, const char *b);
/* Identifier length limit of the dialect, in bytes (PG) or characters (MySQL). */
void chk_check_ident(struct chk_run *r, const char *name, size_t len, int loc);

/* ---------- PostgreSQL parsing (pg_parse.c) ---------- */

/*
 * The trees of one file live in one libpg_query memory context: open it
 * before the file's first chk_pg_parse() and close it once the rules and the
 * model are done with the file (nothing may keep pointers into a tree).  No
 * other libpg_query call may run while it is open: libpg_query returns to
 * its top context, not the previous one, when a call leaves its own.
 */
void *chk_pg_trees_open(void);
void chk_pg_trees_close(void *trees);
/* Parses one statement (s->sql) into s->node; a syntax error becomes a finding, node NULL. */
void chk_pg_parse(struct chk_run *r, struct chk_stmt *s);

/* The rule functions, one per registry row and dialect (see registry.c). */
#define CHK_DECL(f) void f(struct chk_run *r, const struct chk_stmt *s)
#define X(f)        CHK_DECL(f);
#include "rules.def"
#undef X
/* Schema and transaction bookkeeping after the rules saw a statement. */
CHK_DECL(pg_model_update);
CHK_DECL(my_model_update);

/* MySQL tokenizer and splitter (my_lex.c): statements with tokens; DELIMITER understood. */
int chk_my_split(struct chk_stmt **out, size_t *n, const char *text, size_t len,
                 struct mg_err *err);
void chk_my_stmt_free(struct my_stmt *m);

#endif
