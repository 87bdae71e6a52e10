/* check_omd.c — OMD (000 §5 (3)) on the engine against the closed forms
 * and a brute force over the number of offloads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"

static void
omd_config(struct hi_config *c, size_t n, double ted_ms, double toff_ms, const char *rule)
{
    struct hi_error err = {0};
    char arg[96];
    config_defaults(c);
    ck_assert_int_eq(config_set_arg(c, "policy.name=omd", &err), 0);
    ck_assert_int_eq(config_set_arg(c, "arrivals.process=all-at-once", &err), 0);
    snprintf(arg, sizeof arg, "trace.samples=%zu", n);
    ck_assert_int_eq(config_set_arg(c, arg, &err), 0);
    snprintf(arg, sizeof arg, "device.tau_ed_ms=%.17g", ted_ms);
    ck_assert_int_eq(config_set_arg(c, arg, &err), 0);
    snprintf(arg, sizeof arg, "network.offload_ms=%.17g", toff_ms);
    ck_assert_int_eq(config_set_arg(c, arg, &err), 0);
    snprintf(arg, sizeof arg, "omd.rule=%s", rule);
    ck_assert_int_eq(config_set_arg(c, arg, &err), 0);
}

/* min over k of max((n − k)τed, kτoff): the shortest makespan of any split
 * of n identical samples, by brute force. */
static double
brute_makespan(size_t n, double ted, double toff, size_t *k_best)
{
    double best = INFINITY;
    size_t k;
    for (k = 0; k <= n; k++) {
        double m = fmax((double)(n - k) * ted, (double)k * toff);
        if (m < best) {
            best = m;
            *k_best = k;
        }
    }
    return best;
}

/* 000's figures (seed-spec §1.5): idle-first offloads 132 samples, the
 * offload path ends last at 132·74.34 = 9812.88 ms; ECT offloads 131 and
 * ends at 9869·0.99 = 9770.31 ms, the brute-force minimum.  Both beat
 * tinyML's 9900 ms: idle-first by under 1%. */
START_TEST(test_omd_000)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(300, 0, 1, 5);
    struct hi_config c;
    struct engine_result r, tiny;
    double idle_first;
    size_t k_best = 0;
    double best = brute_makespan(10000, 0.99e-3, 74.34e-3, &k_best);

    omd_config(&c, 10000, 0.99, 74.34, "idle-first");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.offloaded, 132);
    ck_assert_double_eq_tol(r.makespan_s, 9.81288, 1e-9);
    ck_assert_double_eq_tol(r.throughput, 10000 / 9.81288, 1e-6);
    ck_assert_str_eq(r.policy_desc, "rule=idle-first");
    /* within one job of the optimum, not at it */
    ck_assert(r.makespan_s > best + 1e-6);
    ck_assert(r.makespan_s <= best + 74.34e-3);
    idle_first = r.throughput;
    engine_result_free(&r);

    omd_config(&c, 10000, 0.99, 74.34, "ect");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(k_best, 131);
    ck_assert_uint_eq(r.offloaded, 131);
    ck_assert_double_eq_tol(best, 9.77031, 1e-12);
    ck_assert_double_eq_tol(r.makespan_s, best, 1e-9);

    /* tinyML: every sample on the device, 10⁴·0.99 ms */
    config_set_arg(&c, "policy.name=tinyml", &err);
    config_set_arg(&c, "arrivals.process=closed", &err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &tiny, &err), 0);
    ck_assert_double_eq_tol(tiny.makespan_s, 9.9, 1e-9);
    ck_assert_double_eq_tol(tiny.throughput, 10000 / 9.9, 1e-6);
    /* idle-first: 1019.07 against 1010.10 samples/s, +0.89%; ECT +1.33% */
    ck_assert(idle_first > tiny.throughput);
    ck_assert(idle_first < 1.01 * tiny.throughput);
    ck_assert_double_eq_tol(r.throughput / tiny.throughput, 9.9 / 9.77031, 1e-9);
    engine_result_free(&r);
    engine_result_free(&tiny);
    trace_free(t);
}
END_TEST

/* On random figures, ECT equals the brute-force minimum and idle-first
 * is within one offload of it; every offloaded sample ran no S-ML: the
 * device is busy (n − k)·τed exactly. */
START_TEST(test_omd_random)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(100, 0, 0, 9);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    int i;
    gsl_rng_set(g, 17);
    for (i = 0; i < 30; i++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 400), k_best = 0;
        double ted = 0.1 + 5.0 * gsl_rng_uniform(g), toff = 0.1 + 50.0 * gsl_rng_uniform(g);
        double best = brute_makespan(n, ted * 1e-3, toff * 1e-3, &k_best);
        struct hi_config c;
        struct engine_result r;
        omd_config(&c, n, ted, toff, "ect");
        ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
        ck_assert_msg(fabs(r.makespan_s - best) <= 1e-9 * fmax(1.0, best), "n %zu ted %g toff %g: %g vs %g", n,
                      ted, toff, r.makespan_s, best);
        ck_assert_double_eq_tol(r.util_device * r.makespan_s, (double)(n - r.offloaded) * ted * 1e-3, 1e-9);
        engine_result_free(&r);
        omd_config(&c, n, ted, toff, "idle-first");
        ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
        ck_assert(r.makespan_s >= best - 1e-9);
        ck_assert(r.makespan_s <= best + fmax(ted, toff) * 1e-3 + 1e-9);
        engine_result_free(&r);
    }
    gsl_rng_free(g);
    trace_free(t);
}
END_TEST

/* OMD plans every sample at t = 0: other arrival processes are refused
 * with the key named. */
START_TEST(test_omd_needs_all_at_once)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(50, 0, 0, 3);
    struct hi_config c;
    struct engine_result r;
    omd_config(&c, 50, 1, 10, "idle-first");
    config_set_arg(&c, "arrivals.process=closed", &err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "arrivals.process: all-at-once"));
    trace_free(t);
}
END_TEST

Suite *
suite_omd(void)
{
    Suite *s = suite_create("omd");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_omd_000);
    tcase_add_test(tc, test_omd_random);
    tcase_add_test(tc, test_omd_needs_all_at_once);
    suite_add_tcase(s, tc);
    return s;
}
