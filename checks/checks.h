/*
 * checks.h — the migration linter: rule registry, configuration, findings
 * and the entry point that lints files.
 *
 * A rule is a row of the registry (registry.c): a stable id ("MG101"), a
 * kebab-case name, a default severity, the dialects it applies to, a
 * one-line message and up to two check functions, one per dialect.  The
 * engine (lint.c) reads each file once, splits it into statements with the
 * dialect's splitter, parses every PostgreSQL statement once into a
 * libpg_query raw tree (or tokenizes a MySQL statement once) and hands each
 * statement to every enabled rule.  Rules report through chk_report(); the
 * engine applies ignores, configured severities and --fail-on.
 *
 * No database is needed: what the linter knows about tables comes from the
 * files it reads (tables created earlier, their columns and indexes).
 */
#ifndef CHK_CHECKS_H
#define CHK_CHECKS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum chk_sev { CHK_OFF = -1, CHK_INFO = 0, CHK_WARNING = 1, CHK_ERROR = 2 };

enum chk_dialect { CHK_PG = 1, CHK_MY = 2 };

/* Every rule, in registry order; the value indexes chk_rules[]. */
enum chk_rule_id {
    /* PostgreSQL locks and rewrites (pg_locks.c) */
    R_REQUIRE_CONCURRENT_INDEX,
    R_REQUIRE_CONCURRENT_INDEX_DROP,
    R_REQUIRE_CONCURRENT_REINDEX,
    R_REQUIRE_CONCURRENT_DETACH,
    R_ADD_FK_NOT_VALID,
    R_ADD_CHECK_NOT_VALID,
    R_VALIDATE_SAME_TXN,
    R_ADD_UNIQUE_WITHOUT_INDEX,
    R_ADD_PK_WITHOUT_INDEX,
    R_PK_NULLABLE,
    R_ADD_EXCLUSION,
    R_SET_NOT_NULL,
    R_ADD_COLUMN_VOLATILE_DEFAULT,
    R_ADD_COLUMN_REWRITE_TYPE,
    R_CHANGE_COLUMN_TYPE,
    R_TABLE_REWRITE,
    R_CREATE_TRIGGER,
    R_STMT_AFTER_EXCLUSIVE_LOCK,
    R_COMBINE_ALTER_TABLE,
    R_REQUIRE_LOCK_TIMEOUT,
    R_REQUIRE_STATEMENT_TIMEOUT,
    R_REPLICA_IDENTITY,
    R_AUTOVACUUM_DISABLED,
    R_INDEX_PARTITIONED,
    R_PG14_CIC_BUG,
    R_UNBATCHED_BACKFILL,
    /* compatibility with the running app, data loss (pg_compat.c) */
    R_BAN_DROP_COLUMN,
    R_BAN_DROP_TABLE,
    R_BAN_DROP_SCHEMA,
    R_BAN_DROP_DATABASE,
    R_BAN_TRUNCATE_CASCADE,
    R_BAN_TRUNCATE,
    R_RENAME_COLUMN,
    R_RENAME_TABLE,
    R_RENAME_OBJECT,
    R_SET_SCHEMA,
    R_ADD_REQUIRED_COLUMN,
    R_DROP_NOT_NULL,
    R_DROP_DEFAULT,
    R_DROP_CONSTRAINT,
    R_DROP_INDEX,
    R_DROP_DEPENDENT_OBJECT,
    R_WRITE_RESTRICTION,
    R_UNIQUE_INDEX_MAY_FAIL,
    R_ENUM_VALUE_ORDERING,
    R_ENUM_VALUE_ADDED,
    R_ADD_COLUMN_SHAPE,
    R_COMPAT_SENSITIVE,
    /* types and schema design (pg_types.c) */
    R_PREFER_BIGINT_KEY,
    R_PREFER_BIGINT,
    R_PREFER_IDENTITY,
    R_PREFER_TEXT,
    R_BAN_CHAR,
    R_PREFER_TIMESTAMPTZ,
    R_PREFER_JSONB,
    R_AVOID_ENUM,
    R_BAN_DOMAIN_CONSTRAINT,
    R_INDEX_TOO_MANY_COLUMNS,
    R_FK_WITHOUT_INDEX,
    R_IDENTIFIER_TOO_LONG,
    R_REQUIRE_SCHEMA,
    /* transactions and file structure (pg_txn.c, lint.c) */
    R_TXN_NESTING,
    R_UNCOMMITTED_TXN,
    R_NON_TXN_IN_TXN,
    R_PREFER_ROBUST,
    R_DUPLICATE_COLUMN,
    R_SYNTAX_ERROR,
    R_UNUSED_IGNORE,
    /* MySQL / MariaDB (my_rules.c) */
    R_MY_ALGORITHM_COPY,
    R_MY_TABLE_COPY,
    R_MY_VARCHAR_BOUNDARY,
    R_MY_ENUM_CHANGE,
    R_MY_ADD_FK,
    R_MY_PK_CHANGE,
    R_MY_NOT_NULL_CHANGE,
    R_MY_CHECK,
    R_MY_NOT_NULL_NO_DEFAULT,
    R_MY_INLINE_REFERENCES,
    R_MY_EXPRESSION_DEFAULT,
    R_MY_DROP_VERSIONING,
    R_MY_FULLTEXT_SPATIAL,
    R_MY_MIXED_DDL_DML,
    R_MY_DDL_IN_TXN,
    CHK_NRULES
};

struct chk_stmt;
struct chk_run;
typedef void (*chk_fn)(struct chk_run *r, const struct chk_stmt *s);

struct chk_rule {
    const char *id;   /* stable: "MG101" */
    const char *name; /* stable kebab-case: "require-concurrent-index" */
    enum chk_sev severity;
    unsigned dialects;   /* CHK_PG | CHK_MY */
    int opt_in;          /* off unless enabled in the configuration */
    const char *message; /* one line: what is wrong and why */
    const char *summary; /* the safer alternative, one line */
    chk_fn pg;           /* check on a PostgreSQL statement, or NULL */
    chk_fn my;           /* check on a MySQL statement, or NULL */
};

extern const struct chk_rule chk_rules[CHK_NRULES];

/* The rule with this name or id (case-insensitive), or -1. */
int chk_rule_lookup(const char *name, size_t len);
const char *chk_sev_name(enum chk_sev s);
/* Parses "error", "warning", "info" or "off"; returns 0 or -1. */
int chk_sev_parse(enum chk_sev *out, const char *s);

/* What the user chose: dialect, versions, rule set, severities, --fail-on. */
struct chk_config {
    enum chk_dialect dialect;
    int dialect_configured; /* set by the configuration file */
    int pg_version;         /* major, e.g. 15 */
    int pg_minor;           /* -1 when not given */
    enum chk_sev fail_on;
    enum chk_sev sev[CHK_NRULES]; /* effective severity, CHK_OFF when disabled */
    char docs_url[512];           /* base of the rule pages for SARIF helpUri, "" for none */
};

/* Defaults: PostgreSQL 15, --fail-on error, opt-in rules off. */
void chk_config_init(struct chk_config *c);
/* Turns a comma-separated list of rule names on (at their default severity) or off. */
int chk_config_rules(struct chk_config *c, const char *list, int enable, struct mg_err *err);
/* Parses "15" or "14.3" into pg_version/pg_minor. */
int chk_config_pg_version(struct chk_config *c, const char *s, struct mg_err *err);
/*
 * Reads the [lint] section of an INI file (libinih).  A missing file is an
 * error only when `required`.  Errors name the file and line.
 */
int chk_config_load(struct chk_config *c, const char *path, int required, struct mg_err *err);

/* One finding, located in a file (1-based line and column in characters). */
struct chk_finding {
    int rule;
    enum chk_sev sev;
    size_t file; /* index into chk_result.files */
    size_t off;  /* byte offset in the file */
    int line, col;
    char *msg;
    size_t stmt_off, stmt_len; /* the statement, for fingerprints */
};

struct chk_file {
    char *path;
    struct mg_buf text;
    int is_new;      /* listed in --new */
    int transaction; /* the runner wraps it in one transaction */
    size_t nstmts;
    size_t *lines; /* byte offset of each line start */
    size_t nlines;
};

struct chk_result {
    struct chk_file *files;
    size_t nfiles;
    struct chk_finding *v;
    size_t n, cap;
    size_t count[3]; /* per severity */
};

/*
 * Lints `paths` (files, or directories whose migration files are read in
 * version order; down files only when named).  `new_paths` are the files a
 * change adds: tables they create are exempt from lock rules in later files.
 * Fails only on bad input (unreadable file, unsplittable SQL is a finding);
 * findings go to *out, sorted by file and position.  Free with
 * chk_result_free.
 */
int chk_lint(struct chk_result *out, const struct chk_config *cfg, char *const *paths,
             size_t npaths, char *const *new_paths, size_t nnew, size_t max_file_size,
             struct mg_err *err);
/* Lints one text as if it were the file `name`; for tests and tools. */
int chk_lint_text(struct chk_result *out, const struct chk_config *cfg, const char *name,
                  const char *text, struct mg_err *err);
void chk_result_free(struct chk_result *r);
/* Findings at or above the configured --fail-on. */
size_t chk_result_failing(const struct chk_result *r, const struct chk_config *cfg);

/* --- output (report.c) --- */

enum chk_format { CHK_FMT_TEXT, CHK_FMT_JSON, CHK_FMT_SARIF, CHK_FMT_JUNIT };

/* Writes the result in `fmt` to `out` (a complete document for json/sarif/junit). */
void chk_report_write(struct mg_buf *out, const struct chk_result *r, const struct chk_config *cfg,
                      enum chk_format fmt);
/* GitHub workflow commands (::error file=...,line=...,col=...::msg), one line per finding. */
void chk_report_github(struct mg_buf *out, const struct chk_result *r);
/*
 * Stable fingerprints of all findings (out has r->n entries): a hash of the
 * rule, the file, the statement's text with whitespace folded, and how many
 * identical (rule, statement) pairs come before it in the file.  Edits
 * elsewhere in the file, moved lines and reformatting do not change it.
 */
void chk_fingerprints(char (*out)[33], const struct chk_result *r);

#endif
