/* check_lr.c — the binary LR decision module of 001: the fit against its
 * score equations and a grid, the policy against the threshold rule, 001
 * eq. (1) against the run's accuracy, the decision module's F1. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "policies/lr.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"

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
    char arg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof arg, fmt, ap);
    va_end(ap);
    ck_assert_msg(config_set_arg(c, arg, &err) == 0, "%s: %s", arg, err.msg);
}

/* A trace with a second-largest softmax: p2 uniform in [0, min(p, 1 − p)]
 * (scaled by k when k > 0: p2 = k·p, collinear). */
static struct hi_trace *
p2_trace(size_t n, unsigned long seed, double k)
{
    struct hi_trace *t = util_random_trace(n, 0, 0, seed);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    size_t i;
    gsl_rng_set(g, seed + 1000);
    ck_assert_int_eq(trace_add_column(t, TRACE_COL_SML_P2), 0);
    for (i = 0; i < n; i++) {
        double p = t->sml_conf[i];
        t->sml_p2[i] = k > 0.0 ? k * p : gsl_rng_uniform(g) * fmin(p, 1.0 - p);
    }
    gsl_rng_free(g);
    return t;
}

static void
labels(const struct hi_trace *t, unsigned char *right)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        right[i] = !t->y_sml[i];
}

/* At the MLE the score equations hold: Σ(c − σ)·x = 0 for x = 1, p, p2,
 * to 1e-9 of n; and no point of a grid has a higher likelihood. */
START_TEST(test_lr_score_equations)
{
    struct hi_trace *t = p2_trace(2000, 3, 0.0);
    unsigned char *right = malloc(t->n);
    struct lr_fit f;
    struct hi_error err = {0};
    double g[3] = {0, 0, 0}, best = -INFINITY, w[3];
    size_t i;
    int a, b, c;
    labels(t, right);
    ck_assert_int_eq(lr_fit(t->sml_conf, t->sml_p2, right, t->n, 0.0, &f, &err), 0);
    ck_assert_int_eq(f.separable, 0);
    for (i = 0; i < t->n; i++) {
        double z = f.w[0] + f.w[1] * t->sml_conf[i] + f.w[2] * t->sml_p2[i];
        double r = (double)right[i] - 1.0 / (1.0 + exp(-z));
        g[0] += r;
        g[1] += r * t->sml_conf[i];
        g[2] += r * t->sml_p2[i];
    }
    for (i = 0; i < 3; i++)
        ck_assert_msg(fabs(g[i]) <= 1e-9 * (double)t->n, "score %zu = %g", i, g[i]);
    /* the trace's S-ML is right with probability p: the slope on p is positive */
    ck_assert(f.w[1] > 1.0);
    for (a = -10; a <= 10; a++)
        for (b = -10; b <= 10; b++)
            for (c = -10; c <= 10; c++) {
                double ll;
                w[0] = f.w[0] + 0.05 * a;
                w[1] = f.w[1] + 0.1 * b;
                w[2] = f.w[2] + 0.2 * c;
                ll = lr_loglik(w, t->sml_conf, t->sml_p2, right, t->n);
                best = fmax(best, ll);
            }
    ck_assert_msg(f.loglik >= best - 1e-9, "fit %.12g below a grid point %.12g", f.loglik, best);
    ck_assert_double_eq_tol(f.loglik, lr_loglik(f.w, t->sml_conf, t->sml_p2, right, t->n), 1e-12);
    free(right);
    trace_free(t);
}
END_TEST

/* Separable data (the S-ML right iff p > 0.5) have no finite MLE: the fit
 * says so and its rule classifies every training sample right. */
START_TEST(test_lr_separable)
{
    struct hi_trace *t = p2_trace(500, 4, 0.0);
    unsigned char *right = malloc(t->n);
    struct lr_fit f;
    struct hi_error err = {0};
    size_t i, ok = 0;
    for (i = 0; i < t->n; i++)
        right[i] = t->sml_conf[i] > 0.5;
    ck_assert_int_eq(lr_fit(t->sml_conf, t->sml_p2, right, t->n, 0.0, &f, &err), 0);
    ck_assert_int_eq(f.separable, 1);
    for (i = 0; i < t->n; i++)
        ok += lr_accepts(f.w, 0.5, t->sml_conf[i], t->sml_p2[i]) == right[i];
    ck_assert_uint_eq(ok, t->n);
    /* nothing to learn from one class */
    memset(right, 1, t->n);
    ck_assert_int_eq(lr_fit(t->sml_conf, t->sml_p2, right, t->n, 0.0, &f, &err), HI_EINPUT);
    free(right);
    trace_free(t);
}
END_TEST

static void
lr_run(const struct hi_trace *t, struct hi_config *c, struct capture *cap, struct engine_result *r)
{
    struct hi_error err = {0};
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    cap->n = 0;
    ck_assert_msg(engine_run(c, t, &h, r, &err) == 0, "%s", err.msg);
}

/* With p2 = 0.4·p the LR's z is w0 + (w1 + 0.4·w2)p: the rule is the
 * threshold rule at θ = −w0/(w1 + 0.4·w2), sample for sample. */
START_TEST(test_lr_collinear_is_threshold)
{
    struct hi_trace *t = p2_trace(1000, 5, 0.4);
    unsigned char *right = malloc(t->n);
    struct capture a = {calloc(1000, sizeof(struct engine_record)), 0, 1000};
    struct capture b = {calloc(1000, sizeof(struct engine_record)), 0, 1000};
    struct hi_config c;
    struct engine_result ra, rb;
    struct lr_fit f;
    struct hi_error err = {0};
    double theta;
    size_t i, off = 0;
    labels(t, right);
    ck_assert_int_eq(lr_fit(t->sml_conf, t->sml_p2, right, t->n, 0.0, &f, &err), 0);
    theta = -f.w[0] / (f.w[1] + 0.4 * f.w[2]);
    ck_assert(theta > 0.0 && theta < 1.0);
    config_defaults(&c);
    set(&c, "policy.name=lr");
    set(&c, "policy.lr_train=all");
    lr_run(t, &c, &a, &ra);
    ck_assert_ptr_nonnull(strstr(ra.policy_desc, "in-sample"));
    ck_assert_int_eq(ra.oracle, 1);
    config_defaults(&c);
    set(&c, "policy.name=fixed-threshold");
    set(&c, "policy.theta=%.17g", theta);
    lr_run(t, &c, &b, &rb);
    for (i = 0; i < 1000; i++) {
        ck_assert_int_eq(a.r[i].offload, b.r[i].offload);
        off += a.r[i].offload;
    }
    ck_assert_uint_gt(off, 50);
    ck_assert_uint_lt(off, 950);
    engine_result_free(&ra);
    engine_result_free(&rb);
    free(a.r);
    free(b.r);
    free(right);
    trace_free(t);
}
END_TEST

/* 001 eq. (1): Acc = (1/N)Σ[LR_i·1(S-ML right) + (1 − LR_i)·1(L-ML right)]
 * from the samples log equals the run's accuracy; the decision module's
 * confusion counts and F1 equal those counted from the log.  Trained on
 * the last 40% of the rows, scored on the first 60%. */
START_TEST(test_lr_eq1_and_f1)
{
    struct hi_trace *t = p2_trace(1000, 6, 0.0);
    struct capture a = {calloc(1000, sizeof(struct engine_record)), 0, 1000};
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    size_t i, good = 0, tp = 0, fp = 0, fn = 0, tn = 0;
    config_defaults(&c);
    set(&c, "policy.name=lr");
    set(&c, "policy.lr_train=0.4");
    set(&c, "trace.samples=600");
    lr_run(t, &c, &a, &r);
    ck_assert_ptr_nonnull(strstr(r.policy_desc, "trained on rows 600..999"));
    for (i = 0; i < 600; i++) {
        int accept = !a.r[i].offload, s_right = !a.r[i].y_sml;
        ck_assert_uint_lt(a.r[i].row, 600);
        good += accept ? s_right : !a.r[i].y_lml;
        if (accept)
            s_right ? tp++ : fp++;
        else
            s_right ? fn++ : tn++;
    }
    ck_assert_double_eq(r.accuracy, (double)good / 600.0);
    ck_assert_uint_eq(r.dm_tp, tp);
    ck_assert_uint_eq(r.dm_fp, fp);
    ck_assert_uint_eq(r.dm_fn, fn);
    ck_assert_uint_eq(r.dm_tn, tn);
    ck_assert_uint_gt(fn + tn, 0);
    ck_assert_double_eq_tol(r.dm_precision, (double)tp / (double)(tp + fp), 1e-15);
    ck_assert_double_eq_tol(r.dm_recall, (double)tp / (double)(tp + fn), 1e-15);
    ck_assert_double_eq_tol(r.dm_f1, 2.0 * r.dm_precision * r.dm_recall / (r.dm_precision + r.dm_recall), 1e-12);
    ck_assert_double_eq_tol(r.dm_f1_offload, 2.0 * (double)tn / (double)(2 * tn + fp + fn), 1e-15);
    engine_result_free(&r);

    /* the same fraction with every row scored would overlap: refused */
    config_set_arg(&c, "trace.samples=all", &err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "trace.samples <= 600"));
    free(a.r);
    trace_free(t);
}
END_TEST

/* Given coefficients: w = (−0.6, 1, 0) accepts iff p ≥ 0.6 (cut 0.5), and
 * with w1 = 3, cut 0.7 moves it to p ≥ (0.6 + logit(0.7))/3. */
START_TEST(test_lr_given)
{
    struct hi_trace *t = p2_trace(500, 7, 0.0);
    struct capture a = {calloc(500, sizeof(struct engine_record)), 0, 500};
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    size_t i;
    double b;
    config_defaults(&c);
    set(&c, "policy.name=lr");
    set(&c, "policy.lr_w=-0.6,1,0");
    lr_run(t, &c, &a, &r);
    for (i = 0; i < 500; i++)
        ck_assert_int_eq(a.r[i].offload, a.r[i].p < 0.6);
    ck_assert_ptr_nonnull(strstr(r.policy_desc, "(given)"));
    engine_result_free(&r);
    set(&c, "policy.lr_w=-0.6,3,0");
    set(&c, "policy.lr_cut=0.7");
    lr_run(t, &c, &a, &r);
    b = (0.6 + log(0.7 / 0.3)) / 3;
    for (i = 0; i < 500; i++)
        ck_assert_int_eq(a.r[i].offload, a.r[i].p < b);
    engine_result_free(&r);
    set(&c, "policy.lr_w=1,2");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "policy.lr_w: expected three numbers"));
    free(a.r);
    trace_free(t);
}
END_TEST

Suite *
suite_lr(void)
{
    Suite *s = suite_create("lr");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lr_score_equations);
    tcase_add_test(tc, test_lr_separable);
    tcase_add_test(tc, test_lr_collinear_is_threshold);
    tcase_add_test(tc, test_lr_eq1_and_f1);
    tcase_add_test(tc, test_lr_given);
    suite_add_tcase(s, tc);
    return s;
}
