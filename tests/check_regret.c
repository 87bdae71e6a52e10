/* check_regret.c — the incremental hindsight optimum against the exact
 * breakpoint search on every prefix. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The naive hindsight optimum over rows[0..n): every threshold of the
 * learners' class (θ = 0 unless some p = 0, every distinct p > 0, and
 * θ = 1 unless some p = 1, which is then a distinct p) summed in sample
 * order with a compensated sum, the first (smallest θ) strict minimum.
 * O(n·K), independent of the per-interval sums. */
static double
oracle_best(const struct hi_trace *t, const struct hi_cost *c, const size_t *rows, size_t n, double *theta)
{
    double *th = malloc((t->n + 2) * sizeof *th), best = INFINITY;
    size_t K = 0, i, q;
    int has0 = 0, has1 = 0;
    ck_assert_ptr_nonnull(th);
    for (i = 0; i < t->n; i++) {
        has0 |= t->sml_conf[i] == 0.0;
        has1 |= t->sml_conf[i] == 1.0;
    }
    if (!has0)
        th[K++] = 0.0;
    for (i = 0; i < t->n; i++) {
        double p = t->sml_conf[i];
        size_t j;
        if (p == 0.0)
            continue;
        for (j = 0; j < K && th[j] != p; j++)
            ;
        if (j == K)
            th[K++] = p;
    }
    if (!has1)
        th[K++] = 1.0;
    /* increasing, so that the first strict minimum is the smallest θ */
    for (i = 1; i < K; i++)
        for (q = i; q > 0 && th[q - 1] > th[q]; q--) {
            double x = th[q];
            th[q] = th[q - 1];
            th[q - 1] = x;
        }
    for (i = 0; i < K; i++) {
        struct ksum s = KSUM_ZERO;
        double v;
        for (q = 0; q < n; q++)
            ksum_add(&s, t->sml_conf[rows[q]] < th[i] ? cost_offload(c, t, rows[q]) : cost_accept(c, t, rows[q]));
        v = ksum_value(&s);
        if (v < best) {
            best = v;
            *theta = th[i];
        }
    }
    free(th);
    return best;
}

/* Bitwise: the same double, sign of zero included. */
static int
same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static const struct hi_cost fast_costs[] = {
    {0.1, 0.0, COST_CLASSIFY},   /* 10·β ≠ 1: costs that differ by 5.6e-17 */
    {0.3, 1.0, COST_CLASSIFY},   /* 000 Table 1 */
    {0.2, 0.5, COST_CLASSIFY},
    {1.0 / 3.0, 0.0, COST_CLASSIFY},
    {0.5, 0.1, COST_CLASSIFY},   /* β coarse, β + c_L fine: the scale grows mid-run */
    {0.7, 0.0, COST_FILTER},
    {0.0, 0.0, COST_CLASSIFY},
};

/* The fast path (exact integers, segment tree) against the reference scan
 * and the naive oracle, to the last bit, after every sample and every 37
 * samples (then the tree is rebuilt rather than patched), on random
 * traces with ties, p = 0 and p = 1, repeats, every cost model. */
START_TEST(test_fast_matches_oracle)
{
    size_t ci, s, i, n_scaled = 0;
    for (ci = 0; ci < sizeof fast_costs / sizeof fast_costs[0]; ci++)
        for (s = 0; s < 4; s++) {
            const struct hi_cost *c = &fast_costs[ci];
            struct hi_trace *t = util_random_trace(s % 2 ? 50 : 9, s < 2 ? 7 : 0, s % 3 == 0, 100 + 10 * ci + s);
            size_t every = s % 2 ? 37 : 1, rows[600];
            struct regret r;
            int scale0 = -1;
            gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
            gsl_rng_set(g, 7 + s + 31 * ci);
            if (c->model == COST_FILTER) {
                ck_assert_int_eq(trace_add_column(t, TRACE_COL_RELEVANT), 0);
                for (i = 0; i < t->n; i++)
                    t->relevant[i] = gsl_rng_uniform(g) < 0.4;
            }
            ck_assert_int_eq(regret_init(&r, t, c), 0);
            ck_assert_ptr_nonnull(r.own);      /* a trace built in memory: sorted here */
            for (i = 0; i < 600; i++) {
                double th_fast, th_ref, th_or, fast, ref, orc;
                rows[i] = gsl_rng_uniform_int(g, t->n);
                regret_add(&r, rows[i]);
                if (scale0 < 0)
                    scale0 = r.scale;
                if ((i + 1) % every && i + 1 < 600)
                    continue;
                fast = regret_best(&r, &th_fast);
                ck_assert_msg(r.exact, "cost %zu seed %zu: the fast path gave up at %zu", ci, s, i);
                ref = regret_best_reference(&r, &th_ref);
                orc = oracle_best(t, c, rows, i + 1, &th_or);
                ck_assert_msg(same(fast, ref) && same(th_fast, th_ref),
                              "cost %zu seed %zu t %zu: fast %.17g at %.17g, reference %.17g at %.17g", ci, s, i,
                              fast, th_fast, ref, th_ref);
                ck_assert_msg(same(fast, orc) && same(th_fast, th_or),
                              "cost %zu seed %zu t %zu: fast %.17g at %.17g, oracle %.17g at %.17g", ci, s, i,
                              fast, th_fast, orc, th_or);
            }
            n_scaled += r.scale != scale0;
            regret_fini(&r);
            gsl_rng_free(g);
            trace_free(t);
        }
    ck_assert_uint_gt(n_scaled, 0);     /* the rescaling was exercised */
}
END_TEST

/* A cost with a finer binary fraction than those before it (β = 0.5, then
 * β + c_L = 0.6) rescales every integer, changes not yet in the tree
 * included: queries far apart, against the oracle. */
START_TEST(test_rescale_pending)
{
    struct hi_trace *t = util_random_trace(600, 0, 0, 71);   /* 75 blocks: changes wait for the query */
    struct hi_cost c = {0.5, 0.1, COST_CLASSIFY};
    struct regret r;
    size_t rows[200], i, n = 0;
    for (i = 0; i < t->n; i++)
        t->lml_pred[i] = t->label[i];       /* the L-ML right: offloading costs 0.5 */
    t->lml_pred[3] = t->label[3] + 1;       /* but on row 3: 0.6 */
    trace_derive(t);
    ck_assert_int_eq(regret_init(&r, t, &c), 0);
    for (i = 0; i < 200; i++) {
        double th, th_or, best, orc;
        rows[n] = i == 57 ? 3 : (i * 7 + 1) % t->n == 3 ? 4 : (i * 7 + 1) % t->n;
        regret_add(&r, rows[n++]);
        if (i == 30) {
            best = regret_best(&r, &th);
            ck_assert_int_eq(r.scale, 1);   /* halves so far */
        }
        if (i == 56)
            ck_assert_uint_gt(r.n_pending + r.n_defer, 20);   /* waiting for the query */
        if (i != 80 && i != 199)
            continue;
        best = regret_best(&r, &th);
        ck_assert(r.exact);
        ck_assert_int_gt(r.scale, 1);
        orc = oracle_best(t, &c, rows, n, &th_or);
        ck_assert_msg(same(best, orc) && same(th, th_or), "t %zu: %.17g at %g, oracle %.17g at %g", i, best, th, orc,
                      th_or);
    }
    regret_fini(&r);
    trace_free(t);
}
END_TEST

/* Deferred adds: with queries far apart, the deferred samples go into the
 * integers grouped by row (more of them than the list holds); with costs
 * 2^100 units apart, the headroom lets only a few wait and the fast path
 * ends at the sample that takes the sums past their limit.  Either way
 * every query gives the oracle's doubles. */
START_TEST(test_deferred_adds)
{
    static const struct hi_cost costs[] = {{0.3, 1.0, COST_CLASSIFY}, {0.1, 0.0, COST_CLASSIFY},
                                           {0x1p-60, 0x1p40, COST_CLASSIFY}};
    size_t ci, i;
    for (ci = 0; ci < 3; ci++) {
        struct hi_trace *t = util_random_trace(50, 6, 1, 90 + ci);
        size_t n = ci < 2 ? 4000 : 200, every = ci < 2 ? 600 : 200, *rows = malloc(n * sizeof *rows);
        size_t dense = 0, waited = 0, ended = 0, cross = 0;
        unsigned __int128 mass = 0;    /* ci = 2: the sums in units of 2^-60 */
        struct regret r;
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        ck_assert_ptr_nonnull(rows);
        gsl_rng_set(g, 11 + ci);
        ck_assert_int_eq(regret_init(&r, t, &costs[ci]), 0);
        ck_assert_ptr_nonnull(r.cls);
        for (i = 0; i < n; i++) {
            double th, th_or, best, orc;
            rows[i] = gsl_rng_uniform_int(g, t->n);
            regret_add(&r, rows[i]);
            waited += r.n_defer > 0;
            if (ci == 2 && !cross) {
                mass += (t->y_lml[rows[i]] ? (unsigned __int128)1 << 100 : 1) + ((unsigned __int128)t->y_sml[rows[i]] << 60);
                if (mass >= (unsigned __int128)1 << 104)
                    cross = i + 1;
            }
            if (!ended && !r.exact)
                ended = i + 1;
            if ((i + 1) % every && i + 1 < n)
                continue;
            dense += r.n_defer > r.cap_defer;
            best = regret_best(&r, &th);
            orc = oracle_best(t, &costs[ci], rows, i + 1, &th_or);
            ck_assert_msg(same(best, orc) && same(th, th_or), "cost %zu t %zu: %.17g at %g, oracle %.17g at %g", ci,
                          i, best, th, orc, th_or);
        }
        ck_assert_uint_gt(waited, 0);
        if (ci < 2) {
            ck_assert(r.exact);
            ck_assert_uint_ge(dense, 5);     /* grouped by row */
        } else {
            /* 2^100-unit costs: the fast path ends at the very sample that
             * takes the sums past 2^104 units, as without deferral */
            ck_assert_uint_gt(cross, 0);
            ck_assert_uint_eq(ended, cross);
        }
        regret_fini(&r);
        gsl_rng_free(g);
        free(rows);
        trace_free(t);
    }
    {
        /* 300 samples of one class wait; then the first sample of another
         * class is added at once, after them, and only once */
        struct hi_trace *t = util_random_trace(50, 6, 1, 97);
        size_t rows[301], same_class[50], n_same = 0, b = t->n;
        double th, th_or, best, orc;
        struct regret r;
        for (i = 0; i < t->n; i++) {
            if (!t->y_sml[i] && !t->y_lml[i])
                same_class[n_same++] = i;
            else if (t->y_lml[i] && b == t->n)
                b = i;
        }
        ck_assert(n_same > 5 && b < t->n);
        ck_assert_int_eq(regret_init(&r, t, &costs[0]), 0);
        for (i = 0; i < 300; i++)
            regret_add(&r, rows[i] = same_class[(i * 7) % n_same]);
        ck_assert_uint_gt(r.n_defer, r.cap_defer);
        regret_add(&r, rows[300] = b);
        best = regret_best(&r, &th);
        orc = oracle_best(t, &costs[0], rows, 301, &th_or);
        ck_assert_msg(same(best, orc) && same(th, th_or), "late class: %.17g at %g, oracle %.17g at %g", best, th, orc,
                      th_or);
        regret_fini(&r);
        trace_free(t);
    }
}
END_TEST

/* Two thresholds whose exact costs differ by 1.1e-16 round to the same
 * double: the reference reports the smaller θ (its first strict
 * minimum), not the exact minimiser.  Rows: 100 wrong samples at p = 0.2,
 * 10 at p = 0.5 of which 3 wrong, 200 right at p = 0.8, β = 0.3:
 * offloading p ≤ 0.2 costs 100·β + 3 = 32.99999999999999889 (exactly),
 * offloading p ≤ 0.5 costs 110·β = 32.99999999999999878: both 33.0. */
START_TEST(test_rounded_tie_smallest_theta)
{
    struct hi_trace *t = trace_new(310);
    struct hi_cost c = {0.3, 0.0, COST_CLASSIFY};
    struct regret r;
    double th, th_ref, best;
    size_t i;
    for (i = 0; i < 310; i++) {
        int wrong = i < 100 || (i >= 100 && i < 103);
        t->sml_conf[i] = i < 100 ? 0.2 : i < 110 ? 0.5 : 0.8;
        t->label[i] = 1;
        t->sml_pred[i] = wrong ? 2 : 1;
        t->lml_pred[i] = 1;
    }
    trace_derive(t);
    ck_assert_int_eq(regret_init(&r, t, &c), 0);
    for (i = 0; i < 310; i++)
        regret_add(&r, i);
    best = regret_best(&r, &th);
    ck_assert(r.exact);
    ck_assert_double_eq(best, 33.0);
    ck_assert_double_eq(th, 0.5);           /* offload p ≤ 0.2: θ = 0.5 */
    ck_assert(same(regret_best_reference(&r, &th_ref), best) && th_ref == th);
    regret_fini(&r);
    trace_free(t);
}
END_TEST

/* An exact cost halfway between two doubles rounds to the even one: 8
 * wrong samples at p = 0.2, 10 at p = 0.5 of which 3 wrong, 5 right at
 * p = 0.8, β = 0.3.  Offloading p ≤ 0.5 costs 18·β = 5.39999999999999980016
 * (exactly), which rounds to 5.3999999999999995 (an odd significand);
 * offloading p ≤ 0.2 costs 8·β + 3, exactly halfway above it, which rounds
 * up to the even 5.4.  The smaller double wins, at θ = 0.8. */
START_TEST(test_rounded_half_even)
{
    struct hi_trace *t = trace_new(23);
    struct hi_cost c = {0.3, 0.0, COST_CLASSIFY};
    struct regret r;
    double th, th_ref, best;
    size_t i;
    for (i = 0; i < 23; i++) {
        int wrong = i < 8 || (i >= 8 && i < 11);
        t->sml_conf[i] = i < 8 ? 0.2 : i < 18 ? 0.5 : 0.8;
        t->label[i] = 1;
        t->sml_pred[i] = wrong ? 2 : 1;
        t->lml_pred[i] = 1;
    }
    trace_derive(t);
    ck_assert_int_eq(regret_init(&r, t, &c), 0);
    for (i = 0; i < 23; i++)
        regret_add(&r, 22 - i);
    best = regret_best(&r, &th);
    ck_assert(r.exact);
    ck_assert(same(best, 18 * 0.3));
    ck_assert(5.4 > best);
    ck_assert_double_eq(th, 0.8);
    ck_assert(same(regret_best_reference(&r, &th_ref), best) && th_ref == th);
    regret_fini(&r);
    trace_free(t);
}
END_TEST

/* Costs the integers cannot hold (c_L = 1e300 next to β = 0.3, a β of
 * 1e-300) leave the fast path at once; a fast path switched off mid-run
 * goes on with the reference.  Either way the results are the oracle's. */
START_TEST(test_reference_fallback)
{
    static const struct hi_cost costs[] = {{0.3, 1e300, COST_CLASSIFY}, {1e-300, 1.0, COST_CLASSIFY},
                                           {0.3, 1.0, COST_CLASSIFY}};
    size_t ci, i;
    for (ci = 0; ci < 3; ci++) {
        struct hi_trace *t = util_random_trace(40, 5, 1, 50 + ci);
        struct regret r;
        size_t rows[300];
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, 3 + ci);
        ck_assert_int_eq(regret_init(&r, t, &costs[ci]), 0);
        for (i = 0; i < 300; i++) {
            double th, th_or, best, orc;
            rows[i] = gsl_rng_uniform_int(g, t->n);
            regret_add(&r, rows[i]);
            if (ci == 2 && i == 150)
                r.exact = 0;
            best = regret_best(&r, &th);
            if (ci == 2)
                ck_assert(i < 150 ? r.exact : !r.exact);
            orc = oracle_best(t, &costs[ci], rows, i + 1, &th_or);
            ck_assert_msg(same(best, orc) && same(th, th_or), "cost %zu t %zu: %.17g at %g, oracle %.17g at %g", ci,
                          i, best, th, orc, th_or);
        }
        ck_assert(!r.exact);
        regret_fini(&r);
        gsl_rng_free(g);
        trace_free(t);
    }
}
END_TEST

/* A trace read from a file carries the sort of its sml_conf, shared by
 * every run (regret_init sorts nothing) and by views on sml_conf, not by
 * views on another column; the shared sort gives the same regret as a
 * private one, and λ_min from it is cost_lambda_min_of's to the bit. */
START_TEST(test_shared_sort)
{
    struct hi_error err = {0};
    struct hi_trace *mem = util_random_trace(300, 40, 1, 61), *t, view;
    struct hi_cost c = {0.3, 1.0, COST_CLASSIFY};
    struct regret a, b;
    size_t i, j;
    const char *path = util_tmp("shared-sort.csv");

    ck_assert_int_eq(trace_add_column(mem, TRACE_COL_LML_CONF), 0);
    for (i = 0; i < mem->n; i++)
        mem->lml_conf[i] = (double)(i % 7) / 7.0;
    ck_assert_int_eq(trace_write(mem, path, &err), 0);
    t = trace_load(path, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    ck_assert_ptr_nonnull(t->sorted);
    ck_assert_ptr_null(mem->sorted);
    ck_assert(same(cost_lambda_min(t), cost_lambda_min_of(t->sml_conf, t->n)));
    ck_assert(same(cost_lambda_min(t), cost_lambda_min(mem)));
    /* the sort itself: increasing distinct values, each row's rank */
    for (j = 1; j < t->sorted->k; j++)
        ck_assert(t->sorted->v[j - 1] < t->sorted->v[j]);
    for (i = 0; i < t->n; i++)
        ck_assert(t->sorted->v[t->sorted->rank[i] - 1] == t->sml_conf[i]);

    ck_assert_int_eq(regret_init(&a, t, &c), 0);
    ck_assert_ptr_null(a.own);
    ck_assert_ptr_eq(a.sort, t->sorted);
    ck_assert_int_eq(regret_init(&b, mem, &c), 0);
    ck_assert_ptr_nonnull(b.own);
    for (i = 0; i < 3000; i++) {
        size_t row = (i * 7919) % t->n;
        double ta, tb;
        regret_add(&a, row);
        regret_add(&b, row);
        if (i % 100 == 99)
            ck_assert(same(regret_best(&a, &ta), regret_best(&b, &tb)) && same(ta, tb));
    }
    regret_fini(&a);
    regret_fini(&b);

    ck_assert_int_eq(trace_view_confidence(t, "sml_conf", &view, &err), 0);
    ck_assert_ptr_eq(view.sorted, t->sorted);
    trace_view_free(&view);
    ck_assert_int_eq(trace_view_confidence(t, "lml_conf", &view, &err), 0);
    ck_assert_ptr_null(view.sorted);
    ck_assert(same(cost_lambda_min(&view), cost_lambda_min_of(view.sml_conf, view.n)));
    ck_assert(cost_lambda_min(&view) != cost_lambda_min(t));
    ck_assert_int_eq(regret_init(&a, &view, &c), 0);
    ck_assert_ptr_nonnull(a.own);
    ck_assert_uint_eq(a.k, 7);
    regret_fini(&a);
    trace_view_free(&view);
    trace_free(t);
    trace_free(mem);
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
    tcase_add_test(tc, test_deferred_adds);
    tcase_add_test(tc, test_fast_matches_oracle);
    tcase_add_test(tc, test_rescale_pending);
    tcase_add_test(tc, test_rounded_tie_smallest_theta);
    tcase_add_test(tc, test_rounded_half_even);
    tcase_add_test(tc, test_reference_fallback);
    tcase_add_test(tc, test_shared_sort);
    suite_add_tcase(s, tc);
    return s;
}
