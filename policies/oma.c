/*
 * oma.c — OMA, Offloading for Maximizing Accuracy (000 §5 (2), after
 * AMR²): split the n samples between the device and the edge server so
 * that the accuracy is largest within a makespan budget T.
 *
 * The budget (oma.time_limit): a number of ms, or `hi-makespan`, the
 * makespan of fixed-threshold HI at policy.theta (θ*(β) when `optimal`)
 * on the same samples and timing under blocking arrivals, 000 §5's timing
 * (seed-spec §1.2): T = n·τed + k_HI·τoff, k_HI = #{rounds with p < θ}.
 *
 * The resources (oma.resources):
 *   parallel    the device (τed per sample) and the offload path (τoff per
 *               raw sample) work at once from t = 0 (arrivals: all-at-once):
 *               k offloads fit iff max((n−k)·τed, k·τoff) ≤ T;
 *   sequential  one after the other, as HI's blocking loop (arrivals:
 *               blocking): (n−k)·τed + k·τoff ≤ T.
 * OMA does not look at p: with the average accuracies a_s of the S-ML and
 * a_l of the L-ML on the run's samples, the expected accuracy
 * ((n−k)a_s + k·a_l)/n is linear in k, so k is the largest feasible k when
 * a_l > a_s, else the smallest.  At 000's figures (n = 10⁴, τed 0.99 ms,
 * τoff 74.34 ms, T = 273.807 s) k = ⌊T/τoff⌋ = 3683 in parallel and
 * ⌊(T − nτed)/(τoff − τed)⌋ = 3597 in sequence.
 *
 * Which samples go (the three policies):
 *   oma-random  k of the n rounds uniformly (selection sampling on the
 *               policy's stream: round t is offloaded with probability
 *               r/(n − t), r still to choose; q_off is that probability)
 *   oma-worst   000's "OMA Worst Case": the offloaded samples are simple
 *               ones (the S-ML is right).  oma.worst: adversarial takes
 *               first the simple samples the L-ML gets wrong, then the
 *               other simple ones, and beyond the simple samples first the
 *               complex ones the L-ML also gets wrong; random picks
 *               uniformly among the simple (then the complex) samples.
 *               While k ≤ #simple its accuracy is at most the S-ML's.
 *   oma-amr2    the plan of AMR² (policies/amr2.h): the LP relaxation with
 *               GLPK and rounding; with the run's one device model it
 *               gives the k above up to the rounding, offloading the first
 *               k rounds (identical samples: AMR² does not look at them).
 *
 * All three are planners: they read the labelled trace (the accuracies,
 * θ*, the simple samples) and the run summary says "oracle".  They plan on
 * the rows the device will see, rows t mod R for rounds t < n, so they need
 * trace.order: sequential and one device.  O(1) per sample after an O(n)
 * plan.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/amr2.h"

enum variant { OMA_RANDOM, OMA_WORST, OMA_AMR2 };

struct state {
    enum variant variant;
    const struct hi_trace *trace;
    gsl_rng *rng;
    size_t n, rows;
    size_t k;              /* offloads planned */
    size_t left;           /* still to offload */
    double T;              /* budget, s */
    int hi_makespan, sequential, pick_random;
    double theta;          /* θ of the HI budget */
    size_t k_hi;
    size_t quota[4];       /* oma-worst: offloads left per class */
    size_t seen[4];        /* oma-worst random: samples of the class still to come */
    double lp_accuracy;    /* oma-amr2 */
};

static const char *
param(const struct hi_policy_env *env, const char *key)
{
    return env->param ? env->param(env->param_ctx, key) : NULL;
}

static int
param_is(const struct hi_policy_env *env, const char *key, const char *value)
{
    const char *v = param(env, key);
    return v && strcmp(v, value) == 0;
}

static int
require(const struct hi_policy_env *env, const char *name, const char *key, const char *want,
        const char *why, struct hi_error *err)
{
    const char *v = param(env, key);
    if (v && strcmp(v, want) != 0)
        return error_set(err, HI_EINPUT, "%s: %s and needs %s: %s (found '%s')", name, why, key, want, v);
    return HI_OK;
}

/* Classes of oma-worst, in the order the adversary offloads them:
 * 0 simple and L-ML wrong, 1 simple and L-ML right, 2 complex and L-ML
 * wrong, 3 complex and L-ML right. */
static unsigned
sample_class(const struct hi_trace *tr, size_t row)
{
    return (tr->y_sml[row] ? 2u : 0u) + (tr->y_lml[row] ? 0u : 1u);
}

/* Within the budget, with a relative tolerance of 1e-12 for rounding. */
static int
within(const struct state *s, double t)
{
    return t <= s->T * (1.0 + 1e-12);
}

static double
makespan(const struct state *s, double ted, double toff, size_t k)
{
    double dev = (double)(s->n - k) * ted, off = (double)k * toff;
    return s->sequential ? dev + off : fmax(dev, off);
}

/* The feasible k form an interval [lo, hi]: in parallel the device
 * condition (n − k)τed ≤ T holds from some k on and the path condition
 * kτoff ≤ T up to some k; in sequence the makespan is linear in k.  Start
 * from the closed forms and step to the exact edges. */
static int
plan_k(struct state *s, const struct hi_policy_env *env, double a_s, double a_l, const char *name,
       struct hi_error *err)
{
    double ted = env->tau_ed_s, toff = env->tau_off_s, est;
    size_t n = s->n, lo, hi, k;
    if (!s->sequential) {
        est = ceil((double)n - s->T / ted);
        lo = est <= 0.0 ? 0 : est >= (double)n ? n : (size_t)est;
        while (lo > 0 && within(s, (double)(n - lo + 1) * ted))
            lo--;
        while (lo < n && !within(s, (double)(n - lo) * ted))
            lo++;
        est = floor(s->T / toff);
        hi = est <= 0.0 ? 0 : est >= (double)n ? n : (size_t)est;
        while (hi < n && within(s, (double)(hi + 1) * toff))
            hi++;
        while (hi > 0 && !within(s, (double)hi * toff))
            hi--;
    } else if (toff > ted) {
        lo = 0;
        est = floor((s->T - (double)n * ted) / (toff - ted));
        hi = est <= 0.0 ? 0 : est >= (double)n ? n : (size_t)est;
        while (hi < n && within(s, makespan(s, ted, toff, hi + 1)))
            hi++;
        while (hi > 0 && !within(s, makespan(s, ted, toff, hi)))
            hi--;
    } else {
        hi = n;
        est = toff < ted ? ceil(((double)n * ted - s->T) / (ted - toff)) : 0.0;
        lo = est <= 0.0 ? 0 : est >= (double)n ? n : (size_t)est;
        while (lo > 0 && within(s, makespan(s, ted, toff, lo - 1)))
            lo--;
        while (lo < n && !within(s, makespan(s, ted, toff, lo)))
            lo++;
    }
    if (lo > hi || !within(s, makespan(s, ted, toff, lo)) || !within(s, makespan(s, ted, toff, hi))) {
        double best = INFINITY;
        for (k = 0; k <= n; k++)
            best = fmin(best, makespan(s, ted, toff, k));
        return error_set(err, HI_EINPUT, "%s: oma.time_limit T = %.9g ms is below the shortest makespan of "
                         "the %zu samples, %.9g ms", name, s->T * 1e3, n, best * 1e3);
    }
    s->k = a_l > a_s ? hi : lo;
    return HI_OK;
}

static int
init_common(struct state *s, const struct hi_policy_env *env, enum variant variant, const char *name,
            struct hi_error *err)
{
    const struct hi_trace *tr = env->trace;
    char lim[64];
    size_t t, correct_s = 0, correct_l = 0;
    double a_s, a_l;
    int rc;

    s->variant = variant;
    s->trace = tr;
    s->rng = env->rng;
    s->n = env->n;
    s->rows = env->rows;
    /* env->param's text lives until its next call: use it at once */
    s->sequential = param_is(env, "oma.resources", "sequential");
    s->pick_random = variant == OMA_WORST && param_is(env, "oma.worst", "random");
    snprintf(lim, sizeof lim, "%s", param(env, "oma.time_limit") ? param(env, "oma.time_limit") : "hi-makespan");
    if (!tr)
        return error_set(err, HI_EINTERNAL, "%s: a planner without the trace", name);
    if ((rc = require(env, name, "arrivals.process", s->sequential ? "blocking" : "all-at-once",
                      s->sequential ? "runs device and offload path one after the other (oma.resources: sequential)"
                                    : "runs device and offload path in parallel from t = 0 (oma.resources: parallel)",
                      err))
        || (rc = require(env, name, "devices.count", "1", "plans the samples of one device", err))
        || (rc = require(env, name, "devices.list", "", "plans the samples of one device", err))
        || (rc = require(env, name, "trace.order", "sequential", "plans on the rows the device will see", err)))
        return rc;
    if (!(env->tau_ed_s > 0.0) || !(env->tau_off_s > 0.0))
        return error_set(err, HI_EINPUT, "%s: needs a positive S-ML time and offload time (tau_ed %g s, "
                         "tau_off %g s)", name, env->tau_ed_s, env->tau_off_s);
    if (s->n == 0 || s->rows == 0)
        return error_set(err, HI_EINPUT, "%s: no samples to plan", name);

    s->theta = env->theta;
    for (t = 0; t < s->n; t++) {
        size_t row = t % s->rows;
        unsigned c = sample_class(tr, row);
        correct_s += !tr->y_sml[row];
        correct_l += !tr->y_lml[row];
        s->k_hi += env->conf[row] < s->theta;
        s->seen[c]++;
    }
    a_s = (double)correct_s / (double)s->n;
    a_l = (double)correct_l / (double)s->n;
    s->hi_makespan = strcmp(lim, "hi-makespan") == 0;
    if (s->hi_makespan) {
        if (isnan(s->theta))
            return error_set(err, HI_EINTERNAL, "%s: policy.theta 'optimal' was not resolved", name);
        /* 000 §5's HI: every sample pays τed, an offloaded one τoff more */
        s->T = (double)s->n * env->tau_ed_s + (double)s->k_hi * env->tau_off_s;
    } else {
        char *end;
        double ms = strtod(lim, &end);
        s->T = ms * 1e-3;
    }

    if (variant == OMA_AMR2) {
        struct amr2_model dev = {env->tau_ed_s, a_s};
        size_t count = s->n;
        double es = env->tau_off_s;
        struct amr2_problem p = {1, &count, &es, 1, &dev, a_l, s->T, s->sequential};
        struct amr2_plan plan;
        if ((rc = amr2_solve(&p, &plan, err)))
            return rc;
        s->k = plan.assign[1];
        s->lp_accuracy = plan.lp_accuracy / (double)s->n;
        amr2_plan_free(&plan);
    } else if ((rc = plan_k(s, env, a_s, a_l, name, err))) {
        return rc;
    }
    s->left = s->k;
    if (variant == OMA_WORST) {
        /* fill the classes in the adversary's order */
        size_t need = s->k;
        unsigned c;
        if (s->pick_random) {
            /* two classes: simple (0, 1) and complex (2, 3) */
            size_t simple = s->seen[0] + s->seen[1], complex = s->seen[2] + s->seen[3];
            s->quota[0] = need < simple ? need : simple;
            s->quota[2] = need - s->quota[0];
            s->seen[0] = simple;
            s->seen[2] = complex;
            s->seen[1] = s->seen[3] = 0;
        } else {
            for (c = 0; c < 4; c++) {
                s->quota[c] = need < s->seen[c] ? need : s->seen[c];
                need -= s->quota[c];
            }
        }
    }
    return HI_OK;
}

static int
init_random(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return init_common(st, env, OMA_RANDOM, "oma-random", err);
}

static int
init_worst(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return init_common(st, env, OMA_WORST, "oma-worst", err);
}

static int
init_amr2(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return init_common(st, env, OMA_AMR2, "oma-amr2", err);
}

static struct hi_action
offload(struct state *s, double *q_off, double q)
{
    s->left--;
    *q_off = q;
    return hi_act(HI_ACT_OFFLOAD_RAW, 0);
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    *q_off = 0.0;
    if (v->stage != HI_STAGE_ARRIVAL)
        return hi_act(HI_ACT_ACCEPT, 0);   /* on the device: the S-ML answers */
    if (s->left == 0)
        return hi_act(HI_ACT_CONTINUE, 0);
    switch (s->variant) {
    case OMA_RANDOM: {
        /* selection sampling (Knuth's algorithm S): exactly k of n, every
         * k-subset equally likely */
        double q = (double)s->left / (double)(s->n - v->t);
        if (gsl_rng_uniform(s->rng) < q)
            return offload(s, q_off, q);
        *q_off = q;
        return hi_act(HI_ACT_CONTINUE, 0);
    }
    case OMA_WORST: {
        unsigned c = sample_class(s->trace, v->row);
        if (s->pick_random) {
            unsigned g = c < 2 ? 0 : 2;
            double q = (double)s->quota[g] / (double)s->seen[g];
            s->seen[g]--;
            if (s->quota[g] > 0 && gsl_rng_uniform(s->rng) < q) {
                s->quota[g]--;
                return offload(s, q_off, q);
            }
            *q_off = q;
            return hi_act(HI_ACT_CONTINUE, 0);
        }
        if (s->quota[c] > 0) {
            s->quota[c]--;
            return offload(s, q_off, 1.0);
        }
        return hi_act(HI_ACT_CONTINUE, 0);
    }
    case OMA_AMR2:
        return offload(s, q_off, 1.0);
    }
    return hi_act(HI_ACT_CONTINUE, 0);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    int w;
    if (s->hi_makespan)
        w = snprintf(buf, len, "k=%zu T=%.9g ms (hi-makespan: theta=%.6g, %zu offloads) %s", s->k, s->T * 1e3,
                     s->theta, s->k_hi, s->sequential ? "sequential" : "parallel");
    else
        w = snprintf(buf, len, "k=%zu T=%.9g ms %s", s->k, s->T * 1e3, s->sequential ? "sequential" : "parallel");
    if (w > 0 && (size_t)w < len && s->variant == OMA_AMR2)
        snprintf(buf + w, len - (size_t)w, " lp_accuracy=%.6f", s->lp_accuracy);
    else if (w > 0 && (size_t)w < len && s->variant == OMA_WORST)
        snprintf(buf + w, len - (size_t)w, " pick=%s", s->pick_random ? "random" : "adversarial");
}

#define OMA_FLAGS (POLICY_DECIDES_AT_ARRIVAL | POLICY_ORACLE | POLICY_THETA_STAR)

const struct hi_policy_type hi_policy_oma_random = {
    .name = "oma-random",
    .summary = "OMA (000 §5): the k samples that fit the budget oma.time_limit offloaded raw, chosen at random (uses labels)",
    .size = sizeof(struct state),
    .flags = OMA_FLAGS,
    .init = init_random,
    .decide = decide,
    .describe = describe,
};

const struct hi_policy_type hi_policy_oma_worst = {
    .name = "oma-worst",
    .summary = "OMA worst case (000 §5): the k offloaded samples are ones the S-ML gets right (uses labels)",
    .size = sizeof(struct state),
    .flags = OMA_FLAGS,
    .init = init_worst,
    .decide = decide,
    .describe = describe,
};

const struct hi_policy_type hi_policy_oma_amr2 = {
    .name = "oma-amr2",
    .summary = "OMA by AMR²: LP relaxation (GLPK) and rounding under the budget oma.time_limit (uses labels)",
    .size = sizeof(struct state),
    .flags = OMA_FLAGS,
    .init = init_amr2,
    .decide = decide,
    .describe = describe,
};
