/*
 * osc_pg.c — the PostgreSQL backend of the online schema change engine.
 *
 * How a change is made (docs/osc.md has the long version):
 *  - The shadow table is created as <work schema>.<same name> with CREATE TABLE (LIKE ...
 *    INCLUDING ALL), so its indexes and constraints get the names a plain ALTER would give;
 *    the user's ALTER is parsed with libpg_query, retargeted at the shadow in the parse tree
 *    and deparsed, never edited as text.
 *  - One AFTER ROW trigger on the original carries each write over.  Rows the copy has passed
 *    (key <= its committed position) and rows past the copy's end are written to the shadow
 *    directly (INSERT ... ON CONFLICT DO UPDATE, DELETE by key).  Rows the copy has not
 *    reached only get their key noted in a change log: the copy will read them, and the log
 *    replays every noted key (reading the original under FOR SHARE) once the copy passed it.
 *    So the copy is a plain INSERT ... SELECT over a key range that nothing else writes to:
 *    no ON CONFLICT cost, no waits between the copy and the application's writes.
 *  - Verification compares count and a sum of row hashes per key range of both tables in one
 *    snapshot, leaving out keys with pending log entries.
 *  - The cut-over, in one transaction under lock_timeout: lock, replay the rest of the log,
 *    move the original into <old schema>, move the shadow into the table's schema, and carry
 *    over sequences, views, foreign keys, triggers, grants and replica identity.
 */
#include <pg_query.h>
#include <pg_query.pb-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "osc_impl.h"
#include "run.h"
#include "sqltext.h"
#include "util.h"

#define MAX_KEYS       16
#define NAME_MAX_BYTES 63 /* NAMEDATALEN - 1 */

/* ---------- small helpers ---------- */

static void qname(struct osc_ctx *x, struct mg_buf *b, const char *schema, const char *name)
{
    osc_qi(x, b, schema);
    mg_buf_addch(b, '.');
    osc_qi(x, b, name);
}

static const char *sqlf(const char *name)
{
    return mg_sql("postgres", name);
}

/* Appends a statement to a JSON list (the dry-run plan) and runs it unless `plan_only`. */
static int run_or_plan(struct osc_ctx *x, json_t *list, const char *sql, int plan_only,
                       struct mg_err *err)
{
    if (list)
        json_array_append_new(list, json_string(sql));
    return plan_only ? 0 : osc_ex(x, sql, err);
}

/* ---------- the ALTER, through libpg_query ---------- */

void osc_pg_alter_free(struct pg_alter *a)
{
    free(a->schema);
    free(a->relname);
    free(a->retargeted);
    json_decref(a->using);
    json_decref(a->fk_cmds);
    memset(a, 0, sizeof(*a));
}

static const char *subtype_name(PgQuery__AlterTableType t)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&pg_query__alter_table_type__descriptor, (int)t);
    return v ? v->name : "?";
}

/*
 * Which subcommands the engine can apply to a shadow table.  The others either do not
 * rewrite anything (run them as plain statements) or concern objects the shadow does not
 * have (triggers, rules, inheritance, partitions, row security).
 */
static int subtype_ok(PgQuery__AlterTableType t, const char **why)
{
    switch (t) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
        return 1;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        *why = "it does not rewrite or block the table for long; run it as a plain statement";
        return 0;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIndexConstraint:
        *why = "it turns an index of the original table into a constraint; build the index on "
               "the ALTER's own terms (ADD PRIMARY KEY / UNIQUE (...)) instead";
        return 0;
    default:
        *why = "it concerns rules, row security, inheritance or partitions, which an online "
               "change does not carry over";
        return 0;
    }
}

/* Deparses an expression node: wrapped into "SELECT <expr>" and cut back out. */
static char *deparse_expr(PgQuery__Node *expr)
{
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf("SELECT 1");
    PgQuery__ParseResult *tree;
    PgQuery__Node *saved;
    PgQuery__SelectStmt *sel;
    PgQueryProtobuf pb;
    PgQueryDeparseResult dr;
    char *out = NULL;

    if (pr.error) {
        pg_query_free_protobuf_parse_result(pr);
        return NULL;
    }
    tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len,
                                          (const uint8_t *)pr.parse_tree.data);
    pg_query_free_protobuf_parse_result(pr);
    if (!tree)
        return NULL;
    sel = tree->stmts[0]->stmt->select_stmt;
    saved = sel->target_list[0]->res_target->val;
    sel->target_list[0]->res_target->val = expr;
    pb.len = pg_query__parse_result__get_packed_size(tree);
    pb.data = mg_malloc(pb.len);
    pg_query__parse_result__pack(tree, (uint8_t *)pb.data);
    sel->target_list[0]->res_target->val = saved;
    pg_query__parse_result__free_unpacked(tree, NULL);
    dr = pg_query_deparse_protobuf(pb);
    free(pb.data);
    if (!dr.error && dr.query && !strncmp(dr.query, "SELECT ", 7))
        out = mg_strdup(dr.query + 7);
    pg_query_free_deparse_result(dr);
    return out;
}

/* Parses `sql`; fails with the parser's message and position. */
static int parse_one(PgQuery__ParseResult **out, const char *sql, const char *what,
                     struct mg_err *err)
{
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(sql);

    *out = NULL;
    if (pr.error) {
        mg_err_set(err, MG_EINPUT, "%s is not valid SQL: %s", what, pr.error->message);
        if (pr.error->cursorpos > 0)
            mg_err_detail(err, "at character %d", pr.error->cursorpos);
        pg_query_free_protobuf_parse_result(pr);
        return MG_EINPUT;
    }
    *out = pg_query__parse_result__unpack(NULL, pr.parse_tree.len,
                                          (const uint8_t *)pr.parse_tree.data);
    pg_query_free_protobuf_parse_result(pr);
    if (!*out)
        return mg_err_set(err, MG_EFAIL, "cannot read the parse tree of %s", what);
    return 0;
}

/* The one ALTER TABLE statement of a parse result, or NULL. */
static PgQuery__AlterTableStmt *the_alter(PgQuery__ParseResult *tree)
{
    PgQuery__Node *n;

    if (tree->n_stmts != 1 || !tree->stmts[0]->stmt)
        return NULL;
    n = tree->stmts[0]->stmt;
    if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
        return NULL;
    if (n->alter_table_stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return NULL;
    return n->alter_table_stmt;
}

int osc_pg_online_statement(const char *sql, size_t len, char **table)
{
    char *text = mg_strndup(sql, len);
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(text);
    PgQuery__ParseResult *tree = NULL;
    PgQuery__AlterTableStmt *a;
    int yes = 0;

    *table = NULL;
    if (!pr.error)
        tree = pg_query__parse_result__unpack(NULL, pr.parse_tree.len,
                                              (const uint8_t *)pr.parse_tree.data);
    pg_query_free_protobuf_parse_result(pr);
    free(text);
    if (tree && (a = the_alter(tree)) != NULL && a->relation) {
        struct mg_buf b = MG_BUF_INIT;
        if (a->relation->schemaname && a->relation->schemaname[0]) {
            drv_postgres_ops.quote_ident(&b, a->relation->schemaname);
            mg_buf_addch(&b, '.');
        }
        drv_postgres_ops.quote_ident(&b, a->relation->relname);
        *table = mg_buf_detach(&b);
        yes = 1;
    }
    if (tree)
        pg_query__parse_result__free_unpacked(tree, NULL);
    return yes;
}

/*
 * Reads the user's ALTER: exactly one ALTER TABLE, every subcommand one the engine can apply
 * to a shadow.  Fills a->schema/relname, the USING expressions and the constraints named.
 */
int osc_pg_alter_read(struct pg_alter *a, const char *sql, struct mg_err *err)
{
    PgQuery__ParseResult *tree;
    PgQuery__AlterTableStmt *st;
    int rc;

    memset(a, 0, sizeof(*a));
    rc = parse_one(&tree, sql, "--alter", err);
    if (rc)
        return rc;
    st = the_alter(tree);
    if (!st || !st->relation) {
        pg_query__parse_result__free_unpacked(tree, NULL);
        mg_err_set(err, MG_EUSAGE, "--alter must be exactly one ALTER TABLE statement");
        mg_err_hint(err, "put several changes of one table into one statement, separated by "
                         "commas: ALTER TABLE t ALTER COLUMN a TYPE bigint, ADD COLUMN b text");
        return MG_EUSAGE;
    }
    a->schema = st->relation->schemaname && st->relation->schemaname[0]
                    ? mg_strdup(st->relation->schemaname)
                    : NULL;
    a->relname = mg_strdup(st->relation->relname);
    a->using = json_object();
    a->fk_cmds = json_array();
    for (size_t i = 0; i < st->n_cmds; i++) {
        PgQuery__AlterTableCmd *cmd = st->cmds[i]->alter_table_cmd;
        const char *why = NULL;
        if (!cmd)
            continue;
        if (!subtype_ok(cmd->subtype, &why)) {
            mg_err_set(err, MG_EUSAGE, "the online schema change cannot apply %s",
                       subtype_name(cmd->subtype));
            mg_err_detail(err, "%s", why);
            pg_query__parse_result__free_unpacked(tree, NULL);
            osc_pg_alter_free(a);
            return MG_EUSAGE;
        }
        if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint ||
             cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint ||
             cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint) &&
            cmd->name && cmd->name[0])
            json_array_append_new(a->fk_cmds, json_string(cmd->name));
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint && cmd->def &&
            cmd->def->constraint && cmd->def->constraint->conname)
            json_array_append_new(a->fk_cmds, json_string(cmd->def->constraint->conname));
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType && cmd->def &&
            cmd->def->column_def && cmd->def->column_def->raw_default) {
            char *e = deparse_expr(cmd->def->column_def->raw_default);
            if (!e) {
                mg_err_set(err, MG_EFAIL, "cannot read the USING expression of column '%s'",
                           cmd->name);
                pg_query__parse_result__free_unpacked(tree, NULL);
                osc_pg_alter_free(a);
                return MG_EFAIL;
            }
            json_object_set_new(a->using, cmd->name, json_string(e));
            free(e);
        }
    }
    pg_query__parse_result__free_unpacked(tree, NULL);
    return 0;
}

/*
 * The ALTER aimed at schema.relname (the shadow), without the subcommands on constraints in
 * `skip` (foreign keys the shadow does not carry while copying), deparsed from the tree.
 * *empty is set when no subcommand is left.
 */
int osc_pg_alter_retarget(char **out, const char *sql, const char *schema, const char *relname,
                          const json_t *skip, int *empty, struct mg_err *err)
{
    PgQuery__ParseResult *tree;
    PgQuery__AlterTableStmt *st;
    PgQuery__RangeVar *rv;
    char *saved_schema, *saved_rel, *saved_cat;
    PgQuery__Node **saved_cmds;
    size_t saved_n, kept = 0;
    PgQueryProtobuf pb;
    PgQueryDeparseResult dr;
    int rc;

    *out = NULL;
    *empty = 0;
    rc = parse_one(&tree, sql, "--alter", err);
    if (rc)
        return rc;
    st = the_alter(tree);
    rv = st->relation;
    saved_schema = rv->schemaname;
    saved_rel = rv->relname;
    saved_cat = rv->catalogname;
    saved_cmds = st->cmds;
    saved_n = st->n_cmds;
    rv->schemaname = (char *)schema;
    rv->relname = (char *)relname;
    rv->catalogname = (char *)"";
    st->cmds = mg_calloc(saved_n ? saved_n : 1, sizeof(*st->cmds));
    for (size_t i = 0; i < saved_n; i++) {
        PgQuery__AlterTableCmd *cmd = saved_cmds[i]->alter_table_cmd;
        int drop = 0;
        for (size_t k = 0; cmd && skip && k < json_array_size(skip); k++) {
            const char *nm = json_string_value(json_array_get(skip, k));
            const char *cn = cmd->name;
            if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint && cmd->def &&
                cmd->def->constraint)
                cn = cmd->def->constraint->conname;
            if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint ||
                 cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint ||
                 cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint) &&
                cn && !strcmp(cn, nm))
                drop = 1;
        }
        if (!drop)
            st->cmds[kept++] = saved_cmds[i];
    }
    st->n_cmds = kept;
    *empty = kept == 0;
    pb.len = pg_query__parse_result__get_packed_size(tree);
    pb.data = mg_malloc(pb.len);
    pg_query__parse_result__pack(tree, (uint8_t *)pb.data);
    free(st->cmds);
    st->cmds = saved_cmds;
    st->n_cmds = saved_n;
    rv->schemaname = saved_schema;
    rv->relname = saved_rel;
    rv->catalogname = saved_cat;
    pg_query__parse_result__free_unpacked(tree, NULL);
    dr = pg_query_deparse_protobuf(pb);
    free(pb.data);
    if (dr.error) {
        mg_err_set(err, MG_EFAIL, "cannot rebuild the ALTER for the shadow table: %s",
                   dr.error->message);
        pg_query_free_deparse_result(dr);
        return MG_EFAIL;
    }
    *out = mg_strdup(dr.query);
    pg_query_free_deparse_result(dr);
    return 0;
}

/* Checks a backfill: "SET ..." that makes one UPDATE, and a WHERE condition. */
int osc_pg_backfill_read(const char *set, const char *where, struct mg_err *err)
{
    PgQuery__ParseResult *tree;
    struct mg_buf b = MG_BUF_INIT;
    int rc;

    mg_buf_addf(&b, "UPDATE t %s", set);
    rc = parse_one(&tree, b.ptr, "--backfill", err);
    mg_buf_free(&b);
    if (rc) {
        mg_err_hint(err, "write it as an UPDATE's SET clause: --backfill \"SET total = price * "
                         "qty\"");
        return rc;
    }
    PgQuery__Node *n = tree->n_stmts == 1 ? tree->stmts[0]->stmt : NULL;
    int ok = n && n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT &&
             !n->update_stmt->where_clause && !n->update_stmt->n_from_clause &&
             !n->update_stmt->n_returning_list && !n->update_stmt->with_clause;
    pg_query__parse_result__free_unpacked(tree, NULL);
    if (!ok) {
        mg_err_set(err, MG_EUSAGE, "--backfill must be only the SET clause of an UPDATE");
        mg_err_hint(err, "for example --backfill \"SET total = price * qty\"; put the condition "
                         "in --where");
        return MG_EUSAGE;
    }
    if (!where)
        return 0;
    mg_buf_addf(&b, "SELECT 1 FROM t WHERE %s", where);
    rc = parse_one(&tree, b.ptr, "--where", err);
    mg_buf_free(&b);
    if (rc)
        return rc;
    n = tree->n_stmts == 1 ? tree->stmts[0]->stmt : NULL;
    ok = n && n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT && n->select_stmt->where_clause &&
         !n->select_stmt->n_sort_clause && !n->select_stmt->limit_count && !n->select_stmt->larg &&
         !n->select_stmt->n_group_clause;
    pg_query__parse_result__free_unpacked(tree, NULL);
    if (!ok) {
        mg_err_set(err, MG_EUSAGE, "--where must be only a condition");
        mg_err_hint(err, "for example --where \"total IS NULL\"");
        return MG_EUSAGE;
    }
    return 0;
}

/* ---------- what the catalog says ---------- */

struct pg_table {
    char *oid, *schema, *name, *owner, *user;
    char kind, persistence, replident;
    int partition, typed, rls, inherits, rules, publication, extstats, selffk, may_own;
    long long reltuples, bytes;
};

static void pg_table_free(struct pg_table *t)
{
    free(t->oid);
    free(t->schema);
    free(t->name);
    free(t->owner);
    free(t->user);
    memset(t, 0, sizeof(*t));
}

/* Resolves `name` (SQL syntax) to a table; MG_ENOTFOUND when there is none. */
static int read_table(struct osc_ctx *x, const char *name, struct pg_table *t, struct mg_err *err)
{
    const char *p[1] = {name};
    struct drv_result *r;
    int rc;

    memset(t, 0, sizeof(*t));
    rc = osc_q(x, &r, sqlf("osc_pg_table"), p, 1, err);
    if (rc) {
        if (!strcmp(err->sqlstate, "42602") || !strcmp(err->sqlstate, "42601"))
            mg_err_hint(err, "write the table as SQL does: my_table, app.my_table, or with "
                             "double quotes for mixed case and spaces: '\"My Table\"'");
        return rc;
    }
    if (!r->nrows) {
        drv_result_free(r);
        mg_err_set(err, MG_ENOTFOUND, "table %s does not exist", name);
        mg_err_hint(err, "check the name and the search_path; names with capitals or spaces "
                         "need double quotes: '\"My Table\"'");
        return MG_ENOTFOUND;
    }
    t->oid = mg_strdup(drv_val(r, 0, 0));
    t->schema = mg_strdup(drv_val(r, 0, 1));
    t->name = mg_strdup(drv_val(r, 0, 2));
    t->kind = drv_val(r, 0, 3)[0];
    t->persistence = drv_val(r, 0, 4)[0];
    t->partition = osc_is_true(drv_val(r, 0, 5));
    t->typed = osc_is_true(drv_val(r, 0, 6));
    t->rls = osc_is_true(drv_val(r, 0, 7));
    t->inherits = osc_is_true(drv_val(r, 0, 8));
    t->rules = osc_is_true(drv_val(r, 0, 9));
    t->publication = osc_is_true(drv_val(r, 0, 10));
    t->extstats = osc_is_true(drv_val(r, 0, 11));
    t->selffk = osc_is_true(drv_val(r, 0, 12));
    t->owner = mg_strdup(drv_val(r, 0, 13));
    t->may_own = osc_is_true(drv_val(r, 0, 14));
    t->reltuples = atoll(drv_val(r, 0, 15));
    t->bytes = atoll(drv_val(r, 0, 16));
    t->replident = drv_val(r, 0, 17)[0];
    t->user = mg_strdup(drv_val(r, 0, 18));
    drv_result_free(r);
    return 0;
}

/* Refuses tables whose swap the engine cannot make safe, saying why. */
static int check_table(const struct pg_table *t, const char *qtable, struct mg_err *err)
{
    const char *why = NULL, *hint = NULL;

    if (t->kind == 'p') {
        why = "it is partitioned: its rows live in the partitions";
        hint = "change the partitions one by one, or use ALTER TABLE on the parent if it is fast";
    } else if (t->kind != 'r') {
        why = "it is not a table";
    } else if (t->partition) {
        why = "it is a partition; its parent's definition decides its columns";
    } else if (t->inherits) {
        why = "it takes part in table inheritance, which a swapped table would leave";
    } else if (t->persistence == 't') {
        why = "it is a temporary table, visible only to its own session";
    } else if (t->typed) {
        why = "it is a typed table (CREATE TABLE ... OF type)";
    } else if (t->rls) {
        why = "it has row security enabled or policies, which are not carried over";
        hint = "disable row security and drop the policies for the change, and re-create them "
               "after";
    } else if (t->rules) {
        why = "it has rules (CREATE RULE), which are not carried over";
    } else if (t->publication) {
        why = "it is part of a publication for logical replication; the new table would not be";
        hint = "remove it from the publication, change it, and add it back (the subscriber "
               "needs the same change)";
    } else if (t->extstats) {
        why = "it has extended statistics (CREATE STATISTICS), which are not carried over";
        hint = "drop them before the change and create them again after it";
    } else if (t->selffk) {
        why = "it has a foreign key that references itself";
        hint = "drop the foreign key before the change and add it back (NOT VALID, then "
               "VALIDATE) after it";
    } else if (!t->may_own) {
        why = "the current user is neither its owner nor a member of the owning role";
    }
    if (!why)
        return 0;
    mg_err_set(err, MG_EUSAGE, "cannot change %s online: %s", qtable, why);
    if (hint)
        mg_err_hint(err, "%s", hint);
    return MG_EUSAGE;
}

struct pg_col {
    char *name, *type, *typeid, *regtype;
    char gen, ident, cat;
    int hashable;
};

struct pg_cols {
    struct pg_col *v;
    size_t n;
};

static void pg_cols_free(struct pg_cols *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].type);
        free(c->v[i].typeid);
        free(c->v[i].regtype);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

static int read_cols(struct osc_ctx *x, const char *oid, struct pg_cols *out, struct mg_err *err)
{
    const char *p[1] = {oid};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_pg_columns"), p, 1, err);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    out->v = mg_calloc(r->nrows ? r->nrows : 1, sizeof(*out->v));
    for (size_t i = 0; i < r->nrows; i++) {
        struct pg_col *c = &out->v[out->n++];
        c->name = mg_strdup(drv_val(r, i, 0));
        c->type = mg_strdup(drv_val(r, i, 1));
        c->gen = drv_val(r, i, 2)[0];
        c->ident = drv_val(r, i, 3)[0];
        c->hashable = osc_is_true(drv_val(r, i, 4));
        c->typeid = mg_strdup(drv_val(r, i, 5));
        c->cat = drv_val(r, i, 6)[0];
        c->regtype = mg_strdup(drv_val(r, i, 7));
    }
    drv_result_free(r);
    return 0;
}

static const struct pg_col *find_col(const struct pg_cols *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].name, name))
            return &c->v[i];
    return NULL;
}

/* The unique indexes of a table as JSON objects {index, primary, cols, types, usable}. */
static int read_keys(struct osc_ctx *x, const char *oid, json_t **out, struct mg_err *err)
{
    const char *p[1] = {oid};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_pg_keys"), p, 1, err);
    json_error_t je;

    *out = NULL;
    if (rc)
        return rc;
    *out = json_array();
    for (size_t i = 0; i < r->nrows; i++) {
        json_t *cols = drv_val(r, i, 2) ? json_loads(drv_val(r, i, 2), 0, &je) : NULL;
        json_t *types = drv_val(r, i, 3) ? json_loads(drv_val(r, i, 3), 0, &je) : NULL;
        if (!cols || !types) { /* an expression index: no plain columns */
            json_decref(cols);
            json_decref(types);
            cols = json_array();
            types = json_array();
        }
        json_array_append_new(*out,
                              json_pack("{s:s,s:b,s:o,s:o,s:b}", "index", drv_val(r, i, 0),
                                        "primary", osc_is_true(drv_val(r, i, 1)), "cols", cols,
                                        "types", types, "usable", osc_is_true(drv_val(r, i, 4))));
    }
    drv_result_free(r);
    return 0;
}

/* Integer-like types whose order a cast keeps: a key may move between them. */
static int order_family(const char *regtype)
{
    return !strcmp(regtype, "smallint") || !strcmp(regtype, "integer") ||
           !strcmp(regtype, "bigint") || !strcmp(regtype, "numeric");
}

/* Same type oid and collation (the typmod may differ): "oid/typmod/coll". */
static int same_type_but_typmod(const char *a, const char *b)
{
    const char *a1 = strchr(a, '/'), *b1 = strchr(b, '/');
    const char *a2 = a1 ? strchr(a1 + 1, '/') : NULL, *b2 = b1 ? strchr(b1 + 1, '/') : NULL;

    if (!a1 || !b1 || !a2 || !b2)
        return 0;
    return (a1 - a) == (b1 - b) && !strncmp(a, b, (size_t)(a1 - a)) && !strcmp(a2, b2);
}

/* ---------- SQL of a job ---------- */

/* Names of one job's objects. */
struct pg_names {
    char work[64], old[64], trig_sync[64], trig_trunc[64];
    struct mg_buf shadow, log, pos, fn_sync, fn_trunc; /* quoted, qualified */
};

static void pg_names_init(struct osc_ctx *x, struct pg_names *n, long long id, const char *table)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->work, sizeof(n->work), "migrate_osc_%lld_new", id);
    snprintf(n->old, sizeof(n->old), "migrate_osc_%lld_old", id);
    snprintf(n->trig_sync, sizeof(n->trig_sync), "migrate_osc_%lld_sync", id);
    snprintf(n->trig_trunc, sizeof(n->trig_trunc), "migrate_osc_%lld_truncate", id);
    mg_buf_init(&n->shadow);
    mg_buf_init(&n->log);
    mg_buf_init(&n->pos);
    mg_buf_init(&n->fn_sync);
    mg_buf_init(&n->fn_trunc);
    qname(x, &n->shadow, n->work, table);
    qname(x, &n->log, n->work, "log");
    qname(x, &n->pos, n->work, "pos");
    qname(x, &n->fn_sync, n->work, "sync");
    qname(x, &n->fn_trunc, n->work, "truncate");
}

static void pg_names_free(struct pg_names *n)
{
    mg_buf_free(&n->shadow);
    mg_buf_free(&n->log);
    mg_buf_free(&n->pos);
    mg_buf_free(&n->fn_sync);
    mg_buf_free(&n->fn_trunc);
}

/* One column the copy carries: its shadow name, the expression over `src`, verify parts. */
struct pg_copycol {
    const char *name;
    char *expr;    /* over the original's row "src" */
    char *vt, *vs; /* checksum terms: original side (cast to the new type), shadow side */
    int changed;   /* type changed or USING */
};

/* Everything the SQL generator needs. */
struct pg_gen {
    struct pg_names *nm;
    const char *qtable; /* the original, quoted */
    size_t nk;
    const char *k[MAX_KEYS];  /* key column names */
    const char *kt[MAX_KEYS]; /* their types in the original */
    const char *ks[MAX_KEYS]; /* their types in the shadow */
    struct pg_copycol *cols;
    size_t ncols;
};

/* "(p."a", p."b")" or "(p.k1, p.k2)" for engine-named columns (quote = 0). */
static void krow(struct osc_ctx *x, struct mg_buf *b, const char *prefix, const struct pg_gen *g,
                 const char *engine_name)
{
    mg_buf_addch(b, '(');
    for (size_t i = 0; i < g->nk; i++) {
        if (i)
            mg_buf_adds(b, ", ");
        if (prefix)
            mg_buf_addf(b, "%s.", prefix);
        if (engine_name)
            mg_buf_addf(b, "%s%zu", engine_name, i + 1);
        else
            osc_qi(x, b, g->k[i]);
    }
    mg_buf_addch(b, ')');
}

/* "($1::integer, $2::text)" with parameters numbered from `first`. */
static void kparams(struct mg_buf *b, size_t first, const struct pg_gen *g,
                    const char *const *types)
{
    mg_buf_addch(b, '(');
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(b, "%s$%zu::%s", i ? ", " : "", first + i, types[i]);
    mg_buf_addch(b, ')');
}

/* "src."a", src."b"" — the ORDER BY of the key. */
static void korder(struct osc_ctx *x, struct mg_buf *b, const char *prefix, const struct pg_gen *g)
{
    for (size_t i = 0; i < g->nk; i++) {
        if (i)
            mg_buf_adds(b, ", ");
        mg_buf_addf(b, "%s.", prefix);
        osc_qi(x, b, g->k[i]);
    }
}

/* The key range condition over the original ("src") or the shadow ("s"). */
static void krange(struct osc_ctx *x, struct mg_buf *b, const char *prefix, const struct pg_gen *g,
                   int with_lo, int shadow_side)
{
    const char *const *types = shadow_side ? g->ks : g->kt;

    if (with_lo) {
        krow(x, b, prefix, g, NULL);
        mg_buf_adds(b, " > ");
        kparams(b, 1, g, types);
        mg_buf_adds(b, " AND ");
    }
    krow(x, b, prefix, g, NULL);
    mg_buf_adds(b, " <= ");
    kparams(b, with_lo ? g->nk + 1 : 1, g, types);
}

static void col_list(struct osc_ctx *x, struct mg_buf *b, const struct pg_gen *g)
{
    for (size_t i = 0; i < g->ncols; i++) {
        if (i)
            mg_buf_adds(b, ", ");
        osc_qi(x, b, g->cols[i].name);
    }
}

static void expr_list(struct mg_buf *b, const struct pg_gen *g)
{
    for (size_t i = 0; i < g->ncols; i++)
        mg_buf_addf(b, "%s%s", i ? ", " : "", g->cols[i].expr);
}

/* "ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c ..." (DO NOTHING when only keys). */
static void on_conflict(struct osc_ctx *x, struct mg_buf *b, const struct pg_gen *g)
{
    int any = 0;

    mg_buf_adds(b, " ON CONFLICT ");
    krow(x, b, NULL, g, NULL);
    for (size_t i = 0; i < g->ncols; i++) {
        int is_key = 0;
        for (size_t k = 0; k < g->nk; k++)
            if (!strcmp(g->k[k], g->cols[i].name))
                is_key = 1;
        if (is_key)
            continue;
        mg_buf_adds(b, any ? ", " : " DO UPDATE SET ");
        osc_qi(x, b, g->cols[i].name);
        mg_buf_adds(b, " = EXCLUDED.");
        osc_qi(x, b, g->cols[i].name);
        any = 1;
    }
    if (!any)
        mg_buf_adds(b, " DO NOTHING");
}

/* "SELECT src.k ... FROM T src WHERE range ORDER BY k OFFSET $n LIMIT 1": a batch's end. */
static char *gen_boundary(struct osc_ctx *x, const struct pg_gen *g, int with_lo)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_adds(&b, "SELECT ");
    korder(x, &b, "src", g);
    mg_buf_addf(&b, " FROM %s AS src WHERE ", g->qtable);
    krange(x, &b, "src", g, with_lo, 0);
    mg_buf_adds(&b, " ORDER BY ");
    korder(x, &b, "src", g);
    mg_buf_addf(&b, " OFFSET $%zu::bigint LIMIT 1", (with_lo ? 2 : 1) * g->nk + 1);
    return mg_buf_detach(&b);
}

static char *gen_copy(struct osc_ctx *x, const struct pg_gen *g, int with_lo)
{
    struct mg_buf b = MG_BUF_INIT;

    /* a plain INSERT: the shadow has no index yet, and nothing else writes to it */
    mg_buf_addf(&b, "INSERT INTO %s (", g->nm->shadow.ptr);
    col_list(x, &b, g);
    mg_buf_adds(&b, ") OVERRIDING SYSTEM VALUE SELECT ");
    expr_list(&b, g);
    mg_buf_addf(&b, " FROM %s AS src WHERE ", g->qtable);
    krange(x, &b, "src", g, with_lo, 0);
    mg_buf_adds(&b, " ORDER BY ");
    korder(x, &b, "src", g);
    return mg_buf_detach(&b);
}

/* One statement comparing a key range of both tables in one snapshot. */
static char *gen_verify(struct osc_ctx *x, const struct pg_gen *g, int with_lo)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_adds(&b, "SELECT a.n::text, a.h::text, b.n::text, b.h::text FROM (SELECT count(*) AS "
                    "n, coalesce(sum(hash_record_extended(ROW(");
    for (size_t i = 0; i < g->ncols; i++)
        mg_buf_addf(&b, "%s%s", i ? ", " : "", g->cols[i].vt);
    mg_buf_addf(&b, "), 0)), 0) AS h FROM %s AS src WHERE ", g->qtable);
    krange(x, &b, "src", g, with_lo, 0);
    mg_buf_addf(&b, " AND NOT EXISTS (SELECT 1 FROM %s AS l WHERE ", g->nm->log.ptr);
    krow(x, &b, "l", g, "k");
    mg_buf_adds(&b, " = ");
    krow(x, &b, "src", g, NULL);
    mg_buf_adds(&b, ")) AS a, (SELECT count(*) AS n, coalesce(sum(hash_record_extended(ROW(");
    for (size_t i = 0; i < g->ncols; i++)
        mg_buf_addf(&b, "%s%s", i ? ", " : "", g->cols[i].vs);
    mg_buf_addf(&b, "), 0)), 0) AS h FROM %s AS s WHERE ", g->nm->shadow.ptr);
    krange(x, &b, "s", g, with_lo, 1);
    mg_buf_addf(&b, " AND NOT EXISTS (SELECT 1 FROM %s AS l WHERE ", g->nm->log.ptr);
    krow(x, &b, "l", g, "k");
    mg_buf_adds(&b, " = ");
    krow(x, &b, "s", g, NULL);
    mg_buf_adds(&b, ")) AS b");
    return mg_buf_detach(&b);
}

/* Queues every key of a range (of either table) for replay: a mismatching range's re-copy. */
static char *gen_enqueue(struct osc_ctx *x, const struct pg_gen *g, int with_lo)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_addf(&b, "INSERT INTO %s (", g->nm->log.ptr);
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&b, "%sk%zu", i ? ", " : "", i + 1);
    mg_buf_adds(&b, ") SELECT ");
    korder(x, &b, "src", g);
    mg_buf_addf(&b, " FROM %s AS src WHERE ", g->qtable);
    krange(x, &b, "src", g, with_lo, 0);
    mg_buf_adds(&b, " UNION SELECT ");
    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_addf(&b, "%ss.", i ? ", " : "");
        osc_qi(x, &b, g->k[i]);
        mg_buf_addf(&b, "::%s", g->kt[i]);
    }
    mg_buf_addf(&b, " FROM %s AS s WHERE ", g->nm->shadow.ptr);
    krange(x, &b, "s", g, with_lo, 1);
    return mg_buf_detach(&b);
}

/* The trigger function: direct writes for passed and new keys, the log for the others. */
static char *gen_sync_fn(struct osc_ctx *x, const struct pg_gen *g)
{
    struct mg_buf b = MG_BUF_INIT, body = MG_BUF_INIT, tag = MG_BUF_INIT, gone = MG_BUF_INIT;

    /* the key of OLD leaves: a delete, or an update that changes the key */
    mg_buf_adds(&gone, "TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ");
    krow(x, &gone, "OLD", g, NULL);
    mg_buf_adds(&gone, " IS DISTINCT FROM ");
    krow(x, &gone, "NEW", g, NULL);
    mg_buf_adds(&gone, ")");

    mg_buf_addf(&body,
                "\n#variable_conflict use_column\nDECLARE\n    live boolean;\nBEGIN\n"
                "    SELECT p.live INTO live FROM %s AS p;\n    IF live THEN\n",
                g->nm->pos.ptr);
    /* live: the shadow is indexed, every write goes straight to it */
    mg_buf_addf(&body, "        IF %s THEN\n            DELETE FROM %s AS s WHERE ", gone.ptr,
                g->nm->shadow.ptr);
    krow(x, &body, "s", g, NULL);
    mg_buf_adds(&body, " = ");
    krow(x, &body, "OLD", g, NULL);
    mg_buf_addf(&body,
                ";\n        END IF;\n        IF TG_OP <> 'DELETE' THEN\n            INSERT "
                "INTO %s AS s (",
                g->nm->shadow.ptr);
    col_list(x, &body, g);
    mg_buf_adds(&body, ") OVERRIDING SYSTEM VALUE SELECT ");
    expr_list(&body, g);
    mg_buf_adds(&body, " FROM (SELECT NEW.*) AS src");
    on_conflict(x, &body, g);
    mg_buf_adds(&body, ";\n        END IF;\n    ELSE\n");
    /* copying: note the keys; the replay re-reads those rows once the shadow is indexed */
    mg_buf_addf(&body, "        IF %s THEN\n            INSERT INTO %s (", gone.ptr,
                g->nm->log.ptr);
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&body, "%sk%zu", i ? ", " : "", i + 1);
    mg_buf_adds(&body, ") VALUES ");
    krow(x, &body, "OLD", g, NULL);
    mg_buf_addf(&body,
                ";\n        END IF;\n        IF TG_OP <> 'DELETE' THEN\n            INSERT "
                "INTO %s (",
                g->nm->log.ptr);
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&body, "%sk%zu", i ? ", " : "", i + 1);
    mg_buf_adds(&body, ") VALUES ");
    krow(x, &body, "NEW", g, NULL);
    mg_buf_adds(&body, ";\n        END IF;\n    END IF;\n    RETURN NULL;\nEND\n");
    /* a dollar-quote tag the body does not contain */
    for (int n = 0;; n++) {
        mg_buf_reset(&tag);
        mg_buf_addf(&tag, n ? "$osc%d$" : "$osc$", n);
        if (!strstr(body.ptr, tag.ptr))
            break;
    }
    mg_buf_addf(&b,
                "CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET "
                "search_path FROM CURRENT AS %s%s%s",
                g->nm->fn_sync.ptr, tag.ptr, body.ptr, tag.ptr);
    mg_buf_free(&body);
    mg_buf_free(&tag);
    mg_buf_free(&gone);
    return mg_buf_detach(&b);
}

static char *gen_trunc_fn(const struct pg_gen *g)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_addf(&b,
                "CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET "
                "search_path FROM CURRENT AS $osc$\nBEGIN\n    TRUNCATE %s;\n    DELETE FROM "
                "%s;\n    RETURN NULL;\nEND\n$osc$",
                g->nm->fn_trunc.ptr, g->nm->shadow.ptr, g->nm->log.ptr);
    return mg_buf_detach(&b);
}

/* Sets o[key] to the text s, which it frees. */
static void put(json_t *o, const char *key, char *s)
{
    json_object_set_new(o, key, json_string(s));
    free(s);
}

/* Every statement the job runs again and again, kept in its state for resumes. */
static json_t *gen_sql(struct osc_ctx *x, const struct pg_gen *g)
{
    json_t *o = json_object();
    struct mg_buf b = MG_BUF_INIT;

    put(o, "boundary_first", gen_boundary(x, g, 0));
    put(o, "boundary_next", gen_boundary(x, g, 1));
    put(o, "copy_first", gen_copy(x, g, 0));
    put(o, "copy_next", gen_copy(x, g, 1));
    put(o, "verify_first", gen_verify(x, g, 0));
    put(o, "verify_next", gen_verify(x, g, 1));
    put(o, "enqueue_first", gen_enqueue(x, g, 0));
    put(o, "enqueue_next", gen_enqueue(x, g, 1));

    mg_buf_addf(&b, "UPDATE %s SET live = true", g->nm->pos.ptr);
    json_object_set_new(o, "go_live", json_string(b.ptr));

    mg_buf_reset(&b);
    mg_buf_adds(&b, "SELECT ");
    korder(x, &b, "src", g);
    mg_buf_addf(&b, " FROM %s AS src ORDER BY ", g->qtable);
    for (size_t i = 0; i < g->nk; i++) {
        mg_buf_addf(&b, "%ssrc.", i ? ", " : "");
        osc_qi(x, &b, g->k[i]);
        mg_buf_adds(&b, " DESC");
    }
    mg_buf_adds(&b, " LIMIT 1");
    json_object_set_new(o, "max_key", json_string(b.ptr));

    /* replay: the noted keys, whose rows are read again under FOR SHARE */
    mg_buf_reset(&b);
    mg_buf_addf(&b, "SELECT l.id::text FROM %s AS l ORDER BY l.id LIMIT $1::int", g->nm->log.ptr);
    json_object_set_new(o, "replay_pick_all", json_string(b.ptr));

    mg_buf_reset(&b);
    mg_buf_addf(&b, "INSERT INTO %s (", g->nm->shadow.ptr);
    col_list(x, &b, g);
    mg_buf_adds(&b, ") OVERRIDING SYSTEM VALUE SELECT ");
    expr_list(&b, g);
    mg_buf_addf(&b, " FROM %s AS src WHERE ", g->qtable);
    krow(x, &b, "src", g, NULL);
    mg_buf_adds(&b, " IN (SELECT ");
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&b, "%sl.k%zu", i ? ", " : "", i + 1);
    mg_buf_addf(&b, " FROM %s AS l WHERE l.id = ANY ($1::bigint[])) ORDER BY ", g->nm->log.ptr);
    korder(x, &b, "src", g);
    mg_buf_adds(&b, " FOR SHARE OF src");
    on_conflict(x, &b, g);
    json_object_set_new(o, "replay_upsert", json_string(b.ptr));

    mg_buf_reset(&b);
    mg_buf_addf(&b, "DELETE FROM %s AS s USING (SELECT DISTINCT ", g->nm->shadow.ptr);
    for (size_t i = 0; i < g->nk; i++)
        mg_buf_addf(&b, "%sl.k%zu", i ? ", " : "", i + 1);
    mg_buf_addf(&b, " FROM %s AS l WHERE l.id = ANY ($1::bigint[])) AS d WHERE ", g->nm->log.ptr);
    krow(x, &b, "s", g, NULL);
    mg_buf_adds(&b, " = ");
    krow(x, &b, "d", g, "k");
    mg_buf_addf(&b, " AND NOT EXISTS (SELECT 1 FROM %s AS src WHERE ", g->qtable);
    krow(x, &b, "src", g, NULL);
    mg_buf_adds(&b, " = ");
    krow(x, &b, "d", g, "k");
    mg_buf_adds(&b, ")");
    json_object_set_new(o, "replay_delete", json_string(b.ptr));

    mg_buf_reset(&b);
    mg_buf_addf(&b, "DELETE FROM %s WHERE id = ANY ($1::bigint[])", g->nm->log.ptr);
    json_object_set_new(o, "replay_forget", json_string(b.ptr));

    mg_buf_reset(&b);
    mg_buf_addf(&b, "SELECT count(*)::text FROM %s", g->nm->log.ptr);
    json_object_set_new(o, "log_count", json_string(b.ptr));
    mg_buf_free(&b);
    return o;
}

/* ---------- the cut-over's statements ---------- */

static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Runs a query whose rows are statements (column 0) and appends them to `list`. */
static int collect(struct osc_ctx *x, const char *sqlname, const char *const *p, size_t n,
                   json_t *list, struct mg_err *err)
{
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf(sqlname), p, n, err);

    if (rc)
        return rc;
    for (size_t i = 0; i < r->nrows; i++)
        if (drv_val(r, i, 0))
            json_array_append_new(list, json_string(drv_val(r, i, 0)));
    drv_result_free(r);
    return 0;
}

/*
 * The statements of a cut-over, in order, taken from the catalog as it is now (under the
 * lock, in the real cut-over), and the statements to run after it (`post`: validations and
 * the old table's foreign keys).  `toid` is the original's oid, `soid` the shadow's.
 */
static int cutover_plan(struct osc_ctx *x, const struct pg_names *nm, const char *toid,
                        const char *soid, const json_t *fks_out, json_t *list, json_t *post,
                        json_t *notes, struct mg_err *err)
{
    struct mg_buf b = MG_BUF_INIT, oldq = MG_BUF_INIT;
    struct drv_result *r;
    const char *schema = x->j->schema, *table = x->j->table;
    json_t *seqs = json_array(), *views = json_array(), *fks = json_array(), *trigs = json_array(),
           *grants = json_array();
    int rc;

    qname(x, &oldq, nm->old, table);
    /* capture first: all of these name the original, which is still where it was */
    {
        const char *p[2] = {toid, soid};
        rc = osc_q(x, &r, sqlf("osc_pg_sequences"), p, 2, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++)
            json_array_append_new(
                seqs, json_pack("{s:s,s:s}", "seq", drv_val(r, i, 0), "col", drv_val(r, i, 1)));
        drv_result_free(r);
    }
    {
        const char *p[1] = {toid};
        rc = osc_q(x, &r, sqlf("osc_pg_views"), p, 1, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++) {
            json_array_append_new(views, json_string(drv_val(r, i, 0)));
            if (notes)
                json_array_append_new(
                    notes, json_pack("{s:s,s:s}", "object", drv_val(r, i, 1), "action",
                                     "view: re-created over the new table at the cut-over"));
        }
        drv_result_free(r);
        rc = osc_q(x, &r, sqlf("osc_pg_fks_in"), p, 1, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++) {
            json_array_append_new(fks, json_string(drv_val(r, i, 0)));
            json_array_append_new(fks, json_string(drv_val(r, i, 1)));
            if (drv_val(r, i, 2))
                json_array_append_new(post, json_string(drv_val(r, i, 2)));
            if (notes)
                json_array_append_new(
                    notes, json_pack("{s:s,s:s}", "object", drv_val(r, i, 3), "action",
                                     "foreign key: moved to the new table NOT VALID at the "
                                     "cut-over, validated after it"));
        }
        drv_result_free(r);
    }
    {
        const char *p[3] = {toid, nm->trig_sync, nm->trig_trunc};
        rc = osc_q(x, &r, sqlf("osc_pg_triggers"), p, 3, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++) {
            const char *en = drv_val(r, i, 2);
            json_array_append_new(trigs, json_string(drv_val(r, i, 0)));
            if (en[0] != 'O') {
                mg_buf_reset(&b);
                mg_buf_addf(&b, "ALTER TABLE %s %s TRIGGER ", x->qtable.ptr,
                            en[0] == 'D'   ? "DISABLE"
                            : en[0] == 'R' ? "ENABLE REPLICA"
                                           : "ENABLE ALWAYS");
                osc_qi(x, &b, drv_val(r, i, 1));
                json_array_append_new(trigs, json_string(b.ptr));
            }
            if (notes) {
                mg_buf_reset(&b);
                mg_buf_addf(&b, "trigger %s", drv_val(r, i, 1));
                json_array_append_new(notes,
                                      json_pack("{s:s,s:s}", "object", b.ptr, "action",
                                                "re-created on the new table at the cut-over"));
            }
        }
        drv_result_free(r);
    }
    {
        const char *p[3] = {toid, x->qtable.ptr, soid};
        rc = collect(x, "osc_pg_grants", p, 3, grants, err);
        if (rc)
            goto out;
    }

    /* 1. the engine's triggers go; the table is locked, nothing writes any more */
    mg_buf_reset(&b);
    mg_buf_adds(&b, "DROP TRIGGER ");
    osc_qi(x, &b, nm->trig_sync);
    mg_buf_addf(&b, " ON %s", x->qtable.ptr);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_reset(&b);
    mg_buf_adds(&b, "DROP TRIGGER ");
    osc_qi(x, &b, nm->trig_trunc);
    mg_buf_addf(&b, " ON %s", x->qtable.ptr);
    json_array_append_new(list, json_string(b.ptr));
    /* 2. serial sequences stay where they are; OWNED BY needs the same schema */
    for (size_t i = 0; i < json_array_size(seqs); i++) {
        mg_buf_reset(&b);
        mg_buf_addf(&b, "ALTER SEQUENCE %s OWNED BY NONE",
                    json_string_value(json_object_get(json_array_get(seqs, i), "seq")));
        json_array_append_new(list, json_string(b.ptr));
    }
    /* 3. the swap: the original moves out, the shadow moves in, names and all */
    mg_buf_reset(&b);
    mg_buf_adds(&b, "CREATE SCHEMA ");
    osc_qi(x, &b, nm->old);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_reset(&b);
    mg_buf_addf(&b, "ALTER TABLE %s SET SCHEMA ", x->qtable.ptr);
    osc_qi(x, &b, nm->old);
    json_array_append_new(list, json_string(b.ptr));
    mg_buf_reset(&b);
    mg_buf_addf(&b, "ALTER TABLE %s SET SCHEMA ", nm->shadow.ptr);
    osc_qi(x, &b, schema);
    json_array_append_new(list, json_string(b.ptr));
    for (size_t i = 0; i < json_array_size(seqs); i++) {
        json_t *s = json_array_get(seqs, i);
        mg_buf_reset(&b);
        mg_buf_addf(&b, "ALTER SEQUENCE %s OWNED BY %s.",
                    json_string_value(json_object_get(s, "seq")), x->qtable.ptr);
        osc_qi(x, &b, json_string_value(json_object_get(s, "col")));
        json_array_append_new(list, json_string(b.ptr));
    }
    /* identity sequences: the new one continues where the old one is */
    {
        const char *p[2] = {toid, soid};
        rc = osc_q(x, &r, sqlf("osc_pg_identity"), p, 2, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++) {
            if (!all_digits(drv_val(r, i, 0)) || !all_digits(drv_val(r, i, 1)))
                continue;
            mg_buf_reset(&b);
            mg_buf_addf(&b,
                        "SELECT CASE WHEN v IS NULL THEN 0 ELSE setval(%s::oid::regclass, v, true) "
                        "END FROM (SELECT pg_sequence_last_value(%s::oid::regclass) AS v) AS x",
                        drv_val(r, i, 1), drv_val(r, i, 0));
            json_array_append_new(list, json_string(b.ptr));
        }
        drv_result_free(r);
    }
    /* 4. what pointed at the original now points at the new table */
    json_array_extend(list, views);
    json_array_extend(list, fks);
    for (size_t i = 0; i < json_array_size(fks_out); i++) {
        json_t *f = json_array_get(fks_out, i);
        mg_buf_reset(&b);
        mg_buf_addf(&b, "ALTER TABLE %s ADD CONSTRAINT ", x->qtable.ptr);
        osc_qi(x, &b, json_string_value(json_object_get(f, "name")));
        mg_buf_addf(&b, " %s NOT VALID", json_string_value(json_object_get(f, "def")));
        json_array_append_new(list, json_string(b.ptr));
        if (json_is_true(json_object_get(f, "valid"))) {
            mg_buf_reset(&b);
            mg_buf_addf(&b, "ALTER TABLE %s VALIDATE CONSTRAINT ", x->qtable.ptr);
            osc_qi(x, &b, json_string_value(json_object_get(f, "name")));
            json_array_append_new(post, json_string(b.ptr));
        }
    }
    json_array_extend(list, trigs);
    json_array_extend(list, grants);
    {
        const char *p[1] = {toid};
        rc = osc_q(x, &r, sqlf("osc_pg_replident"), p, 1, err);
        if (rc)
            goto out;
        const char *ri = drv_val(r, 0, 0), *idx = drv_val(r, 0, 1);
        mg_buf_reset(&b);
        if (ri[0] == 'f')
            mg_buf_addf(&b, "ALTER TABLE %s REPLICA IDENTITY FULL", x->qtable.ptr);
        else if (ri[0] == 'n')
            mg_buf_addf(&b, "ALTER TABLE %s REPLICA IDENTITY NOTHING", x->qtable.ptr);
        else if (ri[0] == 'i' && idx) {
            mg_buf_addf(&b, "ALTER TABLE %s REPLICA IDENTITY USING INDEX ", x->qtable.ptr);
            osc_qi(x, &b, idx);
        }
        if (b.len)
            json_array_append_new(list, json_string(b.ptr));
        drv_result_free(r);
    }
    /* 5. the engine's leftovers: change log, position, functions */
    mg_buf_reset(&b);
    mg_buf_adds(&b, "DROP SCHEMA ");
    osc_qi(x, &b, nm->work);
    mg_buf_adds(&b, " CASCADE");
    json_array_append_new(list, json_string(b.ptr));
    /* after: the original keeps no foreign keys that could hold up its parents */
    {
        const char *p[1] = {toid};
        rc = osc_q(x, &r, sqlf("osc_pg_fks_out"), p, 1, err);
        if (rc)
            goto out;
        for (size_t i = 0; i < r->nrows; i++) {
            mg_buf_reset(&b);
            mg_buf_addf(&b, "ALTER TABLE %s DROP CONSTRAINT ", oldq.ptr);
            osc_qi(x, &b, drv_val(r, i, 0));
            json_array_append_new(post, json_string(b.ptr));
        }
        drv_result_free(r);
    }
out:
    json_decref(seqs);
    json_decref(views);
    json_decref(fks);
    json_decref(trigs);
    json_decref(grants);
    mg_buf_free(&b);
    mg_buf_free(&oldq);
    return rc;
}

/* ---------- a new ALTER job ---------- */

/* What a new ALTER job learns before its setup transaction. */
struct pg_start {
    struct pg_alter a;
    struct pg_table t;
    json_t *key;   /* the chosen unique index (object from read_keys) */
    json_t *views; /* view -> columns it uses */
    json_t *notes; /* [{object, action}] for the plan */
    long long id;
    struct pg_names nm;
};

static void pg_start_free(struct pg_start *s)
{
    osc_pg_alter_free(&s->a);
    pg_table_free(&s->t);
    json_decref(s->key);
    json_decref(s->views);
    json_decref(s->notes);
    pg_names_free(&s->nm);
}

/* Picks the key: the first usable unique index, or a refusal that names what is missing. */
static int choose_key(struct osc_ctx *x, struct pg_start *s, struct mg_err *err)
{
    json_t *keys;
    int rc = read_keys(x, s->t.oid, &keys, err);

    if (rc)
        return rc;
    for (size_t i = 0; i < json_array_size(keys); i++) {
        json_t *k = json_array_get(keys, i);
        if (json_is_true(json_object_get(k, "usable")) &&
            json_array_size(json_object_get(k, "cols")) <= MAX_KEYS) {
            s->key = json_incref(k);
            break;
        }
    }
    if (!s->key) {
        mg_err_set(err, MG_EUSAGE,
                   "cannot change %s online: it has no primary key or unique index over NOT "
                   "NULL columns",
                   x->qtable.ptr);
        if (json_array_size(keys))
            mg_err_detail(err, "its unique indexes cannot order a copy: they have nullable or "
                               "expression columns, a predicate, a non-default operator "
                               "class or descending order, or are deferrable");
        else
            mg_err_detail(err, "the copy walks the table in key order and the triggers find "
                               "each changed row in the shadow table by its key");
        mg_err_hint(err, "add a primary key first (CREATE UNIQUE INDEX CONCURRENTLY, then ALTER "
                         "TABLE ... ADD PRIMARY KEY USING INDEX)");
        rc = MG_EUSAGE;
    }
    json_decref(keys);
    return rc;
}

/* Refuses dependents the swap would break; collects views and foreign keys it carries over. */
static int check_dependents(struct osc_ctx *x, struct pg_start *s, struct mg_err *err)
{
    const char *p[1] = {s->t.oid};
    struct drv_result *r;
    struct mg_buf bad = MG_BUF_INIT;
    int rc = osc_q(x, &r, sqlf("osc_pg_dependents"), p, 1, err);

    if (rc)
        return rc;
    s->views = json_object();
    for (size_t i = 0; i < r->nrows; i++) {
        const char *kind = drv_val(r, i, 0), *what = drv_val(r, i, 1), *rel = drv_val(r, i, 2);
        const char *col = drv_val(r, i, 3);
        int may = osc_is_true(drv_val(r, i, 4));
        if (!strcmp(kind, "own"))
            continue;
        if ((!strcmp(kind, "view") || !strcmp(kind, "fk_in")) && !may) {
            mg_buf_addf(&bad, "%s%s (owned by a role the current user is not a member of)",
                        bad.len ? "; " : "", rel ? rel : what);
            continue;
        }
        if (!strcmp(kind, "view")) {
            json_t *cols = json_object_get(s->views, rel);
            if (!cols) {
                cols = json_array();
                json_object_set_new(s->views, rel, cols);
            }
            if (col)
                json_array_append_new(cols, json_string(col));
            continue;
        }
        if (!strcmp(kind, "fk_in"))
            continue;
        mg_buf_addf(&bad, "%s%s%s", bad.len ? "; " : "", what,
                    !strcmp(kind, "matview")    ? " (a materialized view: its data would go stale)"
                    : !strcmp(kind, "rowtype")  ? " (uses the table's row type)"
                    : !strcmp(kind, "function") ? " (a function whose body refers to the table)"
                    : !strcmp(kind, "rule")     ? " (a rule)"
                                                : "");
    }
    drv_result_free(r);
    if (bad.len) {
        mg_err_set(err, MG_EUSAGE,
                   "cannot change %s online: objects depend on it that the swap "
                   "cannot carry over",
                   x->qtable.ptr);
        mg_err_detail(err, "%s", bad.ptr);
        mg_err_hint(err, "after the swap they would still point at the original table; drop them "
                         "for the change and create them again after it");
        mg_buf_free(&bad);
        return MG_EUSAGE;
    }
    return 0;
}

/* Reads a table's outgoing foreign keys as [{name, def, valid}]. */
static int read_fks_out(struct osc_ctx *x, const char *oid, json_t **out, struct mg_err *err)
{
    const char *p[1] = {oid};
    struct drv_result *r;
    int rc = osc_q(x, &r, sqlf("osc_pg_fks_out"), p, 1, err);

    *out = NULL;
    if (rc)
        return rc;
    *out = json_array();
    for (size_t i = 0; i < r->nrows; i++)
        json_array_append_new(*out,
                              json_pack("{s:s,s:s,s:b}", "name", drv_val(r, i, 0), "def",
                                        drv_val(r, i, 1), "valid", osc_is_true(drv_val(r, i, 2))));
    drv_result_free(r);
    return 0;
}

static int has_name(const json_t *list, const char *key, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);
        const char *s = key ? json_string_value(json_object_get(v, key)) : json_string_value(v);
        if (s && !strcmp(s, name))
            return 1;
    }
    return 0;
}

static void free_copycols(struct pg_copycol *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].expr);
        free(c[i].vt);
        free(c[i].vs);
    }
    free(c);
}

/*
 * Maps the original's columns onto the shadow's: which are copied and how, which are new,
 * which are gone; refuses key and view columns the change would break.  Fills g->cols and
 * the key types, and `cols` (for the plan).
 */
static int map_columns(struct osc_ctx *x, struct pg_start *s, const struct pg_cols *tc,
                       const struct pg_cols *sc, struct pg_gen *g, json_t *cols, struct mg_err *err)
{
    json_t *kcols = json_object_get(s->key, "cols"), *ktypes = json_object_get(s->key, "types");
    struct mg_buf b = MG_BUF_INIT;

    g->cols = mg_calloc(sc->n ? sc->n : 1, sizeof(*g->cols));
    for (size_t i = 0; i < sc->n; i++) {
        const struct pg_col *S = &sc->v[i], *T = find_col(tc, S->name);
        const char *using = json_string_value(json_object_get(s->a.using, S->name));
        struct pg_copycol *c;
        if (!T) {
            json_array_append_new(
                cols, json_pack("{s:s,s:s,s:s}", "name", S->name, "action", "new", "to", S->type));
            continue;
        }
        if (S->gen == 's') {
            json_array_append_new(cols, json_pack("{s:s,s:s,s:s}", "name", S->name, "action",
                                                  "generated", "to", S->type));
            continue;
        }
        c = &g->cols[g->ncols++];
        c->name = S->name;
        mg_buf_reset(&b);
        if (using)
            mg_buf_addf(&b, "(%s)", using);
        else {
            mg_buf_adds(&b, "src.");
            osc_qi(x, &b, S->name);
        }
        c->expr = mg_strdup(b.ptr);
        c->changed = using || strcmp(T->typeid, S->typeid) != 0;
        mg_buf_reset(&b);
        if (c->changed)
            mg_buf_addf(&b, "CAST(%s AS %s)", c->expr, S->type);
        else
            mg_buf_adds(&b, c->expr);
        if (!S->hashable) {
            char *inner = mg_buf_detach(&b);
            mg_buf_addf(&b, "CAST(%s AS text)", inner);
            free(inner);
        }
        c->vt = mg_strdup(b.ptr);
        mg_buf_reset(&b);
        mg_buf_adds(&b, "s.");
        osc_qi(x, &b, S->name);
        if (!S->hashable) {
            char *inner = mg_buf_detach(&b);
            mg_buf_addf(&b, "CAST(%s AS text)", inner);
            free(inner);
        }
        c->vs = mg_strdup(b.ptr);
        json_array_append_new(cols, json_pack("{s:s,s:s,s:s,s:s}", "name", S->name, "action",
                                              using        ? "using"
                                              : c->changed ? "convert"
                                                           : "copy",
                                              "from", T->type, "to", S->type));
    }
    for (size_t i = 0; i < tc->n; i++)
        if (!find_col(sc, tc->v[i].name))
            json_array_append_new(cols, json_pack("{s:s,s:s,s:s}", "name", tc->v[i].name, "action",
                                                  "drop", "from", tc->v[i].type));
    mg_buf_free(&b);

    /* the key: in the shadow too, unchanged in order, not computed by USING */
    g->nk = json_array_size(kcols);
    for (size_t i = 0; i < g->nk; i++) {
        const char *k = json_string_value(json_array_get(kcols, i));
        const struct pg_col *S = find_col(sc, k), *T = find_col(tc, k);
        g->k[i] = k;
        g->kt[i] = json_string_value(json_array_get(ktypes, i));
        if (!S || S->gen == 's') {
            mg_err_set(err, MG_EUSAGE, "the ALTER drops key column '%s' of %s", k, x->qtable.ptr);
            mg_err_detail(err, "the copy and the triggers find rows by the key %s",
                          json_string_value(json_object_get(s->key, "index")));
            return MG_EUSAGE;
        }
        if (json_object_get(s->a.using, k)) {
            mg_err_set(err, MG_EUSAGE,
                       "the ALTER computes key column '%s' with USING, which an online change "
                       "cannot follow",
                       k);
            mg_err_detail(err, "rows are matched between the tables by their key");
            mg_err_hint(err, "change the key's type without USING, or add a new column and "
                             "backfill it (migrate osc --backfill)");
            return MG_EUSAGE;
        }
        if (strcmp(T->typeid, S->typeid) && !same_type_but_typmod(T->typeid, S->typeid) &&
            !(order_family(T->regtype) && order_family(S->regtype))) {
            mg_err_set(err, MG_EUSAGE,
                       "the ALTER changes key column '%s' from %s to %s, which may order rows "
                       "differently",
                       k, T->type, S->type);
            mg_err_detail(err, "the copy walks the key in order in both tables; integer types "
                               "and numeric may change into each other, other types only their "
                               "length");
            return MG_EUSAGE;
        }
        g->ks[i] = S->type;
    }
    /* views may not see a column change type or go (CREATE OR REPLACE VIEW keeps types) */
    const char *view;
    json_t *vcols;
    json_object_foreach(s->views, view, vcols)
    {
        for (size_t i = 0; i < json_array_size(vcols); i++) {
            const char *cn = json_string_value(json_array_get(vcols, i));
            const struct pg_col *S = find_col(sc, cn), *T = find_col(tc, cn);
            if (!T)
                continue;
            if (!S || strcmp(S->typeid, T->typeid)) {
                mg_err_set(err, MG_EUSAGE,
                           "cannot change %s online: view %s uses column '%s', which the ALTER %s",
                           x->qtable.ptr, view, cn, S ? "gives another type" : "drops");
                mg_err_detail(err, "the view is re-created over the new table, and a view's "
                                   "columns cannot change type");
                mg_err_hint(err, "drop the view before the change and create it again after it");
                return MG_EUSAGE;
            }
        }
    }
    return 0;
}

/*
 * Gives the shadow's indexes (and so their constraints) the original's names, which LIKE does
 * not keep: the ALTER may name them, and after the swap they are the table's.  Two steps, so
 * that no new name collides with a generated one still in use.
 */
static int keep_index_names(struct osc_ctx *x, const char *toid, const char *soid,
                            const struct pg_names *nm, json_t *plan, struct mg_err *err)
{
    const char *p[2] = {toid, soid};
    struct drv_result *r;
    struct mg_buf b = MG_BUF_INIT;
    int rc = osc_q(x, &r, sqlf("osc_pg_index_names"), p, 2, err);

    for (int step = 0; !rc && step < 2; step++) {
        for (size_t i = 0; !rc && i < r->nrows; i++) {
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "migrate_osc_index_%zu", i + 1);
            mg_buf_reset(&b);
            mg_buf_adds(&b, "ALTER INDEX ");
            qname(x, &b, nm->work, step ? tmp : drv_val(r, i, 0));
            mg_buf_adds(&b, " RENAME TO ");
            osc_qi(x, &b, step ? drv_val(r, i, 1) : tmp);
            rc = run_or_plan(x, plan, b.ptr, 0, err);
        }
    }
    drv_result_free(r);
    mg_buf_free(&b);
    return rc;
}

/* Commits or, for a dry run, rolls back; an error rolls back and keeps err. */
static int finish_tx(struct osc_ctx *x, int rc, int dry, struct mg_err *err)
{
    if (rc || dry) {
        drv_rollback_quiet(x->c);
        return rc;
    }
    return drv_commit(x->c, err);
}

/*
 * One attempt of the setup transaction: shadow, change log, position, functions, triggers,
 * the job row.  A dry run fills res->plan and rolls back before creating the triggers.
 */
static int setup_attempt(struct osc_ctx *x, struct pg_start *s, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct pg_names *nm = &s->nm;
    json_t *setup = json_array(), *plan_cols = json_array(), *fks_final = json_array();
    json_t *tfks = NULL, *skip = json_array(), *skeys = NULL, *sql = NULL, *post = json_array();
    json_t *cut = json_array(), *build = json_array();
    struct pg_cols tc = {0}, sc = {0};
    struct pg_gen g;
    struct mg_buf b = MG_BUF_INIT;
    struct drv_result *r = NULL;
    char *soid = NULL, *ret = NULL;
    int rc, empty = 0, dry = o->dry_run;

    memset(&g, 0, sizeof(g));
    g.nm = nm;
    g.qtable = x->qtable.ptr;
    rc = drv_begin_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
    if (rc)
        goto out;

    mg_buf_adds(&b, "CREATE SCHEMA ");
    osc_qi(x, &b, nm->work);
    rc = run_or_plan(x, setup, b.ptr, 0, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE %sTABLE %s (LIKE %s INCLUDING ALL EXCLUDING STATISTICS)",
                s->t.persistence == 'u' ? "UNLOGGED " : "", nm->shadow.ptr, x->qtable.ptr);
    if (!rc)
        rc = run_or_plan(x, setup, b.ptr, 0, err);
    if (!rc && strcmp(s->t.owner, s->t.user)) {
        mg_buf_reset(&b);
        mg_buf_addf(&b, "ALTER TABLE %s OWNER TO ", nm->shadow.ptr);
        osc_qi(x, &b, s->t.owner);
        rc = run_or_plan(x, setup, b.ptr, 0, err);
    }
    if (!rc) {
        json_t *decor = json_array();
        const char *p[2] = {s->t.oid, nm->shadow.ptr};
        rc = collect(x, "osc_pg_decor", p, 2, decor, err);
        for (size_t i = 0; !rc && i < json_array_size(decor); i++)
            rc = run_or_plan(x, setup, json_string_value(json_array_get(decor, i)), 0, err);
        json_decref(decor);
    }
    if (!rc) {
        const char *p[1] = {nm->shadow.ptr};
        rc = osc_q(x, &r, sqlf("osc_pg_regclass"), p, 1, err);
        if (!rc)
            soid = mg_strdup(drv_val(r, 0, 0));
        drv_result_free(r);
        r = NULL;
    }
    if (!rc)
        rc = keep_index_names(x, s->t.oid, soid, nm, setup, err);
    if (!rc)
        rc = read_fks_out(x, s->t.oid, &tfks, err);
    if (rc)
        goto out;

    /*
     * The shadow copies without the original's foreign keys (they would check every copied
     * row); they are added NOT VALID at the cut-over and validated after.  To learn what the
     * ALTER makes of them, it runs once in a savepoint with them in place.
     */
    if (json_array_size(tfks)) {
        json_t *after = NULL;
        rc = osc_ex(x, "SAVEPOINT migrate_osc_fks", err);
        for (size_t i = 0; !rc && i < json_array_size(tfks); i++) {
            json_t *f = json_array_get(tfks, i);
            mg_buf_reset(&b);
            mg_buf_addf(&b, "ALTER TABLE %s ADD CONSTRAINT ", nm->shadow.ptr);
            osc_qi(x, &b, json_string_value(json_object_get(f, "name")));
            mg_buf_addf(&b, " %s", json_string_value(json_object_get(f, "def")));
            rc = osc_ex(x, b.ptr, err);
            /* valid on the empty shadow, so that its definition reads without NOT VALID */
            if (!rc && !json_is_true(json_object_get(f, "valid"))) {
                mg_buf_reset(&b);
                mg_buf_addf(&b, "ALTER TABLE %s VALIDATE CONSTRAINT ", nm->shadow.ptr);
                osc_qi(x, &b, json_string_value(json_object_get(f, "name")));
                rc = osc_ex(x, b.ptr, err);
            }
        }
        if (!rc)
            rc = osc_pg_alter_retarget(&ret, o->alter, nm->work, s->t.name, NULL, &empty, err);
        if (!rc && !empty) {
            rc = osc_ex(x, ret, err);
            if (rc)
                mg_err_context(err, "applying the ALTER to the shadow table: %s", ret);
        }
        free(ret);
        ret = NULL;
        if (!rc)
            rc = read_fks_out(x, soid, &after, err);
        for (size_t i = 0; !rc && i < json_array_size(after); i++) {
            json_t *f = json_array_get(after, i);
            const char *name = json_string_value(json_object_get(f, "name"));
            for (size_t k = 0; k < json_array_size(tfks); k++) {
                json_t *o2 = json_array_get(tfks, k);
                if (strcmp(name, json_string_value(json_object_get(o2, "name"))))
                    continue;
                /* keep the original's validity; the def may say NOT VALID already */
                json_object_set(f, "valid", json_object_get(o2, "valid"));
                json_array_append(fks_final, f);
            }
        }
        json_decref(after);
        if (!rc)
            rc = osc_ex(x, "ROLLBACK TO SAVEPOINT migrate_osc_fks", err);
        for (size_t i = 0; i < json_array_size(tfks); i++)
            json_array_append(skip, json_object_get(json_array_get(tfks, i), "name"));
        if (rc)
            goto out;
    }

    rc = osc_pg_alter_retarget(&ret, o->alter, nm->work, s->t.name, skip, &empty, err);
    if (!rc && !empty) {
        rc = run_or_plan(x, setup, ret, 0, err);
        if (rc)
            mg_err_context(err, "applying the ALTER to the shadow table: %s", ret);
    }
    if (!rc)
        rc = read_cols(x, s->t.oid, &tc, err);
    if (!rc)
        rc = read_cols(x, soid, &sc, err);
    if (!rc)
        rc = map_columns(x, s, &tc, &sc, &g, plan_cols, err);
    if (!rc)
        rc = read_keys(x, soid, &skeys, err);
    if (rc)
        goto out;
    {
        /* ON CONFLICT needs a unique index over exactly the key columns in the shadow */
        int found = 0;
        for (size_t i = 0; i < json_array_size(skeys) && !found; i++) {
            json_t *k = json_array_get(skeys, i), *kc = json_object_get(k, "cols");
            if (!json_is_true(json_object_get(k, "usable")) || json_array_size(kc) != g.nk)
                continue;
            found = 1;
            for (size_t c = 0; c < g.nk; c++)
                if (!has_name(kc, NULL, g.k[c]))
                    found = 0;
        }
        if (!found) {
            mg_err_set(err, MG_EUSAGE, "the ALTER leaves no unique index on (%s), the key of %s",
                       x->res->key[0] ? x->res->key : g.k[0], x->qtable.ptr);
            mg_err_detail(err, "the triggers update the shadow table by this key");
            mg_err_hint(err, "keep the key's index in the change, or add the new key in one "
                             "change and drop the old one in the next");
            rc = MG_EUSAGE;
            goto out;
        }
    }

    /*
     * The copy runs without the shadow's indexes and constraints on them: they are built
     * again after it, from these statements (kept in the job's state).
     */
    {
        const char *p[2] = {soid, nm->shadow.ptr};
        rc = osc_q(x, &r, sqlf("osc_pg_build"), p, 2, err);
        for (size_t i = 0; !rc && i < r->nrows; i++) {
            if (drv_val(r, i, 1))
                rc = run_or_plan(x, setup, drv_val(r, i, 1), 0, err);
            json_array_append_new(
                build, json_pack("{s:s?,s:s}", "name", drv_val(r, i, 0), "sql", drv_val(r, i, 2)));
        }
        drv_result_free(r);
        r = NULL;
        if (rc)
            goto out;
    }
    /* the change log, and the switch the trigger reads on every write */
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE TABLE %s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                nm->log.ptr);
    for (size_t i = 0; i < g.nk; i++)
        mg_buf_addf(&b, ", k%zu %s NOT NULL", i + 1, g.kt[i]);
    mg_buf_adds(&b, ")");
    rc = run_or_plan(x, setup, b.ptr, 0, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE INDEX ON %s (", nm->log.ptr);
    for (size_t i = 0; i < g.nk; i++)
        mg_buf_addf(&b, "%sk%zu", i ? ", " : "", i + 1);
    mg_buf_adds(&b, ")");
    if (!rc)
        rc = run_or_plan(x, setup, b.ptr, 0, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "CREATE TABLE %s (live boolean NOT NULL)", nm->pos.ptr);
    if (!rc)
        rc = run_or_plan(x, setup, b.ptr, 0, err);
    mg_buf_reset(&b);
    mg_buf_addf(&b, "INSERT INTO %s VALUES (false)", nm->pos.ptr);
    if (!rc)
        rc = run_or_plan(x, setup, b.ptr, 0, err);
    if (rc)
        goto out;
    {
        char *fn = gen_sync_fn(x, &g), *tf = gen_trunc_fn(&g);
        rc = run_or_plan(x, setup, fn, 0, err);
        if (!rc)
            rc = run_or_plan(x, setup, tf, 0, err);
        free(fn);
        free(tf);
    }
    if (rc)
        goto out;
    sql = gen_sql(x, &g);

    if (dry) {
        /* the rest as it would run: triggers, and the cut-over as the catalog says now */
        json_t *plan = json_object(), *sqls = json_object(), *batch = json_array();
        mg_buf_reset(&b);
        mg_buf_adds(&b, "CREATE TRIGGER ");
        osc_qi(x, &b, nm->trig_sync);
        mg_buf_addf(&b,
                    " AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
                    x->qtable.ptr, nm->fn_sync.ptr);
        json_array_append_new(setup, json_string(b.ptr));
        mg_buf_reset(&b);
        mg_buf_adds(&b, "CREATE TRIGGER ");
        osc_qi(x, &b, nm->trig_trunc);
        mg_buf_addf(&b, " AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()",
                    x->qtable.ptr, nm->fn_trunc.ptr);
        json_array_append_new(setup, json_string(b.ptr));
        json_array_append(setup, json_object_get(sql, "max_key"));
        rc = cutover_plan(x, nm, s->t.oid, soid, fks_final, cut, post, s->notes, err);
        if (rc)
            goto out;
        mg_buf_reset(&b);
        mg_buf_addf(&b, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", x->qtable.ptr);
        json_array_insert_new(cut, 0, json_string(b.ptr));
        json_array_insert(cut, 1, json_object_get(sql, "replay_upsert"));
        json_array_insert(cut, 2, json_object_get(sql, "replay_delete"));
        json_array_insert(cut, 3, json_object_get(sql, "replay_forget"));
        for (size_t i = 0; i < json_array_size(fks_final); i++) {
            json_t *f = json_array_get(fks_final, i);
            mg_buf_reset(&b);
            mg_buf_addf(&b, "%s (%s)", json_string_value(json_object_get(f, "name")),
                        json_string_value(json_object_get(f, "def")));
            json_array_append_new(s->notes,
                                  json_pack("{s:s,s:s}", "object", b.ptr, "action",
                                            "foreign key: copied without it, added NOT VALID at "
                                            "the cut-over, validated after it"));
        }
        json_array_append(batch, json_object_get(sql, "boundary_next"));
        json_array_append(batch, json_object_get(sql, "copy_next"));
        json_object_set_new(sqls, "setup", json_incref(setup));
        json_object_set_new(sqls, "batch", batch);
        {
            json_t *bl = json_array();
            for (size_t i = 0; i < json_array_size(build); i++)
                json_array_append(bl, json_object_get(json_array_get(build, i), "sql"));
            mg_buf_reset(&b);
            mg_buf_addf(&b, "ANALYZE %s", nm->shadow.ptr);
            json_array_append_new(bl, json_string(b.ptr));
            json_array_append(bl, json_object_get(sql, "go_live"));
            json_object_set_new(sqls, "build", bl);
        }
        json_object_set_new(sqls, "replay",
                            json_pack("[O,O,O,O]", json_object_get(sql, "replay_pick_all"),
                                      json_object_get(sql, "replay_upsert"),
                                      json_object_get(sql, "replay_delete"),
                                      json_object_get(sql, "replay_forget")));
        json_object_set_new(sqls, "verify",
                            json_pack("[O,O]", json_object_get(sql, "boundary_next"),
                                      json_object_get(sql, "verify_next")));
        json_object_set_new(sqls, "cutover", json_incref(cut));
        json_object_set_new(sqls, "after_cutover", json_incref(post));
        json_object_set_new(plan, "table", json_string(x->qtable.ptr));
        json_object_set_new(plan, "statement", json_string(o->alter));
        json_object_set_new(plan, "key", json_string(x->res->key));
        json_object_set(plan, "key_index", json_object_get(s->key, "index"));
        json_object_set_new(plan, "rows_estimate", json_integer(s->t.reltuples));
        json_object_set_new(plan, "size_bytes", json_integer(s->t.bytes));
        json_object_set_new(plan, "shadow", json_string(nm->shadow.ptr));
        json_object_set_new(plan, "columns", json_incref(plan_cols));
        json_object_set_new(plan, "dependents", json_incref(s->notes));
        json_object_set_new(plan, "sql", sqls);
        x->res->plan = plan;
        goto out;
    }

    mg_buf_reset(&b);
    mg_buf_adds(&b, "CREATE TRIGGER ");
    osc_qi(x, &b, nm->trig_sync);
    mg_buf_addf(&b, " AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
                x->qtable.ptr, nm->fn_sync.ptr);
    rc = osc_ex(x, b.ptr, err);
    mg_buf_reset(&b);
    mg_buf_adds(&b, "CREATE TRIGGER ");
    osc_qi(x, &b, nm->trig_trunc);
    mg_buf_addf(&b, " AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()", x->qtable.ptr,
                nm->fn_trunc.ptr);
    if (!rc)
        rc = osc_ex(x, b.ptr, err);
    if (rc)
        goto out;

    /* the copy's end: under the trigger's lock no write is in flight, so this is exact */
    rc = osc_read_max_key(x, json_string_value(json_object_get(sql, "max_key")), err);
    if (rc)
        goto out;
    {
        const char *p[1] = {s->t.oid};
        rc = osc_q(x, &r, sqlf("osc_pg_signature"), p, 1, err);
        if (rc)
            goto out;
        json_object_set_new(x->j->state, "signature", json_string(drv_val(r, 0, 0)));
        drv_result_free(r);
        r = NULL;
    }
    json_object_set_new(x->j->state, "table_oid", json_string(s->t.oid));
    json_object_set_new(x->j->state, "work_schema", json_string(nm->work));
    json_object_set_new(x->j->state, "old_schema", json_string(nm->old));
    json_object_set_new(x->j->state, "trigger_sync", json_string(nm->trig_sync));
    json_object_set_new(x->j->state, "trigger_truncate", json_string(nm->trig_trunc));
    json_object_set_new(x->j->state, "fks_out", json_incref(fks_final));
    json_object_set_new(x->j->state, "columns", json_incref(plan_cols));
    json_object_set_new(x->j->state, "sql", json_incref(sql));
    json_object_set_new(x->j->state, "build", json_incref(build));
    snprintf(x->j->phase, sizeof(x->j->phase), "%s", x->j->max_key ? OSC_COPY : OSC_BUILD);
    rc = osc_job_insert(x, err);
out:
    rc = finish_tx(x, rc, dry, err);
    pg_cols_free(&tc);
    pg_cols_free(&sc);
    free_copycols(g.cols, g.ncols);
    json_decref(setup);
    json_decref(plan_cols);
    json_decref(fks_final);
    json_decref(tfks);
    json_decref(skip);
    json_decref(skeys);
    json_decref(sql);
    json_decref(post);
    json_decref(cut);
    json_decref(build);
    free(soid);
    free(ret);
    mg_buf_free(&b);
    return rc;
}

/* Resolves the table a job is for and refuses it early when it cannot be done. */
static int resolve(struct osc_ctx *x, const char *name, struct pg_table *t, struct mg_err *err)
{
    int rc = read_table(x, name, t, err);

    if (rc)
        return rc;
    mg_buf_reset(&x->qtable);
    qname(x, &x->qtable, t->schema, t->name);
    return 0;
}

static int pg_start_alter(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct pg_start s;
    struct drv_result *r;
    struct mg_buf name = MG_BUF_INIT;
    int rc;

    memset(&s, 0, sizeof(s));
    s.notes = json_array();
    rc = osc_pg_alter_read(&s.a, o->alter, err);
    if (rc)
        goto out;
    if (s.a.schema) {
        osc_qi(x, &name, s.a.schema);
        mg_buf_addch(&name, '.');
    }
    osc_qi(x, &name, s.a.relname);
    rc = resolve(x, o->table ? o->table : name.ptr, &s.t, err);
    if (!rc && o->table) {
        struct pg_table t2;
        rc = read_table(x, name.ptr, &t2, err);
        if (!rc && strcmp(t2.oid, s.t.oid)) {
            mg_err_set(err, MG_EUSAGE, "--table names %s, but the ALTER changes %s.%s",
                       x->qtable.ptr, t2.schema, t2.name);
            rc = MG_EUSAGE;
        }
        pg_table_free(&t2);
    }
    if (!rc)
        rc = check_table(&s.t, x->qtable.ptr, err);
    if (!rc)
        rc = choose_key(x, &s, err);
    if (!rc)
        rc = osc_check_no_other_job(x, s.t.schema, s.t.name, err);
    if (!rc)
        rc = check_dependents(x, &s, err);
    if (rc)
        goto out;
    {
        json_t *kc = json_object_get(s.key, "cols");
        for (size_t i = 0; i < json_array_size(kc); i++) {
            size_t l = strlen(x->res->key);
            snprintf(x->res->key + l, sizeof(x->res->key) - l, "%s%s", i ? ", " : "",
                     json_string_value(json_array_get(kc, i)));
        }
    }
    rc = osc_q(x, &r, sqlf("osc_job_nextid"), NULL, 0, err);
    if (rc)
        goto out;
    s.id = atoll(drv_val(r, 0, 0));
    drv_result_free(r);
    x->j = osc_job_new(x, "alter", OSC_COPY, s.t.schema, s.t.name, json_object_get(s.key, "cols"),
                       s.t.reltuples);
    x->j->id = s.id;
    pg_names_init(x, &s.nm, s.id, s.t.name);
    if (!o->dry_run)
        mg_info("osc job %lld: %s (~%lld rows, key %s)", s.id, o->alter, s.t.reltuples,
                x->res->key);
    {
        int64_t deadline = mg_monotonic_ms() + o->cutover_timeout_ms;
        for (int attempt = 1;; attempt++) {
            rc = setup_attempt(x, &s, err);
            if (!rc ||
                osc_retry_wait(x, attempt, deadline, "creating the shadow table and triggers", err))
                break;
        }
    }
    if (!rc && !o->dry_run)
        mg_info("osc job %lld: shadow table %s and triggers are in place", s.id, s.nm.shadow.ptr);
out:
    if (rc && x->j && !o->dry_run) {
        /* nothing was committed: the job does not exist */
        x->j->id = 0;
    }
    mg_buf_free(&name);
    pg_start_free(&s);
    return rc;
}

static int pg_start_backfill(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    struct pg_start s;
    struct pg_gen g;
    struct drv_result *r = NULL;
    struct mg_buf b = MG_BUF_INIT;
    json_t *sql = json_object();
    int rc;

    memset(&s, 0, sizeof(s));
    memset(&g, 0, sizeof(g));
    if (!o->table) {
        json_decref(sql);
        return mg_err_set(err, MG_EUSAGE, "--backfill needs --table");
    }
    rc = osc_pg_backfill_read(o->backfill, o->where, err);
    if (!rc)
        rc = resolve(x, o->table, &s.t, err);
    if (!rc && s.t.kind != 'r' && s.t.kind != 'p') {
        mg_err_set(err, MG_EUSAGE, "%s is not a table", x->qtable.ptr);
        rc = MG_EUSAGE;
    }
    if (!rc)
        rc = choose_key(x, &s, err);
    if (!rc)
        rc = osc_check_no_other_job(x, s.t.schema, s.t.name, err);
    if (rc)
        goto out;
    json_t *kc = json_object_get(s.key, "cols"), *kt = json_object_get(s.key, "types");
    g.nk = json_array_size(kc);
    g.qtable = x->qtable.ptr;
    for (size_t i = 0; i < g.nk; i++) {
        g.k[i] = json_string_value(json_array_get(kc, i));
        g.kt[i] = json_string_value(json_array_get(kt, i));
        size_t l = strlen(x->res->key);
        snprintf(x->res->key + l, sizeof(x->res->key) - l, "%s%s", i ? ", " : "", g.k[i]);
    }
    put(sql, "boundary_first", gen_boundary(x, &g, 0));
    put(sql, "boundary_next", gen_boundary(x, &g, 1));
    for (int lo = 0; lo < 2; lo++) {
        PgQuery__ParseResult *tree;
        mg_buf_reset(&b);
        mg_buf_addf(&b, "UPDATE %s %s WHERE ", x->qtable.ptr, o->backfill);
        krange(x, &b, NULL, &g, lo, 0);
        if (o->where)
            mg_buf_addf(&b, " AND (%s)", o->where);
        /* the pieces are checked; the whole must still be one UPDATE of this table */
        rc = parse_one(&tree, b.ptr, "the backfill", err);
        if (rc)
            goto out;
        int one = tree->n_stmts == 1 && tree->stmts[0]->stmt &&
                  tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT;
        pg_query__parse_result__free_unpacked(tree, NULL);
        if (!one) {
            rc = mg_err_set(err, MG_EUSAGE, "--backfill and --where do not make one UPDATE");
            goto out;
        }
        json_object_set_new(sql, lo ? "update_next" : "update_first", json_string(b.ptr));
    }
    mg_buf_reset(&b);
    mg_buf_adds(&b, "SELECT ");
    korder(x, &b, "src", &g);
    mg_buf_addf(&b, " FROM %s AS src ORDER BY ", x->qtable.ptr);
    for (size_t i = 0; i < g.nk; i++) {
        mg_buf_addf(&b, "%ssrc.", i ? ", " : "");
        osc_qi(x, &b, g.k[i]);
        mg_buf_adds(&b, " DESC");
    }
    mg_buf_adds(&b, " LIMIT 1");
    json_object_set_new(sql, "max_key", json_string(b.ptr));
    if (o->dry_run) {
        osc_backfill_plan(x, sql, json_incref(json_object_get(s.key, "index")), s.t.reltuples,
                          s.t.bytes);
        goto out;
    }
    rc = osc_q(x, &r, sqlf("osc_job_nextid"), NULL, 0, err);
    if (rc)
        goto out;
    x->j = osc_job_new(x, "backfill", OSC_COPY, s.t.schema, s.t.name, kc, s.t.reltuples);
    x->j->id = atoll(drv_val(r, 0, 0));
    drv_result_free(r);
    r = NULL;
    rc = drv_begin_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
    if (!rc)
        rc = osc_read_max_key(x, json_string_value(json_object_get(sql, "max_key")), err);
    json_object_set_new(x->j->state, "sql", json_incref(sql));
    json_object_set_new(x->j->state, "table_oid", json_string(s.t.oid));
    snprintf(x->j->phase, sizeof(x->j->phase), "%s", x->j->max_key ? OSC_COPY : OSC_DONE);
    if (!rc)
        rc = osc_job_insert(x, err);
    rc = finish_tx(x, rc, 0, err);
    if (rc && x->j)
        x->j->id = 0;
    else
        mg_info("osc job %lld: backfill of %s (~%lld rows, key %s)", x->j->id, x->qtable.ptr,
                s.t.reltuples, x->res->key);
out:
    json_decref(sql);
    mg_buf_free(&b);
    pg_start_free(&s);
    return rc;
}

/* ---------- running ---------- */

/*
 * The end of the range of up to n rows after `lo` (NULL: from the start), never past the
 * job's max key: *hi is a new reference.
 */
static int range_end(struct osc_ctx *x, const json_t *lo, long n, json_t **hi, struct mg_err *err)
{
    const char *p[2 * MAX_KEYS + 1];
    size_t np = 0, nk = json_array_size(x->j->keycols);
    char off[24];
    struct drv_result *r;
    int rc;

    *hi = NULL;
    np += osc_key_params(lo, p, MAX_KEYS);
    np += osc_key_params(x->j->max_key, p + np, MAX_KEYS);
    snprintf(off, sizeof(off), "%ld", n > 0 ? n - 1 : 0);
    p[np++] = off;
    rc = osc_q(x, &r, osc_sqlt(x, lo ? "boundary_next" : "boundary_first"), p, np, err);
    if (rc)
        return rc;
    if (r->nrows) {
        const char *vals[MAX_KEYS];
        for (size_t i = 0; i < nk; i++)
            vals[i] = drv_val(r, 0, i);
        rc = osc_key_json(vals, nk, hi, err);
    } else {
        *hi = json_incref(x->j->max_key);
    }
    drv_result_free(r);
    return rc;
}

/* Parameters lo..., hi... of a range statement. */
static size_t range_params(const json_t *lo, const json_t *hi, const char **p)
{
    size_t np = osc_key_params(lo, p, MAX_KEYS);
    return np + osc_key_params(hi, p + np, MAX_KEYS);
}

/* Runs a statement and returns the rows it changed in *n. */
static int q_count(struct osc_ctx *x, const char *sql, const char *const *p, size_t np,
                   long long *n, struct mg_err *err)
{
    struct drv_result *r;
    int rc = osc_q(x, &r, sql, p, np, err);

    if (!rc)
        *n = r->affected > 0 ? r->affected : 0;
    drv_result_free(r);
    return rc;
}

static int pg_batch(struct osc_ctx *x, long n, long long *rows, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    int backfill = !strcmp(x->j->kind, "backfill");
    const json_t *lo = x->j->last_key;
    json_t *hi = NULL;
    const char *p[2 * MAX_KEYS];
    size_t np;
    int rc;
    int64_t deadline = mg_monotonic_ms() + o->cutover_timeout_ms;

    for (int attempt = 1;; attempt++) {
        *rows = 0;
        rc = drv_begin_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
        if (!rc)
            rc = range_end(x, lo, n, &hi, err);
        if (!rc) {
            np = range_params(lo, hi, p);
            if (backfill)
                rc = q_count(x, osc_sqlt(x, lo ? "update_next" : "update_first"), p, np, rows, err);
            else
                rc = q_count(x, osc_sqlt(x, lo ? "copy_next" : "copy_first"), p, np, rows, err);
        }
        if (!rc && !(rc = osc_batch_commit(x, hi, *rows, err)))
            return 0;
        drv_rollback_quiet(x->c);
        json_decref(hi);
        hi = NULL;
        if (osc_retry_wait(x, attempt, deadline, "a batch", err))
            return rc;
    }
}

/* Log entry ids as a bigint[] literal ("{1,2,3}"); *count is how many. */
static int pick(struct osc_ctx *x, long n, struct mg_buf *ids, size_t *count, struct mg_err *err)
{
    char lim[24];
    const char *p[1] = {lim};
    struct drv_result *r;
    int rc;

    *count = 0;
    snprintf(lim, sizeof(lim), "%ld", n);
    rc = osc_q(x, &r, osc_sqlt(x, "replay_pick_all"), p, 1, err);
    if (rc)
        return rc;
    mg_buf_reset(ids);
    mg_buf_addch(ids, '{');
    for (size_t i = 0; i < r->nrows; i++) {
        const char *v = drv_val(r, i, 0);
        if (!all_digits(v))
            continue;
        mg_buf_addf(ids, "%s%s", *count ? "," : "", v);
        (*count)++;
    }
    mg_buf_addch(ids, '}');
    drv_result_free(r);
    return 0;
}

/* Re-reads the rows of these log entries into the shadow and forgets the entries. */
static int replay_ids(struct osc_ctx *x, const char *ids, struct mg_err *err)
{
    const char *p[1] = {ids};
    int rc = osc_q0(x, osc_sqlt(x, "replay_upsert"), p, 1, err);

    if (!rc)
        rc = osc_q0(x, osc_sqlt(x, "replay_delete"), p, 1, err);
    if (!rc)
        rc = osc_q0(x, osc_sqlt(x, "replay_forget"), p, 1, err);
    return rc;
}

static int pg_replay(struct osc_ctx *x, long n, long long *done, long long *left,
                     struct mg_err *err)
{
    struct mg_buf ids = MG_BUF_INIT;
    size_t count = 0;
    int rc;

    *done = 0;
    *left = 0;
    if (!strcmp(x->j->kind, "backfill"))
        return 0;
    rc = drv_begin_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
    if (!rc)
        rc = pick(x, n, &ids, &count, err);
    if (!rc && count) {
        rc = replay_ids(x, ids.ptr, err);
        if (!rc)
            rc = osc_job_save_replayed(x, (long long)count, err);
    }
    if (!rc)
        rc = drv_commit(x->c, err);
    mg_buf_free(&ids);
    if (rc) {
        drv_rollback_quiet(x->c);
        /* a row held by a long transaction: the entries stay, a later replay gets them */
        if (mg_err_retryable(err)) {
            mg_debug("osc job %lld: replay postponed: %s", x->j->id, err->msg);
            mg_err_clear(err);
            *left = 1;
            return 0;
        }
        return rc;
    }
    *done = (long long)count;
    *left = (long)count >= n ? n : 0;
    return 0;
}

static int pg_verify(struct osc_ctx *x, long n, int *match, long long *rows, struct mg_buf *detail,
                     struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    const json_t *lo = x->j->verified_key;
    json_t *hi = NULL;
    const char *p[2 * MAX_KEYS];
    struct drv_result *r = NULL;
    size_t np;
    int rc;

    *match = 0;
    *rows = 0;
    if (!x->j->max_key) { /* the table was empty when the job started */
        *match = 1;
        return osc_job_save_phase(x, OSC_CUTOVER, 0, err);
    }
    rc = drv_begin_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
    if (!rc)
        rc = range_end(x, lo, n, &hi, err);
    if (rc)
        goto out;
    np = range_params(lo, hi, p);
    rc = osc_q(x, &r, osc_sqlt(x, lo ? "verify_next" : "verify_first"), p, np, err);
    if (rc)
        goto out;
    *rows = atoll(drv_val(r, 0, 0));
    rc = osc_range_compared(x, lo, hi, drv_val(r, 0, 0), drv_val(r, 0, 1), drv_val(r, 0, 2),
                            drv_val(r, 0, 3), match, detail, err);
    if (rc || *match)
        goto out;
    rc = osc_q0(x, osc_sqlt(x, lo ? "enqueue_next" : "enqueue_first"), p, np, err);
    if (!rc)
        rc = drv_commit(x->c, err);
out:
    if (rc)
        drv_rollback_quiet(x->c);
    drv_result_free(r);
    json_decref(hi);
    return rc;
}

/* Runs one statement in its own transaction under the cut-over lock timeout, with retries. */
static int run_retried(struct osc_ctx *x, const char *sql, const char *what, struct mg_err *err);

static int pg_build(struct osc_ctx *x, struct mg_err *err)
{
    json_t *build = json_object_get(x->j->state, "build");
    const char *work = osc_st_str(x, "work_schema");
    struct pg_names nm;
    int rc = 0;

    pg_names_init(x, &nm, x->j->id, x->j->table);
    for (size_t i = 0; !rc && i < json_array_size(build); i++) {
        json_t *it = json_array_get(build, i);
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *sql = json_string_value(json_object_get(it, "sql"));
        int64_t t = mg_monotonic_ms();
        if (name) {
            const char *p[3] = {nm.shadow.ptr, name, work ? work : nm.work};
            struct drv_result *r;
            rc = osc_q(x, &r, sqlf("osc_pg_built"), p, 3, err);
            int done = !rc && osc_is_true(drv_val(r, 0, 0));
            drv_result_free(r);
            if (rc || done)
                continue;
        }
        rc = run_retried(x, sql, "building the shadow's indexes", err);
        if (rc)
            mg_err_context(err, "building the shadow table's indexes: %s", sql);
        else if (name)
            mg_info("osc job %lld: built %s in %.1fs", x->j->id, name,
                    (double)(mg_monotonic_ms() - t) / 1000);
    }
    /* the new table starts with planner statistics, as pg_repack's does */
    if (!rc) {
        struct mg_buf b = MG_BUF_INIT;
        int64_t t = mg_monotonic_ms();
        mg_buf_addf(&b, "ANALYZE %s", nm.shadow.ptr);
        rc = run_retried(x, b.ptr, "analyzing the shadow table", err);
        mg_buf_free(&b);
        if (!rc)
            mg_debug("osc job %lld: analyzed the shadow table in %lldms", x->j->id,
                     (long long)(mg_monotonic_ms() - t));
    }
    /* from now on the triggers write the shadow directly; the log holds what came before */
    if (!rc)
        rc = drv_begin_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
    if (!rc)
        rc = osc_q0(x, osc_sqlt(x, "go_live"), NULL, 0, err);
    if (!rc)
        rc = osc_job_save_phase(x, OSC_VERIFY, 0, err);
    if (!rc)
        rc = drv_commit(x->c, err);
    if (rc) {
        drv_rollback_quiet(x->c);
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", OSC_BUILD);
    }
    pg_names_free(&nm);
    return rc;
}

/* The job's object names, from its state. */
static void names_from_state(struct osc_ctx *x, struct pg_names *nm)
{
    pg_names_init(x, nm, x->j->id, x->j->table);
}

static int pg_cutover(struct osc_ctx *x, struct mg_err *err)
{
    const struct mg_osc_opts *o = x->o;
    const char *toid = osc_st_str(x, "table_oid");
    struct pg_names nm;
    struct mg_buf b = MG_BUF_INIT, ids = MG_BUF_INIT;
    struct drv_result *r = NULL;
    json_t *list = json_array(), *post = json_array();
    char *soid = NULL;
    int rc;

    names_from_state(x, &nm);
    rc = drv_begin_timeouts(x->c, o->cutover_lock_ms, o->statement_timeout_ms, err);
    mg_buf_addf(&b, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", x->qtable.ptr);
    if (!rc)
        rc = osc_ex(x, b.ptr, err);
    if (rc)
        goto out;
    /* the last checks, under the lock: same table, triggers intact, definition unchanged */
    {
        const char *p[5] = {x->qtable.ptr, toid, nm.shadow.ptr, nm.trig_sync, nm.trig_trunc};
        rc = osc_q(x, &r, sqlf("osc_pg_state_check"), p, 5, err);
        if (rc)
            goto out;
        if (!osc_is_true(drv_val(r, 0, 0)) || !drv_val(r, 0, 1)) {
            rc = mg_err_set(err, MG_EATTENTION,
                            "%s or its shadow table was dropped or replaced while the job ran",
                            x->qtable.ptr);
            mg_err_hint(err, "nothing was swapped; remove the job with 'migrate osc --abort %lld'",
                        x->j->id);
            goto out;
        }
        if (strcmp(drv_val(r, 0, 2), "2")) {
            rc = mg_err_set(err, MG_EATTENTION,
                            "the triggers of osc job %lld on %s were dropped or disabled", x->j->id,
                            x->qtable.ptr);
            mg_err_detail(err, "writes made without them are missing from the shadow table");
            mg_err_hint(err,
                        "nothing was swapped; remove the job with 'migrate osc --abort %lld' "
                        "and start again",
                        x->j->id);
            goto out;
        }
        soid = mg_strdup(drv_val(r, 0, 1));
        drv_result_free(r);
        r = NULL;
    }
    {
        const char *p[1] = {toid};
        rc = osc_q(x, &r, sqlf("osc_pg_signature"), p, 1, err);
        if (rc)
            goto out;
        rc = osc_check_signature(x, drv_val(r, 0, 0), "columns, indexes or constraints", err);
        if (rc)
            goto out;
        drv_result_free(r);
        r = NULL;
    }
    /* nothing writes now: replay what is left, then the log is empty */
    for (;;) {
        size_t count = 0;
        rc = pick(x, 10000, &ids, &count, err);
        if (!rc && count)
            rc = replay_ids(x, ids.ptr, err);
        if (!rc && count)
            rc = osc_job_save_replayed(x, (long long)count, err);
        if (rc || !count)
            break;
        x->j->rows_replayed += (long long)count;
    }
    if (rc)
        goto out;
    rc = cutover_plan(x, &nm, toid, soid, json_object_get(x->j->state, "fks_out"), list, post, NULL,
                      err);
    for (size_t i = 0; !rc && i < json_array_size(list); i++)
        rc = osc_ex(x, json_string_value(json_array_get(list, i)), err);
    if (rc) {
        mg_err_context(err, "the cut-over (rolled back, nothing was swapped)");
        goto out;
    }
    mg_buf_reset(&b);
    qname(x, &b, nm.old, x->j->table);
    json_object_set_new(x->j->state, "old_table", json_string(b.ptr));
    json_object_set_new(x->j->state, "post", json_incref(post));
    json_object_set_new(x->j->state, "post_done", json_integer(0));
    json_object_del(x->j->state, "sql");
    rc = osc_job_save_phase(x, OSC_SWAPPED, 1, err);
    if (!rc)
        rc = drv_commit(x->c, err);
    if (rc)
        snprintf(x->j->phase, sizeof(x->j->phase), "%s", OSC_CUTOVER);
out:
    if (rc)
        drv_rollback_quiet(x->c);
    drv_result_free(r);
    json_decref(list);
    json_decref(post);
    free(soid);
    mg_buf_free(&b);
    mg_buf_free(&ids);
    pg_names_free(&nm);
    return rc;
}

/* Runs one statement in its own transaction under the cut-over lock timeout, with retries. */
static int run_retried(struct osc_ctx *x, const char *sql, const char *what, struct mg_err *err)
{
    int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
    int rc;

    for (int attempt = 1;; attempt++) {
        rc = drv_begin_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
        if (!rc)
            rc = osc_ex(x, sql, err);
        if (!rc)
            rc = drv_commit(x->c, err);
        if (!rc)
            return 0;
        drv_rollback_quiet(x->c);
        if (osc_retry_wait(x, attempt, deadline, what, err))
            return rc;
    }
}

static int pg_finish(struct osc_ctx *x, struct mg_err *err)
{
    json_t *post = json_object_get(x->j->state, "post");
    int rc = 0;

    if (!strcmp(x->j->kind, "backfill"))
        return osc_job_save_phase(x, OSC_DONE, 0, err);
    for (size_t i = (size_t)json_integer_value(json_object_get(x->j->state, "post_done"));
         i < json_array_size(post); i++) {
        const char *sql = json_string_value(json_array_get(post, i));
        int64_t t = mg_monotonic_ms();
        rc = run_retried(x, sql, "after the swap", err);
        if (rc) {
            mg_err_context(err, "after the swap, running: %s", sql);
            return rc;
        }
        mg_debug("osc job %lld: %s (%lldms)", x->j->id, sql, (long long)(mg_monotonic_ms() - t));
        json_object_set_new(x->j->state, "post_done", json_integer((json_int_t)i + 1));
        rc = osc_job_save_phase(x, x->j->phase, 1, err);
        if (rc)
            return rc;
    }
    if (x->o->drop_old && !json_is_true(json_object_get(x->j->state, "old_dropped"))) {
        struct mg_buf b = MG_BUF_INIT;
        const char *old = osc_st_str(x, "old_table");
        mg_buf_addf(&b, "DROP TABLE %s; DROP SCHEMA ", old);
        osc_qi(x, &b, osc_st_str(x, "old_schema"));
        rc = run_retried(x, b.ptr, "dropping the old table", err);
        mg_buf_free(&b);
        if (rc) {
            mg_err_context(err, "dropping the old table %s", old);
            return rc;
        }
        json_object_set_new(x->j->state, "old_dropped", json_true());
        mg_info("osc job %lld: dropped the old table %s", x->j->id, old);
    }
    return osc_job_save_phase(x, OSC_DONE, 1, err);
}

static int pg_abort(struct osc_ctx *x, struct mg_err *err)
{
    const char *toid = osc_st_str(x, "table_oid");
    struct pg_names nm;
    struct mg_buf b = MG_BUF_INIT;
    struct drv_result *r;
    int64_t deadline = mg_monotonic_ms() + x->o->cutover_timeout_ms;
    int rc;

    if (!strcmp(x->j->kind, "backfill")) {
        mg_info("osc job %lld: the rows updated so far stay updated", x->j->id);
        return osc_job_save_phase(x, OSC_ABORTED, 0, err);
    }
    names_from_state(x, &nm);
    for (int attempt = 1;; attempt++) {
        int same = 0;
        rc = drv_begin_timeouts(x->c, x->o->cutover_lock_ms, x->o->statement_timeout_ms, err);
        if (!rc) {
            const char *p[5] = {x->qtable.ptr, toid ? toid : "", nm.shadow.ptr, nm.trig_sync,
                                nm.trig_trunc};
            rc = osc_q(x, &r, sqlf("osc_pg_state_check"), p, 5, err);
            if (!rc)
                same = osc_is_true(drv_val(r, 0, 0));
            drv_result_free(r);
        }
        if (!rc && same) {
            mg_buf_reset(&b);
            mg_buf_adds(&b, "DROP TRIGGER IF EXISTS ");
            osc_qi(x, &b, nm.trig_sync);
            mg_buf_addf(&b, " ON %s; DROP TRIGGER IF EXISTS ", x->qtable.ptr);
            osc_qi(x, &b, nm.trig_trunc);
            mg_buf_addf(&b, " ON %s", x->qtable.ptr);
            rc = osc_ex(x, b.ptr, err);
        }
        if (!rc) {
            mg_buf_reset(&b);
            mg_buf_adds(&b, "DROP SCHEMA IF EXISTS ");
            osc_qi(x, &b, nm.work);
            mg_buf_adds(&b, " CASCADE");
            rc = osc_ex(x, b.ptr, err);
        }
        if (!rc)
            rc = osc_job_save_phase(x, OSC_ABORTED, 0, err);
        if (!rc)
            rc = drv_commit(x->c, err);
        if (!rc)
            break;
        drv_rollback_quiet(x->c);
        if (osc_retry_wait(x, attempt, deadline, "removing the triggers", err))
            break;
    }
    if (!rc)
        mg_info("osc job %lld: aborted; removed the triggers on %s and the shadow table %s",
                x->j->id, x->qtable.ptr, nm.shadow.ptr);
    mg_buf_free(&b);
    pg_names_free(&nm);
    return rc;
}

static int pg_check(struct osc_ctx *x, struct mg_err *err)
{
    const char *toid = osc_st_str(x, "table_oid");
    struct pg_names nm;
    struct drv_result *r;
    int rc;

    if (!strcmp(x->j->phase, OSC_SWAPPED) || !strcmp(x->j->phase, OSC_DONE))
        return 0;
    names_from_state(x, &nm);
    {
        const char *p[5] = {x->qtable.ptr, toid ? toid : "", nm.shadow.ptr, nm.trig_sync,
                            nm.trig_trunc};
        rc = osc_q(x, &r, sqlf("osc_pg_state_check"), p, 5, err);
    }
    if (rc) {
        pg_names_free(&nm);
        return rc;
    }
    if (!osc_is_true(drv_val(r, 0, 0))) {
        rc = mg_err_set(err, MG_EATTENTION, "%s was dropped or replaced since osc job %lld started",
                        x->qtable.ptr, x->j->id);
        mg_err_hint(err, "remove the job with 'migrate osc --abort %lld'", x->j->id);
    } else if (!strcmp(x->j->kind, "alter") && !drv_val(r, 0, 1)) {
        rc = mg_err_set(err, MG_EATTENTION, "the shadow table %s of osc job %lld is gone",
                        nm.shadow.ptr, x->j->id);
        mg_err_hint(err, "remove the job with 'migrate osc --abort %lld' and start again",
                    x->j->id);
    } else if (!strcmp(x->j->kind, "alter") && strcmp(drv_val(r, 0, 2), "2")) {
        rc = mg_err_set(err, MG_EATTENTION,
                        "the triggers of osc job %lld on %s were dropped or disabled", x->j->id,
                        x->qtable.ptr);
        mg_err_detail(err, "writes made without them are missing from the shadow table");
        mg_err_hint(err, "remove the job with 'migrate osc --abort %lld' and start again",
                    x->j->id);
    }
    drv_result_free(r);
    pg_names_free(&nm);
    return rc;
}

static void pg_blockers(struct osc_ctx *x, struct mg_buf *out)
{
    const char *toid = osc_st_str(x, "table_oid");
    const char *p[1] = {toid};
    struct drv_result *r;
    struct mg_err e;

    mg_err_clear(&e);
    if (!toid || drv_query(x->c, &r, sqlf("osc_pg_blockers"), p, 1, &e))
        return;
    for (size_t i = 0; i < r->nrows; i++)
        mg_buf_addf(out, "%spid %s (%s, application '%s', %s, transaction open %ss: %s)",
                    i ? "; " : "", drv_val(r, i, 0), drv_val(r, i, 1), drv_val(r, i, 2),
                    drv_val(r, i, 3), drv_val(r, i, 4), drv_val(r, i, 5));
    drv_result_free(r);
}

const struct osc_backend osc_pg_backend = {
    .dialect = "postgres",
    .start_alter = pg_start_alter,
    .start_backfill = pg_start_backfill,
    .check = pg_check,
    .batch = pg_batch,
    .build = pg_build,
    .replay = pg_replay,
    .verify = pg_verify,
    .cutover = pg_cutover,
    .finish = pg_finish,
    .abort = pg_abort,
    .blockers = pg_blockers,
};
