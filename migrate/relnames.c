/*
 * relnames.c — relations named by PostgreSQL statements (see relnames.h).
 *
 * The protobuf tree of pg_query_parse_protobuf is walked generically through
 * protobuf-c's descriptors, so every RangeVar is found wherever the grammar
 * puts it (FROM lists, ALTER TABLE, REFERENCES, ATTACH PARTITION, GRANT ...).
 * Names that are not RangeVars (DROP INDEX, COMMENT ON TABLE) are read from
 * their statements.
 */
#include "relnames.h"

#include <pg_query.h>
#include <pg_query.pb-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "util.h"

static void quote(struct mg_buf *b, const char *ident)
{
    mg_buf_addch(b, '"');
    for (const char *p = ident; *p; p++) {
        if (*p == '"')
            mg_buf_addch(b, '"');
        mg_buf_addch(b, *p);
    }
    mg_buf_addch(b, '"');
}

static void add(struct mg_relnames *out, const char *schema, const char *name, int is_index,
                const char *may_rewrite)
{
    struct mg_buf q = MG_BUF_INIT;

    if (!name || !*name)
        return;
    if (schema && !*schema)
        schema = NULL;
    if (schema) {
        quote(&q, schema);
        mg_buf_addch(&q, '.');
    }
    quote(&q, name);
    for (size_t i = 0; i < out->n; i++) {
        if (!strcmp(out->v[i].qname, q.ptr)) {
            out->v[i].is_index |= is_index;
            if (may_rewrite && !out->v[i].may_rewrite)
                out->v[i].may_rewrite = may_rewrite;
            mg_buf_free(&q);
            return;
        }
    }
    out->v = mg_realloc(out->v, (out->n + 1) * sizeof(*out->v));
    struct mg_relname *r = &out->v[out->n++];
    r->qname = mg_buf_detach(&q);
    r->schema = schema ? mg_strdup(schema) : NULL;
    r->name = mg_strdup(name);
    r->is_index = is_index;
    r->may_rewrite = may_rewrite;
}

static void add_rangevar(struct mg_relnames *out, const PgQuery__RangeVar *rv, int is_index,
                         const char *may_rewrite)
{
    if (rv)
        add(out, rv->schemaname, rv->relname, is_index, may_rewrite);
}

/* A List node of String nodes (["schema", "name"] or ["name"]) as a relation name. */
static void add_name_list(struct mg_relnames *out, const PgQuery__Node *n, int is_index)
{
    const char *parts[3] = {NULL, NULL, NULL};
    size_t k = 0;

    if (!n || n->node_case != PG_QUERY__NODE__NODE_LIST)
        return;
    for (size_t i = 0; i < n->list->n_items && k < 3; i++) {
        const PgQuery__Node *s = n->list->items[i];
        if (s->node_case != PG_QUERY__NODE__NODE_STRING)
            return;
        parts[k++] = s->string->sval;
    }
    if (k == 1)
        add(out, NULL, parts[0], is_index, NULL);
    else if (k == 2)
        add(out, parts[0], parts[1], is_index, NULL);
    else if (k == 3) /* database.schema.name */
        add(out, parts[1], parts[2], is_index, NULL);
}

static int is_relation_object(PgQuery__ObjectType t, int *is_index)
{
    *is_index = t == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX;
    return t == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || t == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW || t == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE;
}

/* Is a column default possibly volatile?  Anything but a constant or a cast of one may be. */
static int maybe_volatile(const PgQuery__Node *n)
{
    if (!n)
        return 0;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return 0;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        return maybe_volatile(n->type_cast->arg);
    default:
        return 1;
    }
}

/* Why ADD COLUMN may rewrite the table, or NULL. */
static const char *add_column_rewrite(const PgQuery__ColumnDef *cd)
{
    if (!cd)
        return NULL;
    if (cd->type_name && cd->type_name->n_names) {
        const PgQuery__Node *last = cd->type_name->names[cd->type_name->n_names - 1];
        if (last->node_case == PG_QUERY__NODE__NODE_STRING &&
            (!strcmp(last->string->sval, "serial") || !strcmp(last->string->sval, "bigserial") ||
             !strcmp(last->string->sval, "smallserial") || !strcmp(last->string->sval, "serial4") ||
             !strcmp(last->string->sval, "serial8") || !strcmp(last->string->sval, "serial2")))
            return "ADD COLUMN of a serial type fills every row";
    }
    for (size_t i = 0; i < cd->n_constraints; i++) {
        const PgQuery__Node *c = cd->constraints[i];
        if (c->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        switch (c->constraint->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
            return "ADD COLUMN ... GENERATED AS IDENTITY fills every row";
        case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
            return "ADD COLUMN ... GENERATED ALWAYS AS ... STORED computes every row";
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
            if (maybe_volatile(c->constraint->raw_expr))
                return "ADD COLUMN with a default that may be volatile rewrites the table";
            break;
        default:
            break;
        }
    }
    return NULL;
}

static void alter_table(struct mg_relnames *out, const PgQuery__AlterTableStmt *s)
{
    const char *why = NULL;

    for (size_t i = 0; i < s->n_cmds; i++) {
        const PgQuery__Node *n = s->cmds[i];
        if (n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        const PgQuery__AlterTableCmd *c = n->alter_table_cmd;
        switch (c->subtype) {
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
            why = "ALTER COLUMN TYPE rewrites the table unless the types are binary-compatible";
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
            why = "SET TABLESPACE copies the table";
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
            why = "SET LOGGED/UNLOGGED rewrites the table";
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
            why = "SET ACCESS METHOD rewrites the table";
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
            if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
                add_column_rewrite(c->def->column_def))
                why = add_column_rewrite(c->def->column_def);
            break;
        default:
            break;
        }
    }
    add_rangevar(out, s->relation, s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, why);
}

/* Statements whose names are not (only) RangeVars, or that say something about rewrites. */
static void special(struct mg_relnames *out, const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    int is_index;

    if (d == &pg_query__drop_stmt__descriptor) {
        const PgQuery__DropStmt *s = (const PgQuery__DropStmt *)m;
        if (is_relation_object(s->remove_type, &is_index))
            for (size_t i = 0; i < s->n_objects; i++)
                add_name_list(out, s->objects[i], is_index);
    } else if (d == &pg_query__comment_stmt__descriptor) {
        const PgQuery__CommentStmt *s = (const PgQuery__CommentStmt *)m;
        if (is_relation_object(s->objtype, &is_index))
            add_name_list(out, s->object, is_index);
    } else if (d == &pg_query__alter_table_stmt__descriptor) {
        alter_table(out, (const PgQuery__AlterTableStmt *)m);
    } else if (d == &pg_query__rename_stmt__descriptor) {
        const PgQuery__RenameStmt *s = (const PgQuery__RenameStmt *)m;
        add_rangevar(out, s->relation, s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, NULL);
    } else if (d == &pg_query__reindex_stmt__descriptor) {
        const PgQuery__ReindexStmt *s = (const PgQuery__ReindexStmt *)m;
        add_rangevar(out, s->relation,
                     s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX, NULL);
    } else if (d == &pg_query__cluster_stmt__descriptor) {
        add_rangevar(out, ((const PgQuery__ClusterStmt *)m)->relation, 0,
                     "CLUSTER rewrites the table and its indexes");
    } else if (d == &pg_query__vacuum_stmt__descriptor) {
        const PgQuery__VacuumStmt *s = (const PgQuery__VacuumStmt *)m;
        int full = 0;
        for (size_t i = 0; i < s->n_options; i++) {
            const PgQuery__Node *o = s->options[i];
            if (o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && o->def_elem->defname &&
                !strcmp(o->def_elem->defname, "full"))
                full = 1;
        }
        for (size_t i = 0; full && i < s->n_rels; i++) {
            const PgQuery__Node *r = s->rels[i];
            if (r->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION)
                add_rangevar(out, r->vacuum_relation->relation, 0,
                             "VACUUM FULL rewrites the table and its indexes");
        }
    }
}

/* Visits every message below m; RangeVars are added as they come. */
static void walk(struct mg_relnames *out, const ProtobufCMessage *m, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;

    if (depth > 500) /* the parser's own limit keeps trees far shallower */
        return;
    if (d == &pg_query__range_var__descriptor) {
        add_rangevar(out, (const PgQuery__RangeVar *)m, 0, NULL);
        return;
    }
    special(out, m);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *arr = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                if (arr[k])
                    walk(out, arr[k], depth + 1);
            continue;
        }
        /* members of a oneof share their memory: only the chosen one is valid */
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id)
            continue;
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(base + f->offset);
        if (sub)
            walk(out, sub, depth + 1);
    }
}

int mg_pg_relnames(struct mg_relnames *out, const char *sql, struct mg_err *err)
{
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    PgQuery__ParseResult *tree;

    if (r.error) {
        mg_err_set(err, MG_EINPUT, "cannot parse the statement: %s", r.error->message);
        err->position = r.error->cursorpos;
        pg_query_free_protobuf_parse_result(r);
        return MG_EINPUT;
    }
    tree =
        pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    if (!tree)
        return mg_err_set(err, MG_EFAIL, "cannot read the parse tree of the statement");
    walk(out, &tree->base, 0);
    pg_query__parse_result__free_unpacked(tree, NULL);
    return 0;
}

/* ---------- MySQL and MariaDB: from the words ---------- */

/* A word or a quoted name of a MySQL statement; comments and spaces skipped. */
struct my_lex {
    const char *s;
    size_t i;
};

static void my_skip(struct my_lex *l)
{
    const char *s = l->s;
    for (;;) {
        char c = s[l->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            l->i++;
        } else if (c == '#' ||
                   (c == '-' && s[l->i + 1] == '-' &&
                    (s[l->i + 2] == ' ' || s[l->i + 2] == '\t' || s[l->i + 2] == '\n'))) {
            while (s[l->i] && s[l->i] != '\n')
                l->i++;
        } else if (c == '/' && s[l->i + 1] == '*' && s[l->i + 2] != '!') {
            const char *end = strstr(s + l->i + 2, "*/");
            l->i = end ? (size_t)(end - s) + 2 : strlen(s);
        } else {
            return;
        }
    }
}

/*
 * The next token into *out (a name unquoted); 0 at the end.  *quoted is 1
 * for a `name`, 2 for a 'string' or "string".
 */
static int my_next(struct my_lex *l, struct mg_buf *out, int *quoted)
{
    const char *s = l->s;

    mg_buf_reset(out);
    *quoted = 0;
    my_skip(l);
    if (!s[l->i])
        return 0;
    if (s[l->i] == '\'' || s[l->i] == '"') {
        /* a string literal is one token, never a keyword (DEFAULT 'force') */
        char qc = s[l->i];
        *quoted = 2;
        for (l->i++; s[l->i]; l->i++) {
            if (s[l->i] == '\\' && s[l->i + 1]) {
                mg_buf_addch(out, s[++l->i]);
            } else if (s[l->i] == qc && s[l->i + 1] == qc) {
                mg_buf_addch(out, qc);
                l->i++;
            } else if (s[l->i] == qc) {
                l->i++;
                break;
            } else {
                mg_buf_addch(out, s[l->i]);
            }
        }
        return 1;
    }
    if (s[l->i] == '`') {
        *quoted = 1;
        for (l->i++; s[l->i]; l->i++) {
            if (s[l->i] == '`' && s[l->i + 1] == '`') {
                mg_buf_addch(out, '`');
                l->i++;
            } else if (s[l->i] == '`') {
                l->i++;
                break;
            } else {
                mg_buf_addch(out, s[l->i]);
            }
        }
        return 1;
    }
    char c = s[l->i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '$' || (unsigned char)c >= 0x80) {
        while ((c = s[l->i]) &&
               ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '$' || (unsigned char)c >= 0x80))
            mg_buf_addch(out, s[l->i++]);
        return 1;
    }
    mg_buf_addch(out, s[l->i++]);
    return 1;
}

static int my_is(const struct mg_buf *w, int quoted, const char *word)
{
    return !quoted && !strcasecmp(w->ptr, word);
}

static void my_quote(struct mg_buf *b, const char *ident)
{
    mg_buf_addch(b, '`');
    for (const char *p = ident; *p; p++) {
        if (*p == '`')
            mg_buf_addch(b, '`');
        mg_buf_addch(b, *p);
    }
    mg_buf_addch(b, '`');
}

/* Reads name or db.name at the lexer and adds it. */
static void my_add_name(struct mg_relnames *out, struct my_lex *l, struct mg_buf *w, int *q)
{
    struct mg_buf first = MG_BUF_INIT, qn = MG_BUF_INIT;
    size_t save;

    if (!w->len)
        return;
    mg_buf_adds(&first, w->ptr);
    save = l->i;
    if (my_next(l, w, q) && !*q && !strcmp(w->ptr, ".") && my_next(l, w, q)) {
        my_quote(&qn, first.ptr);
        mg_buf_addch(&qn, '.');
        my_quote(&qn, w->ptr);
        out->v = mg_realloc(out->v, (out->n + 1) * sizeof(*out->v));
        out->v[out->n++] = (struct mg_relname){mg_buf_detach(&qn), mg_strdup(first.ptr),
                                               mg_strdup(w->ptr), 0, NULL};
    } else {
        l->i = save;
        my_quote(&qn, first.ptr);
        out->v = mg_realloc(out->v, (out->n + 1) * sizeof(*out->v));
        out->v[out->n++] =
            (struct mg_relname){mg_buf_detach(&qn), NULL, mg_strdup(first.ptr), 0, NULL};
    }
    mg_buf_free(&first);
}

/* Skips the words in `opt` (case-insensitive) that come next; *w holds the first other token. */
static int my_skip_words(struct my_lex *l, struct mg_buf *w, int *q, const char *const *opt)
{
    int more;
    while ((more = my_next(l, w, q))) {
        int hit = 0;
        for (const char *const *o = opt; *o && !hit; o++)
            hit = my_is(w, *q, *o);
        if (!hit)
            break;
    }
    return more;
}

static int my_upper_is(const struct mg_buf *w, int quoted, const char *const *words)
{
    for (const char *const *x = words; *x; x++)
        if (my_is(w, quoted, *x))
            return 1;
    return 0;
}

/*
 * Why the rest of an ALTER TABLE (after the table's name) may rebuild the
 * table, from its clauses at the outer level, or NULL.  "May": the server
 * decides, and an estimate on a clone tells; preflight only needs to know
 * when room for a second copy is worth checking.  ALGORITHM=COPY wins over
 * any other reason.
 */
static const char *my_alter_rebuild(struct my_lex *l)
{
    static const char *const partition_words[] = {"REORGANIZE", "COALESCE", "REBUILD", "REMOVE",
                                                  NULL};
    struct mg_buf w = MG_BUF_INIT, prev = MG_BUF_INIT;
    const char *why = NULL;
    int q, pq = 0, depth = 0, clause_start = 1, in_add = 0, eq_next = 0;

    while (my_next(l, &w, &q)) {
        int at_start = clause_start;
        clause_start = 0;
        if (!q && w.len == 1 && (w.ptr[0] == '(' || w.ptr[0] == ')')) {
            depth += w.ptr[0] == '(' ? 1 : -1;
        } else if (depth > 0) {
            /* inside a column or index definition */
        } else if (!q && !strcmp(w.ptr, ",")) {
            clause_start = 1;
            in_add = 0;
        } else if (!q && !strcmp(w.ptr, "=")) {
            clause_start = 0;
        } else if (eq_next == 1) {
            if (my_is(&w, q, "COPY")) {
                why = "ALGORITHM=COPY copies the table";
                break;
            }
        } else if (my_is(&prev, pq, "ALGORITHM")) {
            /* ALGORITHM COPY without = */
            if (my_is(&w, q, "COPY")) {
                why = "ALGORITHM=COPY copies the table";
                break;
            }
        } else if (at_start && (my_is(&w, q, "MODIFY") || my_is(&w, q, "CHANGE"))) {
            why = why ? why
                      : "MODIFY/CHANGE COLUMN rebuilds the table for a type or NULL change that is "
                        "more "
                        "than metadata";
        } else if (at_start && my_is(&w, q, "ADD")) {
            in_add = 1;
        } else if (at_start && my_is(&w, q, "DROP")) {
            in_add = 2;
        } else if (in_add == 2 && my_is(&w, q, "PRIMARY")) {
            why = why ? why : "DROP PRIMARY KEY rebuilds the table";
        } else if (in_add == 1 && my_is(&w, q, "PRIMARY")) {
            why = why ? why : "ADD PRIMARY KEY rebuilds the table";
        } else if (in_add == 1 && my_is(&w, q, "FULLTEXT")) {
            why = why ? why
                      : "the first FULLTEXT index rebuilds the table (to add its hidden "
                        "FTS_DOC_ID column)";
        } else if (in_add == 1 && my_is(&w, q, "FOREIGN")) {
            why = why ? why : "ADD FOREIGN KEY copies the table unless foreign_key_checks is off";
        } else if (in_add == 1 && (my_is(&w, q, "STORED") || my_is(&w, q, "PERSISTENT") ||
                                   my_is(&w, q, "AUTO_INCREMENT"))) {
            why = why ? why : "a new AUTO_INCREMENT or stored generated column rebuilds the table";
        } else if (my_is(&w, q, "FORCE")) {
            why = why ? why : "FORCE rebuilds the table";
        } else if (my_is(&w, q, "CONVERT")) {
            why = why ? why : "CONVERT TO CHARACTER SET rebuilds the table";
        } else if (my_is(&prev, pq, "ORDER") && my_is(&w, q, "BY")) {
            why = why ? why : "ORDER BY rebuilds the table";
        } else if (my_upper_is(&w, q, partition_words) ||
                   (my_is(&prev, pq, "PARTITION") && my_is(&w, q, "BY"))) {
            why = why ? why : "repartitioning copies the table's rows";
        } else if (my_is(&w, q, "ENGINE") || my_is(&w, q, "ROW_FORMAT") ||
                   my_is(&w, q, "KEY_BLOCK_SIZE")) {
            /* a table option only when = follows: a column may be called engine */
            size_t save = l->i;
            int q2;
            struct mg_buf x = MG_BUF_INIT;
            if (my_next(l, &x, &q2) && !q2 && !strcmp(x.ptr, "="))
                why = why ? why : "ENGINE, ROW_FORMAT and KEY_BLOCK_SIZE rebuild the table";
            l->i = save;
            mg_buf_free(&x);
        }
        eq_next = my_is(&w, q, "ALGORITHM") ? 2 : eq_next == 2 && !q && !strcmp(w.ptr, "=") ? 1 : 0;
        mg_buf_reset(&prev);
        mg_buf_adds(&prev, w.ptr);
        pq = q;
    }
    mg_buf_free(&w);
    mg_buf_free(&prev);
    return why;
}

void mg_my_relnames(struct mg_relnames *out, const char *sql)
{
    static const char *const table_mods[] = {"ONLINE", "IGNORE", "TEMPORARY", "IF", "NOT",
                                             "EXISTS", "OR",     "REPLACE",   NULL};
    static const char *const dml_mods[] = {
        "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "QUICK", "INTO", NULL};
    struct my_lex l = {sql, 0};
    struct mg_buf w = MG_BUF_INIT;
    int q;

    if (!my_next(&l, &w, &q) || q)
        goto out;
    if (my_is(&w, q, "ALTER") || my_is(&w, q, "OPTIMIZE") || my_is(&w, q, "ANALYZE") ||
        my_is(&w, q, "CHECK") || my_is(&w, q, "REPAIR")) {
        static const char *const pre[] = {"ONLINE", "IGNORE", "NO_WRITE_TO_BINLOG", "LOCAL", NULL};
        int alter = my_is(&w, q, "ALTER"), optimize = my_is(&w, q, "OPTIMIZE");
        if (my_skip_words(&l, &w, &q, pre) && my_is(&w, q, "TABLE") && my_next(&l, &w, &q)) {
            size_t before = out->n;
            my_add_name(out, &l, &w, &q);
            if (out->n > before && alter)
                out->v[before].may_rewrite = my_alter_rebuild(&l);
            else if (out->n > before && optimize)
                /* InnoDB runs OPTIMIZE as a rebuild (recreate + analyze) */
                for (size_t i = before; i < out->n; i++)
                    out->v[i].may_rewrite = "OPTIMIZE TABLE rebuilds the table";
        }
    } else if (my_is(&w, q, "CREATE") || my_is(&w, q, "DROP")) {
        static const char *const pre[] = {"OR",     "REPLACE", "UNIQUE",    "FULLTEXT", "SPATIAL",
                                          "ONLINE", "OFFLINE", "TEMPORARY", NULL};
        if (!my_skip_words(&l, &w, &q, pre))
            goto out;
        if (my_is(&w, q, "INDEX")) {
            /* the index name, then ON table */
            while (my_next(&l, &w, &q))
                if (my_is(&w, q, "ON") && my_next(&l, &w, &q)) {
                    my_add_name(out, &l, &w, &q);
                    break;
                }
        } else if (my_is(&w, q, "TABLE")) {
            if (my_skip_words(&l, &w, &q, table_mods))
                for (;;) {
                    my_add_name(out, &l, &w, &q);
                    if (!my_next(&l, &w, &q) || q || strcmp(w.ptr, ",") || !my_next(&l, &w, &q))
                        break;
                }
        }
    } else if (my_is(&w, q, "RENAME")) {
        if (my_next(&l, &w, &q) && my_is(&w, q, "TABLE"))
            while (my_next(&l, &w, &q)) {
                my_add_name(out, &l, &w, &q);
                if (!my_next(&l, &w, &q) || !my_is(&w, q, "TO") || !my_next(&l, &w, &q))
                    break;
                my_add_name(out, &l, &w, &q);
                if (!my_next(&l, &w, &q) || q || strcmp(w.ptr, ","))
                    break;
            }
    } else if (my_is(&w, q, "TRUNCATE")) {
        static const char *const pre[] = {"TABLE", NULL};
        if (my_skip_words(&l, &w, &q, pre))
            my_add_name(out, &l, &w, &q);
    } else if (my_is(&w, q, "INSERT") || my_is(&w, q, "REPLACE") || my_is(&w, q, "UPDATE")) {
        if (my_skip_words(&l, &w, &q, dml_mods))
            my_add_name(out, &l, &w, &q);
    } else if (my_is(&w, q, "DELETE")) {
        static const char *const pre[] = {"LOW_PRIORITY", "QUICK", "IGNORE", NULL};
        if (my_skip_words(&l, &w, &q, pre) && my_is(&w, q, "FROM") && my_next(&l, &w, &q))
            my_add_name(out, &l, &w, &q);
    }
out:
    mg_buf_free(&w);
}

int mg_my_mentions(const char *sql, const char *name)
{
    struct my_lex l = {sql, 0};
    struct mg_buf w = MG_BUF_INIT;
    int q, hit = 0;

    while (!hit && my_next(&l, &w, &q))
        hit = q != 2 && !strcasecmp(w.ptr, name);
    mg_buf_free(&w);
    return hit;
}

void mg_my_statement(struct mg_my_stmt *out, const char *sql)
{
    struct my_lex l = {sql, 0};
    struct mg_buf w = MG_BUF_INIT;
    int q, n = 0, after_eq = 0;
    char first[16] = "", second[16] = "", third[16] = "";

    memset(out, 0, sizeof(*out));
    while (my_next(&l, &w, &q)) {
        char up[16];
        snprintf(up, sizeof(up), "%s", q ? "" : w.ptr);
        for (char *c = up; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 32);
        if (n == 0)
            memcpy(first, up, sizeof(up));
        else if (n == 1)
            memcpy(second, up, sizeof(up));
        else if (n == 2)
            memcpy(third, up, sizeof(up));
        n++;
        /* ALGORITHM [=] value, LOCK [=] value */
        if (after_eq) {
            snprintf(after_eq == 1 ? out->algorithm : out->lock, sizeof(out->algorithm), "%s", up);
            after_eq = 0;
        } else if (!q && (!strcmp(up, "ALGORITHM") || !strcmp(up, "LOCK")) && n > 2) {
            after_eq = !strcmp(up, "ALGORITHM") ? 1 : 2;
            size_t save = l.i;
            if (my_next(&l, &w, &q) && !(!q && !strcmp(w.ptr, "=")))
                l.i = save; /* the = is optional */
        }
    }
    if (!strcmp(first, "ALTER") &&
        (!strcmp(second, "TABLE") ||
         ((!strcmp(second, "ONLINE") || !strcmp(second, "IGNORE")) && !strcmp(third, "TABLE"))))
        out->kind = MG_MY_ALTER_TABLE;
    else if ((!strcmp(first, "CREATE") || !strcmp(first, "DROP")) &&
             (!strcmp(second, "INDEX") ||
              ((!strcmp(second, "UNIQUE") || !strcmp(second, "FULLTEXT") ||
                !strcmp(second, "SPATIAL")) &&
               !strcmp(third, "INDEX"))))
        out->kind = MG_MY_INDEX;
    else if (!strcmp(first, "CREATE") && (!strcmp(second, "TABLE") || !strcmp(third, "TABLE")))
        out->kind = MG_MY_CREATE_TABLE;
    else if ((!strcmp(first, "DROP") && (!strcmp(second, "TABLE") || !strcmp(third, "TABLE"))) ||
             (!strcmp(first, "RENAME") && !strcmp(second, "TABLE")) || !strcmp(first, "TRUNCATE"))
        out->kind = MG_MY_DROP_RENAME;
    else if (!strcmp(first, "INSERT") || !strcmp(first, "REPLACE") || !strcmp(first, "UPDATE") ||
             !strcmp(first, "DELETE"))
        out->kind = MG_MY_DML;
    mg_buf_free(&w);
}

void mg_relnames_free(struct mg_relnames *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].qname);
        free(r->v[i].schema);
        free(r->v[i].name);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}
