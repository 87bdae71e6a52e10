/* check_kernel.c — the event calendar, the clock, and M/M/1 against theory. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include <gsl/gsl_randist.h>

#include "sim/calendar.h"
#include "sim/kernel.h"
#include "sim/rng.h"
#include "tests/mm1.h"
#include "tests/suites.h"

struct trail {
    size_t order[4096];
    double time[4096];
    size_t n;
};

static void
record(struct kernel *k, void *obj, size_t arg)
{
    struct trail *t = obj;
    t->order[t->n] = arg;
    t->time[t->n++] = k->now;
}

/* Events fire in time order; the clock equals each event's time. */
START_TEST(test_time_order)
{
    struct kernel k;
    struct trail t = {{0}, {0}, 0};
    double times[] = {5.0, 1.0, 3.0, 2.0, 4.0, 0.5};
    size_t i;
    kernel_init(&k);
    for (i = 0; i < 6; i++)
        kernel_at(&k, times[i], record, &t, i);
    ck_assert_int_eq(kernel_run(&k), 0);
    ck_assert_uint_eq(t.n, 6);
    ck_assert_uint_eq(t.order[0], 5);
    ck_assert_uint_eq(t.order[1], 1);
    ck_assert_uint_eq(t.order[2], 3);
    ck_assert_uint_eq(t.order[3], 2);
    ck_assert_uint_eq(t.order[4], 4);
    ck_assert_uint_eq(t.order[5], 0);
    ck_assert_double_eq(t.time[5], 5.0);
    ck_assert_double_eq(k.now, 5.0);
    ck_assert_uint_eq(k.events, 6);
    kernel_fini(&k);
}
END_TEST

/* Events at the same time fire in the order they were scheduled (FIFO
 * ties), also when interleaved with other times and across heap growth. */
START_TEST(test_ties_fifo)
{
    struct kernel k;
    struct trail *t = calloc(1, sizeof *t);
    size_t i, last[3] = {0, 0, 0};
    int first[3] = {1, 1, 1};
    kernel_init(&k);
    for (i = 0; i < 3000; i++)
        kernel_at(&k, (double)(i % 3), record, t, i);
    ck_assert_int_eq(kernel_run(&k), 0);
    ck_assert_uint_eq(t->n, 3000);
    for (i = 0; i < 3000; i++) {
        size_t g = (size_t)t->time[i];
        ck_assert_uint_eq(t->order[i] % 3, g);
        if (i > 0)
            ck_assert(t->time[i] >= t->time[i - 1]);
        if (!first[g])
            ck_assert_uint_gt(t->order[i], last[g]);
        first[g] = 0;
        last[g] = t->order[i];
    }
    kernel_fini(&k);
    free(t);
}
END_TEST

/* The heap pops random keys in sorted (time, seq) order: compare with a
 * sort of the same keys. */
START_TEST(test_heap_random)
{
    struct calendar c;
    struct event e;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double prev_t = -1;
    uint64_t prev_s = 0;
    size_t i, n = 20000, popped = 0;
    calendar_init(&c);
    for (i = 0; i < n; i++) {
        e.time = (double)gsl_rng_uniform_int(r, 100);  /* many ties */
        e.seq = i;
        e.fn = NULL;
        e.obj = NULL;
        e.arg = i;
        ck_assert_int_eq(calendar_push(&c, &e), 0);
        if (i % 3 == 2) {   /* interleave pops with pushes */
            ck_assert_int_eq(calendar_pop(&c, &e), 0);
            popped++;
        }
    }
    ck_assert_uint_eq(calendar_size(&c), n - popped);
    while (calendar_pop(&c, &e) == 0) {
        ck_assert(e.time > prev_t || (e.time == prev_t && e.seq > prev_s));
        prev_t = e.time;
        prev_s = e.seq;
    }
    calendar_fini(&c);
    gsl_rng_free(r);
}
END_TEST

/* Every pop, interleaved with pushes, returns what a linear search of
 * the pending events finds earliest: catches a front slot that is not
 * the minimum, or a heap that loses the old front. */
START_TEST(test_heap_oracle)
{
    struct calendar c;
    struct event e;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *pt = malloc(5000 * sizeof *pt);
    uint64_t *ps = malloc(5000 * sizeof *ps);
    size_t i, np = 0, seq = 0, pops = 0, fronts = 0;
    double now = 0.0;
    ck_assert(pt && ps);
    calendar_init(&c);
    for (i = 0; i < 20000; i++) {
        unsigned op = (unsigned)gsl_rng_uniform_int(r, 10);
        if ((op < 5 || np == 0) && np < 5000) {
            /* at now (ties), soon, or far: the shapes a model schedules */
            double dt = op == 0 ? 0.0 : op < 3 ? (double)gsl_rng_uniform_int(r, 3) : (double)gsl_rng_uniform_int(r, 50);
            e.time = now + dt;
            e.seq = seq++;
            e.fn = NULL;
            e.obj = NULL;
            e.arg = e.seq;
            fronts += c.has_front == 0 && (c.n == 0 || calendar_before(&e, &c.heap[0]));
            ck_assert_int_eq(calendar_push(&c, &e), 0);
            pt[np] = e.time;
            ps[np] = e.seq;
            np++;
        } else {
            size_t k, best = 0;
            for (k = 1; k < np; k++)
                if (pt[k] < pt[best] || (pt[k] == pt[best] && ps[k] < ps[best]))
                    best = k;
            ck_assert_int_eq(calendar_pop(&c, &e), 0);
            ck_assert(e.time == pt[best] && e.seq == ps[best]);
            ck_assert_uint_eq(e.arg, ps[best]);
            now = e.time;
            pt[best] = pt[np - 1];
            ps[best] = ps[np - 1];
            np--;
            pops++;
        }
        ck_assert_uint_eq(calendar_size(&c), np);
    }
    ck_assert_uint_gt(pops, 5000);
    ck_assert_uint_gt(fronts, 300);      /* the front slot was exercised */
    calendar_fini(&c);
    free(pt);
    free(ps);
    gsl_rng_free(r);
}
END_TEST

/* Blocks of words give exactly GSL's values from the same stream:
 * gsl_rng_uniform_int for n around the scale's edge cases (scale 1, a
 * power of two, large and small), and gsl_ran_exponential; catches a
 * division by the multiply that is off by one, a lost or repeated word at
 * a block's end, or a different uniform. */
START_TEST(test_rng_block)
{
    static const unsigned long ns[] = {1, 2, 3, 7, 10000, 65536, 100003, 2147483647UL, 2147483648UL,
                                       2147483649UL, 3000000000UL, 4294967295UL};
    size_t a, i;
    for (a = 0; a < sizeof ns / sizeof *ns; a++) {
        gsl_rng *r = rng_stream(9, a), *g = rng_stream(9, a);
        struct rng_block b;
        struct rng_uint u;
        rng_uint_init(&u, ns[a]);
        rng_block_init(&b, r);
        for (i = 0; i < 100000; i++) {
            unsigned long x = rng_block_uint(&b, &u), y = gsl_rng_uniform_int(g, ns[a]);
            ck_assert_msg(x == y, "n %lu draw %zu: %lu, GSL %lu", ns[a], i, x, y);
        }
        gsl_rng_free(r);
        gsl_rng_free(g);
    }
    {
        gsl_rng *r = rng_stream(5, 1), *g = rng_stream(5, 1);
        struct rng_block b;
        rng_block_init(&b, r);
        for (i = 0; i < 100000; i++) {
            double mu = 0.001 * (double)(1 + i % 7);
            ck_assert(rng_block_exponential(&b, mu) == gsl_ran_exponential(g, mu));
        }
        gsl_rng_free(r);
        gsl_rng_free(g);
    }
#ifdef __SIZEOF_INT128__
    {
        /* every divisor of a 32-bit word: the multiply equals the division */
        gsl_rng *g = rng_stream(3, 3);
        for (i = 0; i < 2000000; i++) {
            uint32_t x = (uint32_t)gsl_rng_get(g), d = (uint32_t)gsl_rng_get(g) >> (i % 31);
            uint64_t c;
            if (d < 2)
                continue;
            c = UINT64_MAX / d + 1;
            ck_assert_uint_eq((uint64_t)(((unsigned __int128)c * x) >> 64), x / d);
        }
        gsl_rng_free(g);
    }
#endif
}
END_TEST

/* Streams differ between entities and repeat for the same seed. */
START_TEST(test_rng_streams)
{
    gsl_rng *a = rng_stream(42, 1), *b = rng_stream(42, 1), *c = rng_stream(42, 2), *d = rng_stream(43, 1);
    unsigned long x = gsl_rng_get(a);
    ck_assert_uint_eq(x, gsl_rng_get(b));
    ck_assert_uint_ne(x, gsl_rng_get(c));
    ck_assert_uint_ne(x, gsl_rng_get(d));
    ck_assert_uint_ne(rng_seed_for(1, 1), rng_seed_for(1, 2));
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    gsl_rng_free(d);
}
END_TEST

/*
 * M/M/1 with μ = 1 and 10^6 customers: the analytic mean time in system
 * 1/(μ − λ) lies in the 99.9% batch-means confidence interval, and the
 * interval is narrow.  One fixed seed; at this level a correct kernel
 * fails the containment check with probability about 0.001.
 */
static void
check_mm1(double lambda, double max_rel_half_width)
{
    struct mm1_result r;
    double exact = 1.0 / (1.0 - lambda);
    ck_assert_int_eq(mm1_run(lambda, 1.0, 1000000, 20261123, 20, 0.999, &r), 0);
    ck_assert_uint_eq(r.customers, 1000000);
    ck_assert_uint_eq(r.events, 2000000);
    ck_assert_msg(fabs(r.mean - exact) <= r.half_width,
                  "lambda %g: mean %g, exact %g, half-width %g", lambda, r.mean, exact, r.half_width);
    ck_assert_msg(r.half_width / exact < max_rel_half_width,
                  "lambda %g: relative half-width %g", lambda, r.half_width / exact);
}

START_TEST(test_mm1_half) { check_mm1(0.5, 0.02); }
END_TEST

START_TEST(test_mm1_heavy) { check_mm1(0.9, 0.10); }
END_TEST

Suite *
suite_kernel(void)
{
    Suite *s = suite_create("kernel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_time_order);
    tcase_add_test(tc, test_ties_fifo);
    tcase_add_test(tc, test_heap_random);
    tcase_add_test(tc, test_heap_oracle);
    tcase_add_test(tc, test_rng_block);
    tcase_add_test(tc, test_rng_streams);
    tcase_add_test(tc, test_mm1_half);
    tcase_add_test(tc, test_mm1_heavy);
    suite_add_tcase(s, tc);
    return s;
}
