/* check_oma.c — OMA (000 §5 (2)) and AMR²: the number of offloads against
 * the closed forms, oma-random against the hypergeometric mean, oma-worst
 * against the S-ML, AMR² against a brute-force integer optimum. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "policies/amr2.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"

struct capture {
    struct engine_record *r;
    size_t n, cap;
};

static int
capture(void *ctx, const struct engine_record *r)
{
    struct capture *c = ctx;
    if (c->n < c->cap)
        c->r[c->n] = *r;
    c->n++;
    return 0;
}

static void
set(struct hi_config *c, const char *fmt, ...)
{
    struct hi_error err = {0};
    char arg[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof arg, fmt, ap);
    va_end(ap);
    ck_assert_msg(config_set_arg(c, arg, &err) == 0, "%s: %s", arg, err.msg);
}

static void
oma_config(struct hi_config *c, const char *policy, size_t n, double ted_ms, double toff_ms, int sequential)
{
    config_defaults(c);
    set(c, "policy.name=%s", policy);
    set(c, "trace.samples=%zu", n);
    set(c, "device.tau_ed_ms=%.17g", ted_ms);
    set(c, "network.offload_ms=%.17g", toff_ms);
    set(c, "oma.resources=%s", sequential ? "sequential" : "parallel");
    set(c, "arrivals.process=%s", sequential ? "blocking" : "all-at-once");
}

/* 000's figures with T = 273.807 s (HI's makespan at the Table 1 counts):
 * k = ⌊T/τoff⌋ = 3683 in parallel, k = ⌊(T − nτed)/(τoff − τed)⌋ = 3597
 * in sequence (seed-spec §1.6), for every OMA variant; the makespans are
 * those of the closed forms, and one offload more would not fit. */
START_TEST(test_oma_k_000)
{
    static const char *const names[] = {"oma-random", "oma-worst", "oma-amr2"};
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(300, 0, 1, 5);
    size_t i;
    ck_assert(3684 * 74.34 > 273807.0);
    ck_assert(6402 * 0.99 + 3598 * 74.34 > 273807.0);
    for (i = 0; i < 3; i++) {
        struct hi_config c;
        struct engine_result r;
        if (i == 2 && !amr2_available())
            continue;
        oma_config(&c, names[i], 10000, 0.99, 74.34, 0);
        set(&c, "oma.time_limit=273807");
        ck_assert_msg(engine_run(&c, t, NULL, &r, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(r.offloaded, 3683);
        ck_assert_double_eq_tol(r.makespan_s, 3683 * 74.34e-3, 1e-9);
        ck_assert_int_eq(r.oracle, 1);
        engine_result_free(&r);
        oma_config(&c, names[i], 10000, 0.99, 74.34, 1);
        set(&c, "oma.time_limit=273807");
        ck_assert_msg(engine_run(&c, t, NULL, &r, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(r.offloaded, 3597);
        ck_assert_double_eq_tol(r.makespan_s, (6403 * 0.99 + 3597 * 74.34) * 1e-3, 1e-9);
        engine_result_free(&r);
    }
    trace_free(t);
}
END_TEST

/* hi-makespan is the makespan of fixed-threshold HI under blocking
 * arrivals on the same samples: n·τed + k_HI·τoff, k_HI the samples with
 * p < θ (θ given, or θ*); OMA's k is then ⌊T/τoff⌋ in parallel. */
START_TEST(test_oma_hi_makespan)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(300, 0, 1, 8);
    struct hi_cost cost = {0.5, 1.0, COST_CLASSIFY};
    struct cost_optimum o;
    const char *theta[] = {"0.6", "optimal"};
    size_t i, j;
    ck_assert_int_eq(cost_best_threshold(&cost, t, NULL, t->n, &o), 0);
    for (i = 0; i < 2; i++) {
        struct hi_config c;
        struct engine_result hi, r;
        size_t k_hi = 0, k;
        double T;
        double th = i == 0 ? 0.6 : o.theta;
        for (j = 0; j < t->n; j++)
            k_hi += t->sml_conf[j] < th;
        oma_config(&c, "fixed-threshold", 300, 1.0, 10.0, 1);
        set(&c, "policy.theta=%s", theta[i]);
        set(&c, "cost.lml_error=1");
        ck_assert_int_eq(engine_run(&c, t, NULL, &hi, &err), 0);
        ck_assert_uint_eq(hi.offloaded, k_hi);
        T = 300 * 1e-3 + (double)k_hi * 10e-3;
        ck_assert_double_eq_tol(hi.makespan_s, T, 1e-12);
        oma_config(&c, "oma-random", 300, 1.0, 10.0, 0);
        set(&c, "policy.theta=%s", theta[i]);
        set(&c, "cost.lml_error=1");
        ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
        k = (size_t)floor(T / 10e-3 + 1e-9);
        ck_assert_uint_eq(r.offloaded, k < 300 ? k : 300);
        ck_assert_ptr_nonnull(strstr(r.policy_desc, "hi-makespan"));
        engine_result_free(&hi);
        engine_result_free(&r);
    }
    trace_free(t);
}
END_TEST

/* oma-random offloads exactly k of the n samples, uniformly: the number of
 * right answers is C_s + Σ_{i∈S} d_i with d_i = [L-ML right] − [S-ML right]
 * over a uniform k-subset S, whose mean is C_s + (k/n)Σd and variance
 * k(n−k)/(n(n−1))·Σ(d_i − d̄)².  Over 400 seeds the mean lies within 4.5
 * standard errors of it and the sample variance within [0.7, 1.4] of it. */
START_TEST(test_oma_random_clt)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(200, 0, 0, 12);
    const size_t n = 200, k = 60, R = 400;
    double sum_d = 0.0, mean_d, ss = 0.0, mu, var, s1 = 0.0, s2 = 0.0, m, v;
    size_t i, cs = 0, seed;
    for (i = 0; i < n; i++) {
        cs += !t->y_sml[i];
        sum_d += (double)!t->y_lml[i] - (double)!t->y_sml[i];
    }
    mean_d = sum_d / (double)n;
    for (i = 0; i < n; i++) {
        double d = (double)!t->y_lml[i] - (double)!t->y_sml[i] - mean_d;
        ss += d * d;
    }
    mu = (double)cs + (double)k / (double)n * sum_d;
    var = (double)k * (double)(n - k) / ((double)n * (double)(n - 1)) * ss;
    for (seed = 1; seed <= R; seed++) {
        struct hi_config c;
        struct engine_result r;
        oma_config(&c, "oma-random", n, 1.0, 10.0, 0);
        set(&c, "oma.time_limit=600");   /* k = 600/10 = 60 */
        set(&c, "seed=%zu", seed);
        ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
        ck_assert_uint_eq(r.offloaded, k);
        s1 += (double)r.correct;
        s2 += (double)r.correct * (double)r.correct;
        engine_result_free(&r);
    }
    m = s1 / (double)R;
    v = (s2 - (double)R * m * m) / (double)(R - 1);
    ck_assert_msg(fabs(m - mu) <= 4.5 * sqrt(var / (double)R), "mean %g, hypergeometric %g, sd %g", m, mu,
                  sqrt(var / (double)R));
    ck_assert_msg(v > 0.7 * var && v < 1.4 * var, "variance %g, expected %g", v, var);
    trace_free(t);
}
END_TEST

/* oma-worst: the adversary offloads the simple samples the L-ML gets wrong
 * first, then the other simple ones, then the complex ones the L-ML gets
 * wrong, then the rest: the right answers are C_s − q0 + q3 with q_c the
 * offloads from class c, hence at most the S-ML's while k ≤ #simple.  The
 * random pick offloads simple samples only while k ≤ #simple. */
START_TEST(test_oma_worst)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(300, 0, 1, 21);
    size_t cnt[4] = {0}, cs = 0, i, step;
    struct capture cap = {calloc(300, sizeof(struct engine_record)), 0, 300};
    struct engine_hooks h = {capture, &cap, NULL, NULL, NULL};
    for (i = 0; i < t->n; i++) {
        cnt[(t->y_sml[i] ? 2 : 0) + (t->y_lml[i] ? 0 : 1)]++;
        cs += !t->y_sml[i];
    }
    ck_assert_uint_gt(cnt[0], 0);
    for (step = 0; step < 4; step++) {
        /* k below class 0, inside class 1, just past the simple ones, all */
        size_t ks[4] = {cnt[0] / 2, cnt[0] + cnt[1] / 2, cnt[0] + cnt[1] + cnt[2] / 2 + 1, 300};
        size_t k = ks[step], q[4], need = k, c;
        struct hi_config cf;
        struct engine_result r;
        for (c = 0; c < 4; c++) {
            q[c] = need < cnt[c] ? need : cnt[c];
            need -= q[c];
        }
        oma_config(&cf, "oma-worst", 300, 1.0, 1.0, 0);
        set(&cf, "oma.time_limit=%zu", k);   /* k·τoff ≤ T, (n − k)τed ≤ T for k ≥ n/2 ... */
        set(&cf, "device.tau_ed_ms=%.17g", (double)k / 300.0);   /* ... so make the device fit too */
        ck_assert_msg(engine_run(&cf, t, NULL, &r, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(r.offloaded, k);
        ck_assert_uint_eq(r.correct, cs - q[0] + q[3]);
        if (k <= cnt[0] + cnt[1])
            ck_assert(r.accuracy <= (double)cs / 300.0);
        engine_result_free(&r);

        set(&cf, "oma.worst=random");
        cap.n = 0;
        ck_assert_msg(engine_run(&cf, t, &h, &r, &err) == 0, "%s", err.msg);
        ck_assert_uint_eq(r.offloaded, k);
        if (k <= cnt[0] + cnt[1]) {
            ck_assert(r.accuracy <= (double)cs / 300.0);
            for (i = 0; i < cap.n; i++)
                if (cap.r[i].offload)
                    ck_assert_int_eq(cap.r[i].y_sml, 0);
        }
        engine_result_free(&r);
    }
    free(cap.r);
    trace_free(t);
}
END_TEST

/* A budget no split meets, and a resource model that does not match the
 * arrival process, are the user's errors, named in one line. */
START_TEST(test_oma_bad_config)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(100, 0, 0, 4);
    struct hi_config c;
    struct engine_result r;
    oma_config(&c, "oma-random", 100, 1.0, 10.0, 0);
    set(&c, "oma.time_limit=5");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "below the shortest makespan"));
    ck_assert_ptr_nonnull(strstr(err.msg, "shortest makespan of the 100 samples, 91 ms"));   /* k = 9 */
    oma_config(&c, "oma-worst", 100, 1.0, 10.0, 0);
    set(&c, "arrivals.process=blocking");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "arrivals.process: all-at-once"));
    trace_free(t);
}
END_TEST

#ifdef HAVE_GLPK
/* The integer optimum by enumeration of the (m+1)^n assignments. */
static double
brute_ilp(const struct amr2_problem *p, size_t n, int *feasible)
{
    size_t W = p->m + 1, total = 1, code, i;
    double best = -INFINITY;
    for (i = 0; i < n; i++)
        total *= W;
    *feasible = 0;
    for (code = 0; code < total; code++) {
        size_t x = code;
        double ed = 0.0, es = 0.0, acc = 0.0;
        for (i = 0; i < n; i++, x /= W) {
            size_t j = x % W;
            if (j == p->m) {
                es += p->es_time_s[i];
                acc += p->es_accuracy;
            } else {
                ed += p->models[j].time_s;
                acc += p->models[j].accuracy;
            }
        }
        if (p->sequential ? ed + es <= p->T : (ed <= p->T && es <= p->T)) {
            *feasible = 1;
            if (acc > best)
                best = acc;
        }
    }
    return best;
}

/* On 400 random instances (n ≤ 8 jobs, m ≤ 3 models, each job its own
 * offload time), AMR² assigns every job once, its LP bound is at least
 * the integer optimum A*, it rounds at most two jobs (one in sequence),
 * its makespan is at most T + max time ≤ 2T, and its accuracy is at least
 * A* − 2·max a (amr2.h). */
START_TEST(test_amr2_bruteforce)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    int it, tight = 0;
    gsl_rng_set(g, 99);
    for (it = 0; it < 400; it++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 8), m = 1 + gsl_rng_uniform_int(g, 3), i, j, count[8];
        struct amr2_model models[3];
        double es[8], tmax = 0.0, sum = 0.0, amax, best;
        struct amr2_problem p;
        struct amr2_plan plan;
        struct hi_error err = {0};
        int feas, rc;
        for (j = 0; j < m; j++) {
            models[j].time_s = 0.1 + gsl_rng_uniform(g);
            models[j].accuracy = 0.3 + 0.6 * gsl_rng_uniform(g);
            tmax = fmax(tmax, models[j].time_s);
        }
        for (i = 0; i < n; i++) {
            count[i] = 1;
            es[i] = 0.1 + 2.0 * gsl_rng_uniform(g);
            tmax = fmax(tmax, es[i]);
            sum += es[i];
        }
        p.n_groups = n;
        p.count = count;
        p.es_time_s = es;
        p.m = m;
        p.models = models;
        p.es_accuracy = 0.5 + 0.5 * gsl_rng_uniform(g);
        p.sequential = it % 3 == 0;
        p.T = tmax + (sum + (double)n) * gsl_rng_uniform(g) * 0.5;
        amax = p.es_accuracy;
        for (j = 0; j < m; j++)
            amax = fmax(amax, models[j].accuracy);
        best = brute_ilp(&p, n, &feas);
        rc = amr2_solve(&p, &plan, &err);
        if (rc == HI_EINPUT) {
            ck_assert_msg(!feas, "LP infeasible but an integer plan exists: %s", err.msg);
            continue;
        }
        ck_assert_int_eq(rc, 0);
        for (i = 0; i < n; i++) {
            size_t s = 0;
            for (j = 0; j <= m; j++)
                s += plan.assign[i * (m + 1) + j];
            ck_assert_uint_eq(s, 1);
        }
        ck_assert_uint_le(plan.rounded, p.sequential ? 1 : 2);
        ck_assert(plan.makespan_s <= p.T + tmax + 1e-12);
        ck_assert(plan.makespan_s <= 2.0 * p.T + 1e-12);
        if (feas) {
            ck_assert_msg(plan.lp_accuracy >= best - 1e-9, "LP %g below A* %g", plan.lp_accuracy, best);
            ck_assert_msg(plan.accuracy >= best - 2.0 * amax - 1e-9, "AMR² %g, A* %g", plan.accuracy, best);
            tight += plan.makespan_s <= p.T * (1 + 1e-12) && fabs(plan.accuracy - best) < 1e-9;
        }
        amr2_plan_free(&plan);
    }
    /* the rounding is not vacuous: it reaches the optimum within T often */
    ck_assert_int_gt(tight, 100);
    gsl_rng_free(g);
}
END_TEST

/* Identical jobs (one group): the LP puts ⌊T/c⌋ + frac on the server;
 * the rounding keeps the makespan within T when an option fits. */
START_TEST(test_amr2_identical)
{
    struct amr2_model dev = {0.99e-3, 0.6258};
    size_t count = 10000;
    double es = 74.34e-3;
    struct amr2_problem p = {1, &count, &es, 1, &dev, 0.95, 273.807, 0};
    struct amr2_plan plan;
    struct hi_error err = {0};
    ck_assert_int_eq(amr2_solve(&p, &plan, &err), 0);
    ck_assert_uint_eq(plan.assign[1], 3683);
    ck_assert_uint_eq(plan.assign[0], 6317);
    ck_assert_double_eq_tol(plan.lp[1], 273.807 / 74.34e-3, 1e-6);
    ck_assert(plan.makespan_s <= 273.807);
    ck_assert_double_eq_tol(plan.lp_accuracy, (10000 - plan.lp[1]) * 0.6258 + plan.lp[1] * 0.95, 1e-6);
    amr2_plan_free(&plan);
}
END_TEST
#else
/* Without GLPK the policy says so instead of running. */
START_TEST(test_amr2_unavailable)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(100, 0, 0, 4);
    struct hi_config c;
    struct engine_result r;
    ck_assert_int_eq(amr2_available(), 0);
    oma_config(&c, "oma-amr2", 100, 1.0, 10.0, 0);
    set(&c, "oma.time_limit=500");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "without GLPK"));
    trace_free(t);
}
END_TEST
#endif

Suite *
suite_oma(void)
{
    Suite *s = suite_create("oma");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_oma_k_000);
    tcase_add_test(tc, test_oma_hi_makespan);
    tcase_add_test(tc, test_oma_random_clt);
    tcase_add_test(tc, test_oma_worst);
    tcase_add_test(tc, test_oma_bad_config);
#ifdef HAVE_GLPK
    tcase_add_test(tc, test_amr2_bruteforce);
    tcase_add_test(tc, test_amr2_identical);
#else
    tcase_add_test(tc, test_amr2_unavailable);
#endif
    suite_add_tcase(s, tc);
    return s;
}
