/* check_regret.c — the incremental hindsight optimum against the exact
 * breakpoint search on every prefix. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "sim/regret.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"
#include "traces/ksum.h"

/* Cost of threshold θ over rows[0..n). */
static double
cost_on(const struct hi_trace *t, const struct hi_cost *c, const size_t *rows, size_t n, double theta)
{
    double v = 0;
    size_t q;
    for (q = 0; q < n; q++)
        v += t->sml_conf[rows[q]] < theta ? cost_offload(c, t, rows[q]) : cost_accept(c, t, rows[q]);
    return v;
}

/* After every sample of a random sequence (repeats, ties, p = 0 and 1),
 * the tracker's best cost equals brute force over the learners' class:
 * θ = 0 unless some p = 0, every distinct p > 0, and θ = 1; its θ attains
 * that cost.  Without p = 0 and p = 1 it equals cost_best_threshold. */
START_TEST(test_prefix_optimum)
{
    unsigned seeds[] = {1, 2, 3, 4};
    size_t s, i, j;
    for (s = 0; s < 4; s++) {
        struct hi_trace *t = util_random_trace(60, s % 2 ? 6 : 0, s < 2, seeds[s]);
        struct hi_cost c = {0.1 + 0.25 * (double)s, (double)(s % 2), COST_CLASSIFY};
        struct regret r;
        size_t rows[400];
        int has0 = 0, has1 = 0;
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, seeds[s]);
        for (j = 0; j < t->n; j++)
            has0 |= t->sml_conf[j] == 0.0, has1 |= t->sml_conf[j] == 1.0;
        ck_assert_int_eq(regret_init(&r, t, &c), 0);
        for (i = 0; i < 400; i++) {
            double theta, best, brute;
            rows[i] = gsl_rng_uniform_int(g, t->n);
            regret_add(&r, rows[i]);
            best = regret_best(&r, &theta);
            brute = cost_on(t, &c, rows, i + 1, 1.0);
            if (!has0)
                brute = fmin(brute, cost_on(t, &c, rows, i + 1, 0.0));
            for (j = 0; j < t->n; j++)
                if (t->sml_conf[j] > 0.0)
                    brute = fmin(brute, cost_on(t, &c, rows, i + 1, t->sml_conf[j]));
            ck_assert_msg(fabs(best - brute) < 1e-9, "seed %u t %zu: %g vs %g", seeds[s], i, best, brute);
            ck_assert_msg(fabs(cost_on(t, &c, rows, i + 1, theta) - brute) < 1e-9, "theta %g", theta);
            ck_assert(theta >= 0.0 && theta <= 1.0);
            if (!has0 && !has1) {
                struct cost_optimum o;
                ck_assert_int_eq(cost_best_threshold(&c, t, rows, i + 1, &o), 0);
                ck_assert(fabs(best - o.cost) < 1e-9);
            }
        }
        regret_fini(&r);
        gsl_rng_free(g);
        trace_free(t);
    }
}
END_TEST

/* The engine's regret curve: about 200 increasing checkpoints ending at
 * n, regret 0 everywhere for θ = θ* of a sequential pass at the end, and
 * best ≤ expected at every checkpoint for any fixed θ. */
START_TEST(test_engine_curve)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(5000, 0, 0, 5);
    struct hi_config c;
    struct engine_result r;
    size_t i;
    config_defaults(&c);
    config_set_arg(&c, "policy.theta=0.3", &err);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=100000", &err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_ge(r.curves.n, 180);
    ck_assert_uint_le(r.curves.n, 220);
    ck_assert_double_eq(r.curves.t[0], 1);
    ck_assert_double_eq(r.curves.t[r.curves.n - 1], 100000);
    for (i = 0; i < r.curves.n; i++) {
        if (i)
            ck_assert(r.curves.t[i] > r.curves.t[i - 1]);
        ck_assert(r.curves.regret[i] >= -1e-9);
        ck_assert_double_eq_tol(r.curves.regret[i], r.curves.expected[i] - r.curves.best[i], 1e-9);
    }
    ck_assert_double_eq_tol(r.curves.regret[r.curves.n - 1], r.regret, 1e-9);
    ck_assert_double_eq_tol(r.curves.cost[r.curves.n - 1], r.total_cost, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* The comparator is the learners' class θ ∈ [0, 1]: it cannot offload
 * p = 1.  With β = 0 offloading is free, so full offload costs 0 while
 * the best threshold in [0, 1] still accepts the p = 1 samples and pays
 * for the wrong ones: the regret is minus their number.  A comparator
 * that admitted 1⁺ would report 0. */
START_TEST(test_comparator_excludes_1plus)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(400, 0, 0, 17);
    struct hi_config c;
    struct engine_result r;
    size_t i, wrong_at_1 = 0;
    for (i = 0; i < t->n; i += 10) {
        t->sml_conf[i] = 1.0;
        t->sml_pred[i] = i % 20 ? t->label[i] : t->label[i] + 1;
    }
    trace_derive(t);
    for (i = 0; i < t->n; i++)
        wrong_at_1 += t->sml_conf[i] == 1.0 && t->y_sml[i];
    ck_assert_uint_eq(wrong_at_1, 20);
    config_defaults(&c);
    ck_assert_int_eq(config_set_arg(&c, "policy.name=full-offload", &err), 0);
    ck_assert_int_eq(config_set_arg(&c, "cost.beta=0", &err), 0);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq(r.expected_cost, 0.0);
    ck_assert_double_eq(r.best_cost, 20.0);
    ck_assert_double_eq(r.regret, -20.0);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* On the shipped Fashion-MNIST trace, hil-f and batch-hi (M = 5) stay
 * below their regret bounds: at every checkpoint t, with the default η,
 * regret ≤ ln(1/λ_min)/η + η·t·M/8 (002 eq. 4), and at the horizon
 * regret ≤ √(n·M·ln(1/λ_min)/2) (002 eq. 5). */
START_TEST(test_shipped_trace_bound)
{
    static const struct { const char *policy, *batch; double M; } runs[] = {
        {"hil-f", "1", 1}, {"batch-hi", "5", 5}};
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("traces/fmnist/fmnist-cnn.csv"), &err);
    size_t k, i;
    ck_assert_msg(t != NULL, "%s", err.msg);
    for (k = 0; k < 2; k++) {
        struct hi_config c;
        struct engine_result r;
        char arg[64];
        double n = 30000, L, eta;
        config_defaults(&c);
        config_set_arg(&c, "trace.order=bootstrap", &err);
        config_set_arg(&c, "trace.samples=30000", &err);
        config_set_arg(&c, "cost.beta=0.3", &err);
        snprintf(arg, sizeof arg, "policy.name=%s", runs[k].policy);
        config_set_arg(&c, arg, &err);
        snprintf(arg, sizeof arg, "policy.batch=%s", runs[k].batch);
        config_set_arg(&c, arg, &err);
        ck_assert_msg(engine_run(&c, t, NULL, &r, &err) == 0, "%s", err.msg);
        L = log(1.0 / r.lambda_min);
        eta = sqrt(8.0 * L / (n * runs[k].M));
        for (i = 0; i < r.curves.n; i++)
            ck_assert_msg(r.curves.regret[i] <= L / eta + eta * r.curves.t[i] * runs[k].M / 8.0,
                          "%s t %g regret %g", runs[k].policy, r.curves.t[i], r.curves.regret[i]);
        ck_assert_msg(r.regret <= sqrt(n * runs[k].M * L / 2.0), "%s regret %g bound %g", runs[k].policy,
                      r.regret, sqrt(n * runs[k].M * L / 2.0));
        engine_result_free(&r);
    }
    trace_free(t);
}
END_TEST

/* θ* against itself is a regret of exactly 0, not 1e-4: over 2·10^7
 * bootstrap rows (β = 0.3, so costs are inexact binary fractions) the
 * hindsight optimum equals, to the last bit, the compensated sum of the
 * costs of the fixed threshold at that θ in sample order, and a plain sum
 * of the same costs does not (what the old code reported).  Also
 * cost_best_threshold's cost is exactly cost_of_threshold at its θ. */
START_TEST(test_theta_star_exact)
{
    struct hi_trace *t = util_random_trace(3000, 0, 0, 9);
    struct hi_cost c = {0.3, 1.0, COST_CLASSIFY};
    struct regret r;
    struct ksum fixed = KSUM_ZERO;
    struct cost_optimum o;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *rows = malloc(20000000 * sizeof *rows), i;
    double theta, best, plain = 0.0;

    ck_assert_ptr_nonnull(rows);
    gsl_rng_set(g, 77);
    ck_assert_int_eq(regret_init(&r, t, &c), 0);
    for (i = 0; i < 20000000; i++) {
        rows[i] = gsl_rng_uniform_int(g, t->n);
        regret_add(&r, rows[i]);
    }
    best = regret_best(&r, &theta);
    for (i = 0; i < 20000000; i++) {
        double v = t->sml_conf[rows[i]] < theta ? cost_offload(&c, t, rows[i]) : cost_accept(&c, t, rows[i]);
        ksum_add(&fixed, v);
        plain += v;
    }
    ck_assert_msg(ksum_value(&fixed) - best == 0.0, "regret of theta* against itself: %.17g", ksum_value(&fixed) - best);
    ck_assert(plain != best);
    ck_assert_int_eq(cost_best_threshold(&c, t, NULL, t->n, &o), 0);
    ck_assert_double_eq(o.cost, cost_of_threshold(&c, t, o.theta));
    regret_fini(&r);
    gsl_rng_free(g);
    free(rows);
    trace_free(t);
}
END_TEST

Suite *
suite_regret(void)
{
    Suite *s = suite_create("regret");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_prefix_optimum);
    tcase_add_test(tc, test_engine_curve);
    tcase_add_test(tc, test_comparator_excludes_1plus);
    tcase_add_test(tc, test_shipped_trace_bound);
    tcase_add_test(tc, test_theta_star_exact);
    suite_add_tcase(s, tc);
    return s;
}
