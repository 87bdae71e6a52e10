/* check_robust.c — the online learners at the edges of their inputs:
 * η ∈ {1e-6, 10}, β ∈ {0, 0.999}, every confidence equal, confidences of
 * only 0 and 1, and 10^7 bootstrap rounds.  No NaN, no infinity, and the
 * offload probability q stays in [0, 1] on every sample. */
#include <math.h>
#include <stdio.h>

#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"

struct check {
    size_t n, bad_q, bad_cost;
    double q_min, q_max;
};

static int
check_record(void *ctx, const struct engine_record *r)
{
    struct check *c = ctx;
    c->n++;
    if (!(r->q_off >= 0.0 && r->q_off <= 1.0))
        c->bad_q++;
    if (!isfinite(r->cost) || !isfinite(r->response_s))
        c->bad_cost++;
    if (r->q_off < c->q_min)
        c->q_min = r->q_off;
    if (r->q_off > c->q_max)
        c->q_max = r->q_off;
    return 0;
}

static void
run_one(struct hi_trace *t, const char *policy, const char *batch, const char *eta, const char *beta,
        const char *samples, const char *what)
{
    struct hi_error err = {0};
    struct hi_config c;
    struct engine_result r;
    struct check k = {0, 0, 0, INFINITY, -INFINITY};
    struct engine_hooks h = {0};
    char arg[128];
    config_defaults(&c);
    snprintf(arg, sizeof arg, "policy.name=%s", policy);
    config_set_arg(&c, arg, &err);
    snprintf(arg, sizeof arg, "policy.batch=%s", batch);
    config_set_arg(&c, arg, &err);
    snprintf(arg, sizeof arg, "policy.eta=%s", eta);
    ck_assert_msg(config_set_arg(&c, arg, &err) == 0, "%s", err.msg);
    snprintf(arg, sizeof arg, "cost.beta=%s", beta);
    config_set_arg(&c, arg, &err);
    config_set_arg(&c, "cost.lml_error=1", &err);
    config_set_arg(&c, "trace.order=bootstrap", &err);
    snprintf(arg, sizeof arg, "trace.samples=%s", samples);
    config_set_arg(&c, arg, &err);
    h.on_record = check_record;
    h.ctx = &k;
    ck_assert_msg(engine_run(&c, t, &h, &r, &err) == 0, "%s %s: %s", what, policy, err.msg);
    ck_assert_uint_eq(k.n, r.n);
    ck_assert_msg(k.bad_q == 0, "%s %s eta %s beta %s: %zu samples with q outside [0, 1] (min %g max %g)", what,
                  policy, eta, beta, k.bad_q, k.q_min, k.q_max);
    ck_assert_msg(k.bad_cost == 0, "%s %s: non-finite cost or response", what, policy);
    ck_assert_msg(isfinite(r.total_cost) && isfinite(r.expected_cost) && isfinite(r.regret) && isfinite(r.accuracy)
                  && isfinite(r.mean_response_s) && isfinite(r.p95_response_s) && isfinite(r.best_cost),
                  "%s %s eta %s beta %s: a non-finite figure", what, policy, eta, beta);
    ck_assert(r.expected_cost >= 0.0 && r.regret >= -1e-9 * (double)r.n - 1e-9);
    engine_result_free(&r);
}

/* Every learner, η and β on three traces: continuous confidences, all
 * equal (one interval), only 0 and 1 (no interval strictly inside). */
START_TEST(test_edges_of_eta_beta_and_traces)
{
    static const char *const policies[][2] = {{"hil-f", "1"}, {"batch-hi", "4"}, {"hil-n", "1"}};
    static const char *const etas[] = {"1e-6", "10"};
    static const char *const betas[] = {"0", "0.999"};
    struct hi_trace *traces[3];
    const char *names[3] = {"continuous", "all equal", "only 0 and 1"};
    size_t i, p, e, b;
    traces[0] = util_random_trace(300, 0, 0, 21);
    traces[1] = util_random_trace(300, 0, 0, 22);
    traces[2] = util_random_trace(300, 0, 0, 23);
    for (i = 0; i < traces[1]->n; i++)
        traces[1]->sml_conf[i] = 0.6;
    for (i = 0; i < traces[2]->n; i++)
        traces[2]->sml_conf[i] = i % 3 ? 1.0 : 0.0;
    for (i = 0; i < 3; i++)
        for (p = 0; p < 3; p++)
            for (e = 0; e < 2; e++)
                for (b = 0; b < 2; b++)
                    run_one(traces[i], policies[p][0], policies[p][1], etas[e], betas[b], "20000", names[i]);
    for (i = 0; i < 3; i++)
        trace_free(traces[i]);
}
END_TEST

/* 10^7 bootstrap rounds of hil-f at the default η and at η = 10: the
 * log-weights run to about −10^8 without overflow, NaN or q leaving
 * [0, 1]. */
START_TEST(test_ten_million_rounds)
{
    struct hi_trace *t = util_random_trace(200, 0, 0, 31);
    run_one(t, "hil-f", "1", "auto", "0.5", "10000000", "1e7 rounds");
    run_one(t, "hil-f", "1", "10", "0.5", "10000000", "1e7 rounds");
    trace_free(t);
}
END_TEST

Suite *
suite_robust(void)
{
    Suite *s = suite_create("robust");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_edges_of_eta_beta_and_traces);
    tcase_add_test(tc, test_ten_million_rounds);
    suite_add_tcase(s, tc);
    return s;
}
