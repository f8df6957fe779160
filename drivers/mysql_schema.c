/*
 * mysql_schema.c — the MySQL and MariaDB schema snapshot and row
 * fingerprints, read from information_schema (no mysqldump).
 *
 * The snapshot covers the connected database (DATABASE()): tables with
 * engine, collation, options and comment; columns with type, character set
 * and collation (when not the table's), nullability, default, generation
 * expression, auto_increment and ON UPDATE; indexes; foreign keys; checks;
 * triggers; views; functions; procedures; events.  Each query returns rows
 * of (rank, object, key, line) that snapshot.c sorts into blocks.  Nothing
 * volatile: no AUTO_INCREMENT counters, row counts, sizes, times of last
 * execution, definers.  Names inside view definitions are written without
 * the database's name, so two databases with the same schema compare equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "mysql_internal.h"
#include "snapshot.h"
#include "util.h"

static const char *const kinds[] = {
    NULL, "table", "view", "function", "procedure", "event", "sequence",
};

/*
 * The queries are long SQL strings pasted together with the macros below;
 * clang-format cannot lay those out stably, so it is off for them.
 */
// clang-format off

/* An identifier as written in a snapshot: bare when it can be, else in backticks. */
#define QI(x) "IF(" x " REGEXP '^[A-Za-z0-9_$]+$', " x ", CONCAT('`', REPLACE(" x ", '`', '``'), '`'))"
/* the engine's own tables */
#define NOT_ENGINE(t) " " t " NOT LIKE 'migrate\\_%' "
#define RANK_OF(type) "IF(" type " = 'VIEW', 2, IF(" type " = 'SEQUENCE', 6, 1))"
#define BASE_TABLE(t) " t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND" NOT_ENGINE(t)

static const char *const common_queries[] = {
    /* tables, views and sequences exist */
    "SELECT " RANK_OF("t.TABLE_TYPE") ", " QI("t.TABLE_NAME") ", '', NULL "
    "FROM information_schema.TABLES t "
    "WHERE t.TABLE_SCHEMA = DATABASE() AND" NOT_ENGINE("t.TABLE_NAME"),

    /* table properties */
    "SELECT 1, " QI("t.TABLE_NAME") ", 'a', "
    "  CONCAT('engine ', IFNULL(t.ENGINE, '?'), ', collation ', IFNULL(t.TABLE_COLLATION, '?'), "
    "         IF(IFNULL(t.CREATE_OPTIONS, '') = '', '', CONCAT(', options ', t.CREATE_OPTIONS))) "
    "FROM information_schema.TABLES t WHERE" BASE_TABLE("t.TABLE_NAME")
    "UNION ALL "
    "SELECT 1, " QI("t.TABLE_NAME") ", 'y', CONCAT('comment ', QUOTE(t.TABLE_COMMENT)) "
    "FROM information_schema.TABLES t WHERE t.TABLE_COMMENT <> '' AND" BASE_TABLE("t.TABLE_NAME"),

    /* columns of tables, and their comments */
    "SELECT 1, " QI("c.TABLE_NAME") ", CONCAT('c', LPAD(c.ORDINAL_POSITION, 5, '0')), "
    "  CONCAT('column ', " QI("c.COLUMN_NAME") ", ' ', c.COLUMN_TYPE, "
    "    IF(c.COLLATION_NAME IS NOT NULL AND c.COLLATION_NAME <> IFNULL(t.TABLE_COLLATION, ''), "
    "       CONCAT(' collate ', c.COLLATION_NAME), ''), "
    "    IF(c.IS_NULLABLE = 'NO', ' not null', ''), "
    "    IF(c.EXTRA LIKE '%GENERATED%' AND c.EXTRA NOT LIKE '%DEFAULT_GENERATED%', "
    "       CONCAT(' generated always as (', c.GENERATION_EXPRESSION, ') ', "
    "              IF(c.EXTRA LIKE '%STORED%', 'stored', 'virtual')), "
    "       IF(c.COLUMN_DEFAULT IS NULL, '', CONCAT(' default ', c.COLUMN_DEFAULT))), "
    "    IF(c.EXTRA LIKE '%auto_increment%', ' auto_increment', ''), "
    "    IF(c.EXTRA LIKE '%on update%', "
    "       CONCAT(' ', LOWER(SUBSTRING(c.EXTRA, LOCATE('on update', c.EXTRA)))), '')) "
    "FROM information_schema.COLUMNS c "
    "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
    "WHERE" BASE_TABLE("c.TABLE_NAME")
    "UNION ALL "
    "SELECT 1, " QI("c.TABLE_NAME") ", CONCAT('z c', LPAD(c.ORDINAL_POSITION, 5, '0')), "
    "  CONCAT('comment on column ', " QI("c.COLUMN_NAME") ", ' ', QUOTE(c.COLUMN_COMMENT)) "
    "FROM information_schema.COLUMNS c "
    "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
    "WHERE c.COLUMN_COMMENT <> '' AND" BASE_TABLE("c.TABLE_NAME"),

    /* foreign keys */
    "SELECT 1, " QI("k.TABLE_NAME") ", CONCAT('d ', k.CONSTRAINT_NAME), "
    "  CONCAT('constraint ', " QI("k.CONSTRAINT_NAME") ", ' FOREIGN KEY (', "
    "    GROUP_CONCAT(" QI("k.COLUMN_NAME") " ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), "
    "    ') REFERENCES ', "
    "    IF(k.REFERENCED_TABLE_SCHEMA = DATABASE(), '', CONCAT(" QI("k.REFERENCED_TABLE_SCHEMA") ", '.')), "
    "    " QI("k.REFERENCED_TABLE_NAME") ", ' (', "
    "    GROUP_CONCAT(" QI("k.REFERENCED_COLUMN_NAME") " ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), "
    "    ') ON UPDATE ', MAX(r.UPDATE_RULE), ' ON DELETE ', MAX(r.DELETE_RULE)) "
    "FROM information_schema.KEY_COLUMN_USAGE k "
    "JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
    "  AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME "
    "WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL AND" NOT_ENGINE("k.TABLE_NAME")
    "GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME",

    /* triggers */
    "SELECT 1, " QI("g.EVENT_OBJECT_TABLE") ", CONCAT('f ', g.TRIGGER_NAME), "
    "  CONCAT('trigger ', " QI("g.TRIGGER_NAME") ", ' ', g.ACTION_TIMING, ' ', g.EVENT_MANIPULATION, "
    "         ' FOR EACH ', g.ACTION_ORIENTATION, ' order ', g.ACTION_ORDER, CHAR(10), g.ACTION_STATEMENT) "
    "FROM information_schema.TRIGGERS g "
    "WHERE g.TRIGGER_SCHEMA = DATABASE() AND" NOT_ENGINE("g.EVENT_OBJECT_TABLE"),

    /* views: the definition without the database's name */
    "SELECT 2, " QI("v.TABLE_NAME") ", 'a', "
    "  CONCAT('security ', v.SECURITY_TYPE, "
    "         IF(v.CHECK_OPTION <> 'NONE', CONCAT(', check option ', v.CHECK_OPTION), '')) "
    "FROM information_schema.VIEWS v WHERE v.TABLE_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT 2, " QI("v.TABLE_NAME") ", 'b', "
    "  CONCAT('definition', CHAR(10), REPLACE(v.VIEW_DEFINITION, CONCAT('`', DATABASE(), '`.'), '')) "
    "FROM information_schema.VIEWS v WHERE v.TABLE_SCHEMA = DATABASE()",

    /* functions and procedures */
    "SELECT IF(r.ROUTINE_TYPE = 'FUNCTION', 3, 4), " QI("r.ROUTINE_NAME") ", 'a', "
    "  CONCAT('parameters (', "
    "    IFNULL((SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE, " QI("p.PARAMETER_NAME") ", p.DTD_IDENTIFIER) "
    "                                ORDER BY p.ORDINAL_POSITION SEPARATOR ', ') "
    "            FROM information_schema.PARAMETERS p "
    "           WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME "
    "             AND p.ROUTINE_TYPE = r.ROUTINE_TYPE AND p.ORDINAL_POSITION > 0), ''), ')', "
    "    IF(r.ROUTINE_TYPE = 'FUNCTION', CONCAT(' returns ', r.DTD_IDENTIFIER), '')) "
    "FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT IF(r.ROUTINE_TYPE = 'FUNCTION', 3, 4), " QI("r.ROUTINE_NAME") ", 'b', "
    "  CONCAT(IF(r.IS_DETERMINISTIC = 'YES', 'deterministic', 'not deterministic'), ', ', "
    "         LOWER(r.SQL_DATA_ACCESS), ', security ', LOWER(r.SECURITY_TYPE)) "
    "FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT IF(r.ROUTINE_TYPE = 'FUNCTION', 3, 4), " QI("r.ROUTINE_NAME") ", 'c', "
    "  CONCAT('definition', CHAR(10), r.ROUTINE_DEFINITION) "
    "FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT IF(r.ROUTINE_TYPE = 'FUNCTION', 3, 4), " QI("r.ROUTINE_NAME") ", 'y', "
    "  CONCAT('comment ', QUOTE(r.ROUTINE_COMMENT)) "
    "FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = DATABASE() AND r.ROUTINE_COMMENT <> ''",

    /* events */
    "SELECT 5, " QI("e.EVENT_NAME") ", 'a', "
    "  CONCAT(IF(e.EVENT_TYPE = 'ONE TIME', CONCAT('at ', e.EXECUTE_AT), "
    "            CONCAT('every ', e.INTERVAL_VALUE, ' ', e.INTERVAL_FIELD, "
    "                   IFNULL(CONCAT(' starts ', e.STARTS), ''), IFNULL(CONCAT(' ends ', e.ENDS), ''))), "
    "         ', ', e.STATUS, ', on completion ', e.ON_COMPLETION) "
    "FROM information_schema.EVENTS e WHERE e.EVENT_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT 5, " QI("e.EVENT_NAME") ", 'b', CONCAT('definition', CHAR(10), e.EVENT_DEFINITION) "
    "FROM information_schema.EVENTS e WHERE e.EVENT_SCHEMA = DATABASE() "
    "UNION ALL "
    "SELECT 5, " QI("e.EVENT_NAME") ", 'y', CONCAT('comment ', QUOTE(e.EVENT_COMMENT)) "
    "FROM information_schema.EVENTS e WHERE e.EVENT_SCHEMA = DATABASE() AND e.EVENT_COMMENT <> ''",
};

/*
 * Indexes and checks read columns that only one of the two servers has:
 * MySQL 8 keeps functional index parts in EXPRESSION and checks without a
 * table name; MariaDB names the table in CHECK_CONSTRAINTS.
 */
#define INDEX_QUERY(part) \
    "SELECT 1, " QI("s.TABLE_NAME") ", CONCAT('e ', s.INDEX_NAME), " \
    "  CONCAT(IF(s.INDEX_NAME = 'PRIMARY', 'primary key', " \
    "            CONCAT(IF(MAX(s.NON_UNIQUE) = 0, 'unique ', ''), " \
    "                   LOWER(IF(MAX(s.INDEX_TYPE) IN ('FULLTEXT', 'SPATIAL'), CONCAT(MAX(s.INDEX_TYPE), ' '), '')), " \
    "                   'index ', " QI("s.INDEX_NAME") ")), " \
    "         ' (', GROUP_CONCAT(CONCAT(" part ", " \
    "                                   IF(s.SUB_PART IS NULL, '', CONCAT('(', s.SUB_PART, ')')), " \
    "                                   IF(s.COLLATION = 'D', ' DESC', '')) " \
    "                            ORDER BY s.SEQ_IN_INDEX SEPARATOR ', '), ')', " \
    "         IF(MAX(s.INDEX_TYPE) IN ('FULLTEXT', 'SPATIAL'), '', CONCAT(' using ', MAX(s.INDEX_TYPE))), " \
    "         IF(MAX(s.INDEX_COMMENT) <> '', CONCAT(' comment ', QUOTE(MAX(s.INDEX_COMMENT))), '')) " \
    "FROM information_schema.STATISTICS s " \
    "WHERE s.TABLE_SCHEMA = DATABASE() AND" NOT_ENGINE("s.TABLE_NAME") \
    "GROUP BY s.TABLE_NAME, s.INDEX_NAME"

static const char *const mariadb_queries[] = {
    INDEX_QUERY(QI("s.COLUMN_NAME")),
    "SELECT 1, " QI("k.TABLE_NAME") ", CONCAT('d ', k.CONSTRAINT_NAME), "
    "  CONCAT('constraint ', " QI("k.CONSTRAINT_NAME") ", ' CHECK (', k.CHECK_CLAUSE, ')') "
    "FROM information_schema.CHECK_CONSTRAINTS k "
    "WHERE k.CONSTRAINT_SCHEMA = DATABASE() AND" NOT_ENGINE("k.TABLE_NAME"),
};

static const char *const mysql_queries[] = {
    INDEX_QUERY("IFNULL(" QI("s.COLUMN_NAME") ", CONCAT('(', s.EXPRESSION, ')'))"),
    "SELECT 1, " QI("tc.TABLE_NAME") ", CONCAT('d ', tc.CONSTRAINT_NAME), "
    "  CONCAT('constraint ', " QI("tc.CONSTRAINT_NAME") ", ' CHECK ', k.CHECK_CLAUSE, "
    "         IF(tc.ENFORCED = 'NO', ' NOT ENFORCED', '')) "
    "FROM information_schema.TABLE_CONSTRAINTS tc "
    "JOIN information_schema.CHECK_CONSTRAINTS k ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA "
    "  AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME "
    "WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK' AND" NOT_ENGINE("tc.TABLE_NAME"),
};

static const char *const fingerprint_tables =
    "SELECT TABLE_NAME, " QI("TABLE_NAME") " FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND" NOT_ENGINE("TABLE_NAME")
    "ORDER BY BINARY TABLE_NAME";

// clang-format on

static int is_mariadb(const struct drv_conn *c)
{
    return !strcmp(c->info.product, "MariaDB");
}

int drv_my_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err)
{
    const char *qs[MG_ARRAY_SIZE(common_queries) + 2];
    const char *const *extra = is_mariadb(c) ? mariadb_queries : mysql_queries;
    size_t n = 0;
    struct drv_snapshot_spec spec = {
        .dialect = "mysql",
        .kinds = kinds,
        .nkinds = MG_ARRAY_SIZE(kinds),
        .queries = qs,
    };
    int rc;

    for (size_t i = 0; i < MG_ARRAY_SIZE(common_queries); i++)
        qs[n++] = common_queries[i];
    qs[n++] = extra[0];
    qs[n++] = extra[1];
    spec.nqueries = n;
    /* index and foreign key column lists are GROUP_CONCATs: room for long ones */
    rc = drv_exec(c, "SET SESSION group_concat_max_len = 1048576", NULL, err);
    if (!rc)
        rc = drv_snapshot_collect(c, &spec, out, err);
    return rc;
}

int drv_my_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                            struct mg_err *err)
{
    struct drv_result *tables = NULL, *res;
    struct mg_buf sql = MG_BUF_INIT, name = MG_BUF_INIT;
    int rc;

    rc = drv_query(c, &tables, fingerprint_tables, NULL, 0, err);
    if (rc)
        return rc;
    res = drv_result_new(3);
    drv_result_set_name(res, 0, "table");
    drv_result_set_name(res, 1, "rows");
    drv_result_set_name(res, 2, "checksum");
    for (size_t i = 0; !rc && i < tables->nrows; i++) {
        struct drv_result *r = NULL;
        mg_buf_reset(&name);
        drv_quote_ident(c, &name, drv_val(tables, i, 0));
        /* count up to the bound first, so a big table is counted and not read whole twice */
        mg_buf_reset(&sql);
        mg_buf_addf(&sql, "SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT %lld) t", name.ptr,
                    max_rows + 1);
        rc = drv_query(c, &r, sql.ptr, NULL, 0, err);
        if (rc)
            break;
        long long bounded = atoll(drv_val(r, 0, 0));
        drv_result_free(r);
        mg_buf_reset(&sql);
        mg_buf_addf(&sql, "SELECT COUNT(*) FROM %s", name.ptr);
        rc = drv_query(c, &r, sql.ptr, NULL, 0, err);
        if (rc)
            break;
        char *count = mg_strdup(drv_val(r, 0, 0));
        drv_result_free(r);
        char *sum = NULL;
        if (bounded <= max_rows) {
            /* the server's checksum of every row, read in full (EXTENDED) */
            mg_buf_reset(&sql);
            mg_buf_addf(&sql, "CHECKSUM TABLE %s EXTENDED", name.ptr);
            rc = drv_query(c, &r, sql.ptr, NULL, 0, err);
            if (!rc && r->nrows && r->ncols >= 2 && drv_val(r, 0, 1))
                sum = mg_strdup(drv_val(r, 0, 1));
            drv_result_free(r);
        }
        if (!rc) {
            const char *cells[3] = {drv_val(tables, i, 1), count, sum};
            drv_result_add_row(res, cells, NULL);
        }
        free(count);
        free(sum);
    }
    if (rc) {
        mg_err_context(err, "fingerprinting the rows of %s", name.ptr);
        drv_result_free(res);
    } else {
        *out = res;
    }
    drv_result_free(tables);
    mg_buf_free(&sql);
    mg_buf_free(&name);
    return rc;
}
