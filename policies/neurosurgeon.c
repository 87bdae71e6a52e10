/*
 * neurosurgeon.c — Neurosurgeon's split point (Kang et al., ASPLOS'17,
 * Algorithm 1; 000 §5 (4) "DNN partitioning" [15]).
 *
 * The network to split is the run's split network (server.profile, else
 * device.profile; sim/exec.h).  For k ∈ {0 .. N} layers on the device,
 * the engine's execution model and uplink give what one sample costs alone
 * on the system (hi_policy_env.action_cost):
 *
 *   T(k) = Σ_{i≤k} t^ed_i + 1[k<N]·(8·D_k/R [+ τnw]) + Σ_{i>k} t^es_i
 *   E(k) = Σ_{i≤k} e^ed_i + 1[k<N]·P_tx·8·D_k/R
 *
 * with D_0 the raw sample (its bytes; the server then also preprocesses),
 * D_k layer k's output, R the uplink rate, t^ed = profile/device.speed,
 * t^es = profile/server.speed.  k* = argmin over k (ties: the smallest k),
 * neurosurgeon.objective latency (T) or energy (E).  The original has no
 * per-transmission delay; neurosurgeon.delay: include adds the network's
 * mean delay τnw to every k < N (it cannot change k* among k < N, only
 * against k = N).  The result's downlink is neglected, as in the original.
 *
 * neurosurgeon.times: regression predicts t^ed and t^es from the layer-type
 * regressions of traces/layerfit.h (linear or logarithmic in FLOPs per
 * type), fitted on neurosurgeon.fit_profile (a profile measured on the
 * device; default: the split network's own): the plan uses predicted
 * times, the run the profile's.  The device power of E(k) stays the
 * execution model's.
 *
 * Decided at arrival: SPLIT k* (k* = 0 sends the raw sample, k* = N runs
 * everything on the device).  T(0) depends on the sample's bytes, so it is
 * recomputed per sample; the rest is planned once.  O(N) at init, O(1) per
 * sample.  No labels.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/layerfit.h"
#include "traces/layers.h"

struct state {
    void (*cost)(const void *ctx, size_t row, const struct hi_action *a, struct hi_action_cost *c);
    const void *ctx;
    unsigned n_layers;
    int energy, delay, regression;
    double dev_speed, srv_speed, pre_s;
    double *pred_cum_ms;       /* regression: cumulative predicted ms, n + 1 */
    unsigned best_k;           /* argmin over k >= 1 */
    double best_v;
    double v0_row0, vN;        /* for the summary */
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

/* The objective of SPLIT k on row `row`. */
static double
objective(const struct state *s, size_t row, unsigned k)
{
    struct hi_action a = hi_act(HI_ACT_SPLIT, k);
    struct hi_action_cost c;
    s->cost(s->ctx, row, &a, &c);
    if (s->regression) {
        double ms_dev = s->pred_cum_ms[k], ms_srv = s->pred_cum_ms[s->n_layers] - s->pred_cum_ms[k];
        double power = c.device_s > 0.0 ? c.device_mj / (c.device_s * 1e3) : 0.0;
        c.device_s = ms_dev / s->dev_speed * 1e-3;
        c.device_mj = power * ms_dev / s->dev_speed;
        c.server_s = k < s->n_layers ? ms_srv / s->srv_speed * 1e-3 + (k == 0 ? s->pre_s : 0.0) : 0.0;
    }
    if (s->energy)
        return c.device_mj + c.tx_mj;
    return c.device_s + c.tx_s + (s->delay ? c.delay_s : 0.0) + c.server_s;
}

static int
fit_times(struct state *s, const struct hi_policy_env *env, struct hi_error *err)
{
    char file[4096] = "";
    struct hi_layers own;
    const struct hi_layers *fit_on[1];
    struct layerfit fit;
    double *ms;
    size_t i;
    int rc, loaded = 0;

    memset(&own, 0, sizeof own);
    param(env, "neurosurgeon.fit_profile", file, sizeof file);
    if (file[0]) {
        if ((rc = layers_load(&own, file, err)))
            return rc;
        loaded = 1;
        fit_on[0] = &own;
    } else {
        fit_on[0] = env->layers;
    }
    rc = layerfit_fit(&fit, fit_on, 1, err);
    if (loaded)
        layers_free(&own);
    if (rc)
        return rc;
    ms = malloc(env->layers->n * sizeof *ms);
    s->pred_cum_ms = malloc((env->layers->n + 1) * sizeof *s->pred_cum_ms);
    if (!ms || !s->pred_cum_ms) {
        free(ms);
        layerfit_free(&fit);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    rc = layerfit_predict(&fit, env->layers, ms, err);
    layerfit_free(&fit);
    if (rc) {
        free(ms);
        return rc;
    }
    s->pred_cum_ms[0] = 0.0;
    for (i = 0; i < env->layers->n; i++)
        s->pred_cum_ms[i + 1] = s->pred_cum_ms[i] + ms[i];
    free(ms);
    return HI_OK;
}

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    char buf[64];
    unsigned k;
    int rc;

    if (!env->layers || env->layers->n == 0 || !env->action_cost)
        return error_set(err, HI_EINPUT, "neurosurgeon: needs the layer profile of the network to split "
                         "(server.profile, or device.profile)");
    s->cost = env->action_cost;
    s->ctx = env->param_ctx;
    s->n_layers = (unsigned)env->layers->n;
    s->energy = param(env, "neurosurgeon.objective", buf, sizeof buf) && strcmp(buf, "energy") == 0;
    s->delay = param(env, "neurosurgeon.delay", buf, sizeof buf) && strcmp(buf, "include") == 0;
    s->regression = param(env, "neurosurgeon.times", buf, sizeof buf) && strcmp(buf, "regression") == 0;
    s->dev_speed = param(env, "device.speed", buf, sizeof buf) ? strtod(buf, NULL) : 1.0;
    s->srv_speed = param(env, "server.speed", buf, sizeof buf) ? strtod(buf, NULL) : 1.0;
    s->pre_s = param(env, "server.preprocess_ms", buf, sizeof buf) ? strtod(buf, NULL) * 1e-3 : 0.0;
    if (s->regression && (rc = fit_times(s, env, err)))
        return rc;                 /* fini frees pred_cum_ms */
    s->best_k = s->n_layers;
    s->best_v = INFINITY;
    for (k = 1; k <= s->n_layers; k++) {
        double v = objective(s, 0, k);
        if (v < s->best_v) {
            s->best_v = v;
            s->best_k = k;
        }
    }
    s->vN = objective(s, 0, s->n_layers);
    s->v0_row0 = objective(s, 0, 0);
    return HI_OK;
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    unsigned k = objective(s, v->row, 0) <= s->best_v ? 0 : s->best_k;
    *q_off = k < s->n_layers;
    return hi_act(HI_ACT_SPLIT, k);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    unsigned k = s->v0_row0 <= s->best_v ? 0 : s->best_k;
    const char *unit = s->energy ? "mJ" : "ms";
    double f = s->energy ? 1.0 : 1e3;
    snprintf(buf, len, "k*=%u of %u (%s%s) %s(k*)=%.6g %s, (0)=%.6g, (N)=%.6g", k, s->n_layers,
             s->energy ? "energy" : "latency", s->regression ? ", regression times" : "", s->energy ? "E" : "T",
             (k == 0 ? s->v0_row0 : s->best_v) * f, unit, s->v0_row0 * f, s->vN * f);
}

static void
fini(void *st)
{
    struct state *s = st;
    free(s->pred_cum_ms);
}

const struct hi_policy_type hi_policy_neurosurgeon = {
    .name = "neurosurgeon",
    .summary = "Neurosurgeon: split the network at k* = argmin of device + transfer + server time (or energy) from the layer profiles",
    .size = sizeof(struct state),
    .flags = POLICY_DECIDES_AT_ARRIVAL,
    .init = init,
    .decide = decide,
    .describe = describe,
    .fini = fini,
};
