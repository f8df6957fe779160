/* test_estimate.c — the estimate's model: what lock modes block, scaling, windows, verdicts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimate.h"
#include "util.h"

static void pg_modes(void **state)
{
    int known;
    (void)state;
    assert_int_equal(mg_lock_blocks("postgres", "AccessShareLock", &known), 0);
    assert_true(known);
    assert_int_equal(mg_lock_blocks("postgres", "RowExclusiveLock", NULL), 0);
    assert_int_equal(mg_lock_blocks("postgres", "ShareUpdateExclusiveLock", NULL), MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("postgres", "ShareLock", NULL),
                     MG_BLOCKS_WRITES | MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("postgres", "ShareRowExclusiveLock", NULL),
                     MG_BLOCKS_WRITES | MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("postgres", "ExclusiveLock", NULL),
                     MG_BLOCKS_WRITES | MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("postgres", "AccessExclusiveLock", NULL),
                     MG_BLOCKS_DML | MG_BLOCKS_DDL);
    /* an unknown mode is taken to block everything */
    assert_int_equal(mg_lock_blocks("postgres", "SomeNewLock", &known),
                     MG_BLOCKS_DML | MG_BLOCKS_DDL);
    assert_false(known);
    assert_string_equal(mg_lock_label("postgres", "ShareRowExclusiveLock"), "SHARE ROW EXCLUSIVE");
    assert_true(mg_lock_rank("postgres", "AccessExclusiveLock") >
                mg_lock_rank("postgres", "ShareLock"));
}

static void mysql_modes(void **state)
{
    (void)state;
    assert_int_equal(mg_lock_blocks("mysql", "SHARED_READ", NULL), 0);
    assert_int_equal(mg_lock_blocks("mysql", "SHARED_UPGRADABLE", NULL), MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("mysql", "SHARED_NO_WRITE", NULL),
                     MG_BLOCKS_WRITES | MG_BLOCKS_DDL);
    assert_int_equal(mg_lock_blocks("mysql", "EXCLUSIVE", NULL), MG_BLOCKS_DML | MG_BLOCKS_DDL);
}

static void blocks_text(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    (void)state;
    mg_blocks_text(&b, MG_BLOCKS_DML | MG_BLOCKS_DDL);
    assert_string_equal(b.ptr, "SELECT, INSERT, UPDATE, DELETE");
    mg_buf_reset(&b);
    mg_blocks_text(&b, MG_BLOCKS_DDL);
    assert_string_equal(b.ptr, "nothing");
    mg_buf_free(&b);
}

/* ---------- a hand-made estimate ---------- */

static struct mg_est_mig *add_mig(struct mg_estimate *e, int transaction)
{
    if (!e->v)
        e->v = mg_calloc(8, sizeof(*e->v));
    assert_true(e->n < 8);
    struct mg_est_mig *m = &e->v[e->n++];
    memset(m, 0, sizeof(*m));
    m->version = e->n;
    m->name = mg_strdup("m");
    m->file = mg_strdup("dir/m.up.sql");
    m->transaction = transaction;
    return m;
}

/* Room for 16 statements from the start: the pointers handed out stay valid. */
static struct mg_est_stmt *add_stmt(struct mg_est_mig *m, double clone_ms)
{
    if (!m->v)
        m->v = mg_calloc(16, sizeof(*m->v));
    assert_true(m->n < 16);
    struct mg_est_stmt *s = &m->v[m->n++];
    memset(s, 0, sizeof(*s));
    s->index = (int)m->n;
    s->line = (int)m->n;
    s->sql = mg_strdup("SQL");
    s->clone_ms = clone_ms;
    s->rows = -1;
    return s;
}

static void add_lock(struct mg_est_stmt *s, const char *rel, const char *mode, int created,
                     double held)
{
    s->locks = mg_realloc(s->locks, (s->nlocks + 1) * sizeof(*s->locks));
    struct mg_est_lock *l = &s->locks[s->nlocks++];
    memset(l, 0, sizeof(*l));
    l->relation = mg_strdup(rel);
    l->table = mg_strdup(rel);
    l->kind = 'r';
    l->mode = mg_strdup(mode);
    l->blocks = mg_lock_blocks("postgres", mode, NULL);
    l->created = created;
    l->held_fraction = held;
}

static struct mg_est_work *add_work(struct mg_est_stmt *s, enum mg_work_kind k, const char *name,
                                    long long clone, long long target)
{
    s->work = mg_realloc(s->work, (s->nwork + 1) * sizeof(*s->work));
    struct mg_est_work *w = &s->work[s->nwork++];
    memset(w, 0, sizeof(*w));
    w->kind = k;
    w->relation = mg_strdup(name);
    w->schema = mg_strdup("public");
    w->name = mg_strdup(name);
    w->total = k == MG_WORK_REWRITE;
    w->clone_size = clone;
    w->target_size = target;
    return w;
}

static void scaling(void **state)
{
    struct mg_estimate e;
    (void)state;
    mg_estimate_init(&e, "postgres");
    e.scaled = 1;
    e.overhead_ms = 1;
    struct mg_est_mig *m = add_mig(&e, 0);
    /* a rewrite of a table ten times bigger on the target: the part above the overhead grows */
    struct mg_est_stmt *s = add_stmt(m, 101);
    add_lock(s, "public.t", "AccessExclusiveLock", 0, 1);
    add_work(s, MG_WORK_REWRITE, "t", 1000, 10000);
    /* metadata only: does not grow */
    struct mg_est_stmt *s2 = add_stmt(m, 3);
    add_lock(s2, "public.t", "AccessExclusiveLock", 0, 1);
    /* two tables: the ratio of summed sizes */
    struct mg_est_stmt *s3 = add_stmt(m, 21);
    add_work(s3, MG_WORK_SCAN, "a", 1000, 3000);
    add_work(s3, MG_WORK_SCAN, "b", 1000, 1000);
    /* the same table scanned and indexed counts once */
    struct mg_est_stmt *s4 = add_stmt(m, 11);
    add_work(s4, MG_WORK_SCAN, "c", 100, 500);
    add_work(s4, MG_WORK_INDEX_BUILD, "c", 100, 500);
    /* a table not on the target yet keeps its size */
    struct mg_est_stmt *s5 = add_stmt(m, 11);
    add_work(s5, MG_WORK_WRITE, "new", 100, -1);
    /* emptied: no work in proportion to the size */
    struct mg_est_stmt *s6 = add_stmt(m, 2);
    add_work(s6, MG_WORK_TRUNCATE, "w", 5000, 500000);
    mg_estimate_finish(&e);
    assert_true(fabs(s->factor - 10) < 1e-9);
    assert_true(fabs(s->predicted_ms - 1001) < 1e-6);
    assert_true(fabs(s2->predicted_ms - 3) < 1e-9);
    assert_true(fabs(s2->factor - 1) < 1e-9);
    assert_non_null(strstr(s2->scale_basis, "metadata only"));
    assert_true(fabs(s3->factor - 2) < 1e-9);
    assert_true(fabs(s3->predicted_ms - 41) < 1e-6);
    assert_true(fabs(s4->factor - 5) < 1e-9);
    assert_true(fabs(s5->factor - 1) < 1e-9);
    assert_non_null(strstr(s5->scale_basis, "not on the target yet"));
    assert_true(fabs(s6->predicted_ms - 2) < 1e-9);
    /* without a target nothing is scaled */
    e.scaled = 0;
    mg_estimate_finish(&e);
    assert_true(fabs(s->predicted_ms - 101) < 1e-9);
    assert_non_null(strstr(s->scale_basis, "no target given"));
    mg_estimate_free(&e);
}

static void unscalable(void **state)
{
    struct mg_estimate e;
    struct mg_buf first = MG_BUF_INIT;
    (void)state;
    mg_estimate_init(&e, "postgres");
    e.scaled = 1;
    e.max_blocking_ms = 1000000;
    struct mg_est_mig *m = add_mig(&e, 1);
    struct mg_est_stmt *s = add_stmt(m, 5);
    add_lock(s, "public.t", "ShareLock", 0, 1);
    add_work(s, MG_WORK_INDEX_BUILD, "t", 0, 80000);
    mg_estimate_finish(&e);
    assert_true(s->unscalable);
    assert_true(s->predicted_ms < 0);
    assert_string_equal(s->verdict, "blocks_writes");
    assert_string_equal(s->verdict_text, "blocks writes for an unknown time");
    assert_true(m->predicted_ms < 0);
    /* an unknown window counts as too long, whatever the limit */
    assert_int_equal(mg_estimate_exceeding(&e, &first), 1);
    assert_non_null(strstr(first.ptr, "counted as too long"));
    mg_buf_free(&first);
    mg_estimate_free(&e);
}

static void windows(void **state)
{
    struct mg_estimate e;
    struct mg_buf first = MG_BUF_INIT;
    (void)state;
    mg_estimate_init(&e, "postgres");
    e.scaled = 1;
    /* one transaction: the lock of statement 1 lasts until statement 2 ends */
    struct mg_est_mig *m = add_mig(&e, 1);
    struct mg_est_stmt *a = add_stmt(m, 10);
    add_lock(a, "public.t", "AccessExclusiveLock", 0, 1);
    struct mg_est_stmt *b = add_stmt(m, 100);
    add_lock(b, "public.u", "ShareLock", 0, 1);
    add_lock(b, "public.u_idx", "AccessExclusiveLock", 1, 1); /* created: blocks nobody */
    /* statement by statement: each holds its locks for itself, sampled ones for their share */
    struct mg_est_mig *n = add_mig(&e, 0);
    struct mg_est_stmt *c = add_stmt(n, 10);
    add_lock(c, "public.t", "AccessExclusiveLock", 0, 1);
    struct mg_est_stmt *d = add_stmt(n, 200);
    d->sampled = 1;
    add_lock(d, "public.t", "ShareUpdateExclusiveLock", 0, 1);
    add_lock(d, "public.t_i", "AccessExclusiveLock", 0, 0.25);
    struct mg_est_stmt *f = add_stmt(n, 50);
    add_lock(f, "public.t", "ShareUpdateExclusiveLock", 0, 1);
    mg_estimate_finish(&e);

    assert_true(fabs(a->window_reads_ms - 110) < 1e-9);
    assert_true(fabs(a->window_writes_ms - 110) < 1e-9);
    assert_true(a->until_commit);
    assert_string_equal(a->verdict, "blocks_reads_writes");
    assert_string_equal(a->verdict_text, "blocks reads and writes ~110ms");
    assert_true(fabs(b->window_reads_ms) < 1e-9);
    assert_true(fabs(b->window_writes_ms - 100) < 1e-9);
    assert_false(b->until_commit);
    assert_string_equal(b->verdict_text, "blocks writes ~100ms");
    assert_string_equal(m->verdict, "blocks_reads_writes");
    assert_string_equal(m->worst, "public.t");
    assert_true(fabs(m->predicted_ms - 110) < 1e-9);

    assert_true(fabs(c->window_reads_ms - 10) < 1e-9);
    assert_true(fabs(d->window_reads_ms - 50) < 1e-9);
    assert_string_equal(f->verdict, "safe");
    assert_true(fabs(n->window_reads_ms - 50) < 1e-9);

    e.max_blocking_ms = 60;
    assert_int_equal(mg_estimate_exceeding(&e, &first), 2);
    assert_string_equal(first.ptr, "dir/m.up.sql:1: blocks reads and writes ~110ms");
    e.max_blocking_ms = 5;
    assert_int_equal(mg_estimate_exceeding(&e, NULL), 4);
    e.max_blocking_ms = -1;
    assert_int_equal(mg_estimate_exceeding(&e, NULL), 0);

    json_t *j = mg_estimate_json(&e);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(j, "summary"), "statements")), 5);
    json_t *s0 = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "migrations"), 0), "statements"), 0);
    assert_string_equal(json_string_value(json_object_get(s0, "verdict")), "blocks_reads_writes");
    assert_true(json_is_true(json_object_get(json_object_get(s0, "blocking"), "until_commit")));
    json_decref(j);

    struct mg_buf text = MG_BUF_INIT;
    mg_estimate_text(&e, &text);
    assert_non_null(strstr(text.ptr, "1_m (dir/m.up.sql): one transaction, 2 statements"));
    assert_non_null(
        strstr(text.ptr, "public.t ACCESS EXCLUSIVE: blocks SELECT, INSERT, UPDATE, DELETE"));
    assert_non_null(strstr(text.ptr, "public.u_idx ACCESS EXCLUSIVE (created by the statement)"));
    assert_non_null(strstr(text.ptr, "(held until the migration commits)"));
    mg_buf_free(&text);
    mg_buf_free(&first);
    mg_estimate_free(&e);
}

static void target_sizes(void **state)
{
    struct mg_estimate e;
    struct drv_conn quoter = {.ops = &drv_postgres_ops};
    char one[] = "1", two[] = "2", pub[] = "public", t[] = "t";
    struct drv_rel rel[2] = {
        {.id = one,
         .schema = pub,
         .name = t,
         .kind = 'r',
         .bytes = 800,
         .total_bytes = 1200,
         .pages = 4},
        {.id = two, .schema = pub, .name = t, .kind = 'i', .bytes = 9, .total_bytes = 9},
    };
    struct drv_rels target = {.v = rel, .n = 2};
    char **names;
    size_t n;
    (void)state;
    mg_estimate_init(&e, "postgres");
    struct mg_est_mig *m = add_mig(&e, 1);
    struct mg_est_stmt *s = add_stmt(m, 10);
    add_work(s, MG_WORK_REWRITE, "t", 100, -1);
    add_work(s, MG_WORK_SCAN, "t", 80, -1);
    struct mg_est_work *w = add_work(s, MG_WORK_SCAN, "t", 2, -1);
    w->by_pages = 1;
    mg_estimate_tables(&e, &quoter, &names, &n);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "\"public\".\"t\"");
    mg_strv_free(names, n);
    mg_estimate_set_target(&e, &target);
    assert_int_equal(s->work[0].target_size, 1200); /* a rewrite: with indexes */
    assert_int_equal(s->work[1].target_size, 800);  /* a scan: the table itself */
    assert_int_equal(s->work[2].target_size, 4);    /* pages against pages */
    mg_estimate_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pg_modes),     cmocka_unit_test(mysql_modes),
        cmocka_unit_test(blocks_text),  cmocka_unit_test(scaling),
        cmocka_unit_test(unscalable),   cmocka_unit_test(windows),
        cmocka_unit_test(target_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
