/* check_policy.c — the registry and the fixed policies. */
#include <math.h>
#include <string.h>

#include "policies/policy.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "tests/suites.h"
#include "tests/util.h"

extern const struct hi_policy_type hi_policy_template;

static struct hi_policy_env
env_for(const struct hi_trace *t, double theta, gsl_rng *r)
{
    struct hi_policy_env e;
    memset(&e, 0, sizeof e);
    e.conf = t->sml_conf;
    e.rows = t->n;
    e.batch_threshold = BATCH_THRESHOLD_PER_SAMPLE;
    e.cost.beta = 0.5;
    e.n = t->n;
    e.theta = theta;
    e.eta = NAN;
    e.batch = 1;
    e.rng = r;
    return e;
}

static enum hi_action_kind
decide_p(struct hi_policy *p, const struct hi_trace *t, double conf, double *q)
{
    struct hi_view v;
    (void)t;
    memset(&v, 0, sizeof v);
    v.stage = HI_STAGE_SML;
    v.p = conf;
    return policy_decide(p, &v, q).kind;
}

/* A policy whose init takes memory and then fails: policy_new returns
 * NULL with the error and calls fini once on the state init left, so
 * nothing leaks (the sanitized build's leak check sees it) and init's
 * failure path needs no cleanup of its own. */
static int fini_calls;
struct grab { double *buf; };
static int
grab_init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct grab *g = st;
    (void)env;
    g->buf = malloc(1000 * sizeof *g->buf);
    return error_set(err, HI_EINPUT, "grab: refused after taking memory");
}
static struct hi_action
grab_decide(void *st, const struct hi_view *v, double *q_off)
{
    (void)st;
    (void)v;
    *q_off = 0;
    return hi_act(HI_ACT_ACCEPT, 0);
}
static void
grab_fini(void *st)
{
    struct grab *g = st;
    free(g->buf);
    fini_calls++;
}
START_TEST(test_init_failure_calls_fini)
{
    const struct hi_policy_type grab = {.name = "grab", .size = sizeof(struct grab), .init = grab_init,
                                        .decide = grab_decide, .fini = grab_fini};
    struct hi_trace *t = util_random_trace(10, 0, 0, 1);
    struct hi_policy_env e = env_for(t, 0.5, NULL);
    struct hi_error err = {0};

    fini_calls = 0;
    ck_assert_ptr_null(policy_new(&grab, &e, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_str_eq(err.msg, "grab: refused after taking memory");
    ck_assert_int_eq(fini_calls, 1);
    trace_free(t);
}
END_TEST

/* Every registered type is found by its name, and names are unique. */
START_TEST(test_registry)
{
    size_t i, j;
    for (i = 0; policy_types[i]; i++) {
        ck_assert_ptr_eq(policy_lookup(policy_types[i]->name), policy_types[i]);
        ck_assert_ptr_nonnull(policy_types[i]->decide);
        for (j = 0; j < i; j++)
            ck_assert_str_ne(policy_types[i]->name, policy_types[j]->name);
    }
    ck_assert_uint_ge(i, 3);
    ck_assert_ptr_null(policy_lookup("no-such-policy"));
    ck_assert_ptr_nonnull(policy_lookup("fixed-threshold"));
}
END_TEST

/* Fixed threshold offloads iff p < θ; θ = p accepts; q_off is 0 or 1. */
START_TEST(test_fixed_threshold)
{
    struct hi_trace *t = util_random_trace(10, 0, 0, 1);
    struct hi_policy_env e = env_for(t, 0.6, NULL);
    struct hi_error err = {0};
    struct hi_policy *p = policy_new(policy_lookup("fixed-threshold"), &e, &err);
    double q;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(decide_p(p, t, 0.59, &q), HI_ACT_OFFLOAD);
    ck_assert_double_eq(q, 1.0);
    ck_assert_int_eq(decide_p(p, t, 0.6, &q), HI_ACT_ACCEPT);
    ck_assert_double_eq(q, 0.0);
    ck_assert_int_eq(decide_p(p, t, 0.61, &q), HI_ACT_ACCEPT);
    policy_free(p);
    trace_free(t);
}
END_TEST

/* theta: optimal takes θ* of the trace and cost (hand trace: 0.55): the
 * engine finds it with the labels, hands it to the policy, and declares
 * the run an oracle; the policy itself refuses an unresolved θ. */
START_TEST(test_fixed_threshold_optimal)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_policy_env e = env_for(t, NAN, NULL);
    struct hi_policy *p = policy_new(policy_lookup("fixed-threshold"), &e, &err);
    struct hi_config cfg;
    struct engine_result r;
    char desc[128];
    double q;
    ck_assert_ptr_null(p);
    config_defaults(&cfg);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), 0);
    ck_assert_int_eq(r.oracle, 1);
    ck_assert_str_eq(r.policy_desc, "theta=0.55 (optimal)");
    engine_result_free(&r);
    ck_assert_int_eq(config_set_arg(&cfg, "policy.theta=0.5", &err), 0);
    ck_assert_int_eq(engine_run(&cfg, t, NULL, &r, &err), 0);
    ck_assert_int_eq(r.oracle, 0);      /* a given θ needs no labels */
    engine_result_free(&r);
    e.theta = 0.55;
    e.theta_oracle = 1;
    p = policy_new(policy_lookup("fixed-threshold"), &e, &err);
    ck_assert_ptr_nonnull(p);
    p->type->describe(p->state, desc, sizeof desc);
    ck_assert_str_eq(desc, "theta=0.55 (optimal)");
    ck_assert_int_eq(decide_p(p, t, 0.549, &q), HI_ACT_OFFLOAD);
    ck_assert_int_eq(decide_p(p, t, 0.55, &q), HI_ACT_ACCEPT);
    policy_free(p);
    trace_free(t);
}
END_TEST

/* The two baselines never and always offload. */
START_TEST(test_baselines)
{
    struct hi_trace *t = util_random_trace(10, 0, 0, 1);
    struct hi_policy_env e = env_for(t, 0.5, NULL);
    struct hi_error err = {0};
    struct hi_policy *a = policy_new(policy_lookup("no-offload"), &e, &err);
    struct hi_policy *b = policy_new(policy_lookup("full-offload"), &e, &err);
    double q;
    ck_assert_int_eq(decide_p(a, t, 0.0, &q), HI_ACT_ACCEPT);
    ck_assert_double_eq(q, 0.0);
    ck_assert_int_eq(decide_p(b, t, 1.0, &q), HI_ACT_OFFLOAD);
    ck_assert_double_eq(q, 1.0);
    policy_free(a);
    policy_free(b);
    trace_free(t);
}
END_TEST

/* The template offloads with probability θ from its own stream: the
 * frequency over 10^5 draws is within 5 standard deviations of 0.3, and
 * the same stream seed repeats the same decisions. */
START_TEST(test_template)
{
    struct hi_trace *t = util_random_trace(10, 0, 0, 1);
    gsl_rng *r1 = rng_stream(5, RNG_POLICY), *r2 = rng_stream(5, RNG_POLICY);
    struct hi_policy_env e1 = env_for(t, 0.3, r1), e2 = env_for(t, 0.3, r2);
    struct hi_error err = {0};
    struct hi_policy *a = policy_new(&hi_policy_template, &e1, &err);
    struct hi_policy *b = policy_new(&hi_policy_template, &e2, &err);
    size_t i, off = 0, n = 100000;
    double q;
    for (i = 0; i < n; i++) {
        enum hi_action_kind x = decide_p(a, t, 0.5, &q), y = decide_p(b, t, 0.5, &q);
        ck_assert_int_eq(x, y);
        off += x == HI_ACT_OFFLOAD;
    }
    ck_assert_double_eq(q, 0.3);
    ck_assert(fabs((double)off / n - 0.3) < 5 * sqrt(0.3 * 0.7 / n));
    e1.theta = NAN;
    ck_assert_ptr_null(policy_new(&hi_policy_template, &e1, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    policy_free(a);
    policy_free(b);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    trace_free(t);
}
END_TEST

Suite *
suite_policy(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_init_failure_calls_fini);
    tcase_add_test(tc, test_fixed_threshold);
    tcase_add_test(tc, test_fixed_threshold_optimal);
    tcase_add_test(tc, test_baselines);
    tcase_add_test(tc, test_template);
    suite_add_tcase(s, tc);
    return s;
}
