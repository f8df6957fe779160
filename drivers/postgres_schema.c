/*
 * postgres_schema.c — the PostgreSQL schema snapshot and row fingerprints,
 * read from the system catalogs (no pg_dump).
 *
 * Every catalog query returns rows of (rank, object, key, line), which
 * snapshot.c sorts into blocks (see snapshot.h).  The queries run in one read-only REPEATABLE READ
 * transaction with every setting that changes deparsed text pinned (search_path empty, so every
 * name is schema-qualified; DateStyle; TimeZone ...).  No OIDs, no sizes, no counters, no sequence
 * positions: nothing that changes while the schema does not.  The format is described in
 * docs/schema-snapshot.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "postgres_internal.h"
#include "snapshot.h"
#include "util.h"

/* Schemas that belong to the server, and objects that belong to an extension or the engine. */
#define NSP_OK(n)                                                                                  \
    " " n ".nspname NOT IN ('pg_catalog', 'information_schema') AND " n                            \
    ".nspname NOT LIKE 'pg\\_toast%' AND " n ".nspname NOT LIKE 'pg\\_temp\\_%' "
#define NOT_EXT(cls, oid)                                                                          \
    " NOT EXISTS (SELECT 1 FROM pg_depend xd WHERE xd.classid = '" cls "'::regclass AND "          \
    "xd.objid = " oid " AND xd.deptype = 'e') "
/* the engine's own tables (migrate_history, migrate_events, migrate_*) */
#define NOT_ENGINE(c) " " c ".relname NOT LIKE 'migrate\\_%' "
#define REL_OK(c, n)  NSP_OK(n) "AND" NOT_ENGINE(c) "AND" NOT_EXT("pg_class", c ".oid")
#define QNAME(n, c)   "quote_ident(" n ".nspname) || '.' || quote_ident(" c ".relname)"
#define REL_RANK(c)   "CASE " c ".relkind WHEN 'v' THEN 7 WHEN 'm' THEN 8 ELSE 6 END"

/* Object kinds by rank; the order of blocks in a snapshot. */
static const char *const kinds[] = {
    NULL,   "extension",         "schema",   "type",      "domain",    "sequence", "table",
    "view", "materialized view", "function", "procedure", "aggregate",
};

static const char *const queries[] = {
    /* extensions */
    "SELECT 1, quote_ident(e.extname), v.k, v.line FROM pg_extension e "
    "JOIN pg_namespace n ON n.oid = e.extnamespace "
    "CROSS JOIN LATERAL (VALUES ('a', 'version ' || e.extversion || ', schema ' || "
    "quote_ident(n.nspname)), "
    "('y', 'comment ' || quote_literal(obj_description(e.oid, 'pg_extension')))) v(k, line) "
    "WHERE v.line IS NOT NULL",

    /* schemas */
    "SELECT 2, quote_ident(n.nspname), v.k, v.line FROM pg_namespace n "
    "CROSS JOIN LATERAL (VALUES ('', NULL), "
    "('y', 'comment ' || quote_literal(obj_description(n.oid, 'pg_namespace')))) v(k, line) "
    "WHERE" NSP_OK("n") "AND" NOT_EXT("pg_namespace", "n.oid") "AND (v.k = '' OR v.line IS NOT "
                                                               "NULL)",

    /* enums, composite and range types, domains */
    "SELECT CASE t.typtype WHEN 'd' THEN 4 ELSE 3 END, "
    "quote_ident(n.nspname) || '.' || quote_ident(t.typname), v.k, v.line FROM pg_type t "
    "JOIN pg_namespace n ON n.oid = t.typnamespace "
    "LEFT JOIN pg_range r ON r.rngtypid = t.oid "
    "CROSS JOIN LATERAL (VALUES ('a', CASE t.typtype "
    "  WHEN 'e' THEN 'enum (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' "
    "    ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')' "
    "  WHEN 'r' THEN 'range of ' || format_type(r.rngsubtype, NULL) "
    "    || CASE WHEN r.rngcollation <> 0 THEN ' collate ' || (SELECT quote_ident(cn.nspname) || "
    "      '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
    "      co.collnamespace WHERE co.oid = r.rngcollation) ELSE '' END "
    "    || CASE WHEN r.rngsubdiff <> 0 THEN ' subtype_diff ' || r.rngsubdiff::regproc::text "
    "      ELSE '' END "
    "  WHEN 'c' THEN 'composite' "
    "  WHEN 'd' THEN 'over ' || format_type(t.typbasetype, t.typtypmod) "
    "    || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END "
    "    || coalesce(' default ' || pg_get_expr(t.typdefaultbin, 0), '') END), "
    "('y', 'comment ' || quote_literal(obj_description(t.oid, 'pg_type')))) v(k, line) "
    "WHERE" NSP_OK("n") "AND" NOT_EXT("pg_type",
                                      "t.oid") "AND (t.typtype IN ('e', 'r', 'd') OR "
                                               "(t.typtype = 'c' AND (SELECT c.relkind FROM "
                                               "pg_class c WHERE c.oid = t.typrelid) = 'c')) "
                                               "AND v.line IS NOT NULL",

    /* attributes of composite types */
    "SELECT 3, quote_ident(n.nspname) || '.' || quote_ident(t.typname), "
    "'b' || lpad(a.attnum::text, 5, '0'), "
    "'attribute ' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' "
    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "WHERE t.typtype = 'c' AND" NSP_OK("n") "AND" NOT_EXT("pg_type", "t.oid"),

    /* constraints of domains */
    "SELECT 4, quote_ident(n.nspname) || '.' || quote_ident(t.typname), v.k, v.line "
    "FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid "
    "JOIN pg_namespace n ON n.oid = t.typnamespace "
    "CROSS JOIN LATERAL (VALUES ('d ' || con.conname, 'constraint ' || quote_ident(con.conname) "
    "|| ' ' || pg_get_constraintdef(con.oid, true)), "
    "('z d ' || con.conname, 'comment on constraint ' || quote_ident(con.conname) || ' ' || "
    "quote_literal(obj_description(con.oid, 'pg_constraint')))) v(k, line) "
    "WHERE" NSP_OK("n") "AND" NOT_EXT("pg_type", "t.oid") "AND v.line IS NOT NULL",

    /* sequences (identity sequences are part of their column) */
    "SELECT 5, " QNAME(
        "n",
        "c") ", v.k, v.line FROM pg_class c "
             "JOIN pg_namespace n ON n.oid = c.relnamespace "
             "JOIN pg_sequence s ON s.seqrelid = c.oid "
             "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid "
             "  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0 "
             "LEFT JOIN pg_class oc ON oc.oid = d.refobjid "
             "LEFT JOIN pg_namespace ocn ON ocn.oid = oc.relnamespace "
             "LEFT JOIN pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid "
             "CROSS JOIN LATERAL (VALUES "
             "('a', 'as ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' "
             "increment ' || "
             "s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || "
             "s.seqcache || "
             "CASE WHEN s.seqcycle THEN ' cycle' ELSE ' no cycle' END), "
             "('b', 'owned by ' || " QNAME(
                 "ocn",
                 "oc") " || '.' || quote_ident(oa.attname)), "
                       "('y', 'comment ' || quote_literal(obj_description(c.oid, 'pg_class')))) "
                       "v(k, line) "
                       "WHERE c.relkind = 'S' AND" REL_OK(
                           "c",
                           "n") "AND (oc.relname IS NULL OR" NOT_ENGINE("oc") ") "
                                                                              "AND NOT EXISTS "
                                                                              "(SELECT 1 FROM "
                                                                              "pg_depend i WHERE "
                                                                              "i.classid = "
                                                                              "'pg_class'::"
                                                                              "regclass AND "
                                                                              "i.objid = c.oid AND "
                                                                              "i.deptype = 'i') "
                                                                              "AND v.line IS NOT "
                                                                              "NULL",

    /* tables, views and materialised views, and their own properties */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", v.k, v.line FROM pg_class c "
             "JOIN pg_namespace n ON n.oid = c.relnamespace "
             "LEFT JOIN pg_inherits pi ON pi.inhrelid = c.oid AND c.relispartition "
             "LEFT JOIN pg_class pc ON pc.oid = pi.inhparent "
             "LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
             "CROSS JOIN LATERAL (VALUES ('', NULL), "
             "('a1', CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END), "
             "('a2', CASE WHEN c.relkind = 'p' THEN 'partition by ' || pg_get_partkeydef(c.oid) "
             "END), "
             "('a3', 'partition of ' || " QNAME(
                 "pn",
                 "pc") " || ' ' || pg_get_expr(c.relpartbound, "
                       "c.oid)), "
                       "('a5', 'options ' || array_to_string(c.reloptions, ', ')), "
                       "('a6', CASE WHEN c.relrowsecurity THEN 'row level security' || CASE WHEN "
                       "c.relforcerowsecurity THEN ', forced' ELSE '' END END), "
                       "('a7', CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd' THEN "
                       "'replica identity "
                       "' || CASE c.relreplident WHEN 'f' THEN 'full' WHEN 'n' THEN 'nothing' ELSE "
                       "'index' END END), "
                       "('b', CASE WHEN c.relkind IN ('v', 'm') THEN 'definition' || chr(10) || "
                       "pg_get_viewdef(c.oid, true) END), "
                       "('y', 'comment ' || quote_literal(obj_description(c.oid, 'pg_class')))) "
                       "v(k, line) "
                       "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND" REL_OK(
                           "c", "n") "AND (v.k = '' OR v.line IS "
                                     "NOT NULL)",

    /* inheritance (not partitions) */
    "SELECT 6, " QNAME("n", "c") ", 'a4 ' || lpad(i.inhseqno::text, 5, '0'), 'inherits ' || " QNAME(
        "pn", "pc") " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class pc ON pc.oid = "
                    "i.inhparent "
                    "JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
                    "WHERE NOT c.relispartition AND c.relkind IN ('r', 'p') AND" REL_OK("c", "n"),

    /* columns of tables, and their comments (view columns are in the definition) */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", v.k, v.line FROM pg_attribute a "
             "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
             "JOIN pg_type ty ON ty.oid = a.atttypid "
             "LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
             "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
             "LEFT JOIN pg_namespace con ON con.oid = co.collnamespace "
             "LEFT JOIN pg_depend sd ON a.attidentity <> '' AND sd.refclassid = "
             "'pg_class'::regclass "
             "  AND sd.refobjid = c.oid AND sd.refobjsubid = a.attnum AND sd.classid = "
             "'pg_class'::regclass AND sd.deptype = 'i' "
             "LEFT JOIN pg_sequence s ON s.seqrelid = sd.objid "
             "CROSS JOIN LATERAL (VALUES "
             "('c' || lpad(a.attnum::text, 5, '0'), CASE WHEN c.relkind IN ('r', 'p') THEN "
             "'column ' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) "
             "|| CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation THEN ' "
             "collate ' || "
             "quote_ident(con.nspname) || '.' || quote_ident(co.collname) ELSE '' END "
             "|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END "
             "|| CASE a.attidentity WHEN 'a' THEN ' generated always as identity' WHEN 'd' THEN "
             "' generated by default as identity' ELSE '' END "
             "|| coalesce(' (start ' || s.seqstart || ' increment ' || s.seqincrement || ' min ' "
             "|| "
             "s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle "
             "THEN "
             "' cycle' ELSE '' END || ')', '') "
             "|| CASE WHEN a.attgenerated = 's' THEN ' generated always as (' || "
             "pg_get_expr(ad.adbin, "
             "ad.adrelid) || ') stored' WHEN ad.adbin IS NOT NULL THEN ' default ' || "
             "pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END END), "
             "('z c' || lpad(a.attnum::text, 5, '0'), 'comment on column ' || "
             "quote_ident(a.attname) || "
             "' ' || quote_literal(col_description(c.oid, a.attnum)))) v(k, line) "
             "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm') "
             "AND" REL_OK("c", "n") "AND v.line IS NOT NULL",

    /* constraints of tables */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n", "c") ", v.k, v.line FROM pg_constraint con "
                  "JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = "
                  "c.relnamespace "
                  "CROSS JOIN LATERAL (VALUES ('d ' || con.conname, 'constraint ' || "
                  "quote_ident(con.conname) "
                  "|| ' ' || pg_get_constraintdef(con.oid, true)), "
                  "('z d ' || con.conname, 'comment on constraint ' || quote_ident(con.conname) || "
                  "' ' || "
                  "quote_literal(obj_description(con.oid, 'pg_constraint')))) v(k, line) "
                  "WHERE con.contype <> 't' AND" REL_OK("c", "n") "AND v.line IS NOT NULL",

    /* indexes */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", v.k, v.line FROM pg_index i "
             "JOIN pg_class ic ON ic.oid = i.indexrelid "
             "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
             "CROSS JOIN LATERAL (VALUES ('e ' || ic.relname, pg_get_indexdef(i.indexrelid) "
             "|| CASE WHEN NOT i.indisvalid THEN ' INVALID' ELSE '' END "
             "|| CASE WHEN i.indisclustered THEN ' CLUSTERED' ELSE '' END "
             "|| CASE WHEN i.indisreplident THEN ' REPLICA IDENTITY' ELSE '' END), "
             "('z e ' || ic.relname, 'comment on index ' || quote_ident(ic.relname) || ' ' || "
             "quote_literal(obj_description(ic.oid, 'pg_class')))) v(k, line) "
             "WHERE" REL_OK("c", "n") "AND v.line IS NOT NULL",

    /* triggers */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", v.k, v.line FROM pg_trigger t "
             "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
             "CROSS JOIN LATERAL (VALUES ('f ' || t.tgname, pg_get_triggerdef(t.oid, true) "
             "|| CASE t.tgenabled WHEN 'D' THEN ' DISABLED' WHEN 'R' THEN ' ENABLED REPLICA' "
             "WHEN 'A' THEN ' ENABLED ALWAYS' ELSE '' END), "
             "('z f ' || t.tgname, 'comment on trigger ' || quote_ident(t.tgname) || ' ' || "
             "quote_literal(obj_description(t.oid, 'pg_trigger')))) v(k, line) "
             "WHERE NOT t.tgisinternal AND" REL_OK("c", "n") "AND v.line IS NOT NULL",

    /* row security policies */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", 'g ' || p.polname, "
             "'policy ' || quote_ident(p.polname) || CASE WHEN p.polpermissive THEN '' ELSE "
             "' restrictive' END || ' for ' || CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN "
             "'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END || ' to ' || "
             "(SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE "
             "quote_ident(pg_get_userbyid(r)) END, "
             "', ' ORDER BY CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END "
             "COLLATE \"C\") "
             "FROM unnest(p.polroles) r) "
             "|| coalesce(' using (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') "
             "|| coalesce(' with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') "
             "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE" REL_OK("c", "n"),

    /* rules (a view's own _RETURN rule is its definition) */
    "SELECT " REL_RANK("c") ", " QNAME(
        "n",
        "c") ", 'h ' || r.rulename, "
             "pg_get_ruledef(r.oid, true) FROM pg_rewrite r "
             "JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE r.rulename <> '_RETURN' AND" REL_OK("c", "n"),

    /* functions, procedures, aggregates */
    "SELECT CASE p.prokind WHEN 'p' THEN 10 WHEN 'a' THEN 11 ELSE 9 END, "
    "quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || "
    "pg_get_function_identity_arguments(p.oid) || ')', v.k, v.line FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace "
    "LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid "
    "CROSS JOIN LATERAL (VALUES ('', NULL), "
    "('a', CASE WHEN p.prokind <> 'a' THEN 'definition' || chr(10) || pg_get_functiondef(p.oid) "
    "END), "
    "('b', CASE WHEN p.prokind = 'a' THEN 'sfunc ' || ag.aggtransfn::regproc::text || ' stype ' "
    "|| format_type(ag.aggtranstype, NULL) "
    "|| CASE WHEN ag.aggfinalfn <> 0 THEN ' finalfunc ' || ag.aggfinalfn::regproc::text ELSE '' "
    "END "
    "|| CASE WHEN ag.aggcombinefn <> 0 THEN ' combinefunc ' || ag.aggcombinefn::regproc::text "
    "ELSE '' END "
    "|| coalesce(' initcond ' || quote_literal(ag.agginitval), '') END), "
    "('y', 'comment ' || quote_literal(obj_description(p.oid, 'pg_proc')))) v(k, line) "
    "WHERE" NSP_OK("n") "AND" NOT_EXT("pg_proc",
                                      "p.oid") "AND (v.k = '' OR v.line IS NOT NULL) "
                                               /* a range type's constructors belong to the type */
                                               "AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE "
                                               "i.classid = 'pg_proc'::regclass AND "
                                               "i.objid = p.oid AND i.deptype = 'i')",
};

static const struct drv_snapshot_spec pg_spec = {
    .dialect = "postgres",
    .kinds = kinds,
    .nkinds = MG_ARRAY_SIZE(kinds),
    .queries = queries,
    .nqueries = MG_ARRAY_SIZE(queries),
};

/*
 * Settings that change deparsed text, pinned for the snapshot's
 * transaction: an empty search_path makes every name schema-qualified.
 */
static const char *const pinned[] = {
    "SELECT set_config('search_path', '', true), set_config('DateStyle', 'ISO, YMD', true), "
    "set_config('IntervalStyle', 'postgres', true), set_config('TimeZone', 'UTC', true), "
    "set_config('extra_float_digits', '1', true), set_config('bytea_output', 'hex', true), "
    "set_config('quote_all_identifiers', 'off', true)",
};

/* Opens the read-only, pinned transaction both readers use. */
static int begin_pinned(struct drv_conn *c, struct mg_err *err)
{
    struct drv_result *r = NULL;
    int rc = drv_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL, err);

    for (size_t i = 0; !rc && i < MG_ARRAY_SIZE(pinned); i++) {
        rc = drv_query(c, &r, pinned[i], NULL, 0, err);
        drv_result_free(r);
    }
    if (rc)
        drv_rollback_quiet(c);
    return rc;
}

int drv_pg_schema_snapshot(struct drv_conn *c, struct mg_buf *out, struct mg_err *err)
{
    int rc = begin_pinned(c, err);

    if (rc)
        return rc;
    rc = drv_snapshot_collect(c, &pg_spec, out, err);
    /* read-only: ending it either way changes nothing */
    drv_rollback_quiet(c);
    return rc;
}

int drv_pg_data_fingerprint(struct drv_conn *c, struct drv_result **out, long long max_rows,
                            struct mg_err *err)
{
    struct drv_result *tables = NULL, *res;
    struct mg_buf sql = MG_BUF_INIT, name = MG_BUF_INIT;
    int rc = begin_pinned(c, err);

    if (rc)
        return rc;
    rc = drv_query(c, &tables,
                   "SELECT n.nspname, c.relname, " QNAME(
                       "n", "c") " FROM pg_class c "
                                 "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                 "WHERE c.relkind = 'r' AND" REL_OK(
                                     "c", "n") "ORDER BY n.nspname "
                                               "COLLATE \"C\", c.relname COLLATE \"C\"",
                   NULL, 0, err);
    if (rc) {
        drv_rollback_quiet(c);
        return rc;
    }
    res = drv_result_new(3);
    drv_result_set_name(res, 0, "table");
    drv_result_set_name(res, 1, "rows");
    drv_result_set_name(res, 2, "checksum");
    for (size_t i = 0; !rc && i < tables->nrows; i++) {
        struct drv_result *r = NULL;
        char bound[32];
        const char *p[1] = {bound};
        mg_buf_reset(&name);
        drv_quote_ident(c, &name, drv_val(tables, i, 0));
        mg_buf_addch(&name, '.');
        drv_quote_ident(c, &name, drv_val(tables, i, 1));
        /* count first, up to the bound, so a big table is counted and not aggregated */
        snprintf(bound, sizeof(bound), "%lld", max_rows + 1);
        mg_buf_reset(&sql);
        mg_buf_addf(&sql, "SELECT count(*) FROM (SELECT 1 FROM %s LIMIT $1::bigint) t", name.ptr);
        rc = drv_query(c, &r, sql.ptr, p, 1, err);
        if (rc)
            break;
        long long cnt = atoll(drv_val(r, 0, 0));
        drv_result_free(r);
        mg_buf_reset(&sql);
        if (cnt > max_rows)
            mg_buf_addf(&sql, "SELECT count(*), NULL FROM %s", name.ptr);
        else
            mg_buf_addf(&sql,
                        "SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY "
                        "t::text COLLATE \"C\"), '')) FROM %s t",
                        name.ptr);
        rc = drv_query(c, &r, sql.ptr, NULL, 0, err);
        if (rc)
            break;
        /* named as the snapshot names it (the server's quote_ident) */
        const char *cells[3] = {drv_val(tables, i, 2), drv_val(r, 0, 0), drv_val(r, 0, 1)};
        drv_result_add_row(res, cells, NULL);
        drv_result_free(r);
    }
    if (rc) {
        mg_err_context(err, "fingerprinting the rows of %s", name.ptr);
        drv_result_free(res);
    } else {
        *out = res;
    }
    drv_rollback_quiet(c);
    drv_result_free(tables);
    mg_buf_free(&sql);
    mg_buf_free(&name);
    return rc;
}
