/* check_system.c — the system model through the whole engine, against
 * queueing theory and hand computations: arrival processes, K workers,
 * many devices, blocking, Batch HI's per-transmission replies, the
 * downlink on answers and feedback, FIFO uplink, energy accounting,
 * shuffles, and what HIL-N may see. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "policies/policy.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"

static void
set(struct hi_config *c, const char *arg)
{
    struct hi_error err = {0};
    ck_assert_msg(config_set_arg(c, arg, &err) == 0, "%s: %s", arg, err.msg);
}

/* ---- batch means over the responses, in sample order ---- */

struct stream {
    double *x;
    size_t n, cap;
};

static int
collect(void *ctx, const struct engine_record *r)
{
    struct stream *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->x = realloc(s->x, s->cap * sizeof *s->x);
        ck_assert_ptr_nonnull(s->x);
    }
    s->x[s->n++] = r->response_s;
    return 0;
}

/* The 99.9% batch-means interval of the mean of x after a 10% warm-up,
 * with B = 30 batches (Student t, B − 1 degrees of freedom): the exact
 * value must lie inside.  With a fixed seed the check is deterministic;
 * a wrong model (a dropped delay, a queue out of order, a wrong service
 * law) moves the mean by far more than the half-width. */
static void
assert_batch_means(const struct stream *s, double exact, const char *what)
{
    enum { B = 30 };
    double means[B], mean, sd, hw;
    size_t warm = s->n / 10, len = (s->n - warm) / B, b, i;
    for (b = 0; b < B; b++) {
        double sum = 0.0;
        for (i = 0; i < len; i++)
            sum += s->x[warm + b * len + i];
        means[b] = sum / (double)len;
    }
    mean = gsl_stats_mean(means, 1, B);
    sd = gsl_stats_sd_m(means, 1, B, mean);
    hw = gsl_cdf_tdist_Pinv(0.9995, B - 1) * sd / sqrt((double)B);
    ck_assert_msg(fabs(mean - exact) <= hw, "%s: batch mean %.6g ± %.3g, exact %.6g", what, mean, hw, exact);
    /* and the interval is tight enough to mean something */
    ck_assert_msg(hw < 0.1 * exact, "%s: half-width %.3g too wide for %.6g", what, hw, exact);
}

/* Poisson arrivals at `devices` devices of rate lambda/devices each,
 * every sample sent raw with no payload and no network delay, a server
 * of K workers with service mean 1/mu: the server is an M/G/K queue and
 * the response is its sojourn time. */
static void
queue_run(double lambda, double mu, unsigned K, const char *service, size_t devices, size_t n,
          struct stream *s, struct engine_result *r)
{
    struct hi_trace *t = util_random_trace(1000, 0, 0, 3);
    struct hi_config c;
    struct engine_hooks h;
    struct hi_error err = {0};
    char arg[96];
    memset(&h, 0, sizeof h);
    h.on_record = collect;
    h.ctx = s;
    config_defaults(&c);
    set(&c, "policy.name=remote");
    set(&c, "trace.order=bootstrap");
    set(&c, "arrivals.process=poisson");
    set(&c, "network.bytes=0");
    set(&c, "network.delay_ms=0");
    set(&c, "seed=11");
    snprintf(arg, sizeof arg, "server.service=%s", service);
    set(&c, arg);
    snprintf(arg, sizeof arg, "arrivals.rate_hz=%.17g", lambda / (double)devices);
    set(&c, arg);
    snprintf(arg, sizeof arg, "server.tau_es_ms=%.17g", 1e3 / mu);
    set(&c, arg);
    snprintf(arg, sizeof arg, "server.workers=%u", K);
    set(&c, arg);
    snprintf(arg, sizeof arg, "devices.count=%zu", devices);
    set(&c, arg);
    snprintf(arg, sizeof arg, "trace.samples=%zu", n / devices);
    set(&c, arg);
    s->n = 0;
    ck_assert_msg(engine_run(&c, t, &h, r, &err) == 0, "%s", err.msg);
    trace_free(t);
}

/* M/M/1 at ρ = 0.5 and 0.9: mean sojourn 1/(μ − λ). */
START_TEST(test_mm1)
{
    static const double rho[] = {0.5, 0.9};
    struct stream s = {0};
    struct engine_result r;
    size_t i;
    for (i = 0; i < 2; i++) {
        double mu = 1000.0, lambda = rho[i] * mu;
        queue_run(lambda, mu, 1, "exponential", 1, i ? 2000000 : 400000, &s, &r);
        assert_batch_means(&s, 1.0 / (mu - lambda), rho[i] < 0.7 ? "M/M/1 rho 0.5" : "M/M/1 rho 0.9");
        ck_assert_double_eq_tol(r.util_server, rho[i], 0.02);
        ck_assert_int_eq(r.saturated, 0);
        engine_result_free(&r);
    }
    free(s.x);
}
END_TEST

/* M/D/1: Pollaczek–Khinchine, W = 1/μ + ρ/(2μ(1 − ρ)). */
START_TEST(test_md1)
{
    static const double rho[] = {0.5, 0.9};
    struct stream s = {0};
    struct engine_result r;
    size_t i;
    for (i = 0; i < 2; i++) {
        double mu = 1000.0, lambda = rho[i] * mu;
        queue_run(lambda, mu, 1, "deterministic", 1, i ? 2000000 : 400000, &s, &r);
        assert_batch_means(&s, 1.0 / mu + rho[i] / (2.0 * mu * (1.0 - rho[i])), "M/D/1");
        engine_result_free(&r);
    }
    free(s.x);
}
END_TEST

/* Erlang C: the probability that an arrival waits, K servers, a = λ/μ. */
static double
erlang_c(unsigned K, double a)
{
    double sum = 0.0, term = 1.0, last;
    unsigned k;
    for (k = 0; k < K; k++) {
        sum += term;
        term *= a / (double)(k + 1);
    }
    last = term * (double)K / ((double)K - a);   /* a^K/K! · K/(K − a) */
    return last / (sum + last);
}

/* M/M/4 at λ = 3000/s, μ = 1000/s: W = C(4, 3)/(4μ − λ) + 1/μ. */
START_TEST(test_mmk)
{
    struct stream s = {0};
    struct engine_result r;
    double mu = 1000.0, lambda = 3000.0;
    queue_run(lambda, mu, 4, "exponential", 1, 400000, &s, &r);
    assert_batch_means(&s, erlang_c(4, lambda / mu) / (4.0 * mu - lambda) + 1.0 / mu, "M/M/4");
    ck_assert_double_eq_tol(r.util_server, 0.75, 0.02);
    engine_result_free(&r);
    free(s.x);
}
END_TEST

/* 50 Poisson devices sharing the server are one Poisson stream of the
 * summed rate: M/M/1 at ρ = 0.5. */
START_TEST(test_many_devices)
{
    struct stream s = {0};
    struct engine_result r;
    double mu = 1000.0, lambda = 500.0;
    queue_run(lambda, mu, 1, "exponential", 50, 400000, &s, &r);
    ck_assert_uint_eq(r.n, 400000);
    ck_assert_uint_eq(r.n_devices, 50);
    assert_batch_means(&s, 1.0 / (mu - lambda), "50 devices");
    ck_assert(r.jain > 0.99 && r.jain <= 1.0);
    ck_assert_uint_eq(r.devices[49].n, 8000);
    engine_result_free(&r);
    free(s.x);
}
END_TEST

/* Blocking arrivals with an end-to-end offload time: the makespan is
 * n·τed + k·τoff exactly (000 §5's sequential HI). */
START_TEST(test_blocking_makespan)
{
    struct hi_trace *t = util_random_trace(5000, 0, 0, 8);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.theta=0.607");
    set(&c, "device.tau_ed_ms=0.99");
    set(&c, "network.offload_ms=74.34");
    set(&c, "arrivals.process=blocking");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_gt(r.offloaded, 1000);
    ck_assert_double_eq_tol(r.makespan_s, (5000 * 0.99 + (double)r.offloaded * 74.34) * 1e-3, 1e-9);
    ck_assert_double_eq_tol(r.util_uplink, (double)r.offloaded * 74.34e-3 / r.makespan_s, 1e-12);
    ck_assert_int_eq(r.saturated, 0);
    engine_result_free(&r);
    /* closed arrivals pipeline the same offloads: shorter, and saturated */
    set(&c, "arrivals.process=closed");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_int_eq(r.saturated, 1);
    ck_assert_str_eq(r.saturated_what, "uplink");
    ck_assert_double_eq_tol(r.load_uplink / ((double)r.offloaded * 74.34 / (5000 * 0.99)), 1.0, 0.01);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* A threshold policy that waits for every batch's feedback (Batch HI's
 * timing with deterministic decisions). */
static struct hi_action
wt_decide(void *st, const struct hi_view *v, double *q)
{
    (void)st;
    *q = v->p < 0.5;
    return hi_act(v->p < 0.5 ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
}

static const struct hi_policy_type waiting_threshold = {
    .name = "test-waiting-threshold", .summary = "", .size = 0,
    .flags = POLICY_WAITS_FEEDBACK, .decide = wt_decide,
};

/* 002 eqs. (6) and (7) with the worst-case arrangement: every batch of
 * M = 10 has its m = 4 offloads first (ρ = 0.4).  With server.reply:
 * batch the simulated t_s and t_r equal the closed forms to 1e-9; with
 * per-sample replies t_r is lower by exactly τes·(3 + 2 + 1)/10 (the
 * first offloads are answered before the last ones are served). */
START_TEST(test_batch_reply_closed_forms)
{
    enum { M = 10, m = 4, batches = 50 };
    struct hi_trace *t = trace_new(M * batches);
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    struct hi_error err = {0};
    double ted = 1.48, tes = 4.41, tnw = 20.0, bytes = 30801.92, rate = 50.0, rho = (double)m / M;
    double ttx = bytes * 8.0 / (rate * 1e6) * 1e3, ts, tr, tr_sample;
    size_t i;
    for (i = 0; i < t->n; i++) {
        t->sml_conf[i] = i % M < m ? 0.2 : 0.9;
        t->label[i] = t->sml_pred[i] = t->lml_pred[i] = 1;
    }
    trace_derive(t);
    memset(&h, 0, sizeof h);
    h.policy = &waiting_threshold;
    config_defaults(&c);
    set(&c, "policy.batch=10");
    set(&c, "server.reply=batch");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ts = ted + rho * (tes + ttx) + tnw / M;                                    /* eq. (6) */
    tr = M * (rho * (1 - rho / 2) * ted + rho * rho * (tes + ttx)) + rho * tnw + (1 - rho / 2) * ted;  /* (7) */
    ck_assert_double_eq_tol(r.system_time_s * 1e3, ts, 1e-9);
    ck_assert_double_eq_tol(r.mean_response_s * 1e3, tr, 1e-9);
    ck_assert_uint_eq(r.transmissions, batches);
    engine_result_free(&r);
    set(&c, "server.reply=sample");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    tr_sample = tr - tes * (3 + 2 + 1) / (double)M;
    ck_assert_double_eq_tol(r.mean_response_s * 1e3, tr_sample, 1e-9);
    ck_assert_double_eq_tol(r.system_time_s * 1e3, ts, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

struct decisions {
    double q[20000];
    int off[20000];
    size_t n;
};

static int
keep_decisions(void *ctx, const struct engine_record *r)
{
    struct decisions *d = ctx;
    if (d->n < 20000) {
        d->q[d->n] = r->q_off;
        d->off[d->n] = r->offload;
    }
    d->n++;
    return 0;
}

/* HIL-N learns from what a device observes only: scrambling the labels
 * while keeping every S-ML/L-ML agreement leaves its decisions unchanged
 * (each label moves to another class; both models' predictions stay),
 * while HIL-F, which assumes full feedback, decides differently. */
START_TEST(test_hil_n_label_scramble)
{
    struct hi_trace *a = util_random_trace(400, 0, 0, 21), *b = util_random_trace(400, 0, 0, 21);
    struct decisions *da = calloc(1, sizeof *da), *db = calloc(1, sizeof *db);
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    struct hi_error err = {0};
    size_t i, differ = 0;
    for (i = 0; i < b->n; i++)
        b->label[i] = (b->label[i] + 3) % 10;
    trace_derive(b);
    for (i = 0; i < b->n; i++)
        differ += a->y_sml[i] != b->y_sml[i];
    ck_assert_uint_gt(differ, 100);
    memset(&h, 0, sizeof h);
    h.on_record = keep_decisions;
    config_defaults(&c);
    set(&c, "policy.name=hil-n");
    set(&c, "trace.order=bootstrap");
    set(&c, "trace.samples=20000");
    set(&c, "cost.beta=0.3");
    h.ctx = da;
    ck_assert_int_eq(engine_run(&c, a, &h, &r, &err), 0);
    engine_result_free(&r);
    h.ctx = db;
    ck_assert_int_eq(engine_run(&c, b, &h, &r, &err), 0);
    engine_result_free(&r);
    ck_assert_int_eq(memcmp(da->q, db->q, sizeof da->q), 0);
    ck_assert_int_eq(memcmp(da->off, db->off, sizeof da->off), 0);
    /* the same under feedback: offloaded */
    set(&c, "feedback=offloaded");
    db->n = 0;
    ck_assert_int_eq(engine_run(&c, b, &h, &r, &err), 0);
    engine_result_free(&r);
    ck_assert_int_eq(memcmp(da->q, db->q, sizeof da->q), 0);
    /* hil-f reads the true costs, so the scramble changes its decisions */
    set(&c, "feedback=full");
    set(&c, "policy.name=hil-f");
    da->n = db->n = 0;
    h.ctx = da;
    ck_assert_int_eq(engine_run(&c, a, &h, &r, &err), 0);
    engine_result_free(&r);
    h.ctx = db;
    ck_assert_int_eq(engine_run(&c, b, &h, &r, &err), 0);
    engine_result_free(&r);
    ck_assert_int_ne(memcmp(da->q, db->q, sizeof da->q), 0);
    /* and refuses to run without the feedback it needs */
    set(&c, "feedback=offloaded");
    ck_assert_int_eq(engine_run(&c, a, &h, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "feedback"));
    free(da);
    free(db);
    trace_free(a);
    trace_free(b);
}
END_TEST

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

/* The uplink is FIFO: full offload after the S-ML (τed 1 ms) onto a link
 * that takes 5 ms a sample, no delay, τes 0.1 ms.  Sample k leaves the
 * device at k + 1 ms and is on the link during [1 + 5k, 6 + 5k]: answered
 * at 6.1 + 5k, a response of 6.1 + 4k ms.  Any other service order gives
 * other responses. */
START_TEST(test_uplink_fifo)
{
    struct hi_trace *t = util_random_trace(12, 0, 0, 2);
    struct capture *cap = calloc(1, sizeof *cap);
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    struct hi_error err = {0};
    size_t k;
    memset(&h, 0, sizeof h);
    h.on_record = capture;
    h.ctx = cap;
    config_defaults(&c);
    set(&c, "policy.name=full-offload");
    set(&c, "device.tau_ed_ms=1");
    set(&c, "network.bytes=5000");
    set(&c, "network.rate_mbps=8");
    set(&c, "network.delay_ms=0");
    set(&c, "server.tau_es_ms=0.1");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_uint_eq(cap->n, 12);
    for (k = 0; k < 12; k++)
        ck_assert_double_eq_tol(cap->r[k].response_s * 1e3, 6.1 + 4.0 * (double)k, 1e-9);
    ck_assert_double_eq_tol(r.makespan_s * 1e3, 6.1 + 5.0 * 11, 1e-9);
    ck_assert_double_eq_tol(r.util_uplink, 60.0 / 61.1, 1e-9);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

static struct hi_action
off_decide(void *st, const struct hi_view *v, double *q)
{
    (void)st;
    (void)v;
    *q = 1.0;
    return hi_act(HI_ACT_OFFLOAD, 0);
}

static const struct hi_policy_type waiting_offload = {
    .name = "test-waiting-offload", .summary = "", .size = 0,
    .flags = POLICY_WAITS_FEEDBACK, .decide = off_decide,
};

/* The downlink delay applies to answers and to feedback: with τed 1,
 * 1 ms on the link, τnw 20, τes 5 and a 3 ms downlink, every offloaded
 * sample is answered 30 ms after it started, and a policy that waits for
 * feedback starts the next sample only then (makespan 10 × 30 ms).
 * Dropping the downlink from answers gives 27 ms responses; from the
 * feedback, a makespan of 9 × 27 + 30 ms. */
START_TEST(test_downlink)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct capture *cap = calloc(1, sizeof *cap);
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    size_t k;
    memset(&h, 0, sizeof h);
    h.on_record = capture;
    h.ctx = cap;
    h.policy = &waiting_offload;
    config_defaults(&c);
    set(&c, "device.tau_ed_ms=1");
    set(&c, "network.rate_mbps=8");
    set(&c, "network.bytes=1000");
    set(&c, "network.delay_ms=20");
    set(&c, "server.tau_es_ms=5");
    set(&c, "network.downlink_ms=3");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    for (k = 0; k < 10; k++)
        ck_assert_double_eq_tol(cap->r[k].response_s, 30e-3, 1e-12);
    ck_assert_double_eq_tol(r.makespan_s, 0.300, 1e-12);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/* Shuffle draws a fresh permutation on every pass: two passes over 300
 * rows are each a permutation, and they differ. */
START_TEST(test_shuffle_every_pass)
{
    struct hi_trace *t = util_random_trace(30, 0, 0, 4);
    struct capture *cap = calloc(1, sizeof *cap);
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    struct hi_error err = {0};
    unsigned char seen[2][30];
    size_t k, same = 0;
    memset(&h, 0, sizeof h);
    memset(seen, 0, sizeof seen);
    h.on_record = capture;
    h.ctx = cap;
    config_defaults(&c);
    set(&c, "trace.order=shuffle");
    set(&c, "trace.samples=60");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_uint_eq(cap->n, 60);
    for (k = 0; k < 60; k++)
        seen[k / 30][cap->r[k].row]++;
    for (k = 0; k < 30; k++) {
        ck_assert_int_eq(seen[0][k], 1);
        ck_assert_int_eq(seen[1][k], 1);
        same += cap->r[k].row == cap->r[30 + k].row;
    }
    ck_assert_uint_lt(same, 30);
    engine_result_free(&r);
    free(cap);
    trace_free(t);
}
END_TEST

/* Energy: per S-ML inference, per offloaded sample (not per
 * transmission), and radio power × transmission time.  Full offload with
 * M = 5 over 20 samples: 4 transmissions of 5 samples of 1000 bytes at
 * 8 Mbit/s (5 ms each): 20·2 + 20·3 + 0.5 W·20 ms = 110 mJ. */
START_TEST(test_energy_per_offloaded_sample)
{
    struct hi_trace *t = util_random_trace(20, 0, 0, 6);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.name=full-offload");
    set(&c, "policy.batch=5");
    set(&c, "network.bytes=1000");
    set(&c, "network.rate_mbps=8");
    set(&c, "device.energy_sml_mj=2");
    set(&c, "device.energy_offload_mj=3");
    set(&c, "device.tx_power_w=0.5");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.transmissions, 4);
    ck_assert_uint_eq(r.offloaded, 20);
    ck_assert_double_eq_tol(r.energy_mj, 40.0 + 60.0 + 10.0, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Periodic arrivals slower than the device: no queue, response τed;
 * faster: the device saturates and says so. */
START_TEST(test_periodic_and_saturation)
{
    struct hi_trace *t = util_random_trace(100, 0, 0, 9);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.name=no-offload");
    set(&c, "device.tau_ed_ms=2");
    set(&c, "arrivals.process=periodic");
    set(&c, "arrivals.period_ms=5");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.mean_response_s, 2e-3, 1e-12);
    ck_assert_double_eq_tol(r.makespan_s, 99 * 5e-3 + 2e-3, 1e-12);
    ck_assert_double_eq_tol(r.load_device, 0.4 * 99.0 / 100.0 * 100.0 / 99.0, 1e-9);
    ck_assert_int_eq(r.saturated, 0);
    engine_result_free(&r);
    set(&c, "arrivals.period_ms=1");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_int_eq(r.saturated, 1);
    ck_assert_str_eq(r.saturated_what, "device");
    /* sample k waits (2 − 1)·k ms: mean response 2 + 99/2 ms */
    ck_assert_double_eq_tol(r.mean_response_s * 1e3, 2.0 + 49.5, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* All at once: n samples at t = 0 on one device are served back to back;
 * trace arrivals replay t_arrival. */
START_TEST(test_all_at_once_and_trace_arrivals)
{
    struct hi_trace *t = util_random_trace(10, 0, 0, 10);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    size_t i;
    config_defaults(&c);
    set(&c, "policy.name=no-offload");
    set(&c, "device.tau_ed_ms=1");
    set(&c, "arrivals.process=all-at-once");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.makespan_s, 10e-3, 1e-12);
    ck_assert_double_eq_tol(r.mean_response_s, 5.5e-3, 1e-12);
    engine_result_free(&r);
    set(&c, "arrivals.process=trace");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "t_arrival"));
    trace_add_column(t, TRACE_COL_T_ARRIVAL);
    for (i = 0; i < 10; i++)
        t->t_arrival[i] = 0.1 * (double)i * (double)i;   /* gaps far above τed */
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.makespan_s, 8.1 + 1e-3, 1e-12);
    ck_assert_double_eq_tol(r.mean_response_s, 1e-3, 1e-12);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* GPU batching: 8 samples arrive at once, B = 4, setup 2 ms, τes 1 ms:
 * two batches of 4, each 2 + 4 ms, back to back on one worker. */
START_TEST(test_gpu_batching)
{
    struct hi_trace *t = util_random_trace(8, 0, 0, 12);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.name=remote");
    set(&c, "arrivals.process=all-at-once");
    set(&c, "network.bytes=0");
    set(&c, "network.delay_ms=0");
    set(&c, "server.tau_es_ms=1");
    set(&c, "server.batch_max=4");
    set(&c, "server.batch_setup_ms=2");
    set(&c, "server.batch_timeout_ms=100");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.makespan_s, 12e-3, 1e-12);
    ck_assert_double_eq_tol(r.mean_response_s, 9e-3, 1e-12);   /* 4 at 6 ms, 4 at 12 ms */
    engine_result_free(&r);
    /* a partial batch waits for the timeout: 3 samples, B = 4, 100 ms */
    set(&c, "trace.samples=3");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.makespan_s, 0.1 + 5e-3, 1e-12);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Gilbert–Elliott through the engine: full offload under blocking
 * arrivals (one transmission at a time), M = 1, so attempts per
 * transmission are attempts per sample.
 *   independent states (p_GB + p_BG = 1): each attempt is lost with
 *     q = π_G l_G + π_B l_B; attempts per sample (1 − q^L)/(1 − q);
 *     samples failing q^L;
 *   bursty states: the loss fraction per attempt is still q.
 * CLT bounds: 5 standard errors of a proportion or a mean. */
START_TEST(test_gilbert_elliott)
{
    struct hi_trace *t = util_random_trace(1000, 0, 0, 13);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    double pgb = 0.3, pbg = 0.7, lg = 0.05, lb = 0.5, piB = pgb / (pgb + pbg);
    double q = (1 - piB) * lg + piB * lb, n = 100000, L = 4;
    double attempts, want, sd, fail_want;
    config_defaults(&c);
    set(&c, "policy.name=remote");
    set(&c, "arrivals.process=blocking");
    set(&c, "trace.order=bootstrap");
    set(&c, "trace.samples=100000");
    set(&c, "network.channel=gilbert-elliott");
    set(&c, "network.ge_p_gb=0.3");
    set(&c, "network.ge_p_bg=0.7");
    set(&c, "network.ge_loss_good=0.05");
    set(&c, "network.ge_loss_bad=0.5");
    set(&c, "network.retx_limit=4");
    set(&c, "network.retx_timeout_ms=10");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    attempts = (double)(r.transmissions + r.retransmissions);
    ck_assert_uint_eq(r.transmissions, 100000);
    ck_assert_double_eq_tol((double)r.losses / attempts, q, 5 * sqrt(q * (1 - q) / attempts));
    want = (1 - pow(q, L)) / (1 - q);
    sd = sqrt(q) / (1 - q);              /* ≥ the sd of a truncated geometric count */
    ck_assert_double_eq_tol(attempts / n, want, 5 * sd / sqrt(n));
    fail_want = pow(q, L);
    ck_assert_double_eq_tol((double)r.failed / n, fail_want, 5 * sqrt(fail_want * (1 - fail_want) / n));
    ck_assert_uint_gt(r.failed, 0);
    /* a failed sample costs β + 1 (offloads otherwise cost β with c_L = 0)
     * and is never counted as right */
    ck_assert_double_eq_tol(r.total_cost, n * 0.5 + (double)r.failed, 1e-6);
    ck_assert_uint_le(r.correct, 100000 - r.failed);
    engine_result_free(&r);
    /* bursts: p_GB = 0.05, p_BG = 0.2 */
    set(&c, "network.ge_p_gb=0.05");
    set(&c, "network.ge_p_bg=0.2");
    piB = 0.05 / 0.25;
    q = (1 - piB) * lg + piB * lb;
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    attempts = (double)(r.transmissions + r.retransmissions);
    /* attempts are correlated now: a generous 10 binomial standard errors */
    ck_assert_double_eq_tol((double)r.losses / attempts, q, 10 * sqrt(q * (1 - q) / attempts));
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Random delays: the mean response of offloaded samples is
 * τed + τtx + E[delay] + τes (002 §II-B; seed-spec §3.3), within five
 * standard errors of the delay's sd over n samples. */
START_TEST(test_random_delays)
{
    static const char *const dists[] = {"shifted-exponential", "lognormal", "gamma", "uniform", "exponential"};
    struct hi_trace *t = util_random_trace(1000, 0, 0, 14);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    double ted = 1.48, tes = 4.41, ttx = 1000 * 8 / 50e6 * 1e3, mean = 20.0, sd = 8.0, n = 50000;
    size_t i;
    for (i = 0; i < 5; i++) {
        char arg[64];
        double s;
        config_defaults(&c);
        set(&c, "policy.name=full-offload");
        set(&c, "arrivals.process=blocking");
        set(&c, "trace.order=bootstrap");
        set(&c, "trace.samples=50000");
        set(&c, "network.bytes=1000");
        set(&c, "network.delay_sd_ms=8");
        set(&c, "network.delay_shift_ms=12");
        snprintf(arg, sizeof arg, "network.delay_dist=%s", dists[i]);
        set(&c, arg);
        ck_assert_msg(engine_run(&c, t, NULL, &r, &err) == 0, "%s: %s", dists[i], err.msg);
        s = i == 0 ? mean - 12.0 : i == 4 ? mean : sd;   /* sd of the delay */
        ck_assert_msg(fabs(r.mean_response_s * 1e3 - (ted + ttx + mean + tes)) <= 5 * s / sqrt(n),
                      "%s: mean response %.6f ms, want %.6f", dists[i], r.mean_response_s * 1e3,
                      ted + ttx + mean + tes);
        /* a constant delay gives the same mean, but a random one a wider spread */
        ck_assert(r.p95_response_s * 1e3 > ted + ttx + mean + tes);
        engine_result_free(&r);
    }
    trace_free(t);
}
END_TEST

/* A rate step: 1 ms of S-ML, then 100000 bytes sent from t = 1 ms with
 * 8 Mbit/s until t = 10 ms and 80 Mbit/s after.  9 ms carry 9000 bytes;
 * the other 91000 take 9.1 ms: the transmission ends at 19.1 ms, and the
 * answer (no delay, τes 2 ms) at 21.1 ms, to 1e-9. */
START_TEST(test_rate_step)
{
    struct hi_trace *t = util_random_trace(1, 0, 0, 15);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    char arg[CONFIG_PATH_MAX + 32];
    const char *path = util_tmp("rate-step.csv");
    ck_assert_int_eq(util_write(path, "time_s,rate_mbps\n0,8\n0.010,80\n"), 0);
    config_defaults(&c);
    set(&c, "policy.name=full-offload");
    set(&c, "device.tau_ed_ms=1");
    set(&c, "network.bytes=100000");
    set(&c, "network.delay_ms=0");
    set(&c, "server.tau_es_ms=2");
    snprintf(arg, sizeof arg, "network.rate_file=%s", path);
    set(&c, arg);
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_double_eq_tol(r.mean_response_s * 1e3, 21.1, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* A devices: list: entries with their own counts and overrides, each
 * device with its own figures.  Two devices at τed 1 ms and one at 4 ms,
 * no offloads, 100 samples each: responses 1 and 4 ms, makespan 400 ms;
 * a key that is not per device is refused with its position. */
START_TEST(test_devices_list)
{
    const char *yaml = util_tmp("devices.yaml"), *bad = util_tmp("devices-bad.yaml");
    struct hi_error err = {0};
    struct hi_trace *t = util_random_trace(100, 0, 0, 16);
    struct hi_config c;
    struct engine_result r;
    ck_assert_int_eq(util_write(yaml, "policy: no-offload\n"
                                "devices:\n"
                                "  - count: 2\n"
                                "    device: {tau_ed_ms: 1}\n"
                                "  - device:\n"
                                "      tau_ed_ms: 4\n"), 0);
    config_defaults(&c);
    ck_assert_msg(scenario_load(yaml, &c, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(c.devices.count, 3);
    ck_assert_str_eq(c.devices.list, "device.tau_ed_ms=1;count=2|device.tau_ed_ms=4;count=1");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.n_devices, 3);
    ck_assert_uint_eq(r.n, 300);
    ck_assert_double_eq_tol(r.devices[0].mean_response_s, 1e-3, 1e-12);
    ck_assert_double_eq_tol(r.devices[1].mean_response_s, 1e-3, 1e-12);
    ck_assert_double_eq_tol(r.devices[2].mean_response_s, 4e-3, 1e-12);
    ck_assert_double_eq_tol(r.makespan_s, 0.4, 1e-12);
    ck_assert_double_eq_tol(r.devices[2].util, 1.0, 1e-12);
    ck_assert_double_eq_tol(r.devices[0].util, 0.25, 1e-12);
    /* Jain's index of (1, 1, 4): 36 / (3 · 18) */
    ck_assert_double_eq_tol(r.jain, 36.0 / 54.0, 1e-12);
    engine_result_free(&r);
    ck_assert_int_eq(util_write(bad, "devices:\n  - cost: {beta: 0.3}\n"), 0);
    config_defaults(&c);
    ck_assert_int_eq(scenario_load(bad, &c, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, ":2:18: devices: 'cost.beta' is not a per-device key"));
    trace_free(t);
}
END_TEST

/* A policy that sends every sample on entry never holds the processor:
 * under closed arrivals every sample enters at once.  The engine takes
 * them in a loop, not by recursion (2·10⁵ nested calls overflowed the
 * stack). */
START_TEST(test_raw_offloads_iterate)
{
    struct hi_trace *t = util_random_trace(100, 0, 0, 18);
    struct hi_config c;
    struct engine_result r;
    struct hi_error err = {0};
    config_defaults(&c);
    set(&c, "policy.name=remote");
    set(&c, "trace.order=bootstrap");
    set(&c, "trace.samples=200000");
    set(&c, "network.bytes=0");
    set(&c, "network.delay_ms=0");
    set(&c, "server.tau_es_ms=0.001");
    ck_assert_int_eq(engine_run(&c, t, NULL, &r, &err), 0);
    ck_assert_uint_eq(r.n, 200000);
    ck_assert_double_eq_tol(r.makespan_s, 200000 * 1e-6, 1e-9);
    engine_result_free(&r);
    trace_free(t);
}
END_TEST

/* Beyond 2^20 samples the run's p95 comes from the bounded-memory
 * estimator (sim/quantile.h), within 0.1% of the exact one computed here
 * from every response; below, it is exact. */
START_TEST(test_p95_bounded)
{
    struct hi_trace *t = util_random_trace(2000, 0, 0, 19);
    struct stream s = {0};
    struct hi_config c;
    struct engine_result r;
    struct engine_hooks h;
    struct hi_error err = {0};
    double exact;
    memset(&h, 0, sizeof h);
    h.on_record = collect;
    h.ctx = &s;
    config_defaults(&c);
    set(&c, "trace.order=bootstrap");
    set(&c, "trace.samples=1200000");
    set(&c, "policy.theta=0.3");
    set(&c, "arrivals.process=poisson");
    set(&c, "arrivals.rate_hz=100");
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_int_eq(r.p95_exact, 0);
    gsl_sort(s.x, 1, s.n);
    exact = gsl_stats_quantile_from_sorted_data(s.x, 1, s.n, 0.95);
    ck_assert_msg(fabs(r.p95_response_s - exact) <= 1e-3 * exact, "p95 %.9g, exact %.9g", r.p95_response_s, exact);
    engine_result_free(&r);
    set(&c, "trace.samples=100000");
    s.n = 0;
    ck_assert_int_eq(engine_run(&c, t, &h, &r, &err), 0);
    ck_assert_int_eq(r.p95_exact, 1);
    gsl_sort(s.x, 1, s.n);
    ck_assert_double_eq(r.p95_response_s, gsl_stats_quantile_from_sorted_data(s.x, 1, s.n, 0.95));
    engine_result_free(&r);
    free(s.x);
    trace_free(t);
}
END_TEST

Suite *
suite_system(void)
{
    Suite *s = suite_create("system");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_mm1);
    tcase_add_test(tc, test_md1);
    tcase_add_test(tc, test_mmk);
    tcase_add_test(tc, test_many_devices);
    tcase_add_test(tc, test_blocking_makespan);
    tcase_add_test(tc, test_batch_reply_closed_forms);
    tcase_add_test(tc, test_hil_n_label_scramble);
    tcase_add_test(tc, test_uplink_fifo);
    tcase_add_test(tc, test_downlink);
    tcase_add_test(tc, test_shuffle_every_pass);
    tcase_add_test(tc, test_energy_per_offloaded_sample);
    tcase_add_test(tc, test_periodic_and_saturation);
    tcase_add_test(tc, test_all_at_once_and_trace_arrivals);
    tcase_add_test(tc, test_gpu_batching);
    tcase_add_test(tc, test_gilbert_elliott);
    tcase_add_test(tc, test_random_delays);
    tcase_add_test(tc, test_rate_step);
    tcase_add_test(tc, test_devices_list);
    tcase_add_test(tc, test_raw_offloads_iterate);
    tcase_add_test(tc, test_p95_bounded);
    suite_add_tcase(s, tc);
    return s;
}
