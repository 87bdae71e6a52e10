/*
 * ee.c — early exit (EE) and EE-HI (001 §3.2, §3.4.3, §5).
 *
 * The device runs an early-exit network (BranchyNet) stage by stage
 * (POLICY_EXITS).  At early exit k < N the sample leaves with exit k's
 * answer when its confidence reaches the exit's threshold, conf_k ≥ θ_k
 * (001 §3.2: "placing the threshold on the model confidence, i.e., the
 * highest softmax value"); otherwise it runs on to exit k + 1.
 *
 *   ee      the final exit N always answers;
 *   ee-hi   at the final exit a decision module (001 §3.4.3: "a binary LR
 *           model decides if the local inference (at the final layer) ...
 *           suffices") accepts exit N's answer or offloads the raw sample:
 *           ee.decision lr (lr.h, on exit N's ee<N>_conf and ee<N>_p2, or p
 *           alone without that column) or threshold (offload iff
 *           conf_N < policy.theta; `optimal`: θ* of exit N's confidences).
 *           Early-exited samples never reach the module.
 *
 * ee.thresholds is one value for every early exit, N − 1 values, or
 * `search`: 001 §5.2's brute force over the grid {0.50, 0.51, …, 1.00,
 * 1.01} per early exit (1.01: never exit there), minimising the mean
 * latency per sample (ee.objective latency: 001 eq. (3), the staged device
 * time to the exit taken plus τoff when offloaded) or the mean device
 * energy (energy: eq. (4), the compute energy to the exit plus the offload
 * energy), subject to the accuracy (eq. (1)) ≥ qos.accuracy.  Ties go to
 * the lower other objective, then to the lexicographically smallest θ.
 * The search reads the labels (a declared oracle) of the rows the run
 * reads (rows t mod R, t < n, in trace order), the threshold decision's
 * `optimal` too.  Counts per exit times constant per-exit costs make the
 * objective exact and independent of the order of summation.
 * O(51^(N−1)·n·N) at init; O(1) per stage.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/lr.h"
#include "traces/cost.h"

#define EE_GRID 52            /* 0.50 .. 1.00 by 0.01, then 1.01 */

struct state {
    unsigned n_exits;
    int hi;                   /* ee-hi */
    int use_lr;
    struct lr_module lr;
    double final_theta;       /* ee-hi, threshold decision */
    int final_optimal;
    double theta[TRACE_MAX_EXITS];
    int searched, energy;
    double qos, mean_obj, mean_other, accuracy;
};

static const char *
param(const struct hi_policy_env *env, const char *key, char *buf, size_t len)
{
    const char *v = env->param ? env->param(env->param_ctx, key) : NULL;
    if (!v)
        return NULL;
    snprintf(buf, len, "%s", v);
    return buf;
}

static double
grid_theta(unsigned i)
{
    return i + 1 < EE_GRID ? 0.5 + 0.01 * (double)i : 1.01;
}

/* Whether the decision module accepts exit N's answer on row r. */
static int
final_accepts(const struct state *s, const struct hi_trace *t, size_t r)
{
    double p = t->ee_conf[s->n_exits - 1][r];
    if (s->use_lr) {
        double p2 = t->ee_p2[s->n_exits - 1] ? t->ee_p2[s->n_exits - 1][r] : NAN;
        return lr_accepts(s->lr.w, s->lr.cut, p, p2);
    }
    return !(p < s->final_theta);
}

/* The brute-force search of the early-exit thresholds (see the top). */
static int
search(struct state *s, const struct hi_policy_env *env, struct hi_error *err)
{
    const struct hi_trace *t = env->trace;
    unsigned N = s->n_exits, E = N - 1, k, idx[TRACE_MAX_EXITS] = {0};
    double t_exit[TRACE_MAX_EXITS], e_exit[TRACE_MAX_EXITS], t_off = env->tau_off_s, e_off;
    double best_obj = INFINITY, best_other = INFINITY, best_acc = -1.0, top_acc = -1.0, combos = 1.0;
    size_t n = env->n, R = t->n, i;
    unsigned char *acc_ok = NULL;
    struct hi_action_cost c;
    struct hi_action a;
    char buf[64];
    int found = 0;

    for (k = 0; k < E; k++)
        combos *= EE_GRID;
    if (combos * (double)n * N > 4e10)
        return error_set(err, HI_EINPUT, "ee.thresholds: search over %u early exits of %zu samples is too large "
                         "(%.3g grid points); give the thresholds", E, n, combos);
    for (k = 1; k <= N; k++) {
        a = hi_act(HI_ACT_EXIT, k);
        env->action_cost(env->param_ctx, 0, &a, &c);
        t_exit[k - 1] = c.device_s;
        e_exit[k - 1] = c.device_mj;
    }
    a = hi_act(HI_ACT_OFFLOAD_RAW, 0);
    env->action_cost(env->param_ctx, 0, &a, &c);
    e_off = c.tx_mj + (param(env, "device.energy_offload_mj", buf, sizeof buf) ? strtod(buf, NULL) : 0.0);
    /* per row: the final decision's answer right (accept: exit N, offload: L-ML) */
    acc_ok = malloc(R * 2);
    if (!acc_ok)
        return error_set(err, HI_EINTERNAL, "out of memory");
    for (i = 0; i < R; i++) {
        int accept = s->hi ? final_accepts(s, t, i) : 1;
        acc_ok[2 * i] = (unsigned char)accept;
        acc_ok[2 * i + 1] = (unsigned char)(accept ? t->ee_pred[N - 1][i] == t->label[i] : !t->y_lml[i]);
    }
    for (;;) {
        size_t cnt[TRACE_MAX_EXITS + 1] = {0}, right = 0, off = 0, r_i;
        double th[TRACE_MAX_EXITS], lat = 0.0, en = 0.0, obj, other, acc;
        for (k = 0; k < E; k++)
            th[k] = grid_theta(idx[k]);
        for (i = 0; i < n; i++) {
            r_i = i % R;
            for (k = 0; k < E && t->ee_conf[k][r_i] < th[k]; k++)
                ;
            cnt[k]++;
            if (k < E) {
                right += t->ee_pred[k][r_i] == t->label[r_i];
            } else {
                off += !acc_ok[2 * r_i];
                right += acc_ok[2 * r_i + 1];
            }
        }
        for (k = 0; k < N; k++) {
            lat += (double)cnt[k] * t_exit[k];
            en += (double)cnt[k] * e_exit[k];
        }
        lat += (double)off * t_off;
        en += (double)off * e_off;
        acc = (double)right / (double)n;
        obj = s->energy ? en : lat;
        other = s->energy ? lat : en;
        if (acc > top_acc)
            top_acc = acc;
        if (acc >= s->qos && (obj < best_obj || (obj == best_obj && other < best_other))) {
            found = 1;
            best_obj = obj;
            best_other = other;
            best_acc = acc;
            for (k = 0; k < E; k++)
                s->theta[k] = th[k];
        }
        /* the next grid point, in lexicographic order */
        for (k = E; k > 0 && ++idx[k - 1] == EE_GRID; k--)
            idx[k - 1] = 0;
        if (k == 0)
            break;
    }
    free(acc_ok);
    if (!found)
        return error_set(err, HI_EINPUT, "ee.thresholds: no thresholds on the grid reach qos.accuracy %.6g "
                         "(the best accuracy is %.6g)", s->qos, top_acc);
    s->searched = 1;
    s->mean_obj = best_obj / (double)n;
    s->mean_other = best_other / (double)n;
    s->accuracy = best_acc;
    return HI_OK;
}

static int
parse_thresholds(struct state *s, const char *text, struct hi_error *err)
{
    unsigned E = s->n_exits - 1, k = 0, count;
    const char *p = text;
    char *end;
    double v[TRACE_MAX_EXITS];
    while (*p) {
        if (k == TRACE_MAX_EXITS)
            return error_set(err, HI_EINPUT, "ee.thresholds: more values than exits in '%s'", text);
        v[k] = strtod(p, &end);
        if (end == p || !isfinite(v[k]) || v[k] < 0.0 || (*end && *end != ','))
            return error_set(err, HI_EINPUT, "ee.thresholds: expected 'search', one threshold >= 0 or %u "
                             "comma-separated ones, found '%s'", E, text);
        k++;
        p = *end ? end + 1 : end;
    }
    count = k;
    if (count != 1 && count != E)
        return error_set(err, HI_EINPUT, "ee.thresholds: %u values for %u early exits (give one for all, or %u)",
                         count, E, E);
    for (k = 0; k < E; k++)
        s->theta[k] = count == 1 ? v[0] : v[k];
    return HI_OK;
}

static int
init_common(struct state *s, const struct hi_policy_env *env, int hi, struct hi_error *err)
{
    const struct hi_trace *t = env->trace;
    char buf[256];
    int rc;

    s->hi = hi;
    s->n_exits = env->n_exits;
    if (!t || s->n_exits == 0)
        return error_set(err, HI_EINPUT, "%s: needs a trace with early exits (ee<k>_conf, ee<k>_pred)",
                         hi ? "ee-hi" : "ee");
    s->energy = param(env, "ee.objective", buf, sizeof buf) && strcmp(buf, "energy") == 0;
    s->qos = param(env, "qos.accuracy", buf, sizeof buf) ? strtod(buf, NULL) : 0.9;
    if (hi) {
        s->use_lr = !(param(env, "ee.decision", buf, sizeof buf) && strcmp(buf, "threshold") == 0);
        if (s->use_lr) {
            if ((rc = lr_module_init(&s->lr, env, "ee-hi", s->n_exits, err)))
                return rc;
        } else if (isnan(env->theta)) {
            /* θ* of exit N's answers, with the labels */
            struct hi_trace view;
            struct cost_optimum o;
            char col[32];
            snprintf(col, sizeof col, "ee%u_conf", s->n_exits);
            if ((rc = trace_view_confidence(t, col, &view, err)))
                return rc;
            rc = cost_best_threshold(&env->cost, &view, NULL, view.n, &o);
            trace_view_free(&view);
            if (rc)
                return error_set(err, HI_EINTERNAL, "out of memory");
            s->final_theta = o.theta;
            s->final_optimal = 1;
        } else {
            s->final_theta = env->theta;
        }
    }
    if (s->n_exits == 1)
        return HI_OK;   /* no early exit: nothing to choose */
    param(env, "ee.thresholds", buf, sizeof buf);
    if (strcmp(buf, "search") == 0)
        return search(s, env, err);
    return parse_thresholds(s, buf, err);
}

static int
init_ee(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return init_common(st, env, 0, err);
}

static int
init_ee_hi(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    return init_common(st, env, 1, err);
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    const struct state *s = st;
    *q_off = 0.0;
    if (v->exit < s->n_exits)
        return v->p >= s->theta[v->exit - 1] ? hi_act(HI_ACT_EXIT, v->exit) : hi_act(HI_ACT_CONTINUE, 0);
    if (s->hi) {
        int accept = s->use_lr ? lr_accepts(s->lr.w, s->lr.cut, v->p, v->p2) : !(v->p < s->final_theta);
        if (!accept) {
            *q_off = 1.0;
            return hi_act(HI_ACT_OFFLOAD, 0);
        }
    }
    return hi_act(HI_ACT_EXIT, v->exit);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    size_t w = 0;
    unsigned k;
    w += (size_t)snprintf(buf + w, len - w, "theta=");
    for (k = 0; k + 1 < s->n_exits && w < len; k++)
        w += (size_t)snprintf(buf + w, len - w, "%s%.4g", k ? "," : "", s->theta[k]);
    if (s->searched && w < len)
        w += (size_t)snprintf(buf + w, len - w, " (search: %s %.6g %s, accuracy %.4f >= %.4g)",
                              s->energy ? "energy" : "latency", s->energy ? s->mean_obj : s->mean_obj * 1e3,
                              s->energy ? "mJ" : "ms", s->accuracy, s->qos);
    if (s->hi && w < len) {
        if (s->use_lr) {
            w += (size_t)snprintf(buf + w, len - w, " final: lr ");
            if (w < len)
                lr_module_describe(&s->lr, buf + w, len - w);
        } else {
            snprintf(buf + w, len - w, " final: p < %.6g%s", s->final_theta, s->final_optimal ? " (optimal)" : "");
        }
    }
}

const struct hi_policy_type hi_policy_ee = {
    .name = "ee",
    .summary = "early exit (001): leave at the first exit with confidence >= its threshold (ee.thresholds or a search under qos.accuracy); the final exit answers",
    .size = sizeof(struct state),
    .flags = POLICY_EXITS | POLICY_ORACLE,
    .init = init_ee,
    .decide = decide,
    .describe = describe,
};

const struct hi_policy_type hi_policy_ee_hi = {
    .name = "ee-hi",
    .summary = "EE-HI (001): early exits, then at the final exit the LR (or a threshold) accepts or offloads the sample",
    .size = sizeof(struct state),
    .flags = POLICY_EXITS | POLICY_ORACLE,
    .init = init_ee_hi,
    .decide = decide,
    .describe = describe,
};
