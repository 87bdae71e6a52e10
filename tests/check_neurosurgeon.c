/* check_neurosurgeon.c — Neurosurgeon's split point against a brute force
 * over k written from the profile alone, its limits in the rate, the
 * energy objective, the regression times, and SPLIT N answered locally. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/layerfit.h"
#include "traces/layers.h"

struct capture {
    struct engine_record r[64];
    size_t n;
};

static int
capture(void *ctx, const struct engine_record *r)
{
    struct capture *c = ctx;
    if (c->n < 64)
        c->r[c->n] = *r;
    c->n++;
    return 0;
}

static void
set(struct hi_config *c, const char *fmt, ...)
{
    struct hi_error err = {0};
    char arg[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(arg, sizeof arg, fmt, ap);
    va_end(ap);
    ck_assert_msg(config_set_arg(c, arg, &err) == 0, "%s: %s", arg, err.msg);
}

struct split_setup {
    const char *profile;
    double ds, ss, rate, bytes, pre_ms, power, tx_power;
    int energy, regression;
};

static void
ns_config(struct hi_config *c, const struct split_setup *s)
{
    config_defaults(c);
    set(c, "policy.name=neurosurgeon");
    set(c, "trace.samples=20");
    set(c, "server.profile=%s", util_src(s->profile));
    set(c, "device.speed=%.17g", s->ds);
    set(c, "server.speed=%.17g", s->ss);
    set(c, "network.rate_mbps=%.17g", s->rate);
    set(c, "network.bytes=%.17g", s->bytes);
    set(c, "server.preprocess_ms=%.17g", s->pre_ms);
    set(c, "device.power_w=%.17g", s->power);
    set(c, "device.tx_power_w=%.17g", s->tx_power);
    set(c, "neurosurgeon.objective=%s", s->energy ? "energy" : "latency");
    set(c, "neurosurgeon.times=%s", s->regression ? "regression" : "measured");
    set(c, "arrivals.process=blocking");
}

/* The split the run took (every sample the same: no bytes column). */
static unsigned
run_split(const struct hi_trace *t, const struct split_setup *s, struct engine_result *r)
{
    struct hi_error err = {0};
    struct hi_config c;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    unsigned k;
    size_t i;
    ns_config(&c, s);
    ck_assert_msg(engine_run(&c, t, &h, r, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cap->n, 20);
    k = cap->r[0].action.k;
    for (i = 0; i < 20; i++) {
        ck_assert_int_eq(cap->r[i].action.kind, HI_ACT_SPLIT);
        ck_assert_uint_eq(cap->r[i].action.k, k);
    }
    free(cap);
    return k;
}

/* argmin over k of T(k) (or E(k)) from the profile's columns, written out
 * independently of exec.c: layer times cum_ms/speed, D_0 the sample's
 * bytes, D_k layer k's output_bytes, preprocessing on the raw sample. */
static unsigned
brute_k(const struct hi_layers *L, const double *cum_ms, const struct split_setup *s)
{
    size_t k, N = L->n, best = 0;
    double bv = INFINITY;
    for (k = 0; k <= N; k++) {
        double dev = cum_ms[k] / s->ds, srv = (cum_ms[N] - cum_ms[k]) / s->ss + (k == 0 ? s->pre_ms : 0.0);
        double D = k == 0 ? s->bytes : L->output_bytes[k - 1];
        double tx = k < N ? 8.0 * D / (s->rate * 1e6) * 1e3 : 0.0;     /* ms */
        double v = s->energy ? s->power * dev + s->tx_power * tx : dev + tx + (k < N ? srv : 0.0);
        if (v < bv) {
            bv = v;
            best = k;
        }
    }
    return (unsigned)best;
}

/* On 60 random setups of a profile with an interior optimum, the chosen k
 * is the brute force's, for latency and for energy; some are interior. */
START_TEST(test_ns_bruteforce)
{
    struct hi_trace *t = util_random_trace(50, 0, 0, 2);
    struct hi_layers L;
    struct hi_error err = {0};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    int i, interior = 0;
    ck_assert_int_eq(layers_load(&L, util_src("tests/data/layers-split.csv"), &err), 0);
    gsl_rng_set(g, 11);
    for (i = 0; i < 60; i++) {
        struct split_setup s = {"tests/data/layers-split.csv", 0.1 + 3.0 * gsl_rng_uniform(g),
                                1.0 + 30.0 * gsl_rng_uniform(g), pow(10.0, -2.0 + 5.0 * gsl_rng_uniform(g)),
                                3072, 2.0 * gsl_rng_uniform(g), 0.5 + 3.0 * gsl_rng_uniform(g),
                                0.1 + 2.0 * gsl_rng_uniform(g), i % 2, 0};
        struct engine_result r;
        unsigned want = brute_k(&L, L.cum_ms, &s), got = run_split(t, &s, &r);
        ck_assert_msg(got == want, "setup %d (%s): k %u, brute force %u", i, s.energy ? "energy" : "latency", got,
                      want);
        interior += want > 0 && want < L.n;
        engine_result_free(&r);
    }
    ck_assert_int_gt(interior, 5);
    gsl_rng_free(g);
    layers_free(&L);
    trace_free(t);
}
END_TEST

/* profile-lml.csv: every tensor after layer 0 and before the logits is at
 * least 1024 bytes, above the 784-byte raw image, and the device is the
 * slower side, so k* ∈ {0, N} at every rate: R → ∞ with a faster server
 * gives k* = 0, R → 0 gives k* = N (seed-spec §1.11). */
START_TEST(test_ns_lml_profile)
{
    struct hi_trace *t = util_random_trace(50, 0, 0, 3);
    struct hi_layers L;
    struct hi_error err = {0};
    double rate;
    size_t k;
    ck_assert_int_eq(layers_load(&L, util_src("traces/fmnist/profile-lml.csv"), &err), 0);
    for (k = 1; k < L.n; k++)
        ck_assert(L.output_bytes[k - 1] > 784.0);
    for (rate = 1e-4; rate <= 1e9; rate *= 10.0) {
        struct split_setup s = {"traces/fmnist/profile-lml.csv", 1.0, 10.0, rate, 784, 0, 3, 0, 0, 0};
        struct engine_result r;
        unsigned got = run_split(t, &s, &r);
        ck_assert_msg(got == 0 || got == L.n, "rate %g: k* = %u", rate, got);
        ck_assert_uint_eq(got, brute_k(&L, L.cum_ms, &s));
        if (rate >= 1e8)
            ck_assert_uint_eq(got, 0);
        if (rate <= 1e-3)
            ck_assert_uint_eq(got, L.n);
        engine_result_free(&r);
    }
    layers_free(&L);
    trace_free(t);
}
END_TEST

/* Regression times fitted on a profile without a layer type of the split
 * network (layers-small.csv has no ReLU): the run fails on input, naming
 * the layer, after the policy's init took the memory of its times (freed
 * by fini: the sanitized build's leak check fails otherwise). */
START_TEST(test_ns_regression_no_fit)
{
    struct hi_trace *t = util_random_trace(50, 0, 0, 4);
    struct split_setup s = {"tests/data/layers-split.csv", 1, 1, 10, 3072, 0.0, 2.0, 0.5, 0, 1};
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    ns_config(&c, &s);
    set(&c, "neurosurgeon.fit_profile=%s", util_src("tests/data/layers-small.csv"));
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "layer 2 'relu1' (ReLU): its type has no fit") != NULL, "%s", err.msg);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* neurosurgeon.times: regression plans with the per-type fits: the chosen
 * k is the brute force on the predicted times. */
START_TEST(test_ns_regression)
{
    struct hi_trace *t = util_random_trace(50, 0, 0, 4);
    struct hi_layers L;
    struct layerfit f;
    const struct hi_layers *on[1];
    struct hi_error err = {0};
    double ms[16], cum[17];
    size_t i;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_int_eq(layers_load(&L, util_src("tests/data/layers-split.csv"), &err), 0);
    on[0] = &L;
    ck_assert_int_eq(layerfit_fit(&f, on, 1, &err), 0);
    ck_assert_int_eq(layerfit_predict(&f, &L, ms, &err), 0);
    cum[0] = 0.0;
    for (i = 0; i < L.n; i++)
        cum[i + 1] = cum[i] + ms[i];
    gsl_rng_set(g, 5);
    for (i = 0; i < 30; i++) {
        struct split_setup s = {"tests/data/layers-split.csv", 0.1 + 3.0 * gsl_rng_uniform(g),
                                1.0 + 30.0 * gsl_rng_uniform(g), pow(10.0, -2.0 + 5.0 * gsl_rng_uniform(g)),
                                3072, 0.0, 2.0, 0.5, 0, 1};
        struct engine_result r;
        unsigned got = run_split(t, &s, &r);
        ck_assert_uint_eq(got, brute_k(&L, cum, &s));
        ck_assert_ptr_nonnull(strstr(r.policy_desc, "regression times"));
        engine_result_free(&r);
    }
    gsl_rng_free(g);
    layerfit_free(&f);
    layers_free(&L);
    trace_free(t);
}
END_TEST

/* SPLIT N runs the whole L-ML on the device: nothing is sent, the answer
 * is the L-ML's, and under blocking arrivals the makespan is n times the
 * network's device time. */
START_TEST(test_ns_all_local)
{
    struct hi_trace *t = util_random_trace(50, 0, 0, 6);
    struct split_setup s = {"tests/data/layers-split.csv", 0.5, 10.0, 1e-4, 3072, 0.0, 2.0, 0.5, 0, 0};
    struct engine_result r;
    size_t i, right = 0;
    ck_assert_uint_eq(run_split(t, &s, &r), 8);
    for (i = 0; i < 20; i++)
        right += !t->y_lml[i];
    ck_assert_uint_eq(r.offloaded, 0);
    ck_assert_uint_eq(r.transmissions, 0);
    ck_assert_uint_eq(r.correct, right);
    ck_assert_double_eq_tol(r.makespan_s, 20 * 10.625 / 0.5 * 1e-3, 1e-12);
    ck_assert_double_eq_tol(r.energy_mj, 20 * 2.0 * 10.625 / 0.5, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Without a profile there is nothing to split: one line naming the keys. */
START_TEST(test_ns_needs_profile)
{
    struct hi_trace *t = util_random_trace(20, 0, 0, 6);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.name=neurosurgeon");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "server.profile"));
    trace_free(t);
}
END_TEST

Suite *
suite_neurosurgeon(void)
{
    Suite *s = suite_create("neurosurgeon");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ns_bruteforce);
    tcase_add_test(tc, test_ns_lml_profile);
    tcase_add_test(tc, test_ns_regression);
    tcase_add_test(tc, test_ns_regression_no_fit);
    tcase_add_test(tc, test_ns_all_local);
    tcase_add_test(tc, test_ns_needs_profile);
    suite_add_tcase(s, tc);
    return s;
}
