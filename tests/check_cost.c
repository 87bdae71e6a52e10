/* check_cost.c — the cost model, θ* and λ_min against hand counts and brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"

/*
 * A trace built to the counts of 000 Table 1 (CIFAR-10, θ = 0.607):
 * 10000 samples; 3550 below θ (offloaded), 71 of them wrong on the L-ML;
 * 6450 accepted, 1577 of them wrong on the S-ML.  Which S-ML answers are
 * wrong among the offloaded, and which L-ML answers among the accepted,
 * does not matter to the HI cost; they are set to make the baselines of
 * Table 1 come out too: S-ML 3742 wrong in all, L-ML 500 wrong in all.
 */
static struct hi_trace *
table1_trace(void)
{
    struct hi_trace *t = trace_new(10000);
    size_t i;
    for (i = 0; i < 10000; i++) {
        int off = i < 3550;
        t->label[i] = (int)(i % 10);
        t->sml_conf[i] = off ? 0.1 + 0.5 * (double)i / 3550.0          /* [0.1, 0.6) */
                             : 0.607 + 0.393 * (double)(i - 3550) / 6450.0;
        /* S-ML wrong: 1577 accepted + 2165 offloaded = 3742 (62.58%) */
        t->sml_pred[i] = t->label[i];
        if ((off && i < 2165) || (!off && i - 3550 < 1577))
            t->sml_pred[i] = (t->label[i] + 1) % 10;
        /* L-ML wrong: 71 offloaded + 429 accepted = 500 (95%) */
        t->lml_pred[i] = t->label[i];
        if ((off && i >= 3550 - 71) || (!off && i >= 10000 - 429))
            t->lml_pred[i] = (t->label[i] + 2) % 10;
    }
    trace_derive(t);
    return t;
}

/* 000 Table 1: HI at θ = 0.607, β = 0.5, lml_error = 1 costs
 * 3550β + 1648 = 3423 with 83.52% accuracy; no offload costs 3742 at
 * 62.58%; full offload 10000β + 500 at 95%.  Checked both by the cost
 * function and end to end through the engine. */
START_TEST(test_table1)
{
    struct hi_trace *t = table1_trace();
    struct hi_cost c = {0.5, 1.0, COST_CLASSIFY};
    struct hi_config cfg;
    struct engine_result r;
    struct hi_error err = {0};
    ck_assert_double_eq_tol(cost_of_threshold(&c, t, 0.607), 3550 * 0.5 + 1648, 1e-9);
    ck_assert_double_eq_tol(cost_of_threshold(&c, t, 0.0), 3742, 1e-9);
    ck_assert_double_eq_tol(cost_of_threshold(&c, t, cost_theta_all()), 10000 * 0.5 + 500, 1e-9);
    ck_assert_double_eq_tol(trace_sml_accuracy(t), 0.6258, 1e-12);
    ck_assert_double_eq_tol(trace_lml_accuracy(t), 0.95, 1e-12);

    config_defaults(&cfg);
    ck_assert_int_eq(config_set_arg(&cfg, "policy.theta=0.607", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "cost.lml_error=1", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "cost.beta=0.5", &err), 0);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.offloaded, 3550);
    ck_assert_double_eq_tol(r.total_cost, 3550 * 0.5 + 1648, 1e-9);
    ck_assert_double_eq_tol(r.accuracy, 0.8352, 1e-12);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/*
 * A trace built to the counts of 000 Table 2 (dog filtering on CIFAR-10):
 * 10000 samples, 1000 relevant (dogs).  The S-ML outputs P(dog); HI keeps
 * (offloads) a sample when P(dog) > 0.5: 912 dogs and 3521 other images,
 * 4433 in all; 88 dogs are dropped.  The L-ML is perfect.  The binary
 * S-ML softmax is sml_prob_1 = P(dog), sml_prob_0 = 1 − P(dog).
 */
static struct hi_trace *
table2_trace(void)
{
    struct hi_trace *t = trace_new(10000);
    size_t i;
    trace_add_column(t, TRACE_COL_RELEVANT);
    t->n_classes = 2;
    t->sml_prob = calloc(2 * 10000, sizeof(double));
    for (i = 0; i < 10000; i++) {
        int dog = i < 1000;
        int kept = dog ? i < 912 : i - 1000 < 3521;
        double pdog = kept ? 0.55 + 0.4 * (double)(i % 100) / 100.0 : 0.05 + 0.4 * (double)(i % 100) / 100.0;
        t->relevant[i] = (unsigned char)dog;
        t->label[i] = dog;
        t->sml_pred[i] = pdog > 0.5;
        t->sml_prob[2 * i] = 1.0 - pdog;
        t->sml_prob[2 * i + 1] = pdog;
        t->sml_conf[i] = pdog > 0.5 ? pdog : 1.0 - pdog;
        t->lml_pred[i] = t->label[i];
    }
    trace_derive(t);
    return t;
}

/* 000 Table 2: with p = P(not a dog) (trace.confidence = sml_prob_0) and
 * θ = 0.5, HI offloads 4433 images at cost 912β + 3521; full offload
 * costs 1000β + 9000.  Accuracy counts the 88 dropped dogs as errors:
 * (10000 − 88)/10000; the share of dogs kept is 912/1000 = 91.2%, the
 * figure 000 reports as HI's accuracy. */
START_TEST(test_table2_filter)
{
    struct hi_trace *t = table2_trace();
    struct hi_cost c = {0.3, 0.0, COST_FILTER};
    struct hi_config cfg;
    struct engine_result r;
    struct hi_error err = {0};
    struct hi_trace v;
    ck_assert_int_eq(trace_view_confidence(t, "sml_prob_0", &v, &err), 0);
    ck_assert_double_eq_tol(cost_of_threshold(&c, &v, 0.5), 912 * 0.3 + 3521, 1e-9);
    ck_assert_double_eq_tol(cost_of_threshold(&c, &v, cost_theta_all()), 1000 * 0.3 + 9000, 1e-9);
    ck_assert_double_eq(cost_of_threshold(&c, &v, 0.0), 0.0);   /* dropping all costs nothing */
    trace_view_free(&v);

    config_defaults(&cfg);
    ck_assert_int_eq(config_set_arg(&cfg, "trace.confidence=sml_prob_0", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "cost.model=filter", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "cost.beta=0.3", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "policy.theta=0.5", &err), 0);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.offloaded, 4433);
    ck_assert_double_eq_tol(r.total_cost, 912 * 0.3 + 3521, 1e-9);
    ck_assert_double_eq_tol(r.accuracy, 0.9912, 1e-12);
    ck_assert_double_eq_tol(r.relevant_recall, 0.912, 1e-12);

    /* filter needs the relevant column */
    free(t->relevant);
    t->relevant = NULL;
    engine_result_free(&r);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cost.model"));
    trace_free(t);
}
END_TEST

/* trace.confidence gives a view whose p is another column, without
 * touching the shared trace, and names a missing column. */
START_TEST(test_use_confidence)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_trace v;
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(trace_view_confidence(t, "sml_conf", &v, &err), 0);
    ck_assert_ptr_eq(v.sml_conf, t->sml_conf);
    trace_view_free(&v);
    ck_assert_int_eq(trace_view_confidence(t, "sml_p2", &v, &err), 0);
    ck_assert_double_eq(v.sml_conf[1], 0.35);
    ck_assert_double_eq(t->sml_conf[1], 0.40);     /* the trace is unchanged */
    ck_assert_ptr_eq(v.sml_pred, t->sml_pred);     /* a further score of the S-ML */
    trace_view_free(&v);
    ck_assert_int_eq(trace_view_confidence(t, "ee1_conf", &v, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "trace.confidence:"));
    ck_assert_ptr_nonnull(strstr(err.msg, "no column 'ee1_conf'"));
    ck_assert_int_eq(trace_view_confidence(t, "sml_prob_3", &v, &err), HI_EINPUT);
    trace_free(t);
}
END_TEST

/* With an exit's confidence, answers and their correctness come from the
 * same exit (issue: p from ee3_conf with correctness from sml_pred
 * reported the S-ML's accuracy): no-offload's accuracy is the exit's. */
START_TEST(test_confidence_exit_predictions)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(500, 0, 1, 5);
    struct hi_trace v;
    struct hi_config cfg;
    struct engine_result r;
    size_t i, right = 0;
    t->n_exits = 1;
    t->ee_conf[0] = malloc(t->n * sizeof(double));
    t->ee_pred[0] = malloc(t->n * sizeof(int));
    for (i = 0; i < t->n; i++) {
        t->ee_conf[0][i] = 0.5 + 0.5 * (double)(i % 7) / 7.0;
        t->ee_pred[0][i] = i % 3 ? t->label[i] : t->label[i] + 1;   /* 2/3 right */
        right += i % 3 != 0;
    }
    ck_assert_int_eq(trace_view_confidence(t, "ee1_conf", &v, &err), 0);
    for (i = 0; i < t->n; i++) {
        ck_assert_int_eq(v.sml_pred[i], t->ee_pred[0][i]);
        ck_assert_int_eq(v.y_sml[i], t->ee_pred[0][i] != t->label[i]);
    }
    trace_view_free(&v);
    config_defaults(&cfg);
    ck_assert_int_eq(config_set_arg(&cfg, "trace.confidence=ee1_conf", &err), 0);
    ck_assert_int_eq(config_set_arg(&cfg, "policy.name=no-offload", &err), 0);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.accuracy, (double)right / (double)t->n, 1e-12);
    ck_assert_double_ne(r.accuracy, trace_sml_accuracy(t));
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Fixed-threshold cost on the 10-row hand trace equals a count by hand:
 * θ = 0.55 offloads p ∈ {0.20, 0.30, 0.40} (3β) and accepts two wrong
 * answers (p = 0.55 row 3, p = 0.70 row 7): 3·0.5 + 2 = 3.5; with
 * lml_error = 1 the L-ML error of row 9 (p = 0.20) adds 1. */
START_TEST(test_hand_count)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_cost c0 = {0.5, 0.0, COST_CLASSIFY}, c1 = {0.5, 1.0, COST_CLASSIFY}, c2 = {0.3, 1.0, COST_CLASSIFY};
    struct cost_optimum o;
    ck_assert_ptr_nonnull(t);
    ck_assert_double_eq_tol(cost_of_threshold(&c0, t, 0.55), 3.5, 1e-12);
    ck_assert_double_eq_tol(cost_of_threshold(&c1, t, 0.55), 4.5, 1e-12);
    /* θ = 0.56 also offloads both p = 0.55 rows: 5β + 1 (row 7) */
    ck_assert_double_eq_tol(cost_of_threshold(&c0, t, 0.56), 3.5, 1e-12);
    ck_assert_double_eq_tol(cost_of_threshold(&c0, t, 0.0), 4.0, 1e-12);
    ck_assert_double_eq_tol(cost_of_threshold(&c0, t, 1.0), 5.0, 1e-12);
    /* θ* with β = 0.5: 3.5 at θ = 0.55 and at 0.6; the smallest is kept */
    ck_assert_int_eq(cost_best_threshold(&c0, t, NULL, t->n, &o), 0);
    ck_assert_double_eq(o.theta, 0.55);
    ck_assert_double_eq_tol(o.cost, 3.5, 1e-12);
    ck_assert_uint_eq(o.offloaded, 3);
    /* β = 0.3, c_L = 1: θ = 0.6 offloads 5 (1.5 + L-ML error 1) + row 7 = 3.5,
     * θ = 0.71 offloads 7 (2.1 + 2 L-ML errors) = 4.1: best is 0.6 */
    ck_assert_int_eq(cost_best_threshold(&c2, t, NULL, t->n, &o), 0);
    ck_assert_double_eq(o.theta, 0.6);
    ck_assert_double_eq_tol(o.cost, 3.5, 1e-12);
    ck_assert_double_eq_tol(cost_lambda_min(t), 0.01, 1e-12);
    trace_free(t);
}
END_TEST

/* θ* equals brute force over every candidate on random traces, with ties
 * and confidences of exactly 0 and 1, and for several costs. */
START_TEST(test_theta_star_brute_force)
{
    unsigned seeds[] = {1, 2, 3, 4, 5, 6, 7, 8};
    double betas[] = {0.0, 0.2, 0.5, 0.9, 1.0};
    size_t s, b, i;
    for (s = 0; s < 8; s++) {
        struct hi_trace *t = util_random_trace(40 + 30 * s, s % 2 ? 8 : 0, s % 3 != 0, seeds[s]);
        for (b = 0; b < 5; b++) {
            struct hi_cost c = {betas[b], (double)(s % 2), COST_CLASSIFY};
            struct cost_optimum o;
            double best = INFINITY, best_theta = NAN;
            /* candidates: 0, every p, every p nudged up, 1, 1⁺ */
            for (i = 0; i < 2 * t->n + 3; i++) {
                double th = i < t->n ? t->sml_conf[i]
                          : i < 2 * t->n ? nextafter(t->sml_conf[i - t->n], 2.0)
                          : i == 2 * t->n ? 0.0 : i == 2 * t->n + 1 ? 1.0 : cost_theta_all();
                double v = cost_of_threshold(&c, t, th);
                if (v < best - 1e-9 || (fabs(v - best) <= 1e-9 && th < best_theta)) {
                    best = v;
                    best_theta = th;
                }
            }
            ck_assert_int_eq(cost_best_threshold(&c, t, NULL, t->n, &o), 0);
            ck_assert_msg(fabs(o.cost - best) <= 1e-9, "seed %u beta %g: %g vs %g", seeds[s], betas[b], o.cost, best);
            ck_assert_double_eq_tol(cost_of_threshold(&c, t, o.theta), best, 1e-9);
            /* the smallest minimiser: an equal cost at a smaller candidate
             * is within rounding of a tie */
            ck_assert_msg(o.theta <= best_theta || fabs(cost_of_threshold(&c, t, best_theta) - o.cost) <= 1e-9,
                          "theta %g vs brute %g", o.theta, best_theta);
        }
        trace_free(t);
    }
}
END_TEST

/* θ* over a multiset of rows (bootstrap draws) equals θ* of the trace made
 * of those rows. */
START_TEST(test_theta_star_rows)
{
    struct hi_trace *t = util_random_trace(200, 20, 1, 9), *u;
    size_t rows[300], i;
    struct hi_cost c = {0.4, 1.0, COST_CLASSIFY};
    struct cost_optimum a, b;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    u = trace_new(300);
    for (i = 0; i < 300; i++) {
        rows[i] = gsl_rng_uniform_int(r, 200);
        u->label[i] = t->label[rows[i]];
        u->sml_pred[i] = t->sml_pred[rows[i]];
        u->lml_pred[i] = t->lml_pred[rows[i]];
        u->sml_conf[i] = t->sml_conf[rows[i]];
    }
    trace_derive(u);
    ck_assert_int_eq(cost_best_threshold(&c, t, rows, 300, &a), 0);
    ck_assert_int_eq(cost_best_threshold(&c, u, NULL, 300, &b), 0);
    ck_assert_double_eq(a.theta, b.theta);
    ck_assert_double_eq_tol(a.cost, b.cost, 1e-9);
    ck_assert_uint_eq(a.offloaded, b.offloaded);
    gsl_rng_free(r);
    trace_free(t);
    trace_free(u);
}
END_TEST

/* λ_min: smallest positive gap among {0, p_i, 1}; here 0.25 → 0.3 → 0.05. */
START_TEST(test_lambda_min)
{
    struct hi_trace *t = trace_new(4);
    t->sml_conf[0] = 0.25;
    t->sml_conf[1] = 0.3;
    t->sml_conf[2] = 0.3;
    t->sml_conf[3] = 0.9;
    ck_assert_double_eq_tol(cost_lambda_min(t), 0.05, 1e-15);
    t->sml_conf[3] = 1.0;        /* gaps 0.25, 0.05, 0.7 */
    ck_assert_double_eq_tol(cost_lambda_min(t), 0.05, 1e-15);
    t->sml_conf[0] = 1e-9;       /* gap to 0 */
    ck_assert_double_eq_tol(cost_lambda_min(t), 1e-9, 1e-24);
    trace_free(t);
}
END_TEST

Suite *
suite_cost(void)
{
    Suite *s = suite_create("cost");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_table1);
    tcase_add_test(tc, test_table2_filter);
    tcase_add_test(tc, test_use_confidence);
    tcase_add_test(tc, test_confidence_exit_predictions);
    tcase_add_test(tc, test_hand_count);
    tcase_add_test(tc, test_theta_star_brute_force);
    tcase_add_test(tc, test_theta_star_rows);
    tcase_add_test(tc, test_lambda_min);
    suite_add_tcase(s, tc);
    return s;
}
