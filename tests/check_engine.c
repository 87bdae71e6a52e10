/* check_engine.c — the HI model on the kernel: timing, batching, order,
 * energy and determinism against hand computations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "policies/policy.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"

struct capture {
    struct engine_record r[4096];
    size_t n;
};

static int
capture(void *ctx, const struct engine_record *r)
{
    struct capture *c = ctx;
    if (c->n < 4096)
        c->r[c->n] = *r;
    c->n++;
    return 0;
}

/* τed 1 ms, 1000-byte samples at 8 Mbit/s (1 ms on the link), τnw 20 ms,
 * τes 5 ms: numbers that make hand computation easy. */
static void
timing_config(struct hi_config *c, const char *policy, const char *batch)
{
    struct hi_error err = {0};
    char arg[64];
    config_defaults(c);
    config_set_arg(c, "device.tau_ed_ms=1", &err);
    config_set_arg(c, "network.rate_mbps=8", &err);
    config_set_arg(c, "network.delay_ms=20", &err);
    config_set_arg(c, "server.tau_es_ms=5", &err);
    snprintf(arg, sizeof arg, "policy.name=%s", policy);
    config_set_arg(c, arg, &err);
    snprintf(arg, sizeof arg, "policy.batch=%s", batch);
    config_set_arg(c, arg, &err);
}

/*
 * Full offload, M = 1, closed loop: sample k starts at k ms, leaves the
 * device at k+1, is on the link until k+2, reaches the server at k+22.
 * The server (5 ms) is the bottleneck: sample k is answered at 27+5k, so
 * its response is 27+4k ms; makespan 72 ms; mean 45 ms; p95 (linear
 * interpolation between order statistics 8 and 9) 59 + 0.55·4 = 61.2 ms.
 */
START_TEST(test_full_offload_timing)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    size_t k;
    timing_config(&c, "full-offload", "1");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_uint_eq(r.n, 10);
    ck_assert_uint_eq(cap->n, 10);
    for (k = 0; k < 10; k++) {
        ck_assert_uint_eq(cap->r[k].idx, k);
        ck_assert_double_eq_tol(cap->r[k].response_s, (27.0 + 4.0 * k) * 1e-3, 1e-12);
        ck_assert_int_eq(cap->r[k].offload, 1);
        ck_assert_double_eq(cap->r[k].q_off, 1.0);
    }
    ck_assert_double_eq_tol(r.makespan_s, 0.072, 1e-12);
    ck_assert_double_eq_tol(r.mean_response_s, 0.045, 1e-12);
    ck_assert_double_eq_tol(r.p95_response_s, 0.0612, 1e-12);
    ck_assert_uint_eq(r.transmissions, 10);
    ck_assert_double_eq_tol(r.accuracy, 0.8, 1e-12);       /* the L-ML's */
    ck_assert_double_eq_tol(r.total_cost, 5.0, 1e-12);     /* 10 β */
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/*
 * Full offload, M = 5: one transmission of 5000 bytes (5 ms) per batch.
 * Batch 1 leaves at 5 ms, on the link until 10, at the server at 30:
 * answers at 35, 40, 45, 50, 55.  Batch 2 leaves at 10, link until 15,
 * arrives at 35, waits: answers at 60 .. 80.  Responses 35+4k for k < 5
 * and 55+4(k−5) after.
 */
START_TEST(test_batch_one_transmission)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    size_t k;
    timing_config(&c, "full-offload", "5");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_uint_eq(r.transmissions, 2);
    for (k = 0; k < 10; k++) {
        double want = k < 5 ? 35.0 + 4.0 * k : 55.0 + 4.0 * (k - 5);
        ck_assert_double_eq_tol(cap->r[k].response_s, want * 1e-3, 1e-12);
    }
    ck_assert_double_eq_tol(r.makespan_s, 0.080, 1e-12);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/* Accepting costs only the S-ML time; energy adds per-inference,
 * per-offload and radio energy: 10·2 + 3·3 mJ + 0.5 W · 3 ms = 30.5 mJ
 * for θ = 0.55 on the hand trace (3 offloaded, 1 ms each on the link). */
START_TEST(test_threshold_energy)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    timing_config(&c, "fixed-threshold", "1");
    config_set_arg(&c, "policy.theta=0.55", &err);
    config_set_arg(&c, "device.energy_sml_mj=2", &err);
    config_set_arg(&c, "device.energy_offload_mj=3", &err);
    config_set_arg(&c, "device.tx_power_w=0.5", &err);
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_uint_eq(r.offloaded, 3);
    ck_assert_double_eq_tol(r.energy_mj, 30.5, 1e-9);
    ck_assert_double_eq_tol(cap->r[0].response_s, 1e-3, 1e-15);   /* accepted */
    ck_assert_double_eq_tol(cap->r[1].response_s, 27e-3, 1e-12);  /* 1+1+20+5 */
    ck_assert_double_eq_tol(r.accuracy, 0.7, 1e-12);
    ck_assert_double_eq_tol(r.regret, 0.0, 1e-12);  /* θ = θ* */
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/* A policy that offloads everything and waits for feedback: each sample
 * starts when the previous answer is back, 27 ms apart. */
static struct hi_action
wait_decide(void *st, const struct hi_view *v, double *q)
{
    (void)st;
    (void)v;
    *q = 1.0;
    return hi_act(HI_ACT_OFFLOAD, 0);
}

static void
wait_feedback(void *st, const struct hi_outcome *o, size_t n)
{
    size_t *seen = st;
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(o[0].t, *seen);    /* in order, once each */
    ck_assert_int_eq(o[0].offloaded, 1);
    (*seen)++;
}

static const struct hi_policy_type waiting = {
    .name = "test-waiting", .summary = "", .size = sizeof(size_t),
    .flags = POLICY_WAITS_FEEDBACK, .decide = wait_decide, .feedback = wait_feedback,
};

START_TEST(test_waits_for_feedback)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, &waiting, NULL, NULL};
    size_t k;
    timing_config(&c, "full-offload", "1");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    for (k = 0; k < 10; k++)
        ck_assert_double_eq_tol(cap->r[k].response_s, 27e-3, 1e-12);
    ck_assert_double_eq_tol(r.makespan_s, 0.270, 1e-12);
    ck_assert_str_eq(r.policy, "test-waiting");
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

static void
run_log(const char *order, unsigned long seed, size_t samples, struct capture *cap, struct engine_result *r)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(300, 0, 1, 11);
    struct hi_config c;
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    char arg[64];
    config_defaults(&c);
    snprintf(arg, sizeof arg, "trace.order=%s", order);
    config_set_arg(&c, arg, &err);
    snprintf(arg, sizeof arg, "seed=%lu", seed);
    config_set_arg(&c, arg, &err);
    snprintf(arg, sizeof arg, "trace.samples=%zu", samples);
    config_set_arg(&c, arg, &err);
    cap->n = 0;
    ck_assert_int_eq(engine_run(&c, t, &h, r, &err), 0);
    trace_free(t);
}

/* Same scenario and seed: byte-identical records; another seed: a
 * different order.  Shuffle visits every row once per pass. */
START_TEST(test_determinism)
{
    struct capture *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct engine_result ra, rb;
    unsigned char seen[300] = {0};
    size_t i, differ = 0;
    run_log("shuffle", 7, 600, a, &ra);
    run_log("shuffle", 7, 600, b, &rb);
    ck_assert_uint_eq(a->n, 600);
    ck_assert_int_eq(memcmp(a->r, b->r, 600 * sizeof a->r[0]), 0);
    ck_assert_uint_eq(ra.n_devices, 1);
    ck_assert_int_eq(memcmp(ra.devices, rb.devices, sizeof *ra.devices), 0);
    engine_result_free(&ra);
    engine_result_free(&rb);
    ck_assert_int_eq(memcmp(&ra, &rb, sizeof ra), 0);
    for (i = 0; i < 300; i++)
        seen[a->r[i].row]++;
    for (i = 0; i < 300; i++)
        ck_assert_int_eq(seen[i], 1);
    run_log("shuffle", 8, 600, b, &rb);
    for (i = 0; i < 600; i++)
        differ += a->r[i].row != b->r[i].row;
    ck_assert_uint_gt(differ, 500);
    engine_result_free(&rb);
    free(a);
    free(b);
}
END_TEST

/* Sequential wraps around the trace; bootstrap draws rows i.i.d. */
START_TEST(test_orders)
{
    struct capture *a = calloc(1, sizeof *a);
    struct engine_result r;
    size_t i, repeats = 0;
    unsigned char seen[300] = {0};
    run_log("sequential", 1, 700, a, &r);
    for (i = 0; i < 700; i++)
        ck_assert_uint_eq(a->r[i].row, i % 300);
    ck_assert_uint_eq(r.n, 700);
    engine_result_free(&r);
    run_log("bootstrap", 1, 300, a, &r);
    for (i = 0; i < 300; i++)
        repeats += seen[a->r[i].row]++ > 0;
    /* about 300/e ≈ 110 draws repeat an earlier row */
    ck_assert_uint_gt(repeats, 70);
    ck_assert_uint_lt(repeats, 150);
    engine_result_free(&r);
    free(a);
}
END_TEST

/* A randomised policy's realised cost tracks its expected cost: the
 * difference is a sum of independent zero-mean terms (offload − accept
 * cost)·(1{offload} − q), whose variance Σ q(1−q)(offload − accept)² the
 * test computes from the log; |realised − expected| stays within 4.5
 * standard deviations (a false alarm has probability below 1e-5). */
extern const struct hi_policy_type hi_policy_template;

START_TEST(test_realised_tracks_expected)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(2000, 0, 1, 21);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {NULL, NULL, &hi_policy_template, NULL, NULL};
    struct hi_cost cost = {0.5, 1.0, COST_CLASSIFY};
    double var = 0, sd;
    size_t i;
    config_defaults(&c);
    config_set_arg(&c, "policy.theta=0.35", &err);    /* the template's q */
    config_set_arg(&c, "cost.lml_error=1", &err);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=200000", &err);
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    /* rows are i.i.d. uniform draws: the variance is n times the mean
     * over the trace's rows */
    for (i = 0; i < t->n; i++) {
        double d = cost_offload(&cost, t, i) - cost_accept(&cost, t, i);
        var += 0.35 * 0.65 * d * d;
    }
    var *= 200000.0 / (double)t->n;
    sd = sqrt(var);
    ck_assert_msg(fabs(r.total_cost - r.expected_cost) <= 4.5 * sd, "realised %g expected %g sd %g",
                  r.total_cost, r.expected_cost, sd);
    /* and not trivially: the two differ, as random decisions must */
    ck_assert(r.total_cost != r.expected_cost);
    ck_assert_double_eq_tol(r.offload_fraction, 0.35, 4.5 * sqrt(0.35 * 0.65 / 200000));
    /* the log carries q_t for every sample */
    h.on_record = capture;
    h.ctx = cap;
    config_set_arg(&c, "trace.samples=4000", &err);
    engine_result_free(&r);
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    for (i = 0; i < 4000 && i < 4096; i++)
        ck_assert_double_eq(cap->r[i].q_off, 0.35);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/* The p95 response time (selection, not sorting) equals the quantile of
 * the sorted responses from the log, interpolated as GSL does; on a run
 * with queueing, so responses are many and tied. */
START_TEST(test_p95_selection)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(500, 10, 1, 31);
    struct hi_config c;
    struct engine_result r;
    struct capture *cap = calloc(1, sizeof *cap);
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    double resp[4000];
    size_t i;
    config_defaults(&c);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=4000", &err);
    config_set_arg(&c, "policy.theta=0.7", &err);
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    for (i = 0; i < 4000; i++)
        resp[i] = cap->r[i].response_s;
    gsl_sort(resp, 1, 4000);
    ck_assert_double_eq_tol(r.p95_response_s, gsl_stats_quantile_from_sorted_data(resp, 1, 4000, 0.95), 1e-15);
    ck_assert_double_eq_tol(r.mean_response_s, gsl_stats_mean(resp, 1, 4000), 1e-12);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

static void
run_policy_bt(const char *policy, size_t M, const char *threshold, struct capture *cap, struct engine_result *r)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(400, 0, 1, 77);
    struct hi_config c;
    struct engine_hooks h = {capture, cap, NULL, NULL, NULL};
    char arg[64];
    config_defaults(&c);
    snprintf(arg, sizeof arg, "policy.name=%s", policy);
    config_set_arg(&c, arg, &err);
    snprintf(arg, sizeof arg, "policy.batch=%zu", M);
    config_set_arg(&c, arg, &err);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    config_set_arg(&c, "trace.samples=4000", &err);
    config_set_arg(&c, "cost.beta=0.35", &err);
    config_set_arg(&c, "seed=5", &err);
    snprintf(arg, sizeof arg, "policy.batch_threshold=%s", threshold);
    ck_assert_int_eq(config_set_arg(&c, arg, &err), 0);
    cap->n = 0;
    ck_assert_msg(engine_run(&c, t, &h, r, &err) == 0, "%s", err.msg);
    trace_free(t);
}

static void
run_policy(const char *policy, size_t M, struct capture *cap, struct engine_result *r)
{
    run_policy_bt(policy, M, "per-sample", cap, r);
}

/* Through the whole engine, batch-hi with M = 1 gives the same samples
 * log as hil-f: rows, q_t, decisions, costs and response times.  With
 * per-sample thresholds the logs are identical; with the default shared
 * threshold (one per batch, 002 Algorithm 1) every round but the first
 * (θ = 0.5) is, because one shared uniform per batch of one is the
 * per-sample uniform. */
START_TEST(test_batch_hi_m1_is_hil_f)
{
    struct capture *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b), *c = calloc(1, sizeof *c);
    struct engine_result ra, rb, rc;
    size_t i;
    run_policy("hil-f", 1, a, &ra);
    run_policy("batch-hi", 1, b, &rb);
    ck_assert_uint_eq(a->n, 4000);
    ck_assert_int_eq(memcmp(a->r, b->r, 4000 * sizeof a->r[0]), 0);
    ck_assert(ra.expected_cost == rb.expected_cost);
    ck_assert(ra.makespan_s == rb.makespan_s);
    run_policy_bt("batch-hi", 1, "shared", c, &rc);
    ck_assert_double_eq(c->r[0].q_off, c->r[0].p < 0.5 ? 1.0 : 0.0);
    for (i = 1; i < 4000; i++) {
        ck_assert_double_eq(c->r[i].q_off, a->r[i].q_off);
        ck_assert_int_eq(c->r[i].offload, a->r[i].offload);
    }
    engine_result_free(&ra);
    engine_result_free(&rb);
    engine_result_free(&rc);
    free(a);
    free(b);
    free(c);
}
END_TEST

/* hil-f's realised cost tracks its expected cost: given the history, the
 * decision at t is Bernoulli(q_t), so realised − expected is a martingale
 * with variance Σ q_t(1−q_t)(offload_t − accept_t)², computed from the
 * log; the difference stays within 4.5 of its standard deviations. */
START_TEST(test_hil_f_realised_tracks_expected)
{
    struct capture *a = calloc(1, sizeof *a);
    struct engine_result r;
    struct hi_trace *t = util_random_trace(400, 0, 1, 77);
    struct hi_cost cost = {0.35, 0.0, COST_CLASSIFY};
    double var = 0.0, realised = 0.0, expected = 0.0;
    size_t i;
    run_policy("hil-f", 1, a, &r);
    for (i = 0; i < a->n; i++) {
        const struct engine_record *e = &a->r[i];
        double off = cost_offload(&cost, t, e->row), acc = cost_accept(&cost, t, e->row);
        var += e->q_off * (1.0 - e->q_off) * (off - acc) * (off - acc);
        realised += e->cost;
        expected += e->q_off * off + (1.0 - e->q_off) * acc;
    }
    ck_assert_double_eq_tol(realised, r.total_cost, 1e-9);
    ck_assert_double_eq_tol(expected, r.expected_cost, 1e-9);
    ck_assert(var > 1.0);   /* the decisions were random enough to test */
    ck_assert_msg(fabs(realised - expected) <= 4.5 * sqrt(var), "realised %g expected %g sd %g", realised,
                  expected, sqrt(var));
    engine_result_free(&r);
    free(a);
    trace_free(t);
}
END_TEST

/* policy.batch: auto is rejected for a policy that does not batch. */
START_TEST(test_bad_config)
{
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(10, 0, 0, 1);
    struct hi_config c;
    struct engine_result r;
    config_defaults(&c);
    config_set_arg(&c, "policy.batch=auto", &err);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "policy.batch"));
    trace_free(t);
}
END_TEST

Suite *
suite_engine(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_full_offload_timing);
    tcase_add_test(tc, test_batch_one_transmission);
    tcase_add_test(tc, test_threshold_energy);
    tcase_add_test(tc, test_waits_for_feedback);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_orders);
    tcase_add_test(tc, test_realised_tracks_expected);
    tcase_add_test(tc, test_p95_selection);
    tcase_add_test(tc, test_batch_hi_m1_is_hil_f);
    tcase_add_test(tc, test_hil_f_realised_tracks_expected);
    tcase_add_test(tc, test_bad_config);
    suite_add_tcase(s, tc);
    return s;
}
