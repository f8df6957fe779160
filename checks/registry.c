/*
 * registry.c — every lint rule: stable id, name, default severity,
 * dialects, message, the safer alternative in one line, and its check
 * functions.  Ids and names never change once released; docs/checks/<name>.md
 * explains each rule with the safe SQL and where the rule comes from.
 */
#include <string.h>
#include <strings.h>

#include "lint_int.h"

#define PG CHK_PG
#define MY CHK_MY
#define E  CHK_ERROR
#define W  CHK_WARNING
#define I  CHK_INFO

const struct chk_rule chk_rules[CHK_NRULES] = {
    /* ---- PostgreSQL locks and rewrites ---- */
    [R_REQUIRE_CONCURRENT_INDEX] = {"MG101", "require-concurrent-index", E, PG, 0,
                                    "CREATE INDEX without CONCURRENTLY blocks writes to the table "
                                    "for the whole build",
                                    "CREATE INDEX CONCURRENTLY in a file of its own",
                                    pg_require_concurrent_index, NULL},
    [R_REQUIRE_CONCURRENT_INDEX_DROP] = {"MG102", "require-concurrent-index-drop", W, PG, 0,
                                         "DROP INDEX without CONCURRENTLY takes an ACCESS "
                                         "EXCLUSIVE lock on the table",
                                         "DROP INDEX CONCURRENTLY in a file of its own",
                                         pg_require_concurrent_index_drop, NULL},
    [R_REQUIRE_CONCURRENT_REINDEX] = {"MG103", "require-concurrent-reindex", W, PG, 0,
                                      "REINDEX without CONCURRENTLY blocks writes, and reads "
                                      "that use the index",
                                      "REINDEX ... CONCURRENTLY (PostgreSQL 12+)",
                                      pg_require_concurrent_reindex, NULL},
    [R_REQUIRE_CONCURRENT_DETACH] = {"MG104", "require-concurrent-partition-detach", W, PG, 0,
                                     "DETACH PARTITION without CONCURRENTLY takes an ACCESS "
                                     "EXCLUSIVE lock on the partitioned table",
                                     "DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+)",
                                     pg_require_concurrent_detach, NULL},
    [R_ADD_FK_NOT_VALID] = {"MG105", "add-foreign-key-not-valid", E, PG, 0,
                            "adding a validated foreign key scans the table while writes to it "
                            "and to the referenced table are blocked",
                            "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE "
                            "CONSTRAINT in a later migration",
                            pg_add_fk_not_valid, NULL},
    [R_ADD_CHECK_NOT_VALID] = {"MG106", "add-check-not-valid", E, PG, 0,
                               "adding a validated CHECK constraint scans the table under an "
                               "ACCESS EXCLUSIVE lock",
                               "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE "
                               "CONSTRAINT in a later migration",
                               pg_add_check_not_valid, NULL},
    [R_VALIDATE_SAME_TXN] = {"MG107", "validate-in-same-transaction", W, PG, 0,
                             "VALIDATE CONSTRAINT runs in a transaction that already holds a "
                             "blocking lock on the table, so the scan blocks it too",
                             "VALIDATE CONSTRAINT in its own migration", pg_validate_same_txn,
                             NULL},
    [R_ADD_UNIQUE_WITHOUT_INDEX] = {"MG108", "add-unique-constraint-without-index", E, PG, 0,
                                    "adding a UNIQUE constraint builds its index under an ACCESS "
                                    "EXCLUSIVE lock",
                                    "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... "
                                    "UNIQUE USING INDEX",
                                    pg_add_unique_without_index, NULL},
    [R_ADD_PK_WITHOUT_INDEX] = {"MG109", "add-primary-key-without-index", E, PG, 0,
                                "adding a PRIMARY KEY builds its index under an ACCESS EXCLUSIVE "
                                "lock",
                                "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... "
                                "PRIMARY KEY USING INDEX",
                                pg_add_pk_without_index, NULL},
    [R_PK_NULLABLE] = {"MG110", "primary-key-on-nullable-columns", W, PG, 0,
                       "a PRIMARY KEY on nullable columns sets them NOT NULL, which scans the "
                       "table under an ACCESS EXCLUSIVE lock",
                       "prove NOT NULL first with a validated CHECK (col IS NOT NULL) and SET NOT "
                       "NULL",
                       pg_pk_nullable, NULL},
    [R_ADD_EXCLUSION] = {"MG111", "add-exclusion-constraint", E, PG, 0,
                         "adding an exclusion constraint builds its index and checks every row "
                         "under an ACCESS EXCLUSIVE lock",
                         "create the table with the constraint, or schedule downtime",
                         pg_add_exclusion, NULL},
    [R_SET_NOT_NULL] = {"MG112", "set-not-null", E, PG, 0,
                        "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
                        "CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL "
                        "(PostgreSQL 12+ skips the scan)",
                        pg_set_not_null, NULL},
    [R_ADD_COLUMN_VOLATILE_DEFAULT] = {"MG113", "add-column-volatile-default", E, PG, 0,
                                       "ADD COLUMN with this DEFAULT rewrites the whole table "
                                       "under an ACCESS EXCLUSIVE lock",
                                       "ADD COLUMN without the default, SET DEFAULT, then "
                                       "backfill in batches",
                                       pg_add_column_volatile_default, NULL},
    [R_ADD_COLUMN_REWRITE_TYPE] = {"MG114", "add-column-rewrite-type", E, PG | MY, 0,
                                   "this new column (serial, identity, stored generated, "
                                   "AUTO_INCREMENT) rewrites the whole table",
                                   "add a plain nullable column, fill it in batches, then "
                                   "attach the default or generation",
                                   pg_add_column_rewrite_type, my_add_column_rewrite_type},
    [R_CHANGE_COLUMN_TYPE] = {"MG115", "change-column-type", E, PG | MY, 0,
                              "changing the column type rewrites the table and its indexes "
                              "while it is locked",
                              "add a new column, dual-write, backfill in batches, switch "
                              "readers, drop the old column",
                              pg_change_column_type, my_change_column_type},
    [R_TABLE_REWRITE] = {"MG116", "table-rewrite", E, PG, 0,
                         "this statement rewrites the whole table under an ACCESS EXCLUSIVE lock",
                         "use an online tool (pg_repack) or an online schema change",
                         pg_table_rewrite, NULL},
    [R_CREATE_TRIGGER] = {"MG117", "create-trigger-on-existing-table", I, PG, 0,
                          "CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock that blocks writes "
                          "while it waits and runs",
                          "run it under a short lock_timeout and keep the transaction short",
                          pg_create_trigger, NULL},
    [R_STMT_AFTER_EXCLUSIVE_LOCK] = {"MG118", "statement-after-exclusive-lock", I, PG, 0,
                                     "this statement runs while the transaction holds a blocking "
                                     "lock taken by an earlier statement",
                                     "put the statement that takes the lock last, or in its own "
                                     "migration",
                                     pg_stmt_after_lock, NULL},
    [R_COMBINE_ALTER_TABLE] = {"MG119", "combine-alter-table", I, PG, 0,
                               "another ALTER TABLE on the same table in this transaction",
                               "one ALTER TABLE with comma-separated actions", pg_combine_alter,
                               NULL},
    [R_REQUIRE_LOCK_TIMEOUT] = {"MG120", "require-lock-timeout", W, PG, 1,
                                "a blocking lock is taken with no lock_timeout set in the file: "
                                "waiting for it queues every query behind it",
                                "SET lock_timeout = '2s' at the top (migrate up sets it from "
                                "--lock-timeout)",
                                pg_require_lock_timeout, NULL},
    [R_REQUIRE_STATEMENT_TIMEOUT] = {"MG121", "require-statement-timeout", I, PG, 1,
                                     "no statement_timeout is set in the file",
                                     "SET statement_timeout = '5s' at the top",
                                     pg_require_statement_timeout, NULL},
    [R_REPLICA_IDENTITY] = {"MG122", "replica-identity-change", W, PG, 0,
                            "changing REPLICA IDENTITY changes what logical replication sends "
                            "and can break subscribers",
                            "coordinate with the consumers of logical replication",
                            pg_replica_identity, NULL},
    [R_AUTOVACUUM_DISABLED] = {"MG123", "autovacuum-disabled", W, PG, 0,
                               "autovacuum_enabled = false leads to bloat and transaction id "
                               "wraparound",
                               "tune autovacuum_* storage parameters instead of disabling it",
                               pg_autovacuum_disabled, NULL},
    [R_INDEX_PARTITIONED] = {"MG124", "index-on-partitioned-table", W, PG, 0,
                             "an index on a partitioned table cannot be built CONCURRENTLY and "
                             "blocks writes on every partition",
                             "CREATE INDEX ON ONLY the parent, build each partition's index "
                             "CONCURRENTLY, then ATTACH them",
                             pg_index_partitioned, NULL},
    [R_PG14_CIC_BUG] = {"MG125", "pg14-concurrent-index-bug", W, PG, 0,
                        "PostgreSQL 14.0 to 14.3 can silently corrupt indexes built or rebuilt "
                        "CONCURRENTLY",
                        "upgrade to 14.4 or later before building indexes concurrently",
                        pg_pg14_cic_bug, NULL},
    [R_UNBATCHED_BACKFILL] = {"MG126", "unbatched-backfill", W, PG | MY, 0,
                              "UPDATE or DELETE of every row in one statement locks those rows "
                              "for the whole migration and bloats the table",
                              "backfill in batches by key range, outside the schema migration",
                              pg_unbatched_backfill, my_unbatched_backfill},

    /* ---- compatibility with the running app; data loss ---- */
    [R_BAN_DROP_COLUMN] = {"MG201", "ban-drop-column", E, PG | MY, 0,
                           "dropping a column loses its data and breaks the app version that "
                           "still reads or writes it",
                           "stop using the column in the app, deploy, then drop it in a later "
                           "migration",
                           pg_ban_drop_column, my_ban_drop_column},
    [R_BAN_DROP_TABLE] = {"MG202", "ban-drop-table", E, PG | MY, 0,
                          "dropping a table loses its data and breaks the app version that still "
                          "uses it",
                          "stop using the table, deploy, back it up, then drop it in a later "
                          "migration",
                          pg_ban_drop_table, my_ban_drop_table},
    [R_BAN_DROP_SCHEMA] = {"MG203", "ban-drop-schema", E, PG | MY, 0,
                           "dropping a schema drops every object in it",
                           "move clients off the schema first; drop it by hand after a backup",
                           pg_ban_drop_schema, my_ban_drop_schema},
    [R_BAN_DROP_DATABASE] = {"MG204", "ban-drop-database", E, PG | MY, 0,
                             "dropping a database loses everything in it",
                             "never from a migration; do it by hand after a backup",
                             pg_ban_drop_database, my_ban_drop_database},
    [R_BAN_TRUNCATE_CASCADE] = {"MG205", "ban-truncate-cascade", E, PG, 0,
                                "TRUNCATE ... CASCADE also empties every table that references "
                                "this one, recursively",
                                "TRUNCATE the tables you mean, listed by name",
                                pg_ban_truncate_cascade, NULL},
    [R_BAN_TRUNCATE] = {"MG206", "ban-truncate", W, PG | MY, 0,
                        "TRUNCATE deletes every row and takes an ACCESS EXCLUSIVE lock",
                        "DELETE in batches, or keep the data", pg_ban_truncate, my_ban_truncate},
    [R_RENAME_COLUMN] = {"MG207", "rename-column", E, PG | MY, 0,
                         "renaming a column breaks the app version that still uses the old name",
                         "add the new column, dual-write, backfill, switch reads, drop the old "
                         "one later",
                         pg_rename_column, my_rename_column},
    [R_RENAME_TABLE] = {"MG208", "rename-table", E, PG | MY, 0,
                        "renaming a table breaks the app version that still uses the old name",
                        "rename, then CREATE VIEW old_name AS SELECT * FROM new_name in the same "
                        "migration",
                        pg_rename_table, my_rename_table},
    [R_RENAME_OBJECT] = {"MG209", "rename-object", W, PG, 0,
                         "renaming this object breaks clients that still use the old name",
                         "create the new object alongside, move clients, drop the old one later",
                         pg_rename_object, NULL},
    [R_SET_SCHEMA] = {"MG210", "set-schema", W, PG, 0,
                      "moving an object to another schema breaks clients that use the old "
                      "qualified name or search_path",
                      "update clients first, or leave a view behind", pg_set_schema, NULL},
    [R_ADD_REQUIRED_COLUMN] = {"MG211", "add-required-column", E, PG, 0,
                               "ADD COLUMN ... NOT NULL without DEFAULT fails on a non-empty "
                               "table and breaks inserts of the running app",
                               "add it with a constant DEFAULT, or nullable and backfilled",
                               pg_add_required_column, NULL},
    [R_DROP_NOT_NULL] = {"MG212", "drop-not-null", W, PG | MY, 0,
                         "the running app may not expect NULL in this column",
                         "make sure every reader handles NULL before dropping NOT NULL",
                         pg_drop_not_null, my_drop_not_null},
    [R_DROP_DEFAULT] = {"MG213", "drop-default", W, PG | MY, 0,
                        "inserts of the running app that omit the column now fail or store NULL",
                        "make the app write the value first, drop the default later",
                        pg_drop_default, my_drop_default},
    [R_DROP_CONSTRAINT] = {"MG214", "drop-constraint", I, PG | MY, 0,
                           "dropping a constraint lets the data break a rule the app may rely on",
                           "check no reader relies on it; keep FKs until the app stops needing "
                           "them",
                           pg_drop_constraint, my_drop_constraint},
    [R_DROP_INDEX] = {"MG215", "drop-index", I, PG | MY, 1,
                      "dropping an index can slow queries or lose uniqueness",
                      "check pg_stat_user_indexes that it is unused before dropping", pg_drop_index,
                      my_drop_index},
    [R_DROP_DEPENDENT_OBJECT] = {"MG216", "drop-dependent-object", W, PG, 0,
                                 "dropping this object breaks clients that still use it",
                                 "remove its users first, drop it in a later migration",
                                 pg_drop_dependent, NULL},
    [R_WRITE_RESTRICTION] = {"MG217", "write-restriction", I, PG, 1,
                             "a new constraint rejects writes the running app may still make",
                             "deploy app code that satisfies the constraint first",
                             pg_write_restriction, NULL},
    [R_UNIQUE_INDEX_MAY_FAIL] = {"MG218", "unique-index-may-fail", I, PG, 1,
                                 "a unique index on existing data fails if there are duplicates",
                                 "check for duplicates first (GROUP BY ... HAVING count(*) > 1)",
                                 pg_unique_index_may_fail, NULL},
    [R_ENUM_VALUE_ORDERING] = {"MG219", "enum-value-ordering", I, PG, 0,
                               "ADD VALUE without BEFORE or AFTER puts the value last, which "
                               "decides how it sorts",
                               "ADD VALUE 'x' BEFORE 'y' (or AFTER) to say where it belongs",
                               pg_enum_value_ordering, NULL},
    [R_ENUM_VALUE_ADDED] = {"MG220", "enum-value-added", I, PG, 1,
                            "a new enum value can reach the running app, which may not handle it",
                            "deploy app code that handles the value first", pg_enum_value_added,
                            NULL},
    [R_ADD_COLUMN_SHAPE] = {"MG221", "add-column-shape-change", I, PG | MY, 1,
                            "a new column changes the shape of SELECT * and positional INSERTs",
                            "list columns explicitly in the app", pg_add_column_shape,
                            my_add_column_shape},
    [R_COMPAT_SENSITIVE] = {"MG222", "compatibility-sensitive-change", I, PG | MY, 1,
                            "this change can alter what the running app sees or may do",
                            "roll the app and the schema forward in compatible steps",
                            pg_compat_sensitive, my_compat_sensitive},

    /* ---- types and schema design ---- */
    [R_PREFER_BIGINT_KEY] = {"MG301", "prefer-bigint-key", W, PG | MY, 0,
                             "a 32- or 16-bit key column runs out of values, and widening it "
                             "later rewrites the table",
                             "bigint (or bigint GENERATED BY DEFAULT AS IDENTITY)",
                             pg_prefer_bigint_key, my_prefer_bigint_key},
    [R_PREFER_BIGINT] = {"MG302", "prefer-bigint", I, PG, 1,
                         "int and smallint columns can overflow; widening later rewrites the "
                         "table",
                         "bigint", pg_prefer_bigint, NULL},
    [R_PREFER_IDENTITY] = {"MG303", "prefer-identity", I, PG, 0,
                           "serial types complicate permissions and dumps",
                           "bigint GENERATED BY DEFAULT AS IDENTITY", pg_prefer_identity, NULL},
    [R_PREFER_TEXT] = {"MG304", "prefer-text", I, PG, 1,
                       "a varchar(n) limit can only be lowered with a rewrite",
                       "text with CHECK (length(col) <= n)", pg_prefer_text, NULL},
    [R_BAN_CHAR] = {"MG305", "ban-char", W, PG, 0,
                    "char(n) pads values with spaces and is no faster than text", "text or varchar",
                    pg_ban_char, NULL},
    [R_PREFER_TIMESTAMPTZ] = {"MG306", "prefer-timestamptz", W, PG, 0,
                              "timestamp without time zone loses the offset of the time it "
                              "stores",
                              "timestamptz", pg_prefer_timestamptz, NULL},
    [R_PREFER_JSONB] = {"MG307", "prefer-jsonb", W, PG, 0,
                        "json has no equality operator, so DISTINCT, GROUP BY and UNION on it "
                        "fail",
                        "jsonb", pg_prefer_jsonb, NULL},
    [R_AVOID_ENUM] = {"MG308", "avoid-enum-type", I, PG, 1,
                      "enum values cannot be removed or reordered without recreating the type",
                      "a lookup table with a foreign key, or text with a CHECK", pg_avoid_enum,
                      NULL},
    [R_BAN_DOMAIN_CONSTRAINT] = {"MG309", "ban-domain-constraint", W, PG, 0,
                                 "constraints on a domain are checked against every column that "
                                 "uses it when they change",
                                 "a plain domain, with CHECK constraints on the tables",
                                 pg_ban_domain_constraint, NULL},
    [R_INDEX_TOO_MANY_COLUMNS] = {"MG310", "index-too-many-columns", I, PG, 0,
                                  "a non-unique index on more than 3 columns is rarely used "
                                  "fully",
                                  "index the most selective columns first, 3 at most",
                                  pg_index_too_many_columns, NULL},
    [R_FK_WITHOUT_INDEX] = {"MG311", "fk-without-index", I, PG, 0,
                            "no index starts with the foreign key's columns: deletes and key "
                            "updates on the referenced table scan this table",
                            "CREATE INDEX CONCURRENTLY on the referencing columns", NULL, NULL},
    [R_IDENTIFIER_TOO_LONG] = {"MG312", "identifier-too-long", E, PG | MY, 0,
                               "the identifier is longer than the database allows (PostgreSQL "
                               "truncates it to 63 bytes; MySQL refuses more than 64 characters)",
                               "a shorter name", pg_identifier_too_long, my_identifier_too_long},
    [R_REQUIRE_SCHEMA] = {"MG313", "require-schema-qualified", I, PG, 1,
                          "the table name has no schema, so search_path decides which table it is",
                          "schema.table", pg_require_schema, NULL},

    /* ---- transactions and file structure ---- */
    [R_TXN_NESTING] = {"MG401", "transaction-nesting", E, PG | MY, 0,
                       "transaction control that nests, or that the runner's own transaction "
                       "does not allow",
                       "let migrate wrap the file, or add -- migrate:no-transaction and "
                       "balance BEGIN/COMMIT",
                       pg_txn_nesting, my_txn_nesting},
    [R_UNCOMMITTED_TXN] = {"MG402", "uncommitted-transaction", E, PG | MY, 0,
                           "BEGIN without COMMIT: the work is rolled back when the session ends",
                           "end the transaction with COMMIT", NULL, NULL},
    [R_NON_TXN_IN_TXN] = {"MG403", "non-transactional-statement-in-transaction", E, PG, 0,
                          "this statement cannot run inside a transaction block",
                          "run it outside BEGIN ... COMMIT, in a file of its own",
                          pg_non_txn_in_txn, NULL},
    [R_PREFER_ROBUST] = {"MG404", "prefer-robust-statements", I, PG, 0,
                         "the file does not run in one transaction, and this statement fails if "
                         "run again after a partial failure",
                         "IF NOT EXISTS / IF EXISTS so the file can be re-run", pg_prefer_robust,
                         NULL},
    [R_DUPLICATE_COLUMN] = {"MG405", "duplicate-column-assignment", E, PG, 0,
                            "the same column is named twice", "name each column once",
                            pg_duplicate_column, NULL},
    [R_SYNTAX_ERROR] = {"MG406", "syntax-error", E, PG | MY, 0, "the statement does not parse",
                        "fix the SQL", NULL, NULL},
    [R_UNUSED_IGNORE] = {"MG407", "unused-ignore", W, PG | MY, 0,
                         "a migrate:ignore comment silences nothing",
                         "remove it, or name the rule it is for", NULL, NULL},

    /* ---- MySQL / MariaDB ---- */
    [R_MY_ALGORITHM_COPY] = {"MG501", "mysql-algorithm-copy", E, MY, 0,
                             "ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE blocks writes to the table "
                             "for the whole ALTER",
                             "ALGORITHM=INPLACE, LOCK=NONE (or INSTANT), or an online schema "
                             "change",
                             NULL, my_algorithm_copy},
    [R_MY_TABLE_COPY] = {"MG502", "mysql-table-copy", W, MY, 0,
                         "this ALTER copies the table (engine, character set or partitioning "
                         "change) and blocks writes",
                         "an online schema change (migrate osc, gh-ost, pt-osc)", NULL,
                         my_table_copy},
    [R_MY_VARCHAR_BOUNDARY] = {"MG503", "mysql-varchar-boundary", W, MY, 0,
                               "growing VARCHAR across 255 bytes changes its length prefix and "
                               "copies the table",
                               "stay on one side of 255 bytes, or use an online schema change",
                               NULL, my_varchar_boundary},
    [R_MY_ENUM_CHANGE] = {"MG504", "mysql-enum-set-change", W, MY, 0,
                          "removing, reordering or inserting ENUM/SET values (or crossing a "
                          "storage size) copies the table",
                          "only append values at the end", NULL, my_enum_change},
    [R_MY_ADD_FK] = {"MG505", "mysql-add-foreign-key", W, MY, 0,
                     "adding a foreign key to an existing table copies it unless "
                     "foreign_key_checks is off",
                     "SET foreign_key_checks = 0 around the ALTER (INPLACE), or an online schema "
                     "change",
                     NULL, my_add_fk},
    [R_MY_PK_CHANGE] = {"MG506", "mysql-primary-key-change", E, MY, 0,
                        "changing the primary key rebuilds the clustered index and every "
                        "secondary index",
                        "an online schema change, or drop and add the key in one ALTER", NULL,
                        my_pk_change},
    [R_MY_NOT_NULL_CHANGE] = {"MG507", "mysql-not-null-change", W, MY, 0,
                              "making a column NOT NULL rebuilds the table and fails (or, without "
                              "strict mode, silently converts) on existing NULLs",
                              "backfill NULLs in batches first, with strict sql_mode", NULL,
                              my_not_null_change},
    [R_MY_CHECK] = {"MG508", "mysql-check-constraint", W, MY, 0,
                    "adding an enforced CHECK constraint validates every row while the table is "
                    "copied",
                    "ADD CONSTRAINT ... CHECK (...) NOT ENFORCED on MySQL, validate with a query",
                    NULL, my_check},
    [R_MY_NOT_NULL_NO_DEFAULT] = {"MG509", "mysql-not-null-without-default", W, MY, 0,
                                  "ADD COLUMN ... NOT NULL without DEFAULT fills existing rows "
                                  "with an implicit zero value, or fails",
                                  "give an explicit DEFAULT, or add it nullable and backfill", NULL,
                                  my_not_null_no_default},
    [R_MY_INLINE_REFERENCES] = {"MG510", "mysql-inline-references", E, MY, 0,
                                "MySQL parses and ignores a REFERENCES clause on a column: no "
                                "foreign key is created",
                                "a table-level FOREIGN KEY (col) REFERENCES t (id)", NULL,
                                my_inline_references},
    [R_MY_EXPRESSION_DEFAULT] = {"MG511", "mysql-expression-default", W, MY, 0,
                                 "ADD COLUMN with an expression DEFAULT cannot be INSTANT and "
                                 "rebuilds the table",
                                 "add the column with a literal default or none, then backfill",
                                 NULL, my_expression_default},
    [R_MY_DROP_VERSIONING] = {"MG512", "mysql-drop-system-versioning", E, MY, 0,
                              "DROP SYSTEM VERSIONING deletes the table's history",
                              "archive the history (FOR SYSTEM_TIME ALL) first", NULL,
                              my_drop_versioning},
    [R_MY_FULLTEXT_SPATIAL] = {"MG513", "mysql-fulltext-spatial-index", W, MY, 0,
                               "a FULLTEXT or SPATIAL index blocks writes while it is built",
                               "an online schema change, or a quiet period", NULL,
                               my_fulltext_spatial},
    [R_MY_MIXED_DDL_DML] = {"MG514", "mysql-mixed-ddl-dml", W, MY, 0,
                            "MySQL commits DDL implicitly, so a file that mixes DDL and DML on "
                            "existing tables cannot be applied atomically",
                            "put schema changes and data changes in separate migrations", NULL,
                            my_mixed_ddl_dml},
    [R_MY_DDL_IN_TXN] = {"MG515", "mysql-ddl-in-transaction", I, MY, 0,
                         "DDL inside BEGIN ... COMMIT commits the transaction implicitly on "
                         "MySQL",
                         "leave DDL out of explicit transactions", NULL, my_ddl_in_txn},
};

int chk_rule_lookup(const char *name, size_t len)
{
    for (int i = 0; i < CHK_NRULES; i++) {
        if ((strlen(chk_rules[i].name) == len && !strncasecmp(chk_rules[i].name, name, len)) ||
            (strlen(chk_rules[i].id) == len && !strncasecmp(chk_rules[i].id, name, len)))
            return i;
    }
    return -1;
}

const char *chk_sev_name(enum chk_sev s)
{
    switch (s) {
    case CHK_ERROR:
        return "error";
    case CHK_WARNING:
        return "warning";
    case CHK_INFO:
        return "info";
    default:
        return "off";
    }
}

int chk_sev_parse(enum chk_sev *out, const char *s)
{
    if (!strcasecmp(s, "error"))
        *out = CHK_ERROR;
    else if (!strcasecmp(s, "warning"))
        *out = CHK_WARNING;
    else if (!strcasecmp(s, "info"))
        *out = CHK_INFO;
    else if (!strcasecmp(s, "off"))
        *out = CHK_OFF;
    else
        return -1;
    return 0;
}
