/* test_plan.c — merging files with history, and planning up, down and goto. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"

/* A world of files and history rows, built in memory. */
struct world {
    struct mg_source src;
    struct mg_history h;
    struct mg_file files[32];
    struct mg_migration migs[16];
    struct mg_hrow rows[16];
};

static void add_file(struct world *w, uint64_t v, const char *sum, int has_down)
{
    struct mg_migration *m = &w->migs[w->src.n];
    struct mg_file *up = &w->files[2 * w->src.n], *down = &w->files[2 * w->src.n + 1];

    memset(m, 0, sizeof(*m));
    m->version = v;
    m->title = (char *)"m";
    snprintf(up->checksum, sizeof(up->checksum), "%s", sum);
    up->name = (char *)"m.up.sql";
    up->path = (char *)"dir/m.up.sql";
    m->up = up;
    m->down = has_down ? down : NULL;
    w->src.v = w->migs;
    w->src.n++;
}

static void add_row(struct world *w, uint64_t v, const char *sum, enum mg_hstatus st, int done,
                    int total, int notx)
{
    struct mg_hrow *r = &w->rows[w->h.n];

    memset(r, 0, sizeof(*r));
    r->version = v;
    r->name = (char *)"m";
    r->checksum = (char *)sum;
    r->status = st;
    r->kind = (char *)"migration";
    r->stmts_done = done;
    r->stmts_total = total;
    r->no_transaction = notx;
    w->h.v = w->rows;
    w->h.n++;
    w->h.exists = 1;
}

/* What a plan does, copied out: the status it points into is freed. */
struct steps {
    size_t n;
    uint64_t version[64];
    enum mg_dir dir[64];
};

static int plan(struct world *w, struct steps *out, enum mg_plan_kind kind, long count,
                uint64_t target, struct mg_err *e)
{
    struct mg_status st;
    struct mg_problems warn = {0};
    struct mg_plan_req req = {.kind = kind, .count = count, .target = target};
    struct mg_plan p;
    int rc;

    mg_err_clear(e);
    memset(out, 0, sizeof(*out));
    mg_status_build(&st, &w->src, &w->h);
    rc = mg_plan_build(&p, &st, &req, &warn, e);
    if (!rc) {
        for (size_t i = 0; i < p.n; i++) {
            out->version[i] = p.v[i].e->version;
            out->dir[i] = p.v[i].dir;
        }
        out->n = p.n;
        mg_plan_free(&p);
    }
    mg_status_free(&st);
    mg_problems_free(&warn);
    return rc;
}

#define STEP(s, i, ver, d)                                                                         \
    do {                                                                                           \
        assert_int_equal((s).version[i], (ver));                                                   \
        assert_int_equal((s).dir[i], (d));                                                         \
    } while (0)

static void status_states(void **state)
{
    struct world w = {0};
    struct mg_status st;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 1);
    add_file(&w, 4, "d", 1);
    add_file(&w, 5, "e", 1);
    add_row(&w, 1, "a", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 2, "OLD", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 3, "c", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 4, "d", MG_H_RUNNING, 2, 5, 1);
    mg_status_build(&st, &w.src, &w.h);
    assert_int_equal(st.n, 5);
    assert_int_equal(st.v[0].state, MG_ST_APPLIED);
    assert_false(st.v[0].edited);
    assert_true(st.v[1].edited);
    assert_int_equal(st.v[2].state, MG_ST_MISSING);
    assert_int_equal(st.v[3].state, MG_ST_INTERRUPTED);
    assert_true(st.v[3].partial);
    assert_int_equal(st.v[4].state, MG_ST_PENDING);
    assert_true(st.current == 4);
    assert_true(st.dirty);
    mg_status_free(&st);
}

static void up_all_and_count(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 1);
    add_file(&w, 3, "c", 1);
    add_row(&w, 1, "a", MG_H_APPLIED, 1, 1, 0);
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), 0);
    assert_int_equal(p.n, 2);
    STEP(p, 0, 2, MG_UP);
    STEP(p, 1, 3, MG_UP);
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, 1, 0, &e), 0);
    assert_int_equal(p.n, 1);
    STEP(p, 0, 2, MG_UP);
}

static void up_refuses_edited_and_out_of_order(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 1);
    add_file(&w, 3, "c", 1);
    add_row(&w, 1, "changed", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 3, "c", MG_H_APPLIED, 1, 1, 0);
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), MG_EATTENTION);
    assert_non_null(strstr(e.msg, "edited after it was applied"));
    assert_non_null(strstr(e.hint, "--allow-edited"));
    w.rows[0].checksum = (char *)"a";
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), MG_EATTENTION);
    assert_non_null(strstr(e.msg, "later version (3) is already applied"));
}

static void failed_transactional_is_retried(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 1);
    add_row(&w, 1, "a", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 2, "b", MG_H_FAILED, 0, 3, 0);
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), 0);
    assert_int_equal(p.n, 1);
    STEP(p, 0, 2, MG_UP);
    /* nothing of 2 is applied, so reverting 1 is fine */
    assert_int_equal(plan(&w, &p, MG_PLAN_DOWN, 1, 0, &e), 0);
    assert_int_equal(p.n, 1);
    STEP(p, 0, 1, MG_DOWN);
}

static void partial_blocks_the_other_direction(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 1);
    add_row(&w, 1, "a", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 2, "b", MG_H_FAILED, 2, 5, 1);
    assert_int_equal(plan(&w, &p, MG_PLAN_DOWN, 1, 0, &e), MG_EATTENTION);
    assert_non_null(strstr(e.msg, "failed at statement 3 of 5 of its up file"));
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), 0);
    assert_int_equal(p.n, 1);
    w.rows[1].status = MG_H_REVERT_FAILED;
    assert_int_equal(plan(&w, &p, MG_PLAN_UP, -1, 0, &e), MG_EATTENTION);
    assert_non_null(strstr(e.msg, "of its down file"));
    assert_int_equal(plan(&w, &p, MG_PLAN_DOWN, 1, 0, &e), 0);
    STEP(p, 0, 2, MG_DOWN);
}

static void down_needs_down_file(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    add_file(&w, 1, "a", 1);
    add_file(&w, 2, "b", 0);
    add_row(&w, 1, "a", MG_H_APPLIED, 1, 1, 0);
    add_row(&w, 2, "b", MG_H_APPLIED, 1, 1, 0);
    assert_int_equal(plan(&w, &p, MG_PLAN_DOWN, -1, 0, &e), MG_EINPUT);
    assert_non_null(strstr(e.msg, "no down file"));
}

static void goto_both_ways(void **state)
{
    struct world w = {0};
    struct steps p;
    struct mg_err e;

    (void)state;
    for (uint64_t v = 1; v <= 5; v++)
        add_file(&w, v, "x", 1);
    for (uint64_t v = 1; v <= 3; v++)
        add_row(&w, v, "x", MG_H_APPLIED, 1, 1, 0);
    assert_int_equal(plan(&w, &p, MG_PLAN_GOTO, -1, 1, &e), 0);
    assert_int_equal(p.n, 2);
    STEP(p, 0, 3, MG_DOWN);
    STEP(p, 1, 2, MG_DOWN);
    assert_int_equal(plan(&w, &p, MG_PLAN_GOTO, -1, 5, &e), 0);
    assert_int_equal(p.n, 2);
    STEP(p, 0, 4, MG_UP);
    STEP(p, 1, 5, MG_UP);
    assert_int_equal(plan(&w, &p, MG_PLAN_GOTO, -1, 0, &e), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(plan(&w, &p, MG_PLAN_GOTO, -1, 9, &e), MG_EUSAGE);
    assert_non_null(strstr(e.msg, "no migration with version 9"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_states),
        cmocka_unit_test(up_all_and_count),
        cmocka_unit_test(up_refuses_edited_and_out_of_order),
        cmocka_unit_test(failed_transactional_is_retried),
        cmocka_unit_test(partial_blocks_the_other_direction),
        cmocka_unit_test(down_needs_down_file),
        cmocka_unit_test(goto_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
